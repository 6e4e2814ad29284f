/**
 * Every request header the client writes, pinned: its extFields keys in wire order and their values
 * (volatile ones — times, unique ids, the producer's queue choice — masked). The key order is what
 * keeps our frames byte-identical to the Java client's, so a change here is a wire change.
 */
import { encodeRecord, parseHost } from "@rocketmq-ts/common";
import { RequestCode, ResponseCode, createRequest, type RemotingCommand } from "@rocketmq-ts/remoting";
import { afterEach, describe, expect, it } from "vitest";
import {
  createReplyMessage,
  DefaultLitePullConsumer,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  Message,
  MQAdminClient,
  TransactionMQProducer,
  type MessageExt,
} from "../src/index.js";
import { BROKER_NAME, FakeCluster, MASTER, NAMESRV } from "./support/FakeCluster.js";

const VOLATILE = new Set(["g", "bornTimestamp", "subVersion"]);
const QUEUE_CHOICE = new Set<number>([
  RequestCode.SEND_MESSAGE_V2,
  RequestCode.SEND_MESSAGE,
  RequestCode.SEND_BATCH_MESSAGE,
]);

function masked(cmd: RemotingCommand): [string, string][] {
  return Object.entries(cmd.extFields ?? {}).map(([k, v]) => {
    if (VOLATILE.has(k)) return [k, "<time>"];
    // a consumer's consumeTimestamp is read in the local time zone
    if (k === "timestamp" && Number(v) > 1e12) return [k, "<local time>"];
    if (QUEUE_CHOICE.has(cmd.code) && (k === "e" || k === "queueId")) return [k, "<queue>"];
    return [k, v.replace(/[0-9A-F]{32}/g, "<uniq>").replace(/[0-9a-f-]{36}/g, "<uuid>")];
  });
}

/** code → first request's masked header, and every distinct key order seen for the code. */
function summary(cluster: FakeCluster): Record<string, { first: [string, string][]; orders: string[] }> {
  const out: Record<string, { first: [string, string][]; orders: string[] }> = {};
  for (const { cmd, oneway } of cluster.sent) {
    const name = `${cmd.code}${oneway ? " oneway" : ""}`;
    const entry = (out[name] ??= { first: masked(cmd), orders: [] });
    const order = Object.keys(cmd.extFields ?? {}).join(",");
    if (!entry.orders.includes(order)) entry.orders.push(order);
  }
  for (const e of Object.values(out)) e.orders.sort();
  return out;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const base = (cluster: FakeCluster, instanceName: string) => ({
  namesrvAddr: NAMESRV,
  clientIP: "192.0.2.1",
  instanceName,
  remotingClient: cluster.client(),
});

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe("request headers as the client writes them", () => {
  it("producer: SEND_MESSAGE_V2 / SEND_MESSAGE / batch / reply / retry topic, END_TRANSACTION, UNREGISTER_CLIENT", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 4);
    cluster.createTopic("%RETRY%cg", 1);
    cluster.createTopic("DefaultCluster_REPLY_TOPIC", 1);
    cluster.createTopic("TX", 1);
    const p = new DefaultMQProducer({ ...base(cluster, "p1"), producerGroup: "pg" });
    await p.start();
    await p.send(new Message("T", Buffer.from("hello"), { tags: "TagA", keys: "k1" }));
    await p.sendOneway(new Message("T", Buffer.from("oneway")));
    await p.sendBatch([new Message("T", Buffer.from("b1")), new Message("T", Buffer.from("b2"))]);
    const retry = new Message("%RETRY%cg", Buffer.from("again"));
    retry.putUserProperty("RECONSUME_TIME", "3");
    retry.putUserProperty("MAX_RECONSUME_TIMES", "16");
    await p.send(retry);
    const request = {
      properties: new Map([
        ["CLUSTER", "DefaultCluster"],
        ["CORRELATION_ID", "c-1"],
      ]),
    } as MessageExt;
    await p.send(createReplyMessage(request, Buffer.from("reply")));
    await p.shutdown();

    const v1 = new DefaultMQProducer({ ...base(cluster, "p2"), producerGroup: "pg1", sendSmartMsg: false });
    await v1.start();
    await v1.send(new Message("T", Buffer.from("v1"), { tags: "TagB" }));
    await v1.send(createReplyMessage(request, Buffer.from("reply v1")));
    await v1.shutdown();

    const tx = new TransactionMQProducer<null>({ ...base(cluster, "p3"), producerGroup: "txg" });
    tx.setTransactionListener({
      executeLocalTransaction: () => "COMMIT_MESSAGE",
      checkLocalTransaction: () => "ROLLBACK_MESSAGE",
    });
    await tx.start();
    await tx.sendMessageInTransaction(new Message("TX", Buffer.from("tx")), null);
    const half = encodeRecord(
      {
        topic: "RMQ_SYS_TRANS_HALF_TOPIC",
        queueId: 0,
        flag: 0,
        body: Buffer.from("tx"),
        propertiesString: "PGROUP\u0001txg\u0002UNIQ_KEY\u0001AC1100010000000000000000000000AA",
        sysFlag: 4,
        bornTimestamp: 1,
        bornHost: parseHost("10.0.0.9:1"),
        storeHost: parseHost(MASTER),
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
      },
      7,
      4242,
    );
    await cluster.deliver(
      createRequest(RequestCode.CHECK_TRANSACTION_STATE, {
        extFields: { tranStateTableOffset: "7", commitLogOffset: "4242", transactionId: "tid-1" },
        body: half,
      }),
    );
    await until(() => cluster.requests(RequestCode.END_TRANSACTION).length === 2, "END_TRANSACTION of the check");
    await tx.shutdown();
    expect(summary(cluster)).toMatchSnapshot();
  });

  it("push consumer: route, consumer list, offsets, PULL_MESSAGE, CONSUMER_SEND_MSG_BACK, UNREGISTER_CLIENT", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 2);
    cluster.createTopic("%RETRY%cg", 1);
    cluster.put("T", 0, { body: "a", tags: "TagA" }, { body: "b", tags: "TagB" });
    cluster.committed.set("cg@T@0", 0);
    const c = new DefaultMQPushConsumer({
      ...base(cluster, "c1"),
      consumerGroup: "cg",
      consumeFromWhere: "CONSUME_FROM_TIMESTAMP",
      consumeTimestamp: "20240102030405",
    });
    c.subscribe("T", "TagA || TagB");
    const seen: string[] = [];
    c.registerMessageListener((msgs) => {
      seen.push(...msgs.map((m) => m.body.toString()));
      return msgs.some((m) => m.body.toString() === "b") ? "RECONSUME_LATER" : "CONSUME_SUCCESS";
    });
    stops.push(() => c.shutdown());
    await c.start();
    await until(() => seen.length === 2, "two messages consumed");
    await until(() => cluster.requests(RequestCode.CONSUMER_SEND_MSG_BACK).length === 1, "send back");
    await c.persistConsumerOffset();
    await c.shutdown();

    const last = new DefaultMQPushConsumer({ ...base(cluster, "c2"), consumerGroup: "cg2" });
    last.subscribe("T", "*");
    last.registerMessageListener(() => "CONSUME_SUCCESS");
    stops.push(() => last.shutdown());
    await last.start();
    await until(() => cluster.requests(RequestCode.GET_MAX_OFFSET).length > 0, "GET_MAX_OFFSET");
    await last.shutdown();
    expect(summary(cluster)).toMatchSnapshot();
  });

  it("lite pull consumer: PULL_MESSAGE with the subscription, commitSync", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 1);
    cluster.put("T", 0, { body: "a" }, { body: "b" });
    const c = new DefaultLitePullConsumer({
      ...base(cluster, "l1"),
      consumerGroup: "lg",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      autoCommit: false,
    });
    c.subscribe("T", "*");
    stops.push(() => c.shutdown());
    await c.start();
    const got: MessageExt[] = [];
    const deadline = Date.now() + 5000;
    while (got.length < 2 && Date.now() < deadline) got.push(...(await c.poll(200)));
    expect(got.map((m) => m.body.toString())).toEqual(["a", "b"]);
    await c.commitSync();
    expect(cluster.committed.get("lg@T@0")).toBe(2);
    await c.shutdown();
    expect(summary(cluster)).toMatchSnapshot();
  });

  it("admin client: every request it builds", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 1);
    cluster.createTopic("%RETRY%cg", 1);
    cluster.put("T", 0, { body: "a" });
    const admin = new MQAdminClient({ namesrvAddr: NAMESRV, remotingClient: cluster.client() });
    const mq = { topic: "T", brokerName: BROKER_NAME, queueId: 0 };
    const tries: (() => Promise<unknown>)[] = [
      () => admin.examineTopicStats("T"),
      () => admin.examineConsumeStats("cg"),
      () => admin.examineConsumeStats("cg", "T"),
      () => admin.examineConsumerConnectionInfo("cg"),
      () => admin.getConsumerRunningInfo("cg", "192.0.2.1@c1", true),
      () => admin.examineProducerConnectionInfo("pg", "T"),
      () =>
        admin.createAndUpdateTopicConfig(MASTER, {
          topicName: "T2",
          readQueueNums: 8,
          writeQueueNums: 8,
          perm: 6,
          topicFilterType: "SINGLE_TAG",
          topicSysFlag: 0,
          order: false,
        }),
      () => admin.deleteTopicInBroker(MASTER, "T2"),
      () => admin.deleteTopicInNameServer(NAMESRV, "T2"),
      () => admin.deleteTopicInNameServer(NAMESRV, "T2", "DefaultCluster"),
      () => admin.operateWritePerm(NAMESRV, BROKER_NAME, "wipe"),
      () => admin.operateWritePerm(NAMESRV, BROKER_NAME, "add"),
      () => admin.putKVConfig("ns", "k", "v"),
      () => admin.deleteKVConfig("ns", "k"),
      () => admin.queryMessageByKey("T", "k1", 32, 1000, 2000),
      () => admin.viewMessage("0A00000100002A9F0000000000000064"),
      () => admin.viewMessageByUniqKey("T", "UT-0-0"),
      () => admin.consumeMessageDirectly("cg", "192.0.2.1@c1", "T", "UT-0-0"),
      () => admin.pull(mq, 0, 32),
      () => admin.queueOffset("min", mq),
      () => admin.queueOffset("max", mq),
      () => admin.queueOffset({ timestamp: 1234 }, mq),
      () => admin.queryTopicConsumeByWho("T"),
      () => admin.resetOffsetByTimestamp("T", "cg", 1234, true),
      () => admin.deleteSubscriptionGroup(MASTER, "cg"),
    ];
    for (const t of tries) await t().catch(() => undefined);
    await admin.shutdown();
    expect(summary(cluster)).toMatchSnapshot();
  });

  it("answers the broker's PULL_OFFSET_MOVED with no header without failing", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("T", 1);
    const admin = new MQAdminClient({ namesrvAddr: NAMESRV, remotingClient: cluster.client() });
    cluster.pullAnswer = (req) => ({
      ...createRequest(0),
      code: ResponseCode.PULL_OFFSET_MOVED,
      opaque: req.opaque,
      flag: 1,
    });
    const r = await admin.pull({ topic: "T", brokerName: BROKER_NAME, queueId: 0 }, 5, 1);
    expect(r).toEqual({ status: "OFFSET_ILLEGAL", nextBeginOffset: 5, messages: [] });
  });
});

describe("send headers from message properties", () => {
  it("refuses a retry send whose RECONSUME_TIME is not an int, sending nothing (Java's Integer.valueOf)", async () => {
    const cluster = new FakeCluster();
    cluster.createTopic("%RETRY%g", 1);
    const p = new DefaultMQProducer({ ...base(cluster, "p9"), producerGroup: "pg9" });
    await p.start();
    stops.push(() => p.shutdown());
    const retry = new Message("%RETRY%g", Buffer.from("r"));
    retry.putUserProperty("RECONSUME_TIME", "three");
    await expect(p.send(retry)).rejects.toThrow(/RECONSUME_TIME is not an int: For input string: "three"/);
    const big = new Message("%RETRY%g", Buffer.from("r"));
    big.putUserProperty("MAX_RECONSUME_TIMES", "2147483648");
    await expect(p.send(big)).rejects.toThrow(/MAX_RECONSUME_TIMES is not an int/);
    expect(cluster.sent.filter((s) => s.cmd.code === RequestCode.SEND_MESSAGE_V2)).toEqual([]);
  });
});
