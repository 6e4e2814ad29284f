// Starts a local cluster from a fresh clone: installs what is missing, builds, then runs the name
// server (127.0.0.1:9876) and the brokers in the foreground. Ctrl-C (or `npm run stop`) stops them.
// 5.x gRPC clients reach the cluster through the proxy on 127.0.0.1:8081 (PROXY_PORT to change it).
//   npm start                           one broker from conf/broker.conf (port 10911, store ~/store),
//                                       with the proxy inside it (local mode, `mqbroker --enable-proxy`)
//   npm start -- --cluster 2m-2s-sync   conf/2m-2s-sync/*: two masters and their slaves, each with
//                                       derived ports and its own home under ~/rocketmq-ts/<mode>/
//   npm start -- --cluster dledger      conf/dledger/broker-n0..n2.conf: one DLedger (Raft) group
//   npm start -- --cluster dledger-2g   conf/dledger-2g/RaftNode0{0,1}-n0..n2.conf: two DLedger groups
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { clusterLayout, CLUSTER_MODES } from "./cluster-layout.mjs";
import { pnpm } from "./pnpm.mjs";

const args = process.argv.slice(2);
const modeAt = args.indexOf("--cluster");
const mode = modeAt >= 0 ? args[modeAt + 1] : null;
if (modeAt >= 0 && !CLUSTER_MODES.includes(mode)) {
  console.error(`--cluster takes one of: ${CLUSTER_MODES.join(", ")}`);
  process.exit(1);
}

pnpm(["install", "--frozen-lockfile"]);
pnpm(["run", "build"]);
const { defaultLogDir } = await import("../packages/common/dist/index.js");

const root = new URL("..", import.meta.url).pathname;
const namesrvAddr = "127.0.0.1:9876";
const pidFile = join(homedir(), ".rocketmq-ts-start.pid");
const children = []; // [namesrv, ...brokers]
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  // brokers first (slaves before masters), so they unregister; the name server last
  const [namesrv, ...brokers] = children;
  const alive = brokers.filter((b) => b.exitCode === null);
  let left = alive.length;
  const done = () => {
    if (--left <= 0) namesrv?.kill("SIGTERM");
  };
  if (alive.length === 0) namesrv?.kill("SIGTERM");
  for (const b of alive.reverse()) {
    b.once("exit", done);
    b.kill("SIGTERM");
  }
  rmSync(pidFile, { force: true });
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const proxyPort = Number(process.env.PROXY_PORT ?? "8081");
const proxyHome = join(homedir(), "rocketmq-ts", "proxy");

/** rmq-proxy.json for the proxy: the cluster, the name server and the gRPC port. */
function proxyConfig() {
  mkdirSync(proxyHome, { recursive: true });
  const file = join(proxyHome, "rmq-proxy.json");
  writeFileSync(
    file,
    JSON.stringify({ rocketMQClusterName: "DefaultCluster", namesrvAddr, grpcServerPort: proxyPort }, null, 2) + "\n",
  );
  return file;
}

/** Start a server, echo its stdout, resolve when it printed its boot line (or the proxy's). */
function start(name, bin, argv, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, "bin", bin), argv, {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ROCKETMQ_HOME: root, ...env },
    });
    children.push(child);
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      const text = d.toString();
      if (text.includes("boot success") || text.includes("rocketmq-proxy startup successfully")) resolve(child);
    });
    child.on("exit", (code, signal) => {
      console.log(`${name} exited (${signal ?? code})`);
      reject(new Error(`${name} did not start`));
      stop();
    });
  });
}

writeFileSync(pidFile, String(process.pid));
await start("mqnamesrv", "mqnamesrv", ["-c", join(root, "conf", "namesrv.properties")]);
if (!mode) {
  await start("mqbroker", "mqbroker", [
    "--enable-proxy",
    "-n",
    namesrvAddr,
    "-c",
    join(root, "conf", "broker.conf"),
    "-pc",
    proxyConfig(),
  ]);
  console.log(
    `local cluster up: name server ${namesrvAddr}, broker-a on port 10911, gRPC proxy (5.x clients) on 127.0.0.1:${proxyPort}; logs in ${defaultLogDir()}; Ctrl-C or \`npm run stop\` stops it`,
  );
} else {
  const base = join(homedir(), "rocketmq-ts", mode);
  const lines = [];
  const pending = [];
  for (const b of clusterLayout(join(root, "conf"), mode)) {
    // the template as Java ships it, plus what one machine needs: a port and a home of its own
    const home = join(base, b.name);
    mkdirSync(home, { recursive: true });
    const conf = join(home, `${b.name}.properties`);
    const store = join(home, "store");
    // DLedger templates name a store under /tmp: each member gets its home's instead
    const paths = b.dledgerPort ? `storePathRootDir=${store}\nstorePathCommitLog=${join(store, "commitlog")}\n` : "";
    writeFileSync(conf, `${readFileSync(b.template, "utf8")}\nlistenPort=${b.listenPort}\n${paths}`);
    // DLedger members print their boot line before the group has a leader: start them together
    const started = start(b.name, "mqbroker", ["-n", namesrvAddr, "-c", conf], { JAVA_OPT_EXT: `-Duser.home=${home}` });
    if (!b.dledgerPort) await started;
    else pending.push(started);
    const ports = b.dledgerPort ? `DLedger ${b.dledgerPort}` : `HA ${b.listenPort + 1}`;
    lines.push(
      `  ${b.name.padEnd(11)} port ${b.listenPort} (${ports})  config ${conf}  store ${store}  logs ${join(home, "logs", "rocketmqlogs")}`,
    );
  }
  await Promise.all(pending);
  // one proxy for the whole cluster (cluster mode): the brokers share this machine, so they cannot
  // each run a local-mode proxy on the same gRPC port
  await start("mqproxy", "mqproxy", ["-n", namesrvAddr, "-pc", proxyConfig()], {
    JAVA_OPT_EXT: `-Duser.home=${proxyHome}`,
  });
  console.log(`local ${mode} cluster up: name server ${namesrvAddr} (logs in ${defaultLogDir()})`);
  for (const l of lines) console.log(l);
  console.log(
    `  gRPC proxy (5.x clients, cluster mode) on 127.0.0.1:${proxyPort}  logs ${join(proxyHome, "logs", "rocketmqlogs")}`,
  );
  console.log(`bin/mqadmin clusterList -n ${namesrvAddr} shows it; Ctrl-C or \`npm run stop\` stops it`);
}
await startConsole();

/**
 * The web console on port 8080 (CONSOLE_PORT to change it). It is not the cluster: if it cannot
 * start (the port is taken), the cluster keeps running and the reason is printed.
 */
function startConsole() {
  const port = process.env.CONSOLE_PORT ?? "8080";
  return new Promise((resolve) => {
    const child = spawn(
      join(root, "bin", "mqconsole"),
      [`--server.port=${port}`, `--rocketmq.config.namesrvAddr=${namesrvAddr}`],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ROCKETMQ_HOME: root } },
    );
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      const m = /listening on (\S+)/.exec(d.toString());
      if (!m) return;
      children.push(child);
      console.log(`console: ${m[1]} (Cluster page: ${m[1]}/#/cluster, Prometheus: ${m[1]}/metrics)`);
      resolve();
    });
    child.on("exit", (code, signal) => {
      if (!stopping)
        console.log(`mqconsole exited (${signal ?? code})${err ? `: ${err.trim()}` : ""}; the cluster keeps running`);
      resolve();
    });
  });
}
