/**
 * A three-member DLedger group of real bin/mqbroker processes (RaftNode00: n0, n1, n2, each with its
 * own listen port, peer port and store), as seed 000's "自动主备" scheme runs it:
 * (a) the group elects one leader, which the name server's cluster info shows as BID 0, the two
 *     followers as SLAVE with BID selfId digit + 1;
 * (b) kill -9 of the leader: a new leader (BID 0) within a generous bound, producers go on, and every
 *     message acknowledged SEND_OK before and after the kill is consumed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQPushConsumer, Message, type MessageExt } from "@rocketmq-ts/client";
import { newTopicConfig } from "@rocketmq-ts/common";
import { StartedClients } from "./support/clients.js";
import { until } from "./support/cluster.js";
import { DLedgerGroup } from "./support/dledgerGroup.js";

const TOPIC = "DLedgerGroupTopic";
const IDS = ["n0", "n1", "n2"];
const started = new StartedClients();
const group = new DLedgerGroup();

beforeAll(async () => {
  await group.create(IDS);
  await group.start(...IDS);
}, 90_000);

afterAll(async () => {
  await started.shutdownAll();
  await group.destroy();
}, 60_000);

describe("a three-member DLedger group of bin/mqbroker processes", () => {
  let leader = "";
  const acknowledged = new Set<string>();

  it("(a) elects one leader: BID 0 at the leader's address, the followers at their selfId digit + 1", async () => {
    const ids = await group.untilRegistered(
      (r) => r.size === 3 && r.has(0),
      60_000,
      "one BID 0 and two followers registered",
    );
    leader = ids.get(0) as string;
    const followers = IDS.filter((id) => id !== leader);
    expect([...ids.keys()].sort()).toEqual([0, ...followers.map((id) => Number(id.slice(1)) + 1)].sort());
    for (const id of followers) expect(ids.get(Number(id.slice(1)) + 1)).toBe(id);
  }, 90_000);

  it("(b) kill -9 of the leader while sending: a new leader, and every SEND_OK message is consumed", async () => {
    await group.adminClient.createAndUpdateTopicConfig(
      group.member(leader).addr,
      newTopicConfig(TOPIC, { readQueueNums: 4, writeQueueNums: 4 }),
    );
    const producer = await started.producer(group.namesrvAddr, "dledger-group-producer");
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

    await group.kill9(leader);
    await group.untilRegistered((r) => r.has(0) && r.get(0) !== leader, 60_000, "a new BID 0");
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
      namesrvAddr: group.namesrvAddr,
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
