// Starts a local cluster from a fresh clone: installs what is missing, builds, then runs the
// name server in the foreground (the broker joins it once it exists). Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pnpm } from "./pnpm.mjs";

pnpm(["install", "--frozen-lockfile"]);
pnpm(["run", "build"]);
const { defaultLogDir } = await import("../packages/common/dist/index.js");

const root = new URL("..", import.meta.url).pathname;
const port = "9876";
const children = [];

function start(name, bin, args) {
  const child = spawn(join(root, "bin", bin), args, { stdio: "inherit", env: { ...process.env, ROCKETMQ_HOME: root } });
  child.on("exit", (code, signal) => {
    console.log(`${name} exited (${signal ?? code})`);
    stop();
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const conf = join(root, "conf", "namesrv.properties");
start("mqnamesrv", "mqnamesrv", ["-c", conf]);
console.log(`name server: 127.0.0.1:${port}   logs: ${defaultLogDir()}   stop: Ctrl-C`);
