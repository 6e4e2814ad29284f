/** Admin codes (processor/admin/*) against the real managers and store. */
import { describe, expect, it } from "vitest";
import { PermName } from "@rocketmq-ts/common";
import {
  createResponse,
  CreateTopicRequestHeader,
  encodePartialHeader,
  RequestCode,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import { request, testBrokers } from "./support/brokerContext.js";
import { answer, sendRequest } from "./support/requests.js";

const open = testBrokers();

function createTopic(fields: Partial<CreateTopicRequestHeader> & { topic: string }) {
  return request(
    RequestCode.UPDATE_AND_CREATE_TOPIC,
    encodePartialHeader(CreateTopicRequestHeader, {
      defaultTopic: "TBW102",
      readQueueNums: 2,
      writeQueueNums: 3,
      perm: PermName.PERM_READ | PermName.PERM_WRITE,
      topicFilterType: "SINGLE_TAG",
      ...fields,
    }),
  );
}

describe("topic administration", () => {
  it("UPDATE_AND_CREATE_TOPIC creates the topic as asked, answering with Java's unset remark", async () => {
    const broker = open();
    const res = await answer(broker, createTopic({ topic: "AdminTopic", order: true }));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.remark).toBe("not set any response code");
    expect(broker.ctx.topicConfigManager.selectTopicConfig("AdminTopic")).toMatchObject({
      readQueueNums: 2,
      writeQueueNums: 3,
      perm: 6,
      order: true,
    });
    const config = await answer(broker, request(RequestCode.GET_TOPIC_CONFIG, { topic: "AdminTopic" }));
    expect(config.code).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse(config.body?.toString() ?? "")).toMatchObject({
      attributes: {},
      topicName: "AdminTopic",
      readQueueNums: 2,
      writeQueueNums: 3,
      order: true,
    });
  });

  it("UPDATE_AND_CREATE_TOPIC refuses an illegal name, the cluster's name and a system topic", async () => {
    const broker = open();
    const illegal = await answer(broker, createTopic({ topic: "bad topic" }));
    expect(illegal.code).toBe(ResponseCode.SYSTEM_ERROR);
    const cluster = await answer(broker, createTopic({ topic: "UnitCluster" }));
    expect(cluster.remark).toBe("the topic[UnitCluster] is conflict with system reserved words.");
    const system = await answer(broker, createTopic({ topic: "SCHEDULE_TOPIC_XXXX" }));
    expect(system.remark).toBe("The topic[SCHEDULE_TOPIC_XXXX] is conflict with system topic.");
    expect(broker.ctx.topicConfigManager.selectTopicConfig("bad topic")).toBeUndefined();
  });

  it("GET_TOPIC_CONFIG and GET_TOPIC_STATS_INFO answer TOPIC_NOT_EXIST for an unknown topic", async () => {
    const broker = open();
    const config = await answer(broker, request(RequestCode.GET_TOPIC_CONFIG, { topic: "Nope" }));
    expect(config.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(config.remark).toBe("No topic in this broker. topic: Nope");
    const stats = await answer(broker, request(RequestCode.GET_TOPIC_STATS_INFO, { topic: "Nope" }));
    expect(stats.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(stats.remark).toBe("topic[Nope] not exist");
  });

  it("UPDATE_AND_CREATE_TOPIC applies 5.x attribute changes (+ adds, - deletes) and refuses bad ones with Java's remarks", async () => {
    const broker = open();
    const created = await answer(broker, createTopic({ topic: "FifoTopic", attributes: "+message.type=FIFO" }));
    expect(created.code).toBe(ResponseCode.SUCCESS);
    expect(broker.ctx.topicConfigManager.selectTopicConfig("FifoTopic")?.attributes).toEqual({
      "message.type": "FIFO",
    });
    const config = await answer(broker, request(RequestCode.GET_TOPIC_CONFIG, { topic: "FifoTopic" }));
    expect(JSON.parse(config.body?.toString() ?? "")).toMatchObject({ attributes: { "message.type": "FIFO" } });
    // an update without attributes keeps them; a change alters them
    await answer(broker, createTopic({ topic: "FifoTopic", readQueueNums: 4, writeQueueNums: 4 }));
    expect(broker.ctx.topicConfigManager.selectTopicConfig("FifoTopic")?.attributes).toEqual({
      "message.type": "FIFO",
    });
    await answer(broker, createTopic({ topic: "FifoTopic", attributes: "+message.type=DELAY" }));
    expect(broker.ctx.topicConfigManager.selectTopicConfig("FifoTopic")?.attributes).toEqual({
      "message.type": "DELAY",
    });
    await answer(broker, createTopic({ topic: "FifoTopic", attributes: "-message.type" }));
    expect(broker.ctx.topicConfigManager.selectTopicConfig("FifoTopic")?.attributes).toBeUndefined();

    const refusals: Array<[string, string, number]> = [
      ["+message.type=SOMETHING", "value is not in set: [UNSPECIFIED, MIXED, TRANSACTION, FIFO, DELAY, NORMAL]", 1],
      ["-message.type", "only add attribute is supported while creating topic. key: message.type", 1],
      ["+no.such=1", "unsupported key: no.such", 1],
      ["message.type=FIFO", "add/alter attribute format is wrong: message.type", 1],
      ["+message.type=MIXED", "MIXED message type is not supported.", ResponseCode.INVALID_PARAMETER],
    ];
    for (const [attributes, remark, code] of refusals) {
      const res = await answer(broker, createTopic({ topic: "NewTopic", attributes }));
      expect({ attributes, code: res.code, remark: res.remark }).toEqual({ attributes, code, remark });
    }
    expect(broker.ctx.topicConfigManager.selectTopicConfig("NewTopic")).toBeUndefined();
    await answer(broker, createTopic({ topic: "QueueTyped", attributes: "+queue.type=SimpleCQ" }));
    const unchangeable = await answer(broker, createTopic({ topic: "QueueTyped", attributes: "+queue.type=BatchCQ" }));
    expect(unchangeable.remark).toBe("attempt to update an unchangeable attribute. key: queue.type");
  });

  it("GET_SUBSCRIPTIONGROUP_CONFIG (5.x) answers one group's config, auto-creating it as 5.x does", async () => {
    const broker = open();
    const res = await answer(broker, request(RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, { group: "GroupA" }));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse(res.body?.toString() ?? "")).toMatchObject({ groupName: "GroupA", retryMaxTimes: 16 });
    expect(JSON.parse(res.body?.toString() ?? "")).not.toHaveProperty("consumeMessageOrderly");
    // 5.x's consumeMessageOrderly (mqadmin updateSubGroup -o true) is kept
    const orderly = request(
      RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
      {},
      Buffer.from(JSON.stringify({ groupName: "GroupA", consumeMessageOrderly: true })),
    );
    expect((await answer(broker, orderly)).code).toBe(ResponseCode.SUCCESS);
    const again = await answer(broker, request(RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, { group: "GroupA" }));
    expect(JSON.parse(again.body?.toString() ?? "")).toMatchObject({
      groupName: "GroupA",
      consumeMessageOrderly: true,
    });
    broker.ctx.brokerConfig.autoCreateSubscriptionGroup = false;
    const missing = await answer(broker, request(RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, { group: "GroupB" }));
    expect(missing.code).toBe(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
    expect(missing.remark).toBe("No group in this broker");
  });

  it("GET_TOPIC_STATS_INFO gives each write queue's min and max offsets and last store time", async () => {
    const broker = open();
    await answer(broker, createTopic({ topic: "StatsTopic", readQueueNums: 2, writeQueueNums: 2 }));
    for (let i = 0; i < 3; i++) await answer(broker, sendRequest({ topic: "StatsTopic", queueId: 1 }));
    const stored = broker.ctx.store.getMessageStoreTimeStamp("StatsTopic", 1, 2);
    const res = await answer(broker, request(RequestCode.GET_TOPIC_STATS_INFO, { topic: "StatsTopic" }));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.body?.toString()).toBe(
      '{"offsetTable":{' +
        '{"brokerName":"broker-unit","queueId":0,"topic":"StatsTopic"}:{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0},' +
        `{"brokerName":"broker-unit","queueId":1,"topic":"StatsTopic"}:{"lastUpdateTimestamp":${stored},"maxOffset":3,"minOffset":0}` +
        "}}",
    );
  });
});

describe("broker configuration", () => {
  it("GET_BROKER_CONFIG answers every config line and the configuration's data version", async () => {
    const broker = open();
    const res = await answer(broker, request(RequestCode.GET_BROKER_CONFIG, {}));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.body?.toString()).toBe(broker.ctx.configuration.lines().join("\n") + "\n");
    expect(res.body?.toString()).toContain("brokerName=broker-unit\n");
    const { timestamp, counter } = broker.ctx.configuration.dataVersion();
    expect(res.extFields?.["version"]).toBe(`{"counter":${counter},"timestamp":${timestamp}}`);
  });

  it("UPDATE_BROKER_CONFIG applies the properties, but none of a black-listed key", async () => {
    const broker = open();
    const refused = await answer(
      broker,
      request(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from("brokerPermission=4\nrocketmqHome=/tmp\n")),
    );
    expect(refused.code).toBe(ResponseCode.NO_PERMISSION);
    expect(refused.remark).toBe("Can not update config in black list.");
    expect(broker.ctx.brokerConfig.brokerPermission).toBe(6);

    const res = await answer(
      broker,
      request(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from("brokerPermission=4\n")),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(broker.ctx.brokerConfig.brokerPermission).toBe(4);
  });
});

describe("orderly locks and requests relayed to a consumer", () => {
  const mqSet = [{ topic: "LockTopic", brokerName: "broker-unit", queueId: 0 }];
  const lockBody = (clientId: string) => Buffer.from(JSON.stringify({ consumerGroup: "G", clientId, mqSet }));

  it("LOCK_BATCH_MQ grants a queue to one client until it unlocks it", async () => {
    const broker = open();
    const first = await answer(broker, request(RequestCode.LOCK_BATCH_MQ, {}, lockBody("client-a")));
    expect(first.body?.toString()).toBe(
      '{"lockOKMQSet":[{"brokerName":"broker-unit","queueId":0,"topic":"LockTopic"}]}',
    );
    const other = await answer(broker, request(RequestCode.LOCK_BATCH_MQ, {}, lockBody("client-b")));
    expect(other.body?.toString()).toBe('{"lockOKMQSet":[]}');
    await answer(broker, request(RequestCode.UNLOCK_BATCH_MQ, {}, lockBody("client-a")));
    const after = await answer(broker, request(RequestCode.LOCK_BATCH_MQ, {}, lockBody("client-b")));
    expect(after.body?.toString()).toContain('"queueId":0');
  });

  it("GET_CONSUMER_RUNNING_INFO goes to the named client and comes back with its answer", async () => {
    const broker = open({
      clientAnswer: async ({ request: forwarded }) =>
        createResponse(forwarded, ResponseCode.SUCCESS, { body: Buffer.from("running info") }),
    });
    const heartbeat = {
      clientID: "client-a",
      producerDataSet: [],
      consumerDataSet: [{ groupName: "G", subscriptionDataSet: [], unitMode: false }],
    };
    await answer(broker, request(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(heartbeat))));

    const ask = request(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: "G", clientId: "client-a" });
    const res = await answer(broker, ask);
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.opaque).toBe(ask.opaque);
    expect(res.body?.toString()).toBe("running info");
    expect(broker.clientCalls.map((c) => [c.request.code, c.request.extFields])).toEqual([
      [RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: "G", clientId: "client-a" }],
    ]);

    const offline = await answer(
      broker,
      request(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: "G", clientId: "client-b" }),
    );
    expect(offline.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(offline.remark).toBe("The Consumer <G> <client-b> not online");
  });
});
