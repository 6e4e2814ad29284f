// Process entry of bin/mqadmin.
import { handleClosedStdio } from "@rocketmq-ts/common";
import { runMqadmin } from "./mqadmin.js";

handleClosedStdio("exit"); // `mqadmin … | head` ends quietly

const code = await runMqadmin(
  process.argv.slice(2),
  (s) => process.stdout.write(s),
  (s) => process.stderr.write(s),
);
process.exitCode = code;
