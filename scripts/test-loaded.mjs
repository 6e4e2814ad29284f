// The whole test suite (as `npm test`) while every core is kept busy, as on a shared CI machine:
//   npm run test:loaded                    # one stress-ng CPU worker per core
//   npm run test:loaded -- --workers 4 [vitest args]
// Tests must wait for "X within a generous bound", never for fixed times: this run shows it.
import { spawn, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { ensureDebianTool } from "./debianTool.mjs";

const args = process.argv.slice(2);
let workers = availableParallelism();
const at = args.indexOf("--workers");
if (at >= 0) {
  workers = Number(args[at + 1]);
  args.splice(at, 2);
  if (!Number.isInteger(workers) || workers < 1) {
    console.error("--workers takes a positive whole number");
    process.exit(2);
  }
}
ensureDebianTool("stress-ng");
console.log(`test suite under load: stress-ng --cpu ${workers}`);
// the load ends with this script: its own timeout (3 h) is only a backstop if this process is killed
const load = spawn("stress-ng", ["--cpu", String(workers), "--timeout", "3h", "--quiet"], { stdio: "ignore" });
const stopLoad = () => {
  if (load.exitCode === null) load.kill("SIGTERM");
};
process.on("SIGINT", () => {
  stopLoad();
  process.exit(130);
});
const r = spawnSync(process.execPath, ["scripts/test.mjs", ...args], { stdio: "inherit" });
stopLoad();
process.exit(r.status ?? 1);
