// Replication cost: the same send load (N concurrent synchronous 1 KB senders) against a master with
// one slave replicating from it, once as ASYNC_MASTER and once as SYNC_MASTER (each put waits for
// the slave's ack). Prints throughput and average latency of both and the SYNC/ASYNC ratio.
// Usage: node packages/broker/bench/ha-bench.mjs [--seconds N] [--senders N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RemotingClient } from "../../remoting/dist/index.js";
import { arg, avgRt, createTopic, perSecond, sendLoadWithCpu, startMasterSlave, untilSendOk } from "./support.mjs";

const seconds = Number(arg("--seconds", "10"));
const senders = Number(arg("--senders", "32"));

async function run(role) {
  const home = mkdtempSync(join(tmpdir(), "ha-bench-"));
  const { addr, master, slave } = await startMasterSlave(home, role);
  const admin = new RemotingClient();
  try {
    await createTopic(admin, addr, "BenchTopic", 8);
    await untilSendOk(admin, addr, "BenchTopic");
    return await sendLoadWithCpu([master.pid], { addr, topic: "BenchTopic", queues: 8, seconds, senders });
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
    `HA ${role.padEnd(12)} + 1 slave: ${senders} sync senders, 1 KB, ${r.secs.toFixed(1)}s: ${perSecond(r.sent, r.secs)} msg/s, avg RT ${avgRt(r)} ms, max RT ${r.maxRt} ms, master CPU ${r.cpuPerMsg[0].toFixed(1)} µs/msg, not SEND_OK ${r.failed} (${codes})`,
  );
}
const a = results.ASYNC_MASTER;
const s = results.SYNC_MASTER;
console.log(`HA SYNC_MASTER / ASYNC_MASTER throughput: ${((s.sent / s.secs / (a.sent / a.secs)) * 100).toFixed(1)}%`);
