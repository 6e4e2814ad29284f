// Rounds of a fault on the leader of a three-member DLedger group (RaftNode00: n0, n1, n2) under
// continuous load: each round injects the fault (`kill`: kill -9; `suspend`: SIGSTOP; `partition`:
// the leader's host cut off from the other members, the name server and the clients — a minority
// partition; the members then run on hosts of a `Network`, port 10911, peers on 40911), measures how
// long until a new leader is registered as BID 0 and until the producers are acknowledged again,
// then heals it (restart of the killed member / SIGCONT of the suspended one, which then finds a newer
// term and follows) so the next round again has three. At the end every acknowledged message must
// have been consumed (lost = 0); duplicates are allowed (at-least-once) and counted.
import { MQAdminClient } from "../../../packages/client/dist/index.js";
import { newTopicConfig } from "../../../packages/common/dist/index.js";
import { Network } from "./network.mjs";
import { freeBrokerPort, ServerProcess, sleep, until } from "./processes.mjs";
import { check, Producers, Receipts } from "./workload.mjs";

const GROUP = "RaftNode00";
const TOPIC = "ChaosDLedgerTopic";

/** @param {{ fault: "kill" | "suspend", home: string, rounds: number, seconds: number, log: (line: string) => void }} options */
export async function leaderFaultRounds({ fault, home, rounds, seconds, log }) {
  const network = fault === "partition" ? new Network() : null;
  const ids = ["n0", "n1", "n2"];
  if (network) for (const h of ["ns", ...ids]) network.addHost(h);
  const ipOf = (host) => (network ? network.host(host).ip : "127.0.0.1");
  const prefixOf = (host) => (network ? { prefix: network.execPrefix(host) } : {});
  const nsPort = network ? 9876 : await freeBrokerPort();
  const namesrvAddr = `${ipOf("ns")}:${nsPort}`;
  const namesrv = new ServerProcess(home, "namesrv", "mqnamesrv", [`listenPort=${nsPort}`], prefixOf("ns"));
  await namesrv.start();
  const peerPorts = [];
  for (let i = 0; i < ids.length; i++) peerPorts.push(network ? 40911 : await freeBrokerPort());
  const peers = ids.map((id, i) => `${id}-${ipOf(id)}:${peerPorts[i]}`).join(";");
  const members = new Map();
  for (const id of ids) {
    const port = network ? 10911 : await freeBrokerPort();
    const store = `${home}/${id}/store`;
    members.set(
      id,
      Object.assign(
        new ServerProcess(
          home,
          id,
          "mqbroker",
          [
            "brokerClusterName=RaftCluster",
            `brokerName=${GROUP}`,
            `listenPort=${port}`,
            `brokerIP1=${ipOf(id)}`,
            `namesrvAddr=${namesrvAddr}`,
            `storePathRootDir=${store}`,
            `storePathCommitLog=${store}/commitlog`,
            "mappedFileSizeCommitLog=67108864",
            "enableDLegerCommitLog=true",
            `dLegerGroup=${GROUP}`,
            `dLegerPeers=${peers}`,
            `dLegerSelfId=${id}`,
          ],
          prefixOf(id),
        ),
        { addr: `${ipOf(id)}:${port}`, host: id },
      ),
    );
  }
  const admin = new MQAdminClient({ namesrvAddr });
  const pollNameServerInterval = 3000;
  const producers = new Producers({ namesrvAddr, topic: TOPIC, senders: 4, pollNameServerInterval });
  const receipts = new Receipts({ namesrvAddr, topic: TOPIC, pollNameServerInterval });
  const roundsReport = [];
  const registered = async () => {
    const info = await admin.examineBrokerClusterInfo().catch(() => null);
    return new Map(info?.brokerAddrTable.get(GROUP)?.brokerAddrs ?? []);
  };
  const idOf = (addr) => [...members].find(([, m]) => m.addr === addr)?.[0];
  try {
    await Promise.all([...members.values()].map((m) => m.start()));
    let leader = "";
    await until(
      async () => {
        const r = await registered();
        leader = idOf(r.get(0)) ?? "";
        return r.size === 3 && leader !== "";
      },
      90_000,
      "a leader (BID 0) and two followers registered",
    );
    for (const m of members.values())
      await admin.createAndUpdateTopicConfig(m.addr, newTopicConfig(TOPIC, { readQueueNums: 4, writeQueueNums: 4 }));
    await producers.start();
    await receipts.start();
    log(`group up, leader ${leader}; ${rounds} rounds of ${seconds} s load, then ${fault} of the leader`);

    for (let round = 1; round <= rounds; round++) {
      await until(
        async () => {
          const r = await registered();
          leader = idOf(r.get(0)) ?? "";
          return leader !== "";
        },
        120_000,
        `round ${round}: a registered leader`,
      );
      const ackedBefore = producers.acknowledged.size;
      await sleep(seconds * 1000);
      const victim = members.get(leader);
      const faultAt = Date.now();
      if (fault === "kill") await victim.kill9();
      else if (fault === "suspend") victim.suspend();
      else network.isolate([victim.host]);
      let newLeader = "";
      await until(
        async () => {
          newLeader = idOf((await registered()).get(0)) ?? "";
          return newLeader !== "" && newLeader !== leader;
        },
        120_000,
        `round ${round}: a new leader after the ${fault} of ${leader}`,
      );
      const electedMs = Date.now() - faultAt;
      await until(() => producers.lastAckAt > faultAt + electedMs, 120_000, `round ${round}: sends acknowledged again`);
      const sendsBackMs = producers.lastAckAt - faultAt;
      if (fault === "kill") await victim.start();
      else if (fault === "suspend") victim.resume();
      else network.heal();
      await until(
        async () => {
          const r = await registered();
          return r.size === 3 && [...r].some(([bid, addr]) => bid !== 0 && addr === victim.addr);
        },
        120_000,
        `round ${round}: ${leader} registered again as follower`,
      );
      const entry = {
        round,
        fault,
        victim: leader,
        newLeader,
        electedMs,
        sendsBackMs,
        acked: producers.acknowledged.size - ackedBefore,
      };
      roundsReport.push(entry);
      log(
        `round ${round}: ${fault} ${leader}, new leader ${newLeader} registered after ${electedMs} ms, sends acknowledged again after ${sendsBackMs} ms; ${entry.acked} acknowledged this round`,
      );
    }
    await producers.stop();
    await until(
      () => [...producers.acknowledged.keys()].every((b) => receipts.received.has(b)),
      180_000,
      "every acknowledged message consumed",
    ).catch((err) => log(err.message));
    const report = check(producers, receipts);
    return { ...report, rounds: roundsReport, ok: report.lost === 0 };
  } finally {
    await producers.stop().catch(() => undefined);
    await receipts.shutdown().catch(() => undefined);
    await admin.shutdown().catch(() => undefined);
    for (const m of members.values()) await m.stop();
    await namesrv.stop();
    network?.destroy();
  }
}
