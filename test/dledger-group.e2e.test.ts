/**
 * A three-member DLedger group of real bin/mqbroker processes (RaftNode00: n0, n1, n2, each with its
 * own listen port, peer port and store), as seed 000's "自动主备" scheme runs it:
 * (a) the group elects one leader, which the name server's cluster info shows as BID 0, the two
 *     followers as SLAVE with BID selfId digit + 1;
 * (b) kill -9 of the leader: a new leader (BID 0) within a generous bound, producers go on, and every
 *     message acknowledged SEND_OK before and after the kill is consumed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQPushConsumer, Message, MQAdminClient, type MessageExt } from "@rocketmq-ts/client";
import { newTopicConfig } from "@rocketmq-ts/common";
import { freeBrokerPort, freePort, run, TEST_BROKER_PROPS, until, type Proc } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";

const TOPIC = "DLedgerGroupTopic";
const IDS = ["n0", "n1", "n2"] as const;
const started = new StartedClients();
let home: string;
let namesrv: Proc;
let namesrvAddr: string;
const brokers = new Map<string, { proc: Proc; port: number; conf: string }>();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "rmq-dledger-group-"));
  const nsPort = await freePort();
  writeFileSync(join(home, "namesrv.properties"), `listenPort=${nsPort}\n`);
  namesrv = run("mqnamesrv", ["-c", join(home, "namesrv.properties")], home);
  await until(() => namesrv.stdout().includes("boot success"), 15_000, "namesrv boot");
  namesrvAddr = `127.0.0.1:${nsPort}`;
  const peerPorts = [await freePort(), await freePort(), await freePort()];
  const peers = IDS.map((id, i) => `${id}-127.0.0.1:${peerPorts[i]}`).join(";");
  for (const id of IDS) {
    const port = await freeBrokerPort();
    const root = join(home, id);
    const conf = join(home, `broker-${id}.conf`);
    writeFileSync(
      conf,
      [
        "brokerClusterName=RaftCluster",
        "brokerName=RaftNode00",
        `listenPort=${port}`,
        "brokerIP1=127.0.0.1",
        `namesrvAddr=${namesrvAddr}`,
        `storePathRootDir=${root}`,
        `storePathCommitLog=${join(root, "commitlog")}`,
        "mappedFileSizeCommitLog=16777216",
        "enableDLegerCommitLog=true",
        "dLegerGroup=RaftNode00",
        `dLegerPeers=${peers}`,
        `dLegerSelfId=${id}`,
        ...TEST_BROKER_PROPS,
      ].join("\n"),
    );
    brokers.set(id, { proc: run("mqbroker", ["-c", conf], join(home, id)), port, conf });
  }
  for (const [id, b] of brokers)
    await until(() => b.proc.stdout().includes("boot success") || b.proc.child.exitCode !== null, 30_000, `${id} boot`);
}, 90_000);

afterAll(async () => {
  await started.shutdownAll();
  for (const b of brokers.values()) await b.proc.stop();
  await namesrv?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Wait until an asynchronous condition holds, within a generous bound. */
async function untilAsync(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** brokerId → address of RaftNode00 as the name server has it. */
async function groupIds(admin: MQAdminClient): Promise<Map<number, string>> {
  const info = await admin.examineBrokerClusterInfo();
  return new Map(info.brokerAddrTable.get("RaftNode00")?.brokerAddrs ?? []);
}

const idOfPort = (addr: string): string =>
  [...brokers].find(([, b]) => addr.endsWith(`:${b.port}`))?.[0] ?? `unknown ${addr}`;

describe("a three-member DLedger group of bin/mqbroker processes", () => {
  let leader = "";
  const acknowledged = new Set<string>();

  it("(a) elects one leader: BID 0 at the leader's address, the followers at their selfId digit + 1", async () => {
    const admin = started.push(new MQAdminClient({ namesrvAddr }));
    let ids = new Map<number, string>();
    await untilAsync(
      async () => {
        ids = await groupIds(admin).catch(() => new Map<number, string>());
        return ids.size === 3 && ids.has(0);
      },
      60_000,
      "one BID 0 and two followers registered",
    );
    leader = idOfPort(ids.get(0) as string);
    const followers = IDS.filter((id) => id !== leader);
    expect([...ids.keys()].sort()).toEqual([0, ...followers.map((id) => Number(id.slice(1)) + 1)].sort());
  }, 90_000);

  it("(b) kill -9 of the leader while sending: a new leader, and every SEND_OK message is consumed", async () => {
    const admin = started.push(new MQAdminClient({ namesrvAddr }));
    const leaderAddr = `127.0.0.1:${brokers.get(leader)?.port}`;
    await admin.createAndUpdateTopicConfig(leaderAddr, newTopicConfig(TOPIC, { readQueueNums: 4, writeQueueNums: 4 }));
    const producer = await started.producer(namesrvAddr, "dledger-group-producer");
    const send = async (body: string): Promise<void> => {
      try {
        const r = await producer.send(new Message(TOPIC, Buffer.from(body)));
        if (r.sendStatus === "SEND_OK") acknowledged.add(body);
      } catch {
        // not acknowledged: allowed to be lost
      }
    };
    for (let i = 0; i < 200; i++) await send(`before ${i}`);
    expect(acknowledged.size).toBe(200);

    brokers.get(leader)?.proc.child.kill("SIGKILL");
    let newLeader = "";
    await untilAsync(
      async () => {
        const ids = await groupIds(admin).catch(() => new Map<number, string>());
        const addr = ids.get(0);
        newLeader = addr ? idOfPort(addr) : "";
        return newLeader !== "" && newLeader !== leader;
      },
      60_000,
      "a new BID 0",
    );
    // producers go on: they reach the new leader once their route names it (Java's clients poll the
    // name server every 30 s), meanwhile sends fail and are not acknowledged
    const after = (): number => [...acknowledged].filter((b) => b.startsWith("after")).length;
    const sendingUntil = Date.now() + 90_000;
    for (let i = 0; after() < 100 && Date.now() < sendingUntil; i++) {
      const before = acknowledged.size;
      await send(`after ${i}`);
      if (acknowledged.size === before) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after()).toBe(100);

    const received = new Set<string>();
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr,
      consumerGroup: "dledger-group-consumer",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe(TOPIC, "*");
    consumer.registerMessageListener((msgs: MessageExt[]) => {
      for (const m of msgs) received.add(m.body?.toString() ?? "");
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    started.push(consumer);
    await until(() => [...acknowledged].every((b) => received.has(b)), 60_000, "every SEND_OK message consumed");
    expect([...acknowledged].filter((b) => !received.has(b))).toEqual([]);
  }, 240_000);
});
