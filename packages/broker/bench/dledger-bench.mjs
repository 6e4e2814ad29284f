// DLedger cost: the same send load (N concurrent synchronous 1 KB senders) against a three-member
// DLedger group's leader (each put waits for a quorum of the group) and against a SYNC_MASTER with
// one slave, on this machine. Prints throughput, average latency and the leader's / master's CPU per
// stored message of both, and the DLedger / SYNC_MASTER throughput ratio (issue target: >= 70 %).
// Usage: node packages/broker/bench/dledger-bench.mjs [--seconds N] [--senders N] [--batch-push]
// (--batch-push: the members run with enableBatchPush=true, MessageStoreConfig.isEnableBatchPush; Java's default, and ours, is false)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RemotingClient } from "../../remoting/dist/index.js";
import {
  arg,
  avgRt,
  createTopic,
  freeBrokerPort,
  perSecond,
  sendLoadWithCpu,
  sendOne,
  startBroker,
  startMasterSlave,
  untilSendOk,
} from "./support.mjs";

const seconds = Number(arg("--seconds", "10"));
const senders = Number(arg("--senders", "32"));
const TOPIC = "BenchTopic";
const batchPush = process.argv.includes("--batch-push");

/** Start the three members together (each waits for its peers to elect a leader). */
async function startGroup(home) {
  const ids = ["n0", "n1", "n2"];
  const peerPorts = [];
  for (let i = 0; i < ids.length; i++) peerPorts.push(await freeBrokerPort());
  const peers = ids.map((id, i) => `${id}-127.0.0.1:${peerPorts[i]}`).join(";");
  const members = [];
  for (const id of ids) {
    const port = await freeBrokerPort();
    const store = join(home, id, "store");
    members.push({ id, addr: `127.0.0.1:${port}` });
    members[members.length - 1].proc = startBroker(home, id, [
      "brokerClusterName=RaftCluster",
      "brokerName=RaftNode00",
      `listenPort=${port}`,
      "brokerIP1=127.0.0.1",
      "flushDiskType=ASYNC_FLUSH",
      `storePathRootDir=${store}`,
      `storePathCommitLog=${join(store, "commitlog")}`,
      "enableDLegerCommitLog=true",
      "dLegerGroup=RaftNode00",
      `dLegerPeers=${peers}`,
      `dLegerSelfId=${id}`,
      `enableBatchPush=${batchPush}`,
    ]);
  }
  for (const m of members) m.proc = await m.proc;
  return members;
}

/** The member that answers a send with SEND_OK: the leader once it has caught up and become master. */
async function findLeader(client, members, timeoutMs = 60_000) {
  const probe = Buffer.alloc(16);
  const end = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < end; i++) {
    for (const m of members) {
      await createTopic(client, m.addr, TOPIC, 8).catch(() => undefined);
      const code = await sendOne(client, m.addr, TOPIC, 0, `probe-${i}`, probe, 10_000).catch(() => -1);
      if (code === 0) return m;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no member of the group answered SEND_OK within ${timeoutMs} ms`);
}

async function runDLedger() {
  const home = mkdtempSync(join(tmpdir(), "dledger-bench-"));
  const members = await startGroup(home);
  const admin = new RemotingClient();
  try {
    const leader = await findLeader(admin, members);
    const pids = [leader, ...members.filter((m) => m !== leader)].map((m) => m.proc.pid);
    return await sendLoadWithCpu(pids, { addr: leader.addr, topic: TOPIC, queues: 8, seconds, senders });
  } finally {
    await admin.shutdown();
    for (const m of members) await m.proc.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

async function runSyncMaster() {
  const home = mkdtempSync(join(tmpdir(), "dledger-bench-sm-"));
  const { addr, master, slave } = await startMasterSlave(home, "SYNC_MASTER");
  const admin = new RemotingClient();
  try {
    await createTopic(admin, addr, TOPIC, 8);
    await untilSendOk(admin, addr, TOPIC);
    return await sendLoadWithCpu([master.pid, slave.pid], { addr, topic: TOPIC, queues: 8, seconds, senders });
  } finally {
    await admin.shutdown();
    await slave.stop();
    await master.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

const line = (label, r, cpu) => {
  const codes = [...r.codes].map(([c, n]) => `${c}:${n}`).join(" ") || "none";
  console.log(
    `${label}: ${senders} sync senders, 1 KB, ${r.secs.toFixed(1)}s: ${perSecond(r.sent, r.secs)} msg/s, avg RT ${avgRt(r)} ms, max RT ${r.maxRt} ms, ${cpu}, not SEND_OK ${r.failed} (${codes})`,
  );
};
const us = (v) => `${v.toFixed(1)} µs/msg`;

const sm = await runSyncMaster();
line("SYNC_MASTER + 1 slave", sm, `CPU master ${us(sm.cpuPerMsg[0])}, slave ${us(sm.cpuPerMsg[1])}`);
const dl = await runDLedger();
line(
  `DLedger group of 3${batchPush ? " (batch push)" : ""}`,
  dl,
  `CPU leader ${us(dl.cpuPerMsg[0])}, followers ${us(dl.cpuPerMsg[1])} + ${us(dl.cpuPerMsg[2])}`,
);
console.log(
  `DLedger / SYNC_MASTER throughput: ${((dl.sent / dl.secs / (sm.sent / sm.secs)) * 100).toFixed(1)}% (target >= 70%)`,
);
