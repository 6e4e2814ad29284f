// Replication cost: the same send load (N concurrent synchronous 1 KB senders) against a master with
// one slave replicating from it, once as ASYNC_MASTER and once as SYNC_MASTER (each put waits for
// the slave's ack). Prints throughput and average latency of both and the SYNC/ASYNC ratio.
// Usage: node packages/broker/bench/ha-bench.mjs [--seconds N] [--senders N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RemotingClient } from "../../remoting/dist/index.js";
import { arg, avgRt, createTopic, freeBrokerPort, perSecond, sendLoad, sendOne, startBroker } from "./support.mjs";

const seconds = Number(arg("--seconds", "10"));
const senders = Number(arg("--senders", "32"));

async function run(role) {
  const home = mkdtempSync(join(tmpdir(), "ha-bench-"));
  const masterPort = await freeBrokerPort();
  const common = ["brokerIP1=127.0.0.1", "brokerIP2=127.0.0.1", "flushDiskType=ASYNC_FLUSH", "brokerName=broker-ha"];
  const master = await startBroker(home, "master", [
    ...common,
    `brokerRole=${role}`,
    `listenPort=${masterPort}`,
    `storePathRootDir=${join(home, "master-store")}`,
  ]);
  const slave = await startBroker(home, "slave", [
    ...common,
    "brokerRole=SLAVE",
    "brokerId=1",
    `listenPort=${await freeBrokerPort()}`,
    `storePathRootDir=${join(home, "slave-store")}`,
    `haMasterAddress=127.0.0.1:${masterPort + 1}`,
  ]);
  const addr = `127.0.0.1:${masterPort}`;
  const admin = new RemotingClient();
  try {
    await createTopic(admin, addr, "BenchTopic", 8);
    // replicating before measuring: a SYNC_MASTER answers SEND_OK (code 0) only with an acking slave
    const probe = Buffer.alloc(16);
    for (let code = -1, i = 0; code !== 0; i++) {
      code = await sendOne(admin, addr, "BenchTopic", 0, `probe-${i}`, probe, 10_000).catch(() => -1);
      if (code !== 0) await new Promise((r) => setTimeout(r, 200));
    }
    return await sendLoad({ addr, topic: "BenchTopic", queues: 8, seconds, senders });
  } finally {
    await admin.shutdown();
    await slave.stop();
    await master.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

const results = {};
for (const role of ["ASYNC_MASTER", "SYNC_MASTER"]) {
  const r = await run(role);
  results[role] = r;
  const codes = [...r.codes].map(([c, n]) => `${c}:${n}`).join(" ") || "none";
  console.log(
    `HA ${role.padEnd(12)} + 1 slave: ${senders} sync senders, 1 KB, ${r.secs.toFixed(1)}s: ${perSecond(r.sent, r.secs)} msg/s, avg RT ${avgRt(r)} ms, max RT ${r.maxRt} ms, not SEND_OK ${r.failed} (${codes})`,
  );
}
const a = results.ASYNC_MASTER;
const s = results.SYNC_MASTER;
console.log(`HA SYNC_MASTER / ASYNC_MASTER throughput: ${((s.sent / s.secs / (a.sent / a.secs)) * 100).toFixed(1)}%`);
