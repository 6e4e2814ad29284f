// Stops what `npm start` started (it stops its brokers, then the name server).
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const pidFile = join(homedir(), ".rocketmq-ts-start.pid");
let pid;
try {
  pid = Number(readFileSync(pidFile, "utf8"));
} catch {
  console.log("No local cluster started by `npm start` is running.");
  process.exit(0);
}
try {
  process.kill(pid, "SIGTERM");
} catch {
  console.log("No local cluster started by `npm start` is running.");
  process.exit(0);
}
while (true) {
  try {
    process.kill(pid, 0);
  } catch {
    break;
  }
  await new Promise((r) => setTimeout(r, 200));
}
console.log("local cluster stopped");
