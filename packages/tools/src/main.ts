// Process entry of bin/mqadmin.
import { runMqadmin } from "./mqadmin.js";

const code = await runMqadmin(
  process.argv.slice(2),
  (s) => process.stdout.write(s),
  (s) => process.stderr.write(s),
);
process.exitCode = code;
