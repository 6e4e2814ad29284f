/**
 * Issue 15's drill (c), seed 000's scheme 4 ("自动双活"): two DLedger groups of three bin/mqbroker
 * processes (RaftNode00, RaftNode01) in one cluster and one name server. A producer sends 1,000
 * messages continuously; both leaders are killed with kill -9 at the same moment; each group elects
 * a new leader and the producer goes on with both groups (a send that fails is not acknowledged; the client
 * retries it on the other group's queues as Java's does). Every message acknowledged SEND_OK is consumed
 * afterwards (seed 000 records 24 lost sends and 283 lost receives on Java here: we allow none acknowledged).
 */
import { afterAll, describe, expect, it } from "vitest";
import { DefaultMQProducer, DefaultMQPushConsumer, Message, type MessageExt } from "@rocketmq-ts/client";
import { newTopicConfig } from "@rocketmq-ts/common";
import { DLedgerGroup } from "./support/dledgerGroup.js";

const TOPIC = "DLedger2gTopic";
const IDS = ["n0", "n1", "n2"];
const TOTAL = 1000;
const g0 = new DLedgerGroup();
const g1 = new DLedgerGroup();
const closers: { shutdown(): Promise<void> }[] = [];

afterAll(async () => {
  for (const c of closers.reverse()) await c.shutdown().catch(() => undefined);
  await g1.destroy();
  await g0.destroy();
}, 60_000);

describe("two DLedger groups, both leaders killed at once while sending", () => {
  it("(c) a new leader in each group, and no message acknowledged SEND_OK is lost", async () => {
    await g0.create(IDS, [], { name: "RaftNode00" });
    await g1.create(IDS, [], { name: "RaftNode01", namesrvAddr: g0.namesrvAddr });
    await Promise.all([g0.start(...IDS), g1.start(...IDS)]);
    const leaders: string[] = [];
    for (const g of [g0, g1]) {
      const r = await g.untilRegistered((reg) => reg.has(0) && reg.size === 3, 60_000, `${g.name}: a leader`);
      leaders.push(r.get(0) as string);
      const config = newTopicConfig(TOPIC, { readQueueNums: 4, writeQueueNums: 4 });
      for (const m of g.members.values()) await g.adminClient.createAndUpdateTopicConfig(m.addr, config);
    }

    const producer = new DefaultMQProducer({
      namesrvAddr: g0.namesrvAddr,
      producerGroup: "dledger_2g_producer",
      pollNameServerInterval: 3000,
      sendMsgTimeout: 3000,
    });
    await producer.start();
    closers.push(producer);
    const acknowledged = new Set<string>();
    // acknowledged per broker name for sends begun once both leaders were dead
    const afterKill = new Map<string, number>();
    let killed = false;
    const bothGroupsWentOn = (): boolean => killed && [g0, g1].every((g) => (afterKill.get(g.name) ?? 0) > 0);
    let attempts = 0;
    let next = 0;
    // four senders, each at most one send per PACE_MS (about 50 a second in all), so that the 1,000 span the
    // outage (about 6 s until a follower's heartbeat timeout, then the vote) and both groups' recovery; they go
    // on past 1,000 only until each group has acknowledged a send begun after the kill
    const PACE_MS = 80;
    const sender = async (): Promise<void> => {
      const end = Date.now() + 150_000;
      while ((acknowledged.size < TOTAL || !bothGroupsWentOn()) && Date.now() < end) {
        const body = `2g ${next++}`;
        const begun = Date.now();
        const sentAfterKill = killed;
        attempts++;
        const ok = await producer
          .send(new Message(TOPIC, Buffer.from(body)))
          .then((r) => {
            if (r.sendStatus !== "SEND_OK") return false;
            const name = r.messageQueue.brokerName;
            if (sentAfterKill) afterKill.set(name, (afterKill.get(name) ?? 0) + 1);
            return true;
          })
          .catch(() => false);
        if (ok) acknowledged.add(body);
        await new Promise((r) => setTimeout(r, Math.max(ok ? 0 : 100, begun + PACE_MS - Date.now())));
      }
    };
    const sending = Promise.all([sender(), sender(), sender(), sender()]);
    const killAt = Date.now() + 120_000;
    while (acknowledged.size < 300 && Date.now() < killAt) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([g0.kill9(leaders[0] as string), g1.kill9(leaders[1] as string)]);
    killed = true;
    const acknowledgedAtKill = acknowledged.size;
    for (const [i, g] of [g0, g1].entries()) {
      const r = await g.untilRegistered(
        (reg) => reg.has(0) && reg.get(0) !== leaders[i],
        60_000,
        `${g.name}: a new leader after ${leaders[i]} was killed`,
      );
      expect(r.get(0)).not.toBe(leaders[i]);
    }
    await sending;

    const received = new Map<string, number>();
    let deliveries = 0;
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr: g0.namesrvAddr,
      consumerGroup: "dledger_2g_consumer",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      pollNameServerInterval: 3000,
    });
    consumer.subscribe(TOPIC, "*");
    consumer.registerMessageListener((msgs: MessageExt[]) => {
      for (const m of msgs) {
        deliveries++;
        const body = m.body?.toString() ?? "";
        received.set(body, (received.get(body) ?? 0) + 1);
      }
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    closers.push(consumer);
    const end = Date.now() + 90_000;
    while ([...acknowledged].some((b) => !received.has(b)) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 300));
    const lost = [...acknowledged].filter((b) => !received.has(b));
    const duplicated = [...received.values()].filter((n) => n > 1).length;
    const unacknowledged = [...received.keys()].filter((b) => !acknowledged.has(b)).length;
    console.log(
      `dledger-2g drill: ${attempts} sends, ${acknowledged.size} acknowledged SEND_OK (${acknowledgedAtKill} before the kill; ` +
        `after it ${[...afterKill].map(([n, c]) => `${n} ${c}`).join(", ")}), ${deliveries} received ` +
        `(${received.size} distinct, ${unacknowledged} of them not acknowledged), ${duplicated} duplicated, ${lost.length} acknowledged lost`,
    );
    expect(acknowledgedAtKill).toBeLessThan(TOTAL); // the kill came while sending
    expect(acknowledged.size).toBeGreaterThanOrEqual(TOTAL);
    for (const g of [g0, g1])
      expect(afterKill.get(g.name) ?? 0, `${g.name} acknowledged after the kill`).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  }, 300_000);
});
