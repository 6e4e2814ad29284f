/**
 * The consumers against an in-memory cluster (FakeCluster): rebalance by the allocation strategy,
 * the pull loop's handling of each pull status, client-side tag filtering, the suggested broker,
 * and the lite pull consumer's commit and seek.
 */
import { createRequest, createResponse, RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import { afterEach, describe, expect, it } from "vitest";
import { DefaultLitePullConsumer, DefaultMQPushConsumer, type MessageExt } from "../src/index.js";
import { processPullResult, pullResultOf } from "../src/consumer/PullAPIWrapper.js";
import { BROKER_NAME, FakeCluster, MASTER, NAMESRV, SLAVE, storedRecord } from "./support/FakeCluster.js";

const CLIENT_ID = "192.0.2.1@c1";

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function pushConsumer(
  cluster: FakeCluster,
  group: string,
  subscription: string,
  received: MessageExt[],
): DefaultMQPushConsumer {
  const c = new DefaultMQPushConsumer({
    namesrvAddr: NAMESRV,
    clientIP: "192.0.2.1",
    instanceName: "c1",
    remotingClient: cluster.client(),
    consumerGroup: group,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  c.subscribe("T", subscription);
  c.registerMessageListener((msgs) => {
    received.push(...msgs);
    return "CONSUME_SUCCESS";
  });
  stops.push(() => c.shutdown());
  return c;
}

/** The queue offsets the consumer pulled one queue from, in order. */
function pulledOffsets(cluster: FakeCluster, queueId: number): number[] {
  return cluster
    .requests(RequestCode.PULL_MESSAGE)
    .filter((r) => r.extFields?.["topic"] === "T" && r.extFields["queueId"] === String(queueId))
    .map((r) => Number(r.extFields?.["queueOffset"]));
}

const topicQueues = (c: DefaultMQPushConsumer): number[] =>
  c
    .assignedQueues()
    .filter((q) => q.topic === "T")
    .map((q) => q.queueId)
    .sort((a, b) => a - b);

describe("push consumer rebalance", () => {
  it("holds the slice AllocateMessageQueueAveragely gives it among the sorted consumer ids, and all once alone", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 8);
    cluster.createTopic("%RETRY%g", 1);
    // sorted: 192.0.2.0@x, 192.0.2.1@c1 (us), 192.0.2.9@y → we are index 1 of 3: queues 3, 4, 5
    cluster.consumerIds.set("g", ["192.0.2.9@y", "192.0.2.0@x", CLIENT_ID]);
    const c = pushConsumer(cluster, "g", "*", []);
    await c.start();
    await until(() => topicQueues(c).length === 3, "three queues");
    expect(topicQueues(c)).toEqual([3, 4, 5]);
    // one retry queue, three consumers: index 0 takes it
    expect(c.assignedQueues().filter((q) => q.topic === "%RETRY%g")).toEqual([]);

    // the others leave; the broker tells us (NOTIFY_CONSUMER_IDS_CHANGED)
    cluster.consumerIds.set("g", [CLIENT_ID]);
    await cluster.deliver(
      createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { extFields: { consumerGroup: "g" } }),
    );
    await until(() => topicQueues(c).length === 8, "all eight queues");
    expect(c.assignedQueues().filter((q) => q.topic === "%RETRY%g").length).toBe(1);
  });

  it("gives up queues allocated to a newcomer and stores their offsets on the broker", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 2);
    cluster.createTopic("%RETRY%g", 1);
    cluster.put("T", 1, { body: "a" }, { body: "b" });
    cluster.consumerIds.set("g", [CLIENT_ID]);
    const received: MessageExt[] = [];
    const c = pushConsumer(cluster, "g", "*", received);
    await c.start();
    await until(() => received.length === 2, "both messages");
    // a newcomer sorts after us: it takes queue 1
    cluster.consumerIds.set("g", [CLIENT_ID, "192.0.2.9@y"]);
    await c.doRebalance();
    expect(topicQueues(c)).toEqual([0]);
    expect(cluster.committed.get("g@T@1")).toBe(2);
  });
});

describe("push consumer pull loop", () => {
  it("FOUND: the messages reach the listener, the next pull starts after them, the offset is committed", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 1);
    cluster.createTopic("%RETRY%g", 1);
    cluster.put("T", 0, { body: "m0" }, { body: "m1" }, { body: "m2" });
    cluster.consumerIds.set("g", [CLIENT_ID]);
    const received: MessageExt[] = [];
    const c = pushConsumer(cluster, "g", "*", received);
    await c.start();
    await until(() => received.length === 3 && pulledOffsets(cluster, 0).length >= 2, "three messages, a second pull");
    expect(received.map((m) => m.body.toString())).toEqual(["m0", "m1", "m2"]);
    expect(pulledOffsets(cluster, 0).slice(0, 2)).toEqual([0, 3]);
    expect(c.currentOffsets().get(`T@${BROKER_NAME}@0`)).toBe(3);
    await c.persistConsumerOffset();
    expect(cluster.committed.get("g@T@0")).toBe(3);
  });

  it("filters by tag on the client: the broker's hash filter lets others through, the offset passes them", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 1);
    cluster.createTopic("%RETRY%g", 1);
    cluster.put("T", 0, { body: "a", tags: "TagA" }, { body: "b", tags: "TagB" }, { body: "c", tags: "TagA" });
    cluster.consumerIds.set("g", [CLIENT_ID]);
    const received: MessageExt[] = [];
    const c = pushConsumer(cluster, "g", "TagA", received);
    await c.start();
    await until(() => received.length === 2 && pulledOffsets(cluster, 0).includes(3), "the TagA messages");
    expect(received.map((m) => m.body.toString())).toEqual(["a", "c"]);
    expect(c.currentOffsets().get(`T@${BROKER_NAME}@0`)).toBe(3);
  });

  it("NO_NEW_MSG: pulls again from the same offset until a message arrives", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 1);
    cluster.createTopic("%RETRY%g", 1);
    cluster.committed.set("g@T@0", 0);
    cluster.consumerIds.set("g", [CLIENT_ID]);
    const c = pushConsumer(cluster, "g", "*", []);
    await c.start();
    await until(() => pulledOffsets(cluster, 0).length >= 3, "three pulls");
    expect(new Set(pulledOffsets(cluster, 0))).toEqual(new Set([0]));
    cluster.put("T", 0, { body: "late" });
    await until(() => pulledOffsets(cluster, 0).includes(1), "a pull after the new message");
  });

  it("OFFSET_ILLEGAL: continues from the offset the broker corrects to", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 1);
    cluster.createTopic("%RETRY%g", 1);
    cluster.put("T", 0, { body: "a" }, { body: "b" });
    // the group's committed offset is past the queue's end
    cluster.committed.set("g@T@0", 10);
    cluster.consumerIds.set("g", [CLIENT_ID]);
    const c = pushConsumer(cluster, "g", "*", []);
    await c.start();
    await until(() => pulledOffsets(cluster, 0).includes(2), "a pull from the corrected offset");
    expect(pulledOffsets(cluster, 0).slice(0, 2)).toEqual([10, 2]);
    expect(c.currentOffsets().get(`T@${BROKER_NAME}@0`)).toBe(2);
  });

  it("pulls from the broker the last answer suggested (a slave), without the commit flag", async () => {
    const cluster = new FakeCluster();
    cluster.withSlave = true;
    cluster.createTopic("T", 1);
    cluster.createTopic("%RETRY%g", 1);
    cluster.put("T", 0, { body: "a" });
    cluster.committed.set("g@T@0", 0);
    cluster.consumerIds.set("g", [CLIENT_ID]);
    const received: MessageExt[] = [];
    cluster.pullAnswer = (req, addr) => {
      if (req.extFields?.["topic"] !== "T" || addr !== MASTER) return undefined;
      return createResponse(req, ResponseCode.SUCCESS, {
        extFields: { suggestWhichBrokerId: "1", nextBeginOffset: "1", minOffset: "0", maxOffset: "1" },
        body: storedRecord("T", 0, 0, { body: "a" }),
      });
    };
    const c = pushConsumer(cluster, "g", "*", received);
    await c.start();
    const pullToSlave = (): boolean =>
      cluster.sent.some((s) => s.addr === SLAVE && s.cmd.code === RequestCode.PULL_MESSAGE);
    await until(pullToSlave, "a pull to the slave");
    const toSlave = cluster.sent.find((s) => s.addr === SLAVE && s.cmd.code === RequestCode.PULL_MESSAGE);
    expect(toSlave?.cmd.extFields?.["queueOffset"]).toBe("1");
    expect(Number(toSlave?.cmd.extFields?.["sysFlag"]) & 1).toBe(0);
    expect(received.map((m) => m.body.toString())).toEqual(["a"]);
  });
});

describe("PullAPIWrapper", () => {
  it("reads the answer's header, and keeps an answer without one (a refusal) readable", () => {
    const req = createRequest(RequestCode.PULL_MESSAGE);
    const found = pullResultOf(
      createResponse(req, ResponseCode.SUCCESS, {
        extFields: { suggestWhichBrokerId: "1", nextBeginOffset: "7", minOffset: "2", maxOffset: "9" },
        body: Buffer.concat([
          storedRecord("T", 0, 5, { body: "x", tags: "A" }),
          storedRecord("T", 0, 6, { body: "y", tags: "B" }),
        ]),
      }),
    );
    expect(found).toMatchObject({
      pullStatus: "FOUND",
      nextBeginOffset: 7,
      minOffset: 2,
      maxOffset: 9,
      suggestWhichBrokerId: 1,
    });
    const mq = { topic: "T", brokerName: BROKER_NAME, queueId: 0 };
    expect(processPullResult(found, mq, { tagsSet: ["B"] }).map((m) => m.queueOffset)).toEqual([6]);
    expect(processPullResult(found, mq, { tagsSet: [] }).map((m) => m.brokerName)).toEqual([BROKER_NAME, BROKER_NAME]);

    const refused = pullResultOf(createResponse(req, ResponseCode.SUBSCRIPTION_NOT_EXIST, { remark: "no sub" }));
    expect(refused).toMatchObject({
      pullStatus: null,
      responseCode: ResponseCode.SUBSCRIPTION_NOT_EXIST,
      remark: "no sub",
    });
    expect(refused.nextBeginOffset).toBeUndefined();
    expect(processPullResult(refused, mq, { tagsSet: [] })).toEqual([]);
  });
});

describe("lite pull consumer", () => {
  it("commitSync stores the polled position; seek moves a queue back", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 1);
    cluster.put("T", 0, { body: "a" }, { body: "b" }, { body: "c" });
    cluster.consumerIds.set("lg", ["192.0.2.1@l1"]);
    const c = new DefaultLitePullConsumer({
      namesrvAddr: NAMESRV,
      clientIP: "192.0.2.1",
      instanceName: "l1",
      remotingClient: cluster.client(),
      consumerGroup: "lg",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      autoCommit: false,
      pullBatchSize: 2,
    });
    c.subscribe("T", "*");
    stops.push(() => c.shutdown());
    await c.start();
    const first = await c.poll(2000);
    expect(first.map((m) => m.body.toString())).toEqual(["a", "b"]);
    await c.commitSync();
    expect(cluster.committed.get("lg@T@0")).toBe(2);
    expect(await c.committed({ topic: "T", brokerName: BROKER_NAME, queueId: 0 })).toBe(2);
    c.seek({ topic: "T", brokerName: BROKER_NAME, queueId: 0 }, 1);
    const again = await c.poll(2000);
    expect(again.map((m) => m.queueOffset)).toEqual([1, 2]);
    await c.commitSync();
    expect(cluster.committed.get("lg@T@0")).toBe(3);
  });

  it("pulls from the broker the last answer suggested (a slave), as the push consumer does", async () => {
    const cluster = new FakeCluster();
    cluster.withSlave = true;
    cluster.createTopic("T", 1);
    cluster.put("T", 0, { body: "a" }, { body: "b" });
    cluster.consumerIds.set("lg", ["192.0.2.1@l1"]);
    // the master answers the first record and sends the consumer to its slave
    cluster.pullAnswer = (req, addr) => {
      if (req.extFields?.["topic"] !== "T" || addr !== MASTER) return undefined;
      return createResponse(req, ResponseCode.SUCCESS, {
        extFields: { suggestWhichBrokerId: "1", nextBeginOffset: "1", minOffset: "0", maxOffset: "2" },
        body: storedRecord("T", 0, 0, { body: "a" }),
      });
    };
    const c = new DefaultLitePullConsumer({
      namesrvAddr: NAMESRV,
      clientIP: "192.0.2.1",
      instanceName: "l1",
      remotingClient: cluster.client(),
      consumerGroup: "lg",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      autoCommit: false,
    });
    c.subscribe("T", "*");
    stops.push(() => c.shutdown());
    await c.start();
    const polled: string[] = [];
    const deadline = Date.now() + 10_000;
    while (polled.length < 2 && Date.now() < deadline)
      polled.push(...(await c.poll(200)).map((m) => m.body.toString()));
    expect(polled).toEqual(["a", "b"]);
    const toSlave = cluster.sent.find((s) => s.addr === SLAVE && s.cmd.code === RequestCode.PULL_MESSAGE);
    expect(toSlave?.cmd.extFields?.["queueOffset"]).toBe("1");
  });
});
