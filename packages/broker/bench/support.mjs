// Shared by the broker benchmarks: a real bin/mqbroker process, topic creation, and a load of N
// concurrent synchronous 1 KB SEND_MESSAGE_V2 senders (like Java's producer benchmark).
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequest, RemotingClient } from "../../remoting/dist/index.js";
import { freeBrokerPort } from "../../../scripts/ports.mjs";

export const root = resolve(import.meta.dirname, "../../..");
export const arg = (n, d) => (process.argv.includes(n) ? process.argv[process.argv.indexOf(n) + 1] : d);

export { freeBrokerPort };

/**
 * Start `bin/<command>` (mqbroker, mqnamesrv) with `props` (key=value lines) in `home`; resolves once
 * it booted, rejects if it exits first. `stop()` ends it (at once if it already exited).
 */
export function startServer(command, home, name, props, javaOpts = []) {
  const conf = join(home, `${name}.properties`);
  writeFileSync(conf, props.join("\n") + "\n");
  const proc = spawn(join(root, "bin", command), ["-c", conf], {
    env: {
      ...process.env,
      JAVA_OPT_EXT: [`-Duser.home=${join(home, name)}`, ...javaOpts].join(" "),
      ROCKETMQ_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  proc.stop = () =>
    new Promise((r) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return r();
      proc.once("exit", r);
      proc.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`${command} exited with ${code} before it booted`)));
    proc.stdout.on("data", (d) => d.toString().includes("boot success") && resolve(proc));
  });
}

/** Start bin/mqbroker with `props` (key=value lines) in `home` (and `-D` words `javaOpts`); resolves once it booted. */
export function startBroker(home, name, props, javaOpts = []) {
  return startServer("mqbroker", home, name, props, javaOpts);
}

export async function createTopic(client, addr, topic, queues) {
  const extFields = {
    topic,
    defaultTopic: "TBW102",
    readQueueNums: String(queues),
    writeQueueNums: String(queues),
    perm: "6",
    topicFilterType: "SINGLE_TAG",
  };
  await client.invokeSync(addr, createRequest(17, { extFields }), 5000);
}

/** One synchronous 1 KB send; resolves with the response code. */
export function sendOne(client, addr, topic, queueId, uniq, body, timeoutMillis = 3000) {
  const ext = {
    a: "bench_pg",
    b: topic,
    c: "TBW102",
    d: "8",
    e: String(queueId),
    f: "0",
    g: String(Date.now()),
    h: "0",
    i: `UNIQ_KEY\u0001${uniq}\u0002WAIT\u0001true`,
    j: "0",
    k: "false",
    m: "false",
  };
  return client
    .invokeSync(addr, createRequest(310, { extFields: ext, body, serializeType: "ROCKETMQ" }), timeoutMillis)
    .then((res) => res.code);
}

/**
 * `senders` concurrent synchronous senders for `seconds`: sent (SUCCESS), failed (anything else,
 * by code), elapsed seconds, average and max RT.
 */
export async function sendLoad({
  addr,
  topic,
  queues,
  seconds,
  senders,
  connections = Math.min(senders, 8),
  size = 1024,
}) {
  const body = randomBytes(size);
  const result = { sent: 0, failed: 0, codes: new Map(), rtTotal: 0, maxRt: 0, secs: 0 };
  const clients = Array.from({ length: connections }, () => new RemotingClient());
  const end = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      const client = clients[s % clients.length];
      let i = 0;
      while (Date.now() < end) {
        const t0 = Date.now();
        const code = await sendOne(client, addr, topic, (s + i) % queues, `B${s}-${i++}`, body).catch(() => -1);
        const rt = Date.now() - t0;
        result.rtTotal += rt;
        result.maxRt = Math.max(result.maxRt, rt);
        if (code === 0) result.sent++;
        else {
          result.failed++;
          result.codes.set(code, (result.codes.get(code) ?? 0) + 1);
        }
      }
    }),
  );
  result.secs = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(clients.map((c) => c.shutdown()));
  return result;
}

export const perSecond = (n, secs) => Math.round(n / secs).toLocaleString("en-US");
export const avgRt = (r) => (r.rtTotal / Math.max(1, r.sent + r.failed)).toFixed(2);

/** CPU time (user + system) a process has used so far, in microseconds, from /proc/<pid>/stat. */
export function cpuMicros(pid) {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/**
 * User and system CPU time a process has used so far, in microseconds; with `thread`, only that
 * thread's (the main thread's id is the pid: the event loop that owns the store).
 */
export function cpuSplit(pid, thread) {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, "utf8");
  // fields after the parenthesised command name: state is field 3, utime 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: (Number(fields[11]) * 1e6) / CLOCK_TICKS, system: (Number(fields[12]) * 1e6) / CLOCK_TICKS };
}
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** `sendLoad` while measuring the CPU the broker processes `pids` use meanwhile: µs per stored message. */
export async function sendLoadWithCpu(pids, load) {
  const before = pids.map((pid) => cpuSplit(pid));
  const beforeMain = pids.map((pid) => cpuSplit(pid, pid));
  const result = await sendLoad(load);
  const after = pids.map((pid) => cpuSplit(pid));
  const afterMain = pids.map((pid) => cpuSplit(pid, pid));
  const n = Math.max(1, result.sent);
  const perMsg = (a, b) => (a.user + a.system - b.user - b.system) / n;
  result.cpuPerMsg = after.map((a, i) => perMsg(a, before[i]));
  result.sysPerMsg = after.map((a, i) => (a.system - before[i].system) / n);
  result.mainThreadPerMsg = afterMain.map((a, i) => perMsg(a, beforeMain[i]));
  return result;
}

/** Properties both brokers of a master–slave pair share unless a bench gives its own. */
const HA_COMMON = ["brokerIP1=127.0.0.1", "brokerIP2=127.0.0.1", "flushDiskType=ASYNC_FLUSH", "brokerName=broker-ha"];

/** A master (`role`) alone, in `home`, with the properties `common`: its address and process. */
export async function startMaster(home, role, common = HA_COMMON, javaOpts = []) {
  const masterPort = await freeBrokerPort();
  const master = await startBroker(
    home,
    "master",
    [...common, `brokerRole=${role}`, `listenPort=${masterPort}`, `storePathRootDir=${join(home, "master-store")}`],
    javaOpts,
  );
  return { addr: `127.0.0.1:${masterPort}`, masterPort, master };
}

/** A master (`role`) with one slave replicating from it, in `home`: the master's address and both processes. */
export async function startMasterSlave(home, role, common = HA_COMMON) {
  const { addr, masterPort, master } = await startMaster(home, role, common);
  const slave = await startBroker(home, "slave", [
    ...common,
    "brokerRole=SLAVE",
    "brokerId=1",
    `listenPort=${await freeBrokerPort()}`,
    `storePathRootDir=${join(home, "slave-store")}`,
    `haMasterAddress=127.0.0.1:${masterPort + 1}`,
  ]);
  return { addr, master, slave };
}

/** Send probes to `addr` until one is answered SEND_OK (a SYNC_MASTER needs an acking slave first). */
export async function untilSendOk(client, addr, topic, timeoutMs = 60_000) {
  const probe = Buffer.alloc(16);
  const end = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const code = await sendOne(client, addr, topic, 0, `probe-${i}`, probe, 10_000).catch(() => -1);
    if (code === 0) return;
    if (Date.now() > end) throw new Error(`${addr} answered no send with SEND_OK within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
