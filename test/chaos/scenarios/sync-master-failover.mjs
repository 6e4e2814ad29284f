// Issue 18 (b): 2m-2s-sync (two SYNC_MASTER + SLAVE pairs), each broker on a host of its own (a
// network namespace, port 10911) and the name server on another. Each round a master is killed
// (`kill`: kill -9), partitioned away (`partition`: every packet to and from its host dropped),
// suspended (`suspend`: SIGSTOP, a hung host), put behind a lossy link (`loss`: 30 % of its packets
// dropped both ways) or restarted (`restart`: SIGTERM, start again); `--faults` lists the kinds used
// round after round (default kill,partition). After a kill, a new consumer group
// started while a master is dead must read every message that master acknowledged from its slave
// (consumers fall back to slaves); then the master comes back (restart / heal) and must be
// acknowledging sends again. At the end every acknowledged message must have been consumed, and each
// store passes `mqstore verify`.
import { ChaosCluster, verifyStores } from "../lib/cluster.mjs";
import { Network } from "../lib/network.mjs";
import { sleep, until } from "../lib/processes.mjs";
import { lateGroupReads, longestAckPause, options } from "../lib/rounds.mjs";
import { check, drain, Producers, Receipts } from "../lib/workload.mjs";

export const description =
  "2m-2s-sync on four hosts: a master killed or partitioned away each round; consumers read from slaves";

const TOPIC = "ChaosSyncMasterTopic";

export async function run({ home, rounds, seconds, log, args }) {
  const opt = options(args);
  const faults = opt("--faults", "kill,partition").split(",");
  const partitionSeconds = Number(opt("--partition-seconds", String(seconds)));
  const network = new Network();
  const cluster = new ChaosCluster({ home, network });
  let producers;
  let receipts;
  const roundsReport = [];
  try {
    network.addHost("ns1");
    for (const h of ["a0", "a1", "b0", "b1"]) network.addHost(h);
    await cluster.addNamesrv("namesrv1", "ns1");
    for (const [bn, letter] of [
      ["broker-a", "a"],
      ["broker-b", "b"],
    ]) {
      await cluster.addBroker(`${letter}0`, {
        brokerName: bn,
        brokerId: 0,
        host: `${letter}0`,
        props: ["brokerRole=SYNC_MASTER", "flushDiskType=ASYNC_FLUSH"],
      });
      await cluster.addBroker(`${letter}1`, {
        brokerName: bn,
        brokerId: 1,
        host: `${letter}1`,
        props: ["brokerRole=SLAVE", "flushDiskType=ASYNC_FLUSH"],
      });
    }
    await cluster.start();
    await cluster.untilRegistered();
    await cluster.createTopic(TOPIC);
    const { namesrvAddr } = cluster;
    producers = new Producers({ namesrvAddr, topic: TOPIC, senders: 8, pollNameServerInterval: 1000 });
    receipts = new Receipts({ namesrvAddr, topic: TOPIC, pollNameServerInterval: 1000 });
    await producers.start();
    await receipts.start();
    // SYNC_MASTER acknowledges only once its slave is connected
    await until(() => producers.lastAckAtBy.size === 2, 60_000, "both masters acknowledging sends");
    log(
      `2m-2s-sync up (name server ${namesrvAddr}); ${rounds} rounds: ${seconds} s load, then ${faults.join(" / ")} of a master`,
    );

    for (let round = 1; round <= rounds; round++) {
      const fault = faults[(round - 1) % faults.length];
      const victim = cluster.broker(round % 2 === 1 ? "a0" : "b0");
      await sleep(seconds * 1000);
      const faultAt = Date.now();
      const entry = { round, fault, victim: `${victim.brokerName} master (${victim.addr})` };
      if (fault === "kill") {
        await victim.kill9();
        // a group that starts now must find everything the dead master acknowledged on its slave
        const wanted = [...producers.brokerOf].filter(([, bn]) => bn === victim.brokerName).map(([b]) => b);
        await until(
          async () => !(await cluster.registered()).get(victim.brokerName)?.has(0),
          60_000,
          `round ${round}: the name server drops the dead master`,
        );
        const late = await lateGroupReads({
          namesrvAddr,
          topic: TOPIC,
          group: `chaos_late_${round}`,
          wanted,
          ms: 120_000,
        });
        Object.assign(entry, { slaveReads: wanted.length, slaveReadMs: late.readMs, slaveMissing: late.missing });
        log(
          `round ${round}: kill -9 of ${victim.brokerName}'s master; a new group read all ${wanted.length} of its messages from the slave in ${late.readMs} ms (missing ${late.missing})`,
        );
      } else if (fault === "partition") {
        network.isolate([victim.host]);
        await sleep(partitionSeconds * 1000);
        network.heal();
        log(`round ${round}: ${victim.brokerName}'s master partitioned away for ${partitionSeconds} s, healed`);
      } else if (fault === "suspend") {
        victim.suspend();
        await sleep(partitionSeconds * 1000);
        victim.resume();
        log(`round ${round}: ${victim.brokerName}'s master suspended (SIGSTOP) for ${partitionSeconds} s, resumed`);
      } else if (fault === "loss") {
        network.loss(victim.host, 30);
        await sleep(partitionSeconds * 1000);
        network.heal();
        log(`round ${round}: 30 % packet loss at ${victim.brokerName}'s master for ${partitionSeconds} s, healed`);
      } else if (fault === "restart") {
        await victim.stop();
        log(`round ${round}: ${victim.brokerName}'s master stopped (SIGTERM)`);
      } else throw new Error(`--faults: kill, partition, suspend, loss or restart, not ${fault}`);
      const backAt = Date.now();
      if (!victim.alive) await victim.start();
      await until(
        async () => (await cluster.registered()).get(victim.brokerName)?.get(0) === victim.addr,
        180_000,
        `round ${round}: ${victim.brokerName}'s master registered again`,
      );
      await until(
        () => (producers.lastAckAtBy.get(victim.brokerName) ?? 0) > backAt,
        180_000,
        `round ${round}: ${victim.brokerName} acknowledging sends again`,
      );
      Object.assign(entry, {
        downMs: backAt - faultAt,
        recoveryMs: producers.lastAckAtBy.get(victim.brokerName) - backAt,
        longestAckPauseMs: longestAckPause(producers, faultAt),
      });
      roundsReport.push(entry);
      log(
        `round ${round}: ${victim.brokerName} acknowledging again ${entry.recoveryMs} ms after its ${fault === "kill" || fault === "restart" ? "restart" : "heal"}; longest pause in acknowledgements ${entry.longestAckPauseMs} ms`,
      );
    }
    await producers.stop();
    await drain(producers, receipts, 180_000, log);
    await receipts.shutdown();
    await cluster.stop();
    const verifications = await verifyStores(cluster);
    const report = { ...check(producers, receipts), rounds: roundsReport, verifications };
    const slaveMissing = roundsReport.reduce((n, r) => n + (r.slaveMissing ?? 0), 0);
    const worstRecoveryMs = Math.max(0, ...roundsReport.map((r) => r.recoveryMs));
    const storesOk = verifications.every((v) => v.ok);
    return {
      ...report,
      worstRecoveryMs,
      ok: report.lost === 0 && slaveMissing === 0 && storesOk,
      summary: `${rounds} master faults (${faults.join("/")}): ${report.acknowledged} acknowledged of ${report.attempts}, ${report.received} received, lost ${report.lost}, duplicated ${report.duplicated}, missing on slaves ${slaveMissing}, worst recovery ${worstRecoveryMs} ms, stores ${verifications.length ? (storesOk ? "verified" : "INCONSISTENT") : "not verified"}`,
    };
  } finally {
    await producers?.stop().catch(() => undefined);
    await receipts?.shutdown().catch(() => undefined);
    await cluster.stop();
    network.destroy();
  }
}
