// Starts a local cluster from a fresh clone: installs what is missing, builds, then runs the name
// server (127.0.0.1:9876) and one broker (conf/broker.conf, port 10911) in the foreground.
// Ctrl-C stops both.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pnpm } from "./pnpm.mjs";

pnpm(["install", "--frozen-lockfile"]);
pnpm(["run", "build"]);
const { defaultLogDir } = await import("../packages/common/dist/index.js");

const root = new URL("..", import.meta.url).pathname;
const children = [];
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  // broker first, so it unregisters from the name server
  const [namesrv, broker] = children;
  if (broker && broker.exitCode === null) {
    broker.once("exit", () => namesrv?.kill("SIGTERM"));
    broker.kill("SIGTERM");
  } else namesrv?.kill("SIGTERM");
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

/** Start a server, echo its stdout, resolve when it printed its boot line. */
function start(name, bin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, "bin", bin), args, {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ROCKETMQ_HOME: root },
    });
    children.push(child);
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      if (d.toString().includes("boot success")) resolve(child);
    });
    child.on("exit", (code, signal) => {
      console.log(`${name} exited (${signal ?? code})`);
      reject(new Error(`${name} did not start`));
      stop();
    });
  });
}

await start("mqnamesrv", "mqnamesrv", ["-c", join(root, "conf", "namesrv.properties")]);
await start("mqbroker", "mqbroker", ["-n", "127.0.0.1:9876", "-c", join(root, "conf", "broker.conf")]);
console.log(
  `local cluster up: name server 127.0.0.1:9876, broker-a on port 10911; logs in ${defaultLogDir()}; Ctrl-C stops it`,
);
