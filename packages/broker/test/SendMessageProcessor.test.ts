/** SEND_MESSAGE / SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE against the real store and managers. */
import { describe, expect, it } from "vitest";
import { decodeMessageId, MessageConst, newTopicConfig } from "@rocketmq-ts/common";
import { RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import { request, testBrokers } from "./support/brokerContext.js";
import { answer, props, sendRequest, stored } from "./support/requests.js";

const open = testBrokers();

describe("send processor", () => {
  it("stores a message, adds the cluster, drops WAIT, and answers msgId, queue and offset", async () => {
    const broker = open();
    const first = await answer(
      broker,
      sendRequest({ topic: "UnitTopic", queueId: 2, properties: props({ TAGS: "a", WAIT: "true" }) }),
    );
    const second = await answer(broker, sendRequest({ topic: "UnitTopic", queueId: 2 }));
    expect(first.code).toBe(ResponseCode.SUCCESS);
    expect(first.extFields).toMatchObject({ queueId: "2", queueOffset: "0", MSG_REGION: "DefaultRegion" });
    expect(second.extFields).toMatchObject({ queueId: "2", queueOffset: "1" });
    const msg = stored(broker, first);
    expect(msg.topic).toBe("UnitTopic");
    expect(msg.body?.toString()).toBe("hello");
    expect([...msg.properties]).toEqual([
      ["CLUSTER", "UnitCluster"],
      ["TAGS", "a"],
    ]);
    // the topic was created from TBW102 with the producer's queue count
    expect(broker.ctx.topicConfigManager.selectTopicConfig("UnitTopic")?.writeQueueNums).toBe(4);
  });

  it("reads SEND_MESSAGE_V2's one-letter header", async () => {
    const broker = open();
    // producerGroup, topic, defaultTopic, defaultTopicQueueNums, queueId, sysFlag, bornTimestamp, flag
    const v2Fields = { a: "PG", b: "V2Topic", c: "TBW102", d: "4", e: "1", f: "0", g: "1700000000000", h: "0" };
    const res = await answer(broker, request(RequestCode.SEND_MESSAGE_V2, v2Fields, Buffer.from("v2")));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(stored(broker, res)).toMatchObject({ topic: "V2Topic", queueId: 1 });
  });

  it("reports a SEND_MESSAGE_V2 header field missing under its letter, as Java's SendMessageRequestHeaderV2 does", async () => {
    const broker = open();
    // the V1 names are not read on the V2 code: `a` (producerGroup) is missing
    const fields = { producerGroup: "PG", b: "V2Topic", c: "TBW102", d: "4", e: "1", f: "0", g: "1", h: "0" };
    await expect(broker.handle(request(RequestCode.SEND_MESSAGE_V2, fields, Buffer.from("v2")))).rejects.toThrow(
      "the custom field <a> is null",
    );
  });

  it("turns a send away before the broker accepts sends (startAcceptSendRequestTimeStamp)", async () => {
    const until = Date.now() + 60_000;
    const broker = open({ brokerConfig: { startAcceptSendRequestTimeStamp: until } });
    const res = await answer(broker, sendRequest({ topic: "UnitTopic" }));
    expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(res.remark).toBe(`broker unable to service, until ${new Date(until).toISOString()}`);
    expect(res.extFields).toEqual({ MSG_REGION: "DefaultRegion", TRACE_ON: "true" });
    expect(broker.ctx.store.getMaxPhyOffset()).toBe(0);
  });

  it("turns a send away when the event loop ran late for longer than waitTimeMillsInSendQueue", async () => {
    const broker = open({ brokerConfig: { waitTimeMillsInSendQueue: 50 } });
    const req = sendRequest({ topic: "UnitTopic" });
    const busyUntil = Date.now() + 150;
    while (Date.now() < busyUntil) {
      // keep the event loop from ticking, as a flood of requests would
    }
    const res = await answer(broker, req);
    expect(res.code).toBe(ResponseCode.SYSTEM_BUSY);
    expect(res.remark).toMatch(
      /^\[TIMEOUT_CLEAN_QUEUE\]broker busy, start flow control for a while, period in queue: \d+ms, size of queue: 0$/,
    );
  });

  it("refuses a topic the broker may not be sent to, and a queue id beyond the topic's queues", async () => {
    const broker = open();
    const forbidden = await answer(broker, sendRequest({ topic: "SCHEDULE_TOPIC_XXXX" }));
    expect(forbidden.code).toBe(ResponseCode.NO_PERMISSION);
    expect(forbidden.remark).toBe("Sending message to topic[SCHEDULE_TOPIC_XXXX] is forbidden.");
    const badQueue = await answer(broker, sendRequest({ topic: "UnitTopic", queueId: 9 }));
    expect(badQueue.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(badQueue.remark).toMatch(
      /^request queueId\[9\] is illegal, TopicConfig \[topicName=UnitTopic, readQueueNums=4, writeQueueNums=4, perm=RW-, /,
    );
  });

  it("stores sends to a read-only topic and on a read-only broker, except to an order topic (Java 4.9.8's msgCheck)", async () => {
    const broker = open();
    broker.ctx.topicConfigManager.updateTopicConfig(newTopicConfig("ReadOnlyTopic", { perm: 4 }));
    const readOnly = await answer(broker, sendRequest({ topic: "ReadOnlyTopic" }));
    expect(readOnly.code).toBe(ResponseCode.SUCCESS);
    expect(stored(broker, readOnly).topic).toBe("ReadOnlyTopic");

    broker.ctx.brokerConfig.brokerPermission = 4;
    const plain = await answer(broker, sendRequest({ topic: "UnitTopic" }));
    expect(plain.code).toBe(ResponseCode.SUCCESS);
    broker.ctx.topicConfigManager.updateTopicConfig(newTopicConfig("OrderTopic", { order: true }));
    const order = await answer(broker, sendRequest({ topic: "OrderTopic" }));
    expect(order.code).toBe(ResponseCode.NO_PERMISSION);
    expect(order.remark).toBe(`the broker[${broker.ctx.brokerConfig.brokerIP1}] sending message is forbidden`);
  });

  it("names the configured maxMessageSize when the store refuses a message as illegal", async () => {
    const broker = open({ storeConfig: { maxMessageSize: 1024 } });
    const res = await answer(broker, sendRequest({ topic: "UnitTopic" }, Buffer.alloc(2048, 0x61)));
    expect(res.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(res.remark).toBe(
      "the message is illegal, maybe msg body or properties length not matched. msg body length limit 1024B, msg properties length limit 32KB.",
    );
  });

  it("answers a store that refuses puts with SERVICE_NOT_AVAILABLE and Java's remark, disk usage as %5.2f of three paths", async () => {
    // a SLAVE store refuses every put with SERVICE_NOT_AVAILABLE, as a full disk does
    const broker = open({ storeConfig: { brokerRole: "SLAVE" } });
    const res = await answer(broker, sendRequest({ topic: "UnitTopic" }));
    expect(res.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE);
    // Java's String.format("CL: %5.2f CQ: %5.2f INDEX: %5.2f"): the commit log's usage padded to
    // five characters; nothing was stored, so consumequeue/ and index/ do not exist yet (-1)
    expect(res.remark).toMatch(
      /^service not available now\. It may be caused by one of the following reasons: the broker's disk is full \[CL: {2}[01]\.\d\d CQ: -1\.00 INDEX: -1\.00\], messages are put to the slave, message store has been shut down, etc\.$/,
    );
  });

  it("sends a retry over the group's max reconsume times to the group's DLQ, answering the queue it chose", async () => {
    const broker = open();
    // a retry topic of 4 queues, so that the answered queue (3) and the DLQ's (0) differ
    broker.ctx.topicConfigManager.updateTopicConfig(
      newTopicConfig("%RETRY%UnitGroup", { readQueueNums: 4, writeQueueNums: 4 }),
    );
    const res = await answer(
      broker,
      sendRequest({
        topic: "%RETRY%UnitGroup",
        queueId: 3,
        reconsumeTimes: 16,
        properties: props({ DELAY: "3", RETRY_TOPIC: "UnitTopic" }),
      }),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields?.["queueId"]).toBe("3");
    const msg = stored(broker, res);
    expect(msg.topic).toBe("%DLQ%UnitGroup");
    expect(msg.queueId).toBe(0);
    expect(msg.reconsumeTimes).toBe(16);
    expect(msg.properties.has(MessageConst.PROPERTY_DELAY_TIME_LEVEL)).toBe(false);
    expect(broker.ctx.topicConfigManager.selectTopicConfig("%DLQ%UnitGroup")).toMatchObject({
      readQueueNums: 1,
      writeQueueNums: 1,
    });
  });

  it("keeps a retry under the limit on its retry topic, parked on the delay level it carries", async () => {
    const broker = open();
    const res = await answer(
      broker,
      sendRequest({ topic: "%RETRY%UnitGroup", queueId: 0, reconsumeTimes: 2, properties: props({ DELAY: "3" }) }),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    const msg = stored(broker, res);
    expect(msg.topic).toBe("SCHEDULE_TOPIC_XXXX");
    expect(msg.queueId).toBe(2);
    expect(msg.properties.get(MessageConst.PROPERTY_REAL_TOPIC)).toBe("%RETRY%UnitGroup");
  });

  it("answers SUBSCRIPTION_GROUP_NOT_EXIST for a retry topic of an unknown group when groups are not auto-created", async () => {
    const broker = open({ brokerConfig: { autoCreateSubscriptionGroup: false } });
    const res = await answer(broker, sendRequest({ topic: "%RETRY%NoSuchGroup", reconsumeTimes: 1 }));
    expect(res.code).toBe(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
    expect(res.remark).toMatch(/^subscription group not exist, NoSuchGroup/);
  });

  it("stores each item of a batch with the batch's properties after its own", async () => {
    const broker = open();
    const res = await answer(
      broker,
      sendRequest(
        { topic: "BatchTopic", queueId: 0, properties: props({ WAIT: "true" }) },
        Buffer.concat([batchItem("one", props({ KEYS: "k1" })), batchItem("two", "")]),
        RequestCode.SEND_BATCH_MESSAGE,
      ),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields).toMatchObject({ queueId: "0", queueOffset: "0" });
    // one answer for the batch: its message ids joined by commas
    const [first, second] = (res.extFields?.["msgId"] ?? "")
      .split(",")
      .map((id) => broker.ctx.store.lookMessageByOffset(decodeMessageId(id).commitLogOffset));
    if (!first || !second) throw new Error(`two message ids expected: ${res.extFields?.["msgId"]}`);
    expect(first.body?.toString()).toBe("one");
    expect(first.propertiesString).toBe("KEYS\u0001k1\u0002CLUSTER\u0001UnitCluster\u0002WAIT\u0001true");
    expect(second.body?.toString()).toBe("two");
    expect(second.queueOffset).toBe(1);
    // an item without properties takes the batch's, in Java's HashMap order
    expect(second.propertiesString).toBe("CLUSTER\u0001UnitCluster\u0002WAIT\u0001true");
  });

  it("refuses a batch carrying a delay level, and an empty batch", async () => {
    const broker = open();
    const delayed = await answer(
      broker,
      sendRequest(
        { topic: "BatchTopic", properties: props({ DELAY: "2" }) },
        batchItem("x", ""),
        RequestCode.SEND_BATCH_MESSAGE,
      ),
    );
    expect(delayed.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(delayed.remark).toBe("Batch message does not support delay message");
    const empty = await answer(
      broker,
      sendRequest({ topic: "BatchTopic" }, Buffer.alloc(0), RequestCode.SEND_BATCH_MESSAGE),
    );
    expect(empty.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(empty.remark).toBe("the batch message body is empty");
  });
});

/** One item of a batch body as the client encodes it: size, magic, crc, flag, body, properties. */
function batchItem(body: string, properties: string): Buffer {
  const b = Buffer.from(body);
  const p = Buffer.from(properties);
  const out = Buffer.alloc(20 + b.length + 2 + p.length);
  out.writeInt32BE(out.length, 0);
  out.writeInt32BE(0, 4); // magic (unused by the broker)
  out.writeInt32BE(0, 8); // body crc (unused by the broker)
  out.writeInt32BE(0, 12); // flag
  out.writeInt32BE(b.length, 16);
  b.copy(out, 20);
  out.writeInt16BE(p.length, 20 + b.length);
  p.copy(out, 22 + b.length);
  return out;
}
