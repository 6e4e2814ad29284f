// Issue 18 (a): a single SYNC_FLUSH master killed with kill -9 round after round under load. SYNC_FLUSH
// acknowledges a message only once it is on disk, so a crash may lose unacknowledged sends but never
// an acknowledged one; senders pick queues by sharding key and the consumer is orderly, so receipts of
// a key must also come in order (duplicates aside). `mqstore verify` checks the store while it is down
// (every `--verify-every` rounds, default 10, and after the last round).
import { ChaosCluster, verifyStore } from "../lib/cluster.mjs";
import { sleep, until } from "../lib/processes.mjs";
import { check, drain, Producers, Receipts } from "../lib/workload.mjs";

export const description = "single master, SYNC_FLUSH: kill -9 under load round after round, then the checker";

const TOPIC = "ChaosSyncFlushTopic";

export async function run({ home, rounds, seconds, log, args }) {
  const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const verifyEvery = Number(opt("--verify-every", "10"));
  const cluster = new ChaosCluster({ home });
  await cluster.addNamesrv("namesrv");
  const broker = await cluster.addBroker("broker-a", {
    brokerName: "broker-a",
    props: ["brokerRole=ASYNC_MASTER", "flushDiskType=SYNC_FLUSH"],
  });
  const verifications = [];
  const verify = async (when) => {
    const v = await verifyStore(broker.store);
    if (!v) return;
    verifications.push({
      when,
      ok: v.ok,
      records: v.records,
      errors: v.errorCount,
      warnings: v.warningCount,
    });
    if (!v.ok) log(`${when}: mqstore verify found ${v.errorCount} errors: ${JSON.stringify(v.errors.slice(0, 3))}`);
  };
  let producers;
  let receipts;
  const roundsReport = [];
  try {
    await cluster.start();
    await cluster.untilRegistered();
    await cluster.createTopic(TOPIC);
    const { namesrvAddr } = cluster;
    producers = new Producers({ namesrvAddr, topic: TOPIC, senders: 8, ordered: true, pollNameServerInterval: 1000 });
    receipts = new Receipts({ namesrvAddr, topic: TOPIC, orderly: true, pollNameServerInterval: 1000 });
    await producers.start();
    await receipts.start();
    log(`broker up at ${broker.addr}; ${rounds} rounds of ${seconds} s load, then kill -9`);
    for (let round = 1; round <= rounds; round++) {
      const ackedBefore = producers.acknowledged.size;
      // the kill lands at a random moment of the round's load, not on a timer's beat
      await sleep(seconds * 1000 * (0.5 + Math.random() * 0.5));
      const killedAt = Date.now();
      await broker.kill9();
      const ackedAtKill = producers.acknowledged.size;
      if (round === rounds || (verifyEvery > 0 && round % verifyEvery === 0)) await verify(`after kill ${round}`);
      const restartAt = Date.now();
      await broker.start();
      const bootMs = Date.now() - restartAt;
      // (an answer already on its way when the kill landed may still count after `killedAt`)
      await until(() => producers.lastAckAt > restartAt, 120_000, `round ${round}: sends acknowledged again`);
      const recoveryMs = producers.lastAckAt - killedAt;
      roundsReport.push({
        round,
        fault: "kill -9",
        victim: "broker-a",
        bootMs,
        recoveryMs,
        acked: ackedAtKill - ackedBefore,
      });
      log(
        `round ${round}: kill -9 after ${ackedAtKill - ackedBefore} acknowledged; restarted in ${bootMs} ms, sends acknowledged again ${recoveryMs} ms after the kill`,
      );
    }
    await producers.stop();
    await drain(producers, receipts, 120_000, log);
    await receipts.shutdown();
    await broker.stop();
    await verify("after the last round (stopped)");
    const report = { ...check(producers, receipts), rounds: roundsReport, verifications };
    const worstRecoveryMs = Math.max(0, ...roundsReport.map((r) => r.recoveryMs));
    const storeOk = verifications.every((v) => v.ok);
    return {
      ...report,
      worstRecoveryMs,
      ok: report.lost === 0 && report.outOfOrder === 0 && storeOk,
      summary: `${rounds} kills: ${report.acknowledged} acknowledged of ${report.attempts}, ${report.received} received, lost ${report.lost}, duplicated ${report.duplicated}, out of order ${report.outOfOrder}, worst recovery ${worstRecoveryMs} ms, store ${verifications.length ? (storeOk ? "verified" : "INCONSISTENT") : "not verified (no bin/mqstore)"}`,
    };
  } finally {
    await producers?.stop().catch(() => undefined);
    await receipts?.shutdown().catch(() => undefined);
    await cluster.stop();
  }
}
