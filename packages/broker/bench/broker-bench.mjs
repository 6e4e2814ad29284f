// Broker send throughput: N concurrent synchronous senders (default 32) of 1 KB SEND_MESSAGE_V2 to a real
// bin/mqbroker process (ASYNC_FLUSH), like Java's producer benchmark. Then a pull drain.
// Usage: node packages/broker/bench/broker-bench.mjs [--seconds N] [--senders N] [--connections N] [--size B]
//        [--io-threads N] (the broker's serverSelectorThreads)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequest, RemotingClient } from "../../remoting/dist/index.js";
import { arg, avgRt, createTopic, freeBrokerPort, perSecond, sendLoadWithCpu, startBroker } from "./support.mjs";

const seconds = Number(arg("--seconds", "10"));
const senders = Number(arg("--senders", "32"));
const connections = Number(arg("--connections", "8"));
const size = Number(arg("--size", "1024"));
const ioThreads = arg("--io-threads", "");

const home = mkdtempSync(join(tmpdir(), "broker-bench-"));
const port = await freeBrokerPort();
const broker = await startBroker(home, "broker-bench", [
  "brokerName=broker-bench",
  `listenPort=${port}`,
  "brokerIP1=127.0.0.1",
  `storePathRootDir=${join(home, "store")}`,
  "flushDiskType=ASYNC_FLUSH",
  ...(ioThreads ? [`serverSelectorThreads=${ioThreads}`] : []),
]);
const addr = `127.0.0.1:${port}`;
const admin = new RemotingClient();
await createTopic(admin, addr, "BenchTopic", 8);

const load = await sendLoadWithCpu([broker.pid], {
  addr,
  topic: "BenchTopic",
  queues: 8,
  seconds,
  senders,
  connections,
  size,
});
const { sent, failed, secs, maxRt } = load;
console.log(
  `broker send: ${senders} sync senders on ${connections} connections, ${size} B bodies, ${secs.toFixed(1)}s: ${perSecond(sent, secs)} msg/s, avg RT ${avgRt(load)} ms, max RT ${maxRt} ms, broker CPU ${load.cpuPerMsg[0].toFixed(1)} µs/msg (system ${load.sysPerMsg[0].toFixed(1)}; main thread ${load.mainThreadPerMsg[0].toFixed(1)}), failed ${failed}`,
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
await broker.stop();
rmSync(home, { recursive: true, force: true });
