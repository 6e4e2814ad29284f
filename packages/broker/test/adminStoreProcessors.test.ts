/**
 * The admin codes mqadmin's store commands use (processor/admin/storeMaintenance, consumeQueue, topic,
 * connection): GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305), CLEAN_EXPIRED_CONSUMEQUEUE (306),
 * CLEAN_UNUSED_TOPIC (316), QUERY_CONSUME_QUEUE (321), GET_ALL_PRODUCER_INFO (328),
 * DELETE_EXPIRED_COMMITLOG (329), against the real store and managers.
 */
import { readdirSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildSqlSubscriptionData,
  buildSubscriptionData,
  decodeProducerTableInfo,
  decodeQueryConsumeQueueResponseBody,
  decodeTopicList,
  type SubscriptionData,
} from "@rocketmq-ts/common";
import {
  encodeHeader,
  javaHashMapOrder,
  javaStringHashCode,
  QueryConsumeQueueRequestHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import {
  peerConnection,
  request,
  testBrokers,
  type TestBroker,
  type TestBrokerOptions,
} from "./support/brokerContext.js";
import { answer, props, sendRequest } from "./support/requests.js";

const opened = testBrokers();
/**
 * The brokers of these tests store hundreds of messages in a row: a send is not turned away as
 * SYSTEM_BUSY when the loaded machine's event loop lags (as the e2e brokers' TEST_BROKER_PROPS).
 */
const open = (options: TestBrokerOptions = {}): TestBroker =>
  opened({ ...options, brokerConfig: { waitTimeMillsInSendQueue: 60_000, ...options.brokerConfig } });
const FILE_SIZE = 64 * 1024;

/** A broker with small commit-log files and a deleteWhen hour other than the current one. */
const smallFilesBroker = (): TestBroker =>
  open({
    storeConfig: {
      mappedFileSizeCommitLog: FILE_SIZE,
      fileReservedTime: 1,
      deleteWhen: String((new Date().getHours() + 12) % 24),
      deleteCommitLogFilesInterval: 0,
    },
  });

async function send(broker: TestBroker, topic: string, count: number, bodySize = 1000, tags = "TagA"): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await answer(
      broker,
      sendRequest({ topic, properties: props({ TAGS: tags }) }, Buffer.alloc(bodySize, 65 + (i % 26))),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
  }
}

/**
 * Make the first `count` commit-log files two hours old and the others fresh, by the process clock:
 * the kernel stamps mtimes with its own clock, which differs from ours under faketime.
 */
function ageCommitLogFiles(broker: TestBroker, count: number): void {
  const dir = join(broker.root, "commitlog");
  const old = (Date.now() - 2 * 3600 * 1000) / 1000;
  const fresh = Date.now() / 1000;
  readdirSync(dir)
    .sort()
    .forEach((f, i) => utimesSync(join(dir, f), i < count ? old : fresh, i < count ? old : fresh));
}

const plainSuccess = (res: RemotingCommand): void => {
  expect(res.code).toBe(ResponseCode.SUCCESS);
  expect(res.remark ?? null).toBeNull();
  expect(res.body ?? null).toBeNull();
};

describe("GET_SYSTEM_TOPIC_LIST_FROM_BROKER", () => {
  it("answers Java's reserved topic names and the system topics the broker created, in HashSet order", async () => {
    const broker = open({ brokerConfig: { traceTopicEnable: true, msgTraceTopicName: "MyTraceTopic" } });
    const res = await answer(broker, request(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, {}));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    const { topicList, brokerAddr } = decodeTopicList(res.body);
    expect(brokerAddr).toBeUndefined();
    const expected = [
      "TBW102",
      "SCHEDULE_TOPIC_XXXX",
      "BenchmarkTest",
      "RMQ_SYS_TRANS_HALF_TOPIC",
      "RMQ_SYS_TRACE_TOPIC",
      "RMQ_SYS_TRANS_OP_HALF_TOPIC",
      "TRANS_CHECK_MAX_TIME_TOPIC",
      "SELF_TEST_TOPIC",
      "OFFSET_MOVED_EVENT",
      "UnitCluster",
      "broker-unit",
      "MyTraceTopic",
      "UnitCluster_REPLY_TOPIC",
    ];
    expect([...topicList].sort()).toEqual([...expected].sort());
    expect(topicList).toEqual(javaHashMapOrder(expected));
    // a topic an operator created is not a system topic
    await send(broker, "UserTopic", 1, 10);
    const again = decodeTopicList(
      (await answer(broker, request(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, {}))).body,
    );
    expect(again.topicList).not.toContain("UserTopic");
  });
});

describe("store clean-ups", () => {
  it("CLEAN_EXPIRED_CONSUMEQUEUE destroys the queues whose messages the commit log no longer holds", async () => {
    const broker = smallFilesBroker();
    const store = broker.ctx.store;
    await send(broker, "OldTopic", 130);
    await send(broker, "NewTopic", 130);
    plainSuccess(await answer(broker, request(RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE, {})));
    expect(store.getConsumeQueue("OldTopic", 0)).toBeDefined();

    const lastOld = store.getCommitLogOffsetInQueue("OldTopic", 0, store.getMaxOffsetInQueue("OldTopic", 0) - 1);
    const oldFiles = Math.floor(lastOld / FILE_SIZE) + 1;
    ageCommitLogFiles(broker, oldFiles);
    store.executeDeleteFilesManually();
    expect(await store.deleteExpiredFiles()).toBe(oldFiles);

    plainSuccess(await answer(broker, request(RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE, {})));
    expect(store.getConsumeQueue("OldTopic", 0)).toBeUndefined();
    expect(store.getMaxOffsetInQueue("NewTopic", 0)).toBe(130);
  });

  it("CLEAN_UNUSED_TOPIC destroys the queues of topics no longer in the topic table", async () => {
    const broker = open();
    const store = broker.ctx.store;
    await send(broker, "StaysTopic", 2, 10);
    await send(broker, "DroppedTopic", 2, 10);
    broker.ctx.topicConfigManager.deleteTopicConfig("DroppedTopic");
    expect(store.getConsumeQueue("DroppedTopic", 0)).toBeDefined();

    plainSuccess(await answer(broker, request(RequestCode.CLEAN_UNUSED_TOPIC, {})));
    expect(store.getConsumeQueue("DroppedTopic", 0)).toBeUndefined();
    expect(store.getMaxOffsetInQueue("StaysTopic", 0)).toBe(2);
  });

  it("DELETE_TOPIC_IN_BROKER takes the topic's consume queues with it, as Java's deleteTopic", async () => {
    const broker = open();
    await send(broker, "DeletedTopic", 2, 10);
    const res = await answer(broker, request(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "DeletedTopic" }));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(broker.ctx.store.getConsumeQueue("DeletedTopic", 0)).toBeUndefined();
  });

  it("DELETE_EXPIRED_COMMITLOG makes the next cleanup round delete expired files outside the deleteWhen hour", async () => {
    const broker = smallFilesBroker();
    const store = broker.ctx.store;
    await send(broker, "T", 200);
    ageCommitLogFiles(broker, 2);
    expect(await store.deleteExpiredFiles()).toBe(0);

    plainSuccess(await answer(broker, request(RequestCode.DELETE_EXPIRED_COMMITLOG, {})));
    expect(await store.deleteExpiredFiles()).toBe(2);
    expect(store.getMinPhyOffset()).toBe(2 * FILE_SIZE);
  });
});

describe("QUERY_CONSUME_QUEUE", () => {
  const query = (fields: Partial<QueryConsumeQueueRequestHeader>): RemotingCommand =>
    request(
      RequestCode.QUERY_CONSUME_QUEUE,
      encodeHeader(QueryConsumeQueueRequestHeader, { topic: "CqTopic", queueId: 0, index: 0, count: 10, ...fields }),
    );

  async function withMessages(): Promise<TestBroker> {
    const broker = open();
    await send(broker, "CqTopic", 1, 10, "TagA");
    await send(broker, "CqTopic", 1, 20, "TagB");
    await send(broker, "CqTopic", 1, 30, "TagA");
    return broker;
  }

  async function heartbeat(broker: TestBroker, group: string, subscription: SubscriptionData): Promise<void> {
    const body = {
      clientID: "127.0.0.1@unit",
      producerDataSet: [],
      consumerDataSet: [
        {
          groupName: group,
          consumeType: "CONSUME_PASSIVELY",
          messageModel: "CLUSTERING",
          consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
          subscriptionDataSet: [subscription],
          unitMode: false,
        },
      ],
    };
    const res = await answer(broker, request(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(body))));
    expect(res.code).toBe(ResponseCode.SUCCESS);
  }

  it("answers the queue's range and its entries from the index, as Java's body", async () => {
    const broker = await withMessages();
    const store = broker.ctx.store;
    const res = await answer(broker, query({}));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.remark ?? null).toBeNull();
    const entry = (i: number, tag: string): string => {
      const e = store.findConsumeQueue("CqTopic", 0).getEntry(i);
      expect(e).not.toBeNull();
      return `{"eval":false,"physicOffset":${e?.offset},"physicSize":${e?.size},"tagsCode":${javaStringHashCode(tag)}}`;
    };
    expect(res.body?.toString()).toBe(
      `{"maxQueueIndex":3,"minQueueIndex":0,"queueData":[${entry(0, "TagA")},${entry(1, "TagB")},${entry(2, "TagA")}]}`,
    );
    // count and index bound the entries
    const two = decodeQueryConsumeQueueResponseBody((await answer(broker, query({ index: 1, count: 1 }))).body);
    expect(two.queueData?.map((d) => d.tagsCode)).toEqual([javaStringHashCode("TagB")]);
    const none = decodeQueryConsumeQueueResponseBody((await answer(broker, query({ count: 0 }))).body);
    expect(none.queueData).toEqual([]);
  });

  it("names a group that is not online in filterData", async () => {
    const broker = await withMessages();
    const body = decodeQueryConsumeQueueResponseBody((await answer(broker, query({ consumerGroup: "Nobody" }))).body);
    expect(body.filterData).toBe("Nobody@CqTopic is not online!");
    expect(body.subscriptionData).toBeUndefined();
    expect(body.queueData).toHaveLength(3);
  });

  it("carries an online group's TAG subscription, with null filter data", async () => {
    const broker = await withMessages();
    await heartbeat(broker, "TagGroup", buildSubscriptionData("CqTopic", "TagA || TagB", javaStringHashCode));
    const res = await answer(broker, query({ consumerGroup: "TagGroup" }));
    const body = decodeQueryConsumeQueueResponseBody(res.body);
    expect(body.filterData).toBe("null");
    expect(body.subscriptionData).toMatchObject({ topic: "CqTopic", subString: "TagA || TagB", expressionType: "TAG" });
    expect(res.body?.toString()).toMatch(
      /^\{"filterData":"null","maxQueueIndex":3,.*"subscriptionData":\{"classFilterMode":false,"codeSet":\[/,
    );
  });

  it("carries an online group's SQL92 filter data as Java's pretty JSON", async () => {
    const broker = await withMessages();
    await heartbeat(broker, "SqlGroup", buildSqlSubscriptionData("CqTopic", "a > 1", "SQL92"));
    const body = decodeQueryConsumeQueueResponseBody((await answer(broker, query({ consumerGroup: "SqlGroup" }))).body);
    const filter = broker.ctx.consumerFilterManager.get("CqTopic", "SqlGroup");
    expect(filter).toBeDefined();
    expect(body.filterData).toBe(
      [
        "{",
        `\t"bornTime":${filter?.bornTime},`,
        `\t"clientVersion":${filter?.clientVersion},`,
        '\t"consumerGroup":"SqlGroup",',
        '\t"dead":false,',
        '\t"deadTime":0,',
        '\t"expression":"a > 1",',
        '\t"expressionType":"SQL92",',
        '\t"topic":"CqTopic"',
        "}",
      ].join("\n"),
    );
    expect(body.subscriptionData?.expressionType).toBe("SQL92");
  });

  it("answers Java's codes and remarks for a missing queue, index or topic", async () => {
    const broker = await withMessages();
    const noQueue = await answer(broker, query({ queueId: 7 }));
    expect(noQueue.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noQueue.remark).toBe("7@CqTopic is not exist!");

    const noTopic = await answer(broker, query({ topic: "NoSuchTopic" }));
    expect(noTopic.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noTopic.remark).toBe("0@NoSuchTopic is not exist!");

    // an index past the end: SUCCESS without a body (Java's client then fails decoding it)
    const noIndex = await answer(broker, query({ index: 3 }));
    expect(noIndex.code).toBe(ResponseCode.SUCCESS);
    expect(noIndex.remark).toBe("Index 3 of 0@CqTopic is not exist!");
    expect(noIndex.body ?? null).toBeNull();

    // no header at all: Java's lookup of a null topic throws
    const bare = await answer(broker, request(RequestCode.QUERY_CONSUME_QUEUE, {}));
    expect(bare.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(bare.remark).toBe("java.lang.NullPointerException");
  });
});

describe("GET_ALL_PRODUCER_INFO", () => {
  it("answers every producer group with its producers' client id, address, language, version and heartbeat time", async () => {
    const broker = open();
    const empty = await answer(broker, request(RequestCode.GET_ALL_PRODUCER_INFO, {}));
    expect(empty.code).toBe(ResponseCode.SUCCESS);
    expect(empty.body?.toString()).toBe('{"data":{}}');

    const beat = (clientID: string, groups: string[], remote: string, version: number) => {
      const req = request(
        RequestCode.HEART_BEAT,
        {},
        Buffer.from(
          JSON.stringify({
            clientID,
            producerDataSet: groups.map((groupName) => ({ groupName })),
            consumerDataSet: [],
          }),
        ),
        version,
      );
      return broker.handle(req, peerConnection(remote));
    };
    await beat("client-a", ["PG_A", "PG_B"], "127.0.0.1:50011", 413);
    await beat("client-b", ["PG_B"], "127.0.0.1:50012", 373);

    const res = await answer(broker, request(RequestCode.GET_ALL_PRODUCER_INFO, {}));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    const table = decodeProducerTableInfo(res.body);
    expect([...table.keys()]).toEqual(javaHashMapOrder(["PG_A", "PG_B"]));
    expect(table.get("PG_B")?.map((p) => [p.clientId, p.remoteIP, p.language, p.version])).toEqual([
      ["client-a", "/127.0.0.1:50011", "JAVA", 413],
      ["client-b", "/127.0.0.1:50012", "JAVA", 373],
    ]);
    const producer = broker.ctx.producerManager.groupChannelTable.get("PG_A");
    const seen = [...(producer?.values() ?? [])][0]?.lastUpdateTimestamp;
    expect(table.get("PG_A")).toEqual([
      { clientId: "client-a", remoteIP: "/127.0.0.1:50011", language: "JAVA", version: 413, lastUpdateTimestamp: seen },
    ]);
    expect(res.body?.toString()).toContain(
      `"PG_A":[{"clientId":"client-a","language":"JAVA","lastUpdateTimestamp":${seen},"remoteIP":"/127.0.0.1:50011","version":413}]`,
    );
  });
});
