/**
 * Issue 20 item 3, the consumer side with rocketmq-client-nodejs 1.0.8 (unmodified) through the proxy:
 * a delay message reaches a SimpleConsumer no earlier than its delivery time and a FIFO group gets one
 * message group in order, and a recalled delay message never arrives while its slot-mate does (both
 * modes); 10,000 messages are received exactly once by a group of two
 * SimpleConsumers, and a broker restart in the middle of consumption loses nothing acknowledged
 * (cluster mode: the proxy stays up while the broker behind it restarts).
 */
import { describe, expect, it } from "vitest";
import { Producer, SimpleConsumer, type MessageView } from "rocketmq-client-nodejs";
import { createRequest, type RemotingClient } from "@rocketmq-ts/remoting";
import { createTypedTopic as createTopic, type LocalCluster } from "./support/cluster.js";
import { PROXY_MODES, quietLogger as quiet, useProxiedCluster } from "./support/proxy.js";

/** A group whose consumers read FIFO topics in order (5.x consumeMessageOrderly). */
async function createOrderlyGroup(admin: RemotingClient, cluster: LocalCluster, group: string): Promise<void> {
  const res = await admin.invokeSync(
    cluster.brokerAddr,
    createRequest(200, { body: Buffer.from(JSON.stringify({ groupName: group, consumeMessageOrderly: true })) }),
    5000,
  );
  expect(res.code, res.remark ?? "").toBe(0);
}

function simpleConsumer(endpoints: string, group: string, topic: string): SimpleConsumer {
  return new SimpleConsumer({
    endpoints,
    namespace: "",
    consumerGroup: group,
    subscriptions: new Map([[topic, "*"]]),
    awaitDuration: 3000,
    logger: quiet,
  });
}

describe.each(PROXY_MODES)("5.x consumers through the proxy, %s mode", (mode) => {
  let endpoints: string;
  const { cleanups } = useProxiedCluster(
    mode,
    {
      brokerProps: "recallMessageEnable=true",
      setup: async (cluster, admin) => {
        await createTopic(admin, cluster, "ConsumeDelay", "DELAY");
        await createTopic(admin, cluster, "ConsumeRecall", "DELAY");
        await createTopic(admin, cluster, "ConsumeFifo", "FIFO");
        await createOrderlyGroup(admin, cluster, "ConsumeFifoGroup");
      },
    },
    (_cluster, grpc) => (endpoints = grpc),
  );

  it("a message with deliveryTimestamp 5 s ahead reaches a SimpleConsumer no earlier", async () => {
    const consumer = simpleConsumer(endpoints, "ConsumeDelayGroup", "ConsumeDelay");
    await consumer.startup();
    cleanups.push(() => consumer.shutdown());
    const producer = new Producer({ endpoints, namespace: "", topics: ["ConsumeDelay"], logger: quiet });
    await producer.startup();
    cleanups.push(() => producer.shutdown());
    const at = Date.now() + 5000;
    await producer.send({ topic: "ConsumeDelay", deliveryTimestamp: new Date(at), body: Buffer.from("later") });
    let got: MessageView | undefined;
    let gotAt = 0;
    const end = Date.now() + 30_000;
    while (!got && Date.now() < end)
      for (const v of await consumer.receive(16, 15_000)) {
        gotAt = Date.now();
        got = v;
        await consumer.ack(v);
      }
    expect(got?.body.toString()).toBe("later");
    expect(gotAt).toBeGreaterThanOrEqual(at);
    expect(got?.deliveryTimestamp?.getTime()).toBe(at);
  }, 60_000);

  it("Producer.recallMessage withdraws a delay message before it is due; the other of its second arrives", async () => {
    const producer = new Producer({ endpoints, namespace: "", topics: ["ConsumeRecall"], logger: quiet });
    await producer.startup();
    cleanups.push(() => producer.shutdown());
    const at = new Date(Date.now() + 5000);
    const recalled = await producer.send({ topic: "ConsumeRecall", deliveryTimestamp: at, body: Buffer.from("gone") });
    const kept = await producer.send({ topic: "ConsumeRecall", deliveryTimestamp: at, body: Buffer.from("kept") });
    expect(recalled.recallHandle).toBeTruthy();
    const receipt = await producer.recallMessage("ConsumeRecall", recalled.recallHandle);
    expect(receipt.messageId).toBe(recalled.messageId);
    await expect(producer.recallMessage("ConsumeRecall", "not-a-handle")).rejects.toThrow(/recall handle is invalid/);

    const consumer = simpleConsumer(endpoints, "ConsumeRecallGroup", "ConsumeRecall");
    await consumer.startup();
    cleanups.push(() => consumer.shutdown());
    const bodies: string[] = [];
    const end = Date.now() + 30_000;
    while (!bodies.includes("kept") && Date.now() < end)
      for (const v of await consumer.receive(16, 15_000)) {
        bodies.push(v.body.toString());
        await consumer.ack(v);
      }
    // the recalled message shared the kept one's timer slot: it would have come with it
    for (const v of await consumer.receive(16, 15_000)) bodies.push(v.body.toString());
    expect(bodies).toEqual(["kept"]);
    expect(kept.messageId).toBeTruthy();
  }, 60_000);

  it("a FIFO group receives one message group in order, each message once", async () => {
    const producer = new Producer({ endpoints, namespace: "", topics: ["ConsumeFifo"], logger: quiet });
    await producer.startup();
    cleanups.push(() => producer.shutdown());
    for (let i = 0; i < 20; i++)
      await producer.send({ topic: "ConsumeFifo", messageGroup: "orders-1", body: Buffer.from(`step-${i}`) });
    const consumer = simpleConsumer(endpoints, "ConsumeFifoGroup", "ConsumeFifo");
    await consumer.startup();
    cleanups.push(() => consumer.shutdown());
    const order: string[] = [];
    const end = Date.now() + 40_000;
    while (order.length < 20 && Date.now() < end)
      for (const v of await consumer.receive(8, 15_000)) {
        expect(v.messageGroup).toBe("orders-1");
        order.push(v.body.toString());
        await consumer.ack(v);
      }
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => `step-${i}`));
  }, 60_000);
});

describe("10,000 messages through a cluster-mode proxy, two SimpleConsumers of one group", () => {
  let cluster: LocalCluster;
  let endpoints: string;
  useProxiedCluster(
    "cluster",
    {
      setup: async (c, admin) => {
        await createTopic(admin, c, "ConsumeMany", "NORMAL", 8);
        await createTopic(admin, c, "ConsumeRestart", "NORMAL", 4);
      },
    },
    (c, grpc) => {
      cluster = c;
      endpoints = grpc;
    },
  );

  /** Send `bodies` with `concurrency` sends in flight; every send must be acknowledged. */
  async function sendAll(topic: string, bodies: string[], concurrency = 32): Promise<void> {
    const producer = new Producer({ endpoints, namespace: "", topics: [topic], logger: quiet });
    await producer.startup();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++] as string;
          await producer.send({ topic, body: Buffer.from(body) });
        }
      }),
    );
    await producer.shutdown();
  }

  it("every message is received and acknowledged exactly once", async () => {
    const total = 10_000;
    const bodies = Array.from({ length: total }, (_, i) => `m-${i}`);
    await sendAll("ConsumeMany", bodies);
    const consumers = [0, 1].map(() => simpleConsumer(endpoints, "ConsumeManyGroup", "ConsumeMany"));
    for (const c of consumers) await c.startup();
    const counts = new Map<string, number>();
    const perConsumer = [0, 0];
    const end = Date.now() + 180_000;
    await Promise.all(
      consumers.map(async (c, i) => {
        while (counts.size < total && Date.now() < end) {
          const views = await c.receive(32, 30_000);
          for (const v of views) {
            const body = v.body.toString();
            counts.set(body, (counts.get(body) ?? 0) + 1);
            perConsumer[i] = (perConsumer[i] ?? 0) + 1;
          }
          await Promise.all(views.map((v) => c.ack(v)));
        }
      }),
    );
    for (const c of consumers) await c.shutdown();
    expect(counts.size).toBe(total);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    // both consumers of the group took part
    expect(Math.min(...perConsumer)).toBeGreaterThan(0);
  }, 300_000);

  it("a broker restart in the middle loses nothing acknowledged; what was acked does not come back", async () => {
    const total = 2000;
    const bodies = Array.from({ length: total }, (_, i) => `r-${i}`);
    await sendAll("ConsumeRestart", bodies);
    const consumer = simpleConsumer(endpoints, "ConsumeRestartGroup", "ConsumeRestart");
    await consumer.startup();
    const received = new Map<string, number>();
    const ackedBeforeRestart = new Set<string>();
    // consume about half, acknowledging each
    const end1 = Date.now() + 60_000;
    while (ackedBeforeRestart.size < total / 2 && Date.now() < end1) {
      for (const v of await consumer.receive(32, 30_000)) {
        const body = v.body.toString();
        received.set(body, (received.get(body) ?? 0) + 1);
        await consumer.ack(v);
        ackedBeforeRestart.add(body);
      }
    }
    expect(ackedBeforeRestart.size).toBeGreaterThanOrEqual(total / 2);
    await cluster.restartBroker();
    // the rest, through the same proxy, with receives failing while the broker is down
    const after = new Map<string, number>();
    const end2 = Date.now() + 120_000;
    while (received.size < total && Date.now() < end2) {
      let views: MessageView[] = [];
      try {
        views = await consumer.receive(32, 30_000);
      } catch {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const v of views) {
        const body = v.body.toString();
        received.set(body, (received.get(body) ?? 0) + 1);
        after.set(body, (after.get(body) ?? 0) + 1);
        await consumer.ack(v).catch(() => undefined);
      }
    }
    await consumer.shutdown();
    expect(bodies.filter((b) => !received.has(b))).toEqual([]);
    expect([...after.keys()].filter((b) => ackedBeforeRestart.has(b))).toEqual([]);
  }, 300_000);
});
