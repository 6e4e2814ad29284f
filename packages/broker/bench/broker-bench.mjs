// Broker send throughput: N concurrent synchronous senders (default 32) of 1 KB SEND_MESSAGE_V2 to a real
// bin/mqbroker process (ASYNC_FLUSH), like Java's producer benchmark. Then a pull drain.
// Usage: node packages/broker/bench/broker-bench.mjs [--seconds N] [--senders N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { createRequest, RemotingClient, sendHeaderV2ToV1 } from "../../remoting/dist/index.js";

const arg = (n, d) => (process.argv.includes(n) ? process.argv[process.argv.indexOf(n) + 1] : d);
const seconds = Number(arg("--seconds", "10"));
const senders = Number(arg("--senders", "32"));
const root = resolve(import.meta.dirname, "../../..");
const freePort = () =>
  new Promise((r) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => r(p));
    });
  });

const home = mkdtempSync(join(tmpdir(), "broker-bench-"));
let port = await freePort();
while (port < 3) port = await freePort();
writeFileSync(
  join(home, "broker.properties"),
  `brokerName=broker-bench\nlistenPort=${port}\nbrokerIP1=127.0.0.1\nstorePathRootDir=${join(home, "store")}\nflushDiskType=ASYNC_FLUSH\n`,
);
const broker = spawn(join(root, "bin", "mqbroker"), ["-c", join(home, "broker.properties")], {
  env: { ...process.env, JAVA_OPT_EXT: `-Duser.home=${home}`, ROCKETMQ_LOG_LEVEL: "warn" },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise((r) => broker.stdout.on("data", (d) => d.toString().includes("boot success") && r()));
const addr = `127.0.0.1:${port}`;
const admin = new RemotingClient();
await admin.invokeSync(
  addr,
  createRequest(17, {
    extFields: {
      topic: "BenchTopic",
      defaultTopic: "TBW102",
      readQueueNums: "8",
      writeQueueNums: "8",
      perm: "6",
      topicFilterType: "SINGLE_TAG",
    },
  }),
  5000,
);

const body = randomBytes(1024);
let sent = 0;
let failed = 0;
let maxRt = 0;
let rtTotal = 0;
const end = Date.now() + seconds * 1000;
const started = process.hrtime.bigint();
const clients = Array.from({ length: Math.min(senders, 8) }, () => new RemotingClient());
await Promise.all(
  Array.from({ length: senders }, async (_, s) => {
    const client = clients[s % clients.length];
    let i = 0;
    while (Date.now() < end) {
      const t0 = Date.now();
      const ext = sendHeaderV2ToV1({
        a: "bench_pg",
        b: "BenchTopic",
        c: "TBW102",
        d: "8",
        e: String((s + i++) % 8),
        f: "0",
        g: String(t0),
        h: "0",
        i: `UNIQ_KEY\u0001B${s}-${i}\u0002WAIT\u0001true`,
        j: "0",
        k: "false",
        m: "false",
      });
      const res = await client.invokeSync(
        addr,
        createRequest(310, { extFields: ext, body, serializeType: "ROCKETMQ" }),
        3000,
      );
      const rt = Date.now() - t0;
      rtTotal += rt;
      maxRt = Math.max(maxRt, rt);
      if (res.code === 0) sent++;
      else failed++;
    }
  }),
);
const secs = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `broker send: ${senders} sync senders, 1 KB bodies, ${secs.toFixed(1)}s: ${Math.round(sent / secs).toLocaleString("en-US")} msg/s, avg RT ${(rtTotal / Math.max(1, sent + failed)).toFixed(2)} ms, max RT ${maxRt} ms, failed ${failed}`,
);

const t1 = process.hrtime.bigint();
for (let q = 0; q < 8; q++) {
  let offset = 0;
  for (;;) {
    const res = await admin.invokeSync(
      addr,
      createRequest(11, {
        extFields: {
          consumerGroup: "bench_cg",
          topic: "BenchTopic",
          queueId: String(q),
          queueOffset: String(offset),
          maxMsgNums: "32",
          sysFlag: "4",
          commitOffset: "0",
          suspendTimeoutMillis: "0",
          subVersion: "0",
          subscription: "*",
          expressionType: "TAG",
        },
      }),
      5000,
    );
    if (res.code !== 0) break;
    offset = Number(res.extFields.nextBeginOffset);
  }
}
const pullSecs = Number(process.hrtime.bigint() - t1) / 1e9;
console.log(
  `broker pull drain (32 per pull, 1 connection): ${Math.round(sent / pullSecs).toLocaleString("en-US")} msg/s`,
);
await admin.shutdown();
await Promise.all(clients.map((c) => c.shutdown()));
broker.kill("SIGTERM");
await new Promise((r) => broker.on("exit", r));
rmSync(home, { recursive: true, force: true });
