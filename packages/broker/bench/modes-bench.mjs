// Every mode side by side, with the same command: bin/benchmark producer (sync sends, like Java's
// producer.sh) against a fresh bin/mqnamesrv + bin/mqbroker set per row. Each row prints send TPS,
// average and p99 RT, the broker's CPU per acknowledged message (all its threads, then its main thread
// alone — the event loop every request passes through; its slave's too, where there is one)
// and the benchmark tool's own CPU per message, all measured through /proc and the tool's --json.
// A last line measures the disk: sequential 256 KiB writes, each followed by fdatasync, the bandwidth
// SYNC_FLUSH's group commit is compared with.
//
// A row with `runs` is run that many times and its median run (by broker CPU per message) printed,
// with every run's figure beside it.
//
// The security rows: plain ACL (aclEnable=true, every request signed by the tool and checked by the
// broker) and TLS (`-Dtls.server.mode=enforcing` on both servers, the tool with `-Dtls.enable=true`),
// each beside the plain headline row.
//
// Usage: node packages/broker/bench/modes-bench.mjs [--seconds N] [--only prefix,prefix]  (rows whose name starts so)
import { execFileSync, spawn } from "node:child_process";
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequest, RemotingClient } from "../../remoting/dist/index.js";
import { AclClientRPCHook } from "../../acl/dist/index.js";
import {
  arg,
  cpuMicros,
  cpuSplit,
  createTopic,
  freeBrokerPort,
  root,
  startMaster,
  startMasterSlave,
  startServer,
  untilSendOk,
} from "./support.mjs";

const seconds = Number(arg("--seconds", "10"));
const only = arg("--only", "")?.split(",").filter(Boolean) ?? [];

/** One row: its name, broker setup and benchmark flags. */
const ROWS = [
  // the headline row runs 3 times (a fresh broker each) and prints its median run: on a shared VM
  // one 10 s run moves by several µs per message with the host's load
  { name: "ASYNC_FLUSH 1KB", setup: "single", flush: "ASYNC_FLUSH", drain: true, runs: 3 },
  { name: "SYNC_FLUSH 1KB", setup: "single", flush: "SYNC_FLUSH" },
  { name: "SYNC_FLUSH 64KB", setup: "single", flush: "SYNC_FLUSH", size: 65536 },
  { name: "ASYNC_MASTER+slave 1KB", setup: "ASYNC_MASTER" },
  { name: "SYNC_MASTER+slave 1KB", setup: "SYNC_MASTER" },
  { name: "batches of 16 x 1KB", setup: "single", batch: 16 },
  { name: "ASYNC_FLUSH 128B", setup: "single", size: 128 },
  { name: "ASYNC_FLUSH 4KB", setup: "single", size: 4096 },
  { name: "ASYNC_FLUSH 64KB", setup: "single", size: 65536 },
  { name: "32 connections", setup: "single", connections: 32 },
  { name: "512 connections", setup: "single", connections: 512, threads: 512 },
  { name: "1,000 topics", setup: "single", topics: 1000 },
  { name: "10 groups reading", setup: "single", fanout: 10 },
  // the broker's processes pinned with taskset, the benchmark tool on core 1 in both rows
  { name: "broker on 1 core", setup: "single", brokerCpus: "0", toolCpus: "1" },
  { name: "broker on 2 cores", setup: "single", brokerCpus: "0,1", toolCpus: "1" },
  // sockets in an I/O thread (serverSelectorThreads=1): the main thread's share is what caps one broker
  { name: "I/O thread 1KB", setup: "single", props: ["serverSelectorThreads=1"] },
  {
    name: "I/O thread, 2 cores",
    setup: "single",
    props: ["serverSelectorThreads=1"],
    brokerCpus: "0,1",
    toolCpus: "1",
  },
  // security: each next to the headline row, 3 runs each
  { name: "ACL on 1KB", setup: "single", acl: true, runs: 3 },
  { name: "TLS enforcing 1KB", setup: "single", tls: true, runs: 3 },
];

/** The account the ACL row signs with (admin, so it may create its topic). */
const ACL_ACCOUNT = { accessKey: "benchAdmin", secretKey: "benchSecret1" };

/** A RocketMQ home whose conf/plain_acl.yml has the bench account. */
function aclHome(home) {
  const dir = join(home, "rocketmq-home");
  mkdirSync(join(dir, "conf"), { recursive: true });
  writeFileSync(
    join(dir, "conf", "plain_acl.yml"),
    `accounts:\n  - accessKey: ${ACL_ACCOUNT.accessKey}\n    secretKey: ${ACL_ACCOUNT.secretKey}\n    admin: true\n`,
  );
  return dir;
}

/** Wait until the name server knows a route for `topic`. */
async function untilRouted(client, nsAddr, topic, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await client
      .invokeSync(nsAddr, createRequest(105, { extFields: { topic } }), 5000)
      .catch(() => ({ code: -1 }));
    if (res.code === 0) return;
    if (Date.now() > end) throw new Error(`no route for ${topic} on ${nsAddr} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Pin every thread of `pid` to the CPUs in `list` (taskset's syntax, e.g. "0" or "0,1"). */
function pin(pid, list) {
  execFileSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" });
}

/** Run bin/benchmark producer|consumer to its end (on `cpus` if given); resolves with its --json result. */
function runTool(mode, args, cpus, env = {}) {
  return new Promise((resolve, reject) => {
    const tool = [join(root, "bin", "benchmark"), mode, ...args, "--json"];
    const [command, ...argv] = cpus ? ["taskset", "-c", cpus, ...tool] : tool;
    const p = spawn(command, argv, {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ...env },
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code !== 0 || !line) reject(new Error(`benchmark ${mode} exited with ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(line));
    });
  });
}

async function runRow(row) {
  const home = mkdtempSync(join(tmpdir(), "modes-bench-"));
  const procs = [];
  const admin = new RemotingClient(row.tls ? { useTLS: true } : {});
  if (row.acl) admin.registerRPCHook(new AclClientRPCHook(ACL_ACCOUNT));
  const serverJavaOpts = row.tls ? ["-Dtls.server.mode=enforcing"] : [];
  const brokerJavaOpts = [...serverJavaOpts, ...(row.acl ? [`-Drocketmq.home.dir=${aclHome(home)}`] : [])];
  const toolEnv = row.tls ? { JAVA_OPT: "-Dtls.enable=true" } : {};
  const toolAcl = row.acl ? ["-a", "true", "-ak", ACL_ACCOUNT.accessKey, "-sk", ACL_ACCOUNT.secretKey] : [];
  try {
    const nsPort = await freeBrokerPort();
    const nsAddr = `127.0.0.1:${nsPort}`;
    procs.push(await startServer("mqnamesrv", home, "namesrv", [`listenPort=${nsPort}`], serverJavaOpts));
    const common = [
      "brokerIP1=127.0.0.1",
      "brokerIP2=127.0.0.1",
      `namesrvAddr=${nsAddr}`,
      "brokerName=broker-bench",
      `flushDiskType=${row.flush ?? "ASYNC_FLUSH"}`,
      ...(row.props ?? []),
      ...(row.acl ? ["aclEnable=true"] : []),
    ];
    const { addr, master, slave } =
      row.setup === "single"
        ? await startMaster(home, "ASYNC_MASTER", common, brokerJavaOpts)
        : await startMasterSlave(home, row.setup, common);
    procs.push(master);
    const measured = [master];
    if (slave) {
      procs.push(slave);
      measured.push(slave);
    }
    const topics = row.topics ?? 1;
    const names = topics === 1 ? ["BenchTopic"] : Array.from({ length: topics }, (_, i) => `BenchTopic${i}`);
    for (const t of names) await createTopic(admin, addr, t, 8);
    await untilRouted(admin, nsAddr, names[names.length - 1]);
    // a SYNC_MASTER answers SEND_OK only once its slave is there
    await untilSendOk(admin, addr, names[0]);

    // fan-out: the consumer groups read while the producer sends
    const readers = row.fanout
      ? runTool("consumer", [
          "-n",
          nsAddr,
          "-t",
          "BenchTopic",
          "-g",
          "bench_fanout",
          "--groups",
          String(row.fanout),
          "--duration",
          String(seconds + 5),
        ])
      : null;
    if (row.brokerCpus) for (const p of measured) pin(p.pid, row.brokerCpus);
    const before = measured.map((p) => cpuMicros(p.pid));
    const beforeMain = cpuSplit(master.pid, master.pid);
    const toolArgs = [
      "-n",
      nsAddr,
      "-t",
      "BenchTopic",
      "-w",
      String(row.threads ?? 32),
      "-s",
      String(row.size ?? 1024),
      ...toolAcl,
    ];
    const result = row.batch
      ? // bin/benchmark batchproducer: messages per second, RT per batch request
        await runTool("batchproducer", [...toolArgs, "-b", String(row.batch), "--duration", String(seconds)]).then(
          (b) => ({
            ...b,
            sendTps: b.sendMps,
            sendOk: b.sendMessageOk,
            p99RT: null,
            responseFailed: b.sendMessageFailed,
          }),
        )
      : await runTool(
          "producer",
          [
            ...toolArgs,
            "--duration",
            String(seconds),
            "--connections",
            String(row.connections ?? 1),
            "--topics",
            String(topics),
          ],
          row.toolCpus,
          toolEnv,
        );
    const cpu = measured.map((p, i) => (cpuMicros(p.pid) - before[i]) / Math.max(1, result.sendOk));
    const afterMain = cpuSplit(master.pid, master.pid);
    const mainCpu =
      (afterMain.user + afterMain.system - beforeMain.user - beforeMain.system) / Math.max(1, result.sendOk);
    if (readers) await readers;
    let drain = null;
    if (row.drain) {
      // the backlog just sent, read by a new group from its first message
      const start = cpuMicros(master.pid);
      const c = await runTool("consumer", [
        "-n",
        nsAddr,
        "-t",
        "BenchTopic",
        "-g",
        "bench_drain",
        "--until",
        String(result.sendOk),
        "--duration",
        "180",
      ]);
      drain = {
        total: c.consumeTotal,
        tps: c.consumeTotal / Math.max(0.001, c.consumeSpanMs / 1000),
        brokerCpu: (cpuMicros(master.pid) - start) / Math.max(1, c.consumeTotal),
        toolCpu: c.clientCpuMicrosPerMsg,
      };
    }
    return { row, result, cpu, mainCpu, drain };
  } finally {
    await admin.shutdown();
    for (const p of procs.reverse()) await p.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Sequential 256 KiB writes each followed by fdatasync for `secs`, in `dir`: MB/s. */
function fdatasyncBandwidth(dir, secs = 3) {
  const file = join(dir, "fdatasync-probe");
  const fd = openSync(file, "w");
  const block = Buffer.alloc(256 * 1024, 1);
  let written = 0;
  const start = process.hrtime.bigint();
  const end = Date.now() + secs * 1000;
  try {
    while (Date.now() < end) {
      written += writeSync(fd, block, 0, block.length, written);
      fdatasyncSync(fd);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return written / 1e6 / (Number(process.hrtime.bigint() - start) / 1e9);
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(
  `modes benchmark: bin/benchmark producer, ${seconds} s per row, sync sends (32 threads unless said), 8 queues, client on the same machine`,
);
console.log(
  `${pad("mode", 24)}${lpad("TPS", 9)}${lpad("MB/s", 8)}${lpad("avg RT", 9)}${lpad("p99 RT", 8)}${lpad("broker µs/msg", 15)}${lpad("main thread", 13)}${lpad("slave µs/msg", 14)}${lpad("tool µs/msg", 13)}`,
);
for (const row of ROWS) {
  if (only.length > 0 && !only.some((o) => row.name.toLowerCase().startsWith(o.toLowerCase()))) continue;
  try {
    const runs = [];
    for (let i = 0; i < (row.runs ?? 1); i++) runs.push(await runRow(row));
    const byCpu = [...runs].sort((a, b) => a.cpu[0] - b.cpu[0]);
    const { result, cpu, mainCpu, drain } = byCpu[Math.floor((byCpu.length - 1) / 2)];
    const spread =
      runs.length > 1
        ? `  (median of ${runs.length} runs; broker µs/msg ${runs.map((r) => r.cpu[0].toFixed(1)).join(" / ")})`
        : "";
    const mbps = (result.sendTps * (row.size ?? 1024)) / 1e6;
    console.log(
      `${pad(row.name, 24)}${lpad(result.sendTps.toLocaleString("en-US"), 9)}${lpad(mbps.toFixed(1), 8)}${lpad(result.averageRT.toFixed(2) + " ms", 9)}${lpad(result.p99RT === null ? "-" : result.p99RT + " ms", 8)}${lpad(cpu[0].toFixed(1), 15)}${lpad(mainCpu.toFixed(1), 13)}${lpad(cpu[1] === undefined ? "-" : cpu[1].toFixed(1), 14)}${lpad(result.clientCpuMicrosPerMsg.toFixed(1), 13)}${result.sendFailed + result.responseFailed > 0 ? `  (failed ${result.sendFailed + result.responseFailed})` : ""}${spread}`,
    );
    if (drain)
      console.log(
        `${pad("  backlog drain", 24)}${lpad(Math.round(drain.tps).toLocaleString("en-US"), 9)}${lpad("", 33)}${lpad(drain.brokerCpu.toFixed(1), 15)}${lpad("", 13)}${lpad("-", 14)}${lpad(drain.toolCpu.toFixed(1), 13)}  (bin/benchmark consumer, ${drain.total.toLocaleString("en-US")} messages)`,
      );
  } catch (e) {
    console.log(`${pad(row.name, 24)}failed: ${e.message}`);
  }
}
const probeDir = mkdtempSync(join(tmpdir(), "modes-bench-disk-"));
console.log(
  `disk: sequential 256 KiB writes + fdatasync: ${fdatasyncBandwidth(probeDir).toFixed(1)} MB/s (SYNC_FLUSH target: half of it)`,
);
rmSync(probeDir, { recursive: true, force: true });
