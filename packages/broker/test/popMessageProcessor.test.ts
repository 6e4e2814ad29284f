/** POP_MESSAGE, ACK_MESSAGE, CHANGE_MESSAGE_INVISIBLETIME, NOTIFICATION, POLLING_INFO against the real store and managers. */
import { describe, expect, it, vi } from "vitest";
import {
  buildPopRetryTopicV1,
  decodeRecordAt,
  MessageConst,
  parseExtraInfo,
  type MessageExt,
} from "@rocketmq-ts/common";
import {
  AckMessageRequestHeader,
  ChangeInvisibleTimeRequestHeader,
  commandBody,
  encodeBatchAckBody,
  encodeHeader,
  NotificationRequestHeader,
  PollingInfoRequestHeader,
  PopMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { decodeAckMsg, decodeCheckPoint } from "../src/pop/PopCheckPoint.js";
import {
  peerConnection,
  request,
  testBrokers,
  type TestBroker,
  type TestBrokerOptions,
} from "./support/brokerContext.js";
import { answer, props, sendRequest } from "./support/requests.js";

const TOPIC = "PopTopic";
const GROUP = "PopGroup";
const open = testBrokers();

interface FakeClock {
  now: () => number;
  advance: (ms: number) => void;
}

function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A broker (retry topic never read first: random 0.99) holding TagA, TagB, TagA in PopTopic queue 0. */
async function brokerWithMessages(
  clock: FakeClock,
  options: TestBrokerOptions = {},
  queueNums = 1,
): Promise<TestBroker> {
  const broker = open({ ...options, pop: { now: clock.now, random: () => 0.99, ...options.pop } });
  for (const [n, tag] of ["TagA", "TagB", "TagA"].entries()) {
    const send = sendRequest(
      { topic: TOPIC, defaultTopicQueueNums: queueNums, properties: props({ TAGS: tag, n: String(n) }) },
      Buffer.from(`m${n}`),
    );
    expect((await answer(broker, send)).code).toBe(ResponseCode.SUCCESS);
  }
  broker.ctx.popServices.createReviveTopic();
  return broker;
}

function popRequest(clock: FakeClock, fields: Partial<PopMessageRequestHeader> = {}): RemotingCommand {
  return request(
    RequestCode.POP_MESSAGE,
    encodeHeader(PopMessageRequestHeader, {
      consumerGroup: GROUP,
      topic: TOPIC,
      queueId: 0,
      maxMsgNums: 32,
      invisibleTime: 60_000,
      pollTime: 0,
      bornTime: clock.now(),
      initMode: 0,
      order: false,
      ...fields,
    }),
  );
}

function records(body: Buffer | null): MessageExt[] {
  const out: MessageExt[] = [];
  for (let p = 0; body && p < body.length;) {
    const msg = decodeRecordAt(body, p);
    out.push(msg);
    p += msg.storeSize;
  }
  return out;
}

/** Everything stored in a revive queue so far. */
function reviveRecords(broker: TestBroker, reviveQid: number): MessageExt[] {
  const { popServices, store } = broker.ctx;
  const result = store.getMessage(popServices.reviveTopic, reviveQid, 0, 32);
  return result.messages.map((b) => decodeRecordAt(b, 0));
}

describe("POP_MESSAGE checks, in Java's order", () => {
  it("refuses a request born too long ago, too many messages, no timer wheel, unknown topic, bad queue, disabled group", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const late = await answer(broker, popRequest(clock, { bornTime: clock.now() - 10_000, pollTime: 5000 }));
    expect(late.code).toBe(ResponseCode.POLLING_TIMEOUT);
    expect(late.remark).toBe("the broker[127.0.0.1] pop message is timeout too much");

    const many = await answer(broker, popRequest(clock, { maxMsgNums: 33 }));
    expect(many.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(many.remark).toBe("the broker[127.0.0.1] pop message's num is greater than 32");

    const noTopic = await answer(broker, popRequest(clock, { topic: "Nope" }));
    expect(noTopic.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(noTopic.remark).toMatch(/^topic\[Nope\] not exist, apply first please! \nSee https:/);

    const badQueue = await answer(broker, popRequest(clock, { queueId: 1 }));
    expect(badQueue.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(badQueue.remark).toBe(
      "queueId[1] is illegal, topic:[PopTopic] topicConfig.readQueueNums:[1] consumer:[/127.0.0.1:50001]",
    );

    const group = broker.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(GROUP);
    if (!group) throw new Error("group not auto-created");
    group.consumeEnable = false;
    const disabled = await answer(broker, popRequest(clock));
    expect(disabled.code).toBe(ResponseCode.NO_PERMISSION);
    expect(disabled.remark).toBe(`subscription group no permission, ${GROUP}`);

    broker.ctx.storeConfig.timerWheelEnable = false;
    const noTimer = await answer(broker, popRequest(clock));
    expect(noTimer.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noTimer.remark).toBe("the broker[127.0.0.1] pop message is forbidden because timerWheelEnable is false");
  });

  it("refuses an SQL92 expression that does not parse", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const res = await answer(broker, popRequest(clock, { exp: "a >>> 1", expType: "SQL92" }));
    expect(res.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(res.remark).toBe("parse the consumer's subscription failed");
  });
});

describe("POP_MESSAGE", () => {
  it("hands out the messages with Java's offset headers and writes their checkpoint before committing the offset", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const res = await answer(broker, popRequest(clock));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.remark).toBe("FOUND");
    expect(res.extFields).toMatchObject({
      popTime: String(clock.now()),
      invisibleTime: "60000",
      reviveQid: "0",
      restNum: "0",
      startOffsetInfo: "0 0 0",
      msgOffsetInfo: "0 0 0,1,2",
    });
    expect(records(commandBody(res)).map((m) => m.body?.toString())).toEqual(["m0", "m1", "m2"]);

    const [ckMsg] = reviveRecords(broker, 0);
    if (!ckMsg) throw new Error("no checkpoint");
    expect(ckMsg.properties.get(MessageConst.PROPERTY_TAGS)).toBe("ck");
    expect(ckMsg.properties.get(MessageConst.PROPERTY_TIMER_DELIVER_MS)).toBe(String(clock.now() + 60_000 - 1000));
    expect(ckMsg.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX)).toBe(
      `PopTopic@0@0@PopGroup@${clock.now()}@broker-unit@ck`,
    );
    expect(ckMsg.body?.toString()).toBe(
      `{"bm":0,"bn":"broker-unit","c":"PopGroup","d":[0,1,2],"it":60000,"n":3,"pt":${clock.now()},"q":0,` +
        `"reviveTime":${clock.now() + 60_000},"ro":0,"so":0,"t":"PopTopic"}`,
    );
    // the offset moves once the offset queue is scanned (the checkpoint is stored)
    expect(broker.ctx.consumerOffsetManager.queryOffset(GROUP, TOPIC, 0)).toBe(0);
    broker.ctx.popServices.bufferMergeService.scan();
    expect(broker.ctx.consumerOffsetManager.queryOffset(GROUP, TOPIC, 0)).toBe(3);

    // the next POP starts after the popped messages and finds nothing
    const none = await answer(broker, popRequest(clock));
    expect(none.code).toBe(ResponseCode.POLLING_TIMEOUT);
    expect(none.remark).toBe("NO_MESSAGE_IN_QUEUE");
  });

  it("filters by tag, and a POP past filtered-out messages only moves the offset", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const res = await answer(broker, popRequest(clock, { exp: "TagB", expType: "TAG" }));
    expect(records(commandBody(res)).map((m) => m.body?.toString())).toEqual(["m1"]);
    expect(res.extFields?.["msgOffsetInfo"]).toBe("0 0 1");
    expect(res.extFields?.["startOffsetInfo"]).toBe("0 0 0");
    broker.ctx.popServices.bufferMergeService.scan();
    expect(broker.ctx.consumerOffsetManager.queryOffset(GROUP, TOPIC, 0)).toBe(3);
  });

  it("reads every queue from a random one with queueId -1", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock, {}, 4);
    const res = await answer(broker, popRequest(clock, { queueId: -1, maxMsgNums: 2 }));
    expect(records(commandBody(res))).toHaveLength(2);
    expect(Number(res.extFields?.["restNum"])).toBe(1);
  });

  it("initialises the offset at the last message with initMode MAX (message 0 not in memory is not the case here)", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock, { brokerConfig: { initPopOffsetByCheckMsgInMem: false } });
    const res = await answer(broker, popRequest(clock, { initMode: 1 }));
    expect(records(commandBody(res)).map((m) => m.body?.toString())).toEqual(["m2"]);
  });

  it("parks a POP with a poll time and answers it when a message arrives", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    await answer(broker, popRequest(clock));
    const connection = peerConnection();
    const written: RemotingCommand[] = [];
    vi.spyOn(connection, "write").mockImplementation(async (cmd) => void written.push(cmd));
    const parked = await broker.handle(popRequest(clock, { pollTime: 30_000 }), connection);
    expect(parked).toBeNull();
    const info = await answer(
      broker,
      request(
        RequestCode.POLLING_INFO,
        encodeHeader(PollingInfoRequestHeader, { consumerGroup: GROUP, topic: TOPIC, queueId: 0 }),
      ),
    );
    expect(info.extFields).toEqual({ pollingNum: "1" });

    await answer(broker, sendRequest({ topic: TOPIC, properties: props({ TAGS: "TagC" }) }, Buffer.from("late")));
    await vi.waitFor(() => expect(written).toHaveLength(1), { timeout: 10_000 });
    const woken = written[0];
    if (!woken) throw new Error("no answer written");
    expect(records(commandBody(woken)).map((m) => m.body?.toString())).toEqual(["late"]);
  });

  it("answers POLLING_FULL past popPollingSize parked requests", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock, { brokerConfig: { maxPopPollingSize: 1 } });
    await answer(broker, popRequest(clock));
    expect(await broker.handle(popRequest(clock, { pollTime: 30_000 }))).toBeNull();
    const full = await answer(broker, popRequest(clock, { pollTime: 30_000 }));
    expect(full.code).toBe(ResponseCode.POLLING_FULL);
  });
});

function ackRequest(fields: Partial<AckMessageRequestHeader> & { extraInfo: string; offset: number }): RemotingCommand {
  return request(
    RequestCode.ACK_MESSAGE,
    encodeHeader(AckMessageRequestHeader, { consumerGroup: GROUP, topic: TOPIC, queueId: 0, ...fields }),
  );
}

/** The POP_CK-style extraInfo of a popped message, from the POP answer. */
function extraInfoOf(broker: TestBroker, pop: RemotingCommand): string {
  const h = pop.extFields ?? {};
  return [
    h["startOffsetInfo"]?.split(" ")[2],
    h["popTime"],
    h["invisibleTime"],
    h["reviveQid"],
    "0",
    "broker-unit",
    "0",
  ].join(" ");
}

describe("ACK_MESSAGE / BATCH_ACK_MESSAGE", () => {
  it("writes an ack record delivered at the revive time", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const pop = await answer(broker, popRequest(clock));
    const res = await answer(broker, ackRequest({ extraInfo: extraInfoOf(broker, pop), offset: 1 }));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    const ack = reviveRecords(broker, 0)[1];
    expect(ack?.properties.get(MessageConst.PROPERTY_TAGS)).toBe("ack");
    expect(ack?.properties.get(MessageConst.PROPERTY_TIMER_DELIVER_MS)).toBe(String(clock.now() + 60_000));
    expect(ack?.body?.toString()).toBe(
      `{"ao":1,"bn":"broker-unit","c":"PopGroup","pt":${clock.now()},"q":0,"so":0,"t":"PopTopic"}`,
    );
  });

  it("answers Java's codes for a bad topic, queue, offset or body", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const extraInfo = `0 ${clock.now()} 60000 0 0 broker-unit 0`;
    expect((await answer(broker, ackRequest({ topic: "Nope", extraInfo, offset: 0 }))).code).toBe(
      ResponseCode.TOPIC_NOT_EXIST,
    );
    expect((await answer(broker, ackRequest({ queueId: 5, extraInfo, offset: 0 }))).code).toBe(
      ResponseCode.MESSAGE_ILLEGAL,
    );
    const far = await answer(broker, ackRequest({ extraInfo, offset: 9 }));
    expect(far.code).toBe(ResponseCode.NO_MESSAGE);
    expect(far.remark).toBe("offset is illegal, key:PopTopic@0, commit:9, store:0~3");
    const bad = await answer(broker, ackRequest({ extraInfo: "1 2", offset: 0 }));
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR);
    const empty = await answer(broker, request(RequestCode.BATCH_ACK_MESSAGE, {}, Buffer.from('{"acks":[]}')));
    expect(empty.code).toBe(ResponseCode.NO_MESSAGE);
  });

  it("writes one bAck record for a batch", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    await answer(broker, popRequest(clock));
    const body = encodeBatchAckBody({
      brokerName: "broker-unit",
      acks: [{ c: GROUP, t: TOPIC, r: "0", so: 0, q: 0, rq: 0, pt: clock.now(), it: 60_000, offsets: [0, 2] }],
    });
    const res = await answer(broker, request(RequestCode.BATCH_ACK_MESSAGE, {}, body));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    const bAck = reviveRecords(broker, 0)[1];
    expect(bAck?.properties.get(MessageConst.PROPERTY_TAGS)).toBe("bAck");
    expect(decodeAckMsg(bAck?.body?.toString() ?? "")).toMatchObject({ ackOffset: -1, ackOffsetList: [0, 2] });
  });
});

describe("CHANGE_MESSAGE_INVISIBLETIME", () => {
  it("writes a new one-message checkpoint, then acks the original", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const pop = await answer(broker, popRequest(clock));
    const popTime = clock.now();
    clock.advance(5000);
    const res = await answer(
      broker,
      request(
        RequestCode.CHANGE_MESSAGE_INVISIBLETIME,
        encodeHeader(ChangeInvisibleTimeRequestHeader, {
          consumerGroup: GROUP,
          topic: TOPIC,
          queueId: 0,
          extraInfo: extraInfoOf(broker, pop),
          offset: 1,
          invisibleTime: 20_000,
        }),
      ),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields).toEqual({ popTime: String(clock.now()), invisibleTime: "20000", reviveQid: "0" });
    const [, ck, ack] = reviveRecords(broker, 0);
    expect(decodeCheckPoint(ck?.body?.toString() ?? "")).toMatchObject({
      startOffset: 1,
      num: 1,
      popTime: clock.now(),
      invisibleTime: 20_000,
      queueOffsetDiff: [0],
    });
    expect(decodeAckMsg(ack?.body?.toString() ?? "")).toMatchObject({ ackOffset: 1, startOffset: 0, popTime });
    expect(ack?.properties.get(MessageConst.PROPERTY_TIMER_DELIVER_MS)).toBe(String(popTime + 60_000));

    const beyond = await answer(
      broker,
      request(
        RequestCode.CHANGE_MESSAGE_INVISIBLETIME,
        encodeHeader(ChangeInvisibleTimeRequestHeader, {
          consumerGroup: GROUP,
          topic: TOPIC,
          queueId: 0,
          extraInfo: extraInfoOf(broker, pop),
          offset: 3,
          invisibleTime: 20_000,
        }),
      ),
    );
    expect(beyond.code).toBe(ResponseCode.NO_MESSAGE);
  });
});

describe("orderly POP", () => {
  it("blocks the queue until acked, counts re-pops, and moves the offset on ack", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const first = await answer(broker, popRequest(clock, { order: true, maxMsgNums: 2, attemptId: "a1" }));
    expect(first.extFields).toMatchObject({ reviveQid: "999", msgOffsetInfo: "0 0 0,1", orderCountInfo: "0 0 0" });
    expect(reviveRecords(broker, 0)).toHaveLength(0);

    // blocked for another attempt; the same attempt gets the same messages
    const blocked = await answer(broker, popRequest(clock, { order: true, maxMsgNums: 2, attemptId: "a2" }));
    expect(blocked.code).toBe(ResponseCode.POLLING_TIMEOUT);
    const retried = await answer(broker, popRequest(clock, { order: true, maxMsgNums: 2, attemptId: "a1" }));
    expect(records(commandBody(retried)).map((m) => m.body?.toString())).toEqual(["m0", "m1"]);

    // invisible time over: popped again, counted once more
    clock.advance(61_000);
    const again = await answer(broker, popRequest(clock, { order: true, maxMsgNums: 2, attemptId: "a3" }));
    expect(again.extFields?.["orderCountInfo"]).toBe("0 qo0%0 1;0 qo0%1 1;0 0 1");
    const popTime = Number(again.extFields?.["popTime"]);
    const extraInfo = `0 ${popTime} 60000 999 0 broker-unit 0`;
    expect((await answer(broker, ackRequest({ extraInfo, offset: 1 }))).code).toBe(ResponseCode.SUCCESS);
    expect(broker.ctx.consumerOffsetManager.queryOffset(GROUP, TOPIC, 0)).toBe(0);
    expect((await answer(broker, ackRequest({ extraInfo, offset: 0 }))).code).toBe(ResponseCode.SUCCESS);
    expect(broker.ctx.consumerOffsetManager.queryOffset(GROUP, TOPIC, 0)).toBe(2);
    const next = await answer(broker, popRequest(clock, { order: true, attemptId: "a4" }));
    expect(records(commandBody(next)).map((m) => m.body?.toString())).toEqual(["m2"]);
  });

  it("persists consumerOrderInfo.json as fastjson writes the table", async () => {
    const clock = fakeClock(Date.now());
    const broker = await brokerWithMessages(clock);
    await answer(broker, popRequest(clock, { order: true, maxMsgNums: 1, attemptId: "x" }));
    broker.ctx.popServices.persist();
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const text = readFileSync(join(broker.root, "config", "consumerOrderInfo.json"), "utf8");
    expect(text).toContain('"PopTopic@PopGroup":{');
    expect(text).toMatch(/0:\{\s*"a":"x",\s*"cm":0,\s*"i":60000,/);
  });
});

describe("NOTIFICATION", () => {
  it("says whether there is something to pop, and parks otherwise", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const notification = (pollTime: number): RemotingCommand =>
      request(
        RequestCode.NOTIFICATION,
        encodeHeader(NotificationRequestHeader, {
          consumerGroup: GROUP,
          topic: TOPIC,
          queueId: -1,
          pollTime,
          bornTime: clock.now(),
          order: false,
        }),
      );
    expect((await answer(broker, notification(0))).extFields).toEqual({ hasMsg: "true", pollingFull: "false" });
    await answer(broker, popRequest(clock));
    expect((await answer(broker, notification(0))).extFields).toEqual({ hasMsg: "false", pollingFull: "false" });
    expect(await broker.handle(notification(30_000))).toBeNull();
  });
});

describe("the POP_CK of retried messages", () => {
  it("re-encodes a retry-topic message under its topic with the POP_CK Java builds", async () => {
    const clock = fakeClock();
    const broker = await brokerWithMessages(clock);
    const retryTopic = buildPopRetryTopicV1(TOPIC, GROUP);
    broker.ctx.popServices.reviveServices[0]?.addRetryTopicIfNotExist(retryTopic, GROUP);
    await answer(broker, sendRequest({ topic: retryTopic, defaultTopicQueueNums: 1 }, Buffer.from("again")));
    await answer(broker, popRequest(clock, { maxMsgNums: 3 })); // the normal messages fill this one
    const res = await answer(broker, popRequest(clock));
    const [msg] = records(commandBody(res));
    expect(msg?.topic).toBe(TOPIC);
    expect(msg?.body?.toString()).toBe("again");
    const ck = msg?.properties.get(MessageConst.PROPERTY_POP_CK) ?? "";
    expect(parseExtraInfo(ck)).toEqual({
      ckQueueOffset: 0,
      popTime: clock.now(),
      invisibleTime: 60_000,
      reviveQid: 1,
      topicType: "1",
      brokerName: "broker-unit",
      queueId: 0,
      queueOffset: 0,
    });
    expect(res.extFields?.["startOffsetInfo"]).toBe("1 0 0");
  });
});

describe("POP consumers in the consumer manager (Java's compensation table)", () => {
  it("records the group and its subscriptions of the topic and its retry topic, until they expire", async () => {
    const clock = fakeClock();
    const b = await brokerWithMessages(clock);
    const consumers = b.ctx.consumerManager;
    const res = await answer(b, popRequest(clock, { exp: "TagA || TagB", expType: "TAG" }));
    expect(res.code).toBe(ResponseCode.SUCCESS);

    // no heartbeat: not a registered group, but known to the compensation table
    expect(consumers.getConsumerGroupInfo(GROUP)).toBeUndefined();
    expect(consumers.getConsumerGroupInfo(GROUP, true)).toMatchObject({
      consumeType: "CONSUME_POP",
      messageModel: "CLUSTERING",
    });
    expect(consumers.findSubscriptionData(GROUP, TOPIC)).toMatchObject({
      subString: "TagA || TagB",
      tagsSet: ["TagA", "TagB"],
      expressionType: "TAG",
      subVersion: clock.now(),
    });
    expect(consumers.findSubscriptionData(GROUP, TOPIC, false)).toBeUndefined();
    const retry = buildPopRetryTopicV1(TOPIC, GROUP);
    expect(consumers.findSubscriptionData(GROUP, retry)).toMatchObject({ subString: "*", tagsSet: [] });

    // a POP without expression subscribes to everything
    clock.advance(1000);
    await answer(b, popRequest(clock));
    expect(consumers.findSubscriptionData(GROUP, TOPIC)).toMatchObject({ subString: "*", subVersion: clock.now() });

    // refreshed by each POP; dropped 10 min after the last
    consumers.removeExpireConsumerGroupInfo(600_000, clock.now() + 600_000);
    expect(consumers.getConsumerGroupInfo(GROUP, true)).toBeDefined();
    consumers.removeExpireConsumerGroupInfo(600_000, clock.now() + 600_001);
    expect(consumers.getConsumerGroupInfo(GROUP, true)).toBeUndefined();
    expect(consumers.findSubscriptionData(GROUP, TOPIC)).toBeUndefined();
  });
});
