// Name server benchmark against a real bin/mqnamesrv process:
//  - memory (RSS) with 10,000 topics × 4 broker sets registered,
//  - GET_ROUTEINFO_BY_TOPIC requests/s on 1 and 16 connections.
// Usage: node packages/namesrv/bench/namesrv-bench.mjs [--seconds N]   (needs `npm run build` first)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequest, encodeHeader, RegisterBrokerRequestHeader, RemotingClient } from "../../remoting/dist/index.js";
import { encodeRegisterBrokerBody, newTopicConfig } from "../../common/dist/index.js";

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1]) || 3;
const TOPICS = 10_000;
const BROKER_SETS = 4;
const root = resolve(import.meta.dirname, "../../..");

const port = await new Promise((r) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => r(p));
  });
});
const home = mkdtempSync(join(tmpdir(), "namesrv-bench-"));
writeFileSync(join(home, "ns.properties"), `listenPort=${port}\n`);
const child = spawn(join(root, "bin", "mqnamesrv"), ["-c", join(home, "ns.properties")], {
  env: { ...process.env, JAVA_OPT_EXT: `-Duser.home=${home}`, ROCKETMQ_LOG_LEVEL: "warn" },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise((r) => child.stdout.on("data", (d) => d.toString().includes("boot success") && r()));
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))[1]) / 1024;
const addr = `127.0.0.1:${port}`;

const idleRss = rssMiB();
const table = new Map();
for (let i = 0; i < TOPICS; i++) {
  const name = `BenchTopic-${String(i).padStart(5, "0")}`;
  table.set(name, newTopicConfig(name, { readQueueNums: 8, writeQueueNums: 8 }));
}
const brokers = [];
for (let b = 0; b < BROKER_SETS; b++) {
  const client = new RemotingClient();
  brokers.push(client);
  const body = encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: { dataVersion: { timestamp: Date.now(), counter: 1 }, topicConfigTable: table },
    filterServerList: [],
  });
  const extFields = encodeHeader(RegisterBrokerRequestHeader, {
    brokerName: `broker-${b}`,
    brokerAddr: `127.0.0.${b + 1}:10911`,
    clusterName: "BenchCluster",
    haServerAddr: `127.0.0.${b + 1}:10912`,
    brokerId: 0,
  });
  const started = Date.now();
  const res = await client.invokeSync(addr, createRequest(103, { extFields, body }), 30_000);
  if (res.code !== 0) throw new Error(`register failed: ${res.code} ${res.remark}`);
  if (b === 0)
    console.log(
      `register ${TOPICS} topics (body ${(body.length / 1024 / 1024).toFixed(1)} MiB): ${Date.now() - started} ms`,
    );
}
await new Promise((r) => setTimeout(r, 1000));
const loadedRss = rssMiB();
console.log(
  `namesrv RSS: ${idleRss.toFixed(1)} MiB idle, ${loadedRss.toFixed(1)} MiB with ${TOPICS} topics × ${BROKER_SETS} broker sets`,
);

async function routeBench(connections, inflight) {
  const clients = Array.from({ length: connections }, () => new RemotingClient());
  let done = 0;
  let i = 0;
  const end = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const loop = async (c) => {
    while (Date.now() < end) {
      const topic = `BenchTopic-${String(i++ % TOPICS).padStart(5, "0")}`;
      const res = await c.invokeAsync(addr, createRequest(105, { extFields: { topic } }), 5000);
      if (res.code !== 0) throw new Error(`route failed ${res.code}`);
      done++;
    }
  };
  await Promise.all(clients.flatMap((c) => Array.from({ length: inflight }, () => loop(c))));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(clients.map((c) => c.shutdown()));
  return done / elapsed;
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
for (const conns of [1, 16]) {
  const one = await routeBench(conns, 1);
  const piped = await routeBench(conns, 16);
  console.log(
    `GET_ROUTEINFO_BY_TOPIC (4 broker sets per route) on ${String(conns).padStart(2)} connection(s): ${fmt(one)} req/s (1 in flight each), ${fmt(piped)} req/s (16 in flight each)`,
  );
}
console.log(`namesrv RSS after the run: ${rssMiB().toFixed(1)} MiB`);
await Promise.all(brokers.map((b) => b.shutdown()));
child.kill("SIGTERM");
await new Promise((r) => child.on("exit", r));
rmSync(home, { recursive: true, force: true });
