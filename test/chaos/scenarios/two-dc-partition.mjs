// Issue 18 (c): seed 000's two-data-centre layouts of a 2m-2s cluster, each "centre" a set of hosts
// (network namespaces) with a name server, each broker on its own address and port 10911:
//   scheme1 (active–standby): DC1 holds both masters, DC2 both slaves;
//   scheme2 (active–active, crossed): DC1 holds broker-a's master and broker-b's slave, DC2 the others.
// The clients (this process) stay reachable from the surviving centre. Each round one centre (DC2, DC1,
// DC2, ...) is partitioned away from the other and from the clients for `--seconds`, then healed. The
// report says, round by round, how the clients fared during the cut (acknowledgements per second before
// and during, receipts during, the longest pause) and after the heal (until both broker names
// acknowledge again); at the end nothing acknowledged may be lost, and duplicates are counted.
import { ChaosCluster, verifyStores } from "../lib/cluster.mjs";
import { Network } from "../lib/network.mjs";
import { sleep, until } from "../lib/processes.mjs";
import { longestAckPause, options } from "../lib/rounds.mjs";
import { check, drain, Producers, Receipts } from "../lib/workload.mjs";

export const description =
  "2m-2s across two data centres (scheme1 or scheme2 of seed 000): one centre partitioned away and healed, round after round";

const TOPIC = "ChaosTwoDcTopic";

const LAYOUTS = {
  scheme1: { dc1: ["a0", "b0"], dc2: ["a1", "b1"] },
  scheme2: { dc1: ["a0", "b1"], dc2: ["b0", "a1"] },
};

export async function run({ home, rounds, seconds, log, args }) {
  const opt = options(args);
  const layoutName = opt("--layout", "scheme2");
  const role = opt("--role", "SYNC_MASTER");
  // the producers' sendLatencyFaultEnable: a broker that timed out is avoided for a while (up to
  // 3 min after a 3 s timeout, as Java's steps), so sends go on elsewhere, and come back late after the heal
  const latencyFault = args.includes("--latency-fault");
  const layout = LAYOUTS[layoutName];
  if (!layout) throw new Error(`--layout: scheme1 or scheme2, not ${layoutName}`);
  const network = new Network();
  const cluster = new ChaosCluster({ home, network });
  const dcOf = { ns1: "dc1", ns2: "dc2" };
  for (const h of layout.dc1) dcOf[h] = "dc1";
  for (const h of layout.dc2) dcOf[h] = "dc2";
  const hostsOf = (dc) => Object.keys(dcOf).filter((h) => dcOf[h] === dc);
  let producers;
  let receipts;
  const roundsReport = [];
  try {
    for (const h of Object.keys(dcOf)) network.addHost(h, dcOf[h]);
    await cluster.addNamesrv("namesrv1", "ns1");
    await cluster.addNamesrv("namesrv2", "ns2");
    for (const letter of ["a", "b"]) {
      const brokerName = `broker-${letter}`;
      await cluster.addBroker(`${letter}0`, {
        brokerName,
        brokerId: 0,
        host: `${letter}0`,
        props: [`brokerRole=${role}`, "flushDiskType=ASYNC_FLUSH"],
      });
      await cluster.addBroker(`${letter}1`, {
        brokerName,
        brokerId: 1,
        host: `${letter}1`,
        props: ["brokerRole=SLAVE", "flushDiskType=ASYNC_FLUSH"],
      });
    }
    await cluster.start();
    await cluster.createTopic(TOPIC);
    const { namesrvAddr } = cluster;
    producers = new Producers({
      namesrvAddr,
      topic: TOPIC,
      senders: 8,
      pollNameServerInterval: 1000,
      sendLatencyFaultEnable: latencyFault,
    });
    receipts = new Receipts({ namesrvAddr, topic: TOPIC, pollNameServerInterval: 1000 });
    await producers.start();
    await receipts.start();
    await until(() => producers.lastAckAtBy.size === 2, 60_000, "both masters acknowledging sends");
    log(
      `${layoutName} (${role}${latencyFault ? ", sendLatencyFaultEnable" : ""}): DC1 ${hostsOf("dc1").join(", ")}; DC2 ${hostsOf("dc2").join(", ")}; ${rounds} rounds: ${seconds} s steady, then a centre cut off for ${seconds} s`,
    );
    for (let round = 1; round <= rounds; round++) {
      const cut = round % 2 === 1 ? "dc2" : "dc1";
      const steadyFrom = Date.now();
      await sleep(seconds * 1000);
      const ackRateBefore = producers.ackRateSince(steadyFrom);
      const receivedBefore = [...receipts.received.values()].reduce((a, b) => a + b, 0);
      const cutAt = Date.now();
      network.isolate(hostsOf(cut));
      await sleep(seconds * 1000);
      const ackRateDuring = producers.ackRateSince(cutAt);
      const receivedDuring = [...receipts.received.values()].reduce((a, b) => a + b, 0) - receivedBefore;
      const pauseMs = longestAckPause(producers, cutAt);
      network.heal();
      const healAt = Date.now();
      await until(
        () => ["broker-a", "broker-b"].every((bn) => (producers.lastAckAtBy.get(bn) ?? 0) > healAt),
        latencyFault ? 300_000 : 180_000,
        `round ${round}: both broker names acknowledging again after the heal`,
      );
      const entry = {
        round,
        cut: `${cut} (${hostsOf(cut).join(", ")})`,
        ackPerSecondBefore: Math.round(ackRateBefore),
        ackPerSecondDuring: Math.round(ackRateDuring),
        receivedDuring,
        longestAckPauseMs: pauseMs,
        recoveryMs: Math.max(...["broker-a", "broker-b"].map((bn) => producers.lastAckAtBy.get(bn))) - healAt,
      };
      roundsReport.push(entry);
      log(
        `round ${round}: ${entry.cut} cut off for ${seconds} s: ${entry.ackPerSecondBefore} → ${entry.ackPerSecondDuring} acknowledged/s, ${receivedDuring} received meanwhile, longest pause ${pauseMs} ms; both brokers acknowledging ${entry.recoveryMs} ms after the heal`,
      );
    }
    await producers.stop();
    await drain(producers, receipts, 180_000, log);
    await receipts.shutdown();
    await cluster.stop();
    const verifications = await verifyStores(cluster);
    const report = {
      ...check(producers, receipts),
      layout: layoutName,
      role,
      latencyFault,
      rounds: roundsReport,
      verifications,
    };
    const worstRecoveryMs = Math.max(0, ...roundsReport.map((r) => r.recoveryMs));
    const storesOk = verifications.every((v) => v.ok);
    return {
      ...report,
      worstRecoveryMs,
      ok: report.lost === 0 && storesOk,
      summary: `${layoutName} ${role}, ${rounds} centre cuts: ${report.acknowledged} acknowledged of ${report.attempts}, ${report.received} received, lost ${report.lost}, duplicated ${report.duplicated}, worst recovery ${worstRecoveryMs} ms, stores ${verifications.length ? (storesOk ? "verified" : "INCONSISTENT") : "not verified"}`,
    };
  } finally {
    await producers?.stop().catch(() => undefined);
    await receipts?.shutdown().catch(() => undefined);
    await cluster.stop();
    network.destroy();
  }
}
