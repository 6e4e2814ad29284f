// The whole test suite (as `npm test`) with every process's clock moved ahead, so that no test
// depends on today's date or on the age of the captures it replays:
//   npm run test:timeshift                 # +400 days
//   npm run test:timeshift -- --days 3650 [vitest args]
// Debian's libfaketime shifts the clock of this process tree only (brokers and tools the tests
// start inherit it); the kernel's clock (file mtimes) is not shifted.
import { spawnSync } from "node:child_process";
import { ensureDebianTool } from "./debianTool.mjs";

const args = process.argv.slice(2);
let days = 400;
const at = args.indexOf("--days");
if (at >= 0) {
  days = Number(args[at + 1]);
  args.splice(at, 2);
  if (!Number.isInteger(days)) {
    console.error("--days takes a whole number of days (negative moves the clock back)");
    process.exit(2);
  }
}
ensureDebianTool("faketime");
const shift = `${days >= 0 ? "+" : ""}${days}d`;
console.log(`test suite with the clock at ${shift} (faketime)`);
const r = spawnSync("faketime", ["-f", shift, process.execPath, "scripts/test.mjs", ...args], { stdio: "inherit" });
process.exit(r.status ?? 1);
