// Issue 18 (d): four name servers on hosts of their own and two masters; each round half of the name
// servers (two, chosen at random) are partitioned away from everything — silently, so a client that
// picked one of them finds out only by a timeout — or killed with kill -9 (`--faults partition,kill`
// alternates them; default partition). A killed name server is restarted empty after the round, and
// the next round waits until the brokers have registered with it again (their 30 s heartbeat). While they are away, the running producers and
// consumer must carry on, a producer and a consumer group started during the partition must work,
// and `mqadmin clusterList` / `topicRoute` with all four addresses must answer.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DefaultMQProducer, Message, MQAdminClient } from "../../../packages/client/dist/index.js";
import { ChaosCluster } from "../lib/cluster.mjs";
import { Network } from "../lib/network.mjs";
import { ROOT, sleep, until } from "../lib/processes.mjs";
import { lateGroupReads, longestAckPause, options } from "../lib/rounds.mjs";
import { check, drain, Producers, Receipts } from "../lib/workload.mjs";

export const description = "four name servers, half of them partitioned away each round: clients and mqadmin carry on";

const TOPIC = "ChaosNamesrvTopic";

function mqadmin(args) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, "bin", "mqadmin"), args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out, ms: Date.now() - started }));
  });
}

/** Both masters registered with the name server at `addr` itself. */
async function knowsBothBrokers(addr) {
  const admin = new MQAdminClient({ namesrvAddr: addr });
  try {
    const info = await admin.examineBrokerClusterInfo();
    return info.brokerAddrTable.has("broker-a") && info.brokerAddrTable.has("broker-b");
  } catch {
    return false;
  } finally {
    await admin.shutdown();
  }
}

export async function run({ home, rounds, seconds, log, args }) {
  const faults = options(args)("--faults", "partition").split(",");
  const network = new Network();
  const cluster = new ChaosCluster({ home, network });
  const names = ["ns1", "ns2", "ns3", "ns4"];
  let producers;
  let receipts;
  const roundsReport = [];
  try {
    for (const h of [...names, "a0", "b0"]) network.addHost(h);
    for (const n of names) await cluster.addNamesrv(`namesrv-${n}`, n);
    await cluster.addBroker("a0", { brokerName: "broker-a", host: "a0", props: ["brokerRole=ASYNC_MASTER"] });
    await cluster.addBroker("b0", { brokerName: "broker-b", host: "b0", props: ["brokerRole=ASYNC_MASTER"] });
    await cluster.start();
    await cluster.createTopic(TOPIC);
    const { namesrvAddr } = cluster;
    producers = new Producers({ namesrvAddr, topic: TOPIC, senders: 4, pollNameServerInterval: 1000 });
    receipts = new Receipts({ namesrvAddr, topic: TOPIC, pollNameServerInterval: 1000 });
    await producers.start();
    await receipts.start();
    await until(() => producers.lastAckAtBy.size === 2, 60_000, "both masters acknowledging sends");
    log(
      `four name servers (${namesrvAddr}), two masters; ${rounds} rounds: half of the name servers away for ${seconds} s`,
    );
    let failures = 0;
    for (let round = 1; round <= rounds; round++) {
      await sleep(1000);
      const fault = faults[(round - 1) % faults.length];
      const away = [...names].sort(() => Math.random() - 0.5).slice(0, 2);
      const victims = away.map((n) => cluster.namesrvs[names.indexOf(n)]);
      const cutAt = Date.now();
      if (fault === "kill") for (const v of victims) await v.kill9();
      else if (fault === "partition") network.isolate(away);
      else throw new Error(`--faults: partition or kill, not ${fault}`);
      // a new producer: its first route lookup may go to a name server that is away
      const fresh = new DefaultMQProducer({ namesrvAddr, producerGroup: `chaos_fresh_${round}` });
      await fresh.start();
      const freshBodies = [];
      let freshFirstAckMs = -1;
      for (let i = 0; i < 10; i++) {
        const body = `fresh-${round}-${i}`;
        try {
          const r = await fresh.send(new Message(TOPIC, Buffer.from(body)));
          if (r.sendStatus === "SEND_OK") {
            freshBodies.push(body);
            if (freshFirstAckMs < 0) freshFirstAckMs = Date.now() - cutAt;
          }
        } catch (e) {
          log(`round ${round}: a new producer's send failed: ${e.message}`);
        }
      }
      await fresh.shutdown();
      const late = await lateGroupReads({
        namesrvAddr,
        topic: TOPIC,
        group: `chaos_ns_late_${round}`,
        wanted: freshBodies,
        ms: 60_000,
      });
      const clusterList = await mqadmin(["clusterList", "-n", namesrvAddr]);
      const topicRoute = await mqadmin(["topicRoute", "-t", TOPIC, "-n", namesrvAddr]);
      const adminOk =
        clusterList.code === 0 &&
        clusterList.out.includes("broker-a") &&
        clusterList.out.includes("broker-b") &&
        topicRoute.code === 0 &&
        topicRoute.out.includes("broker-a") &&
        topicRoute.out.includes("broker-b");
      const rest = seconds * 1000 - (Date.now() - cutAt);
      if (rest > 0) await sleep(rest);
      network.heal();
      for (const v of victims) if (!v.alive) await v.start();
      const entry = {
        round,
        fault,
        away: away.map((n) => cluster.namesrvs[names.indexOf(n)].addr),
        awayMs: Date.now() - cutAt,
        longestAckPauseMs: longestAckPause(producers, cutAt),
        newProducerAcked: freshBodies.length,
        newProducerFirstAckMs: freshFirstAckMs,
        newGroupReadMs: late.readMs,
        clusterList: { code: clusterList.code, ms: clusterList.ms },
        topicRoute: { code: topicRoute.code, ms: topicRoute.ms },
      };
      if (freshBodies.length < 10 || late.missing > 0 || !adminOk) {
        failures++;
        if (!adminOk)
          log(`round ${round}: mqadmin failed:\n${clusterList.out.slice(0, 800)}\n${topicRoute.out.slice(0, 800)}`);
      }
      roundsReport.push(entry);
      if (fault === "kill") {
        const restartedAt = Date.now();
        await until(
          async () => (await Promise.all(victims.map((v) => knowsBothBrokers(v.addr)))).every(Boolean),
          90_000,
          `round ${round}: the brokers registered with the restarted name servers`,
        );
        entry.reRegisteredMs = Date.now() - restartedAt;
      }
      log(
        `round ${round}: name servers ${away.join(", ")} ${fault === "kill" ? "killed" : "away"}; a new producer ${freshBodies.length}/10 acknowledged (first after ${freshFirstAckMs} ms), a new group read them in ${late.readMs} ms, clusterList ${clusterList.code === 0 ? "ok" : "FAILED"} in ${clusterList.ms} ms, topicRoute ${topicRoute.code === 0 ? "ok" : "FAILED"} in ${topicRoute.ms} ms; longest pause in acknowledgements ${entry.longestAckPauseMs} ms`,
      );
    }
    await producers.stop();
    await drain(producers, receipts, 120_000, log);
    const report = { ...check(producers, receipts), rounds: roundsReport };
    const worstPauseMs = Math.max(0, ...roundsReport.map((r) => r.longestAckPauseMs));
    return {
      ...report,
      worstPauseMs,
      ok: report.lost === 0 && failures === 0,
      summary: `${rounds} rounds with half the name servers away: ${report.acknowledged} acknowledged of ${report.attempts}, lost ${report.lost}, duplicated ${report.duplicated}, rounds where a new client or mqadmin failed ${failures}, worst pause in acknowledgements ${worstPauseMs} ms`,
    };
  } finally {
    await producers?.stop().catch(() => undefined);
    await receipts?.shutdown().catch(() => undefined);
    await cluster.stop();
    network.destroy();
  }
}
