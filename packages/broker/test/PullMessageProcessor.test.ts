/** PULL_MESSAGE against the real store and managers: statuses, filters and where the subscription comes from. */
import { describe, expect, it } from "vitest";
import { buildSubscriptionData, decodeRecordAt, type MessageExt } from "@rocketmq-ts/common";
import {
  commandBody,
  encodeHeader,
  javaStringHashCode,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { request, testBrokers, type TestBroker, type TestBrokerOptions } from "./support/brokerContext.js";
import { answer, props, sendRequest } from "./support/requests.js";

const FLAG_COMMIT_OFFSET = 0x1;
const FLAG_SUSPEND = 0x2;
const FLAG_SUBSCRIPTION = 0x4;
const TOPIC = "PullTopic";
const GROUP = "PullGroup";

const open = testBrokers();

/** A broker holding TagA, TagB, TagA (with property `n` = 0, 1, 2) in PullTopic's queue 0. */
async function brokerWithMessages(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const broker = open(options);
  for (const [n, tag] of ["TagA", "TagB", "TagA"].entries()) {
    const send = sendRequest(
      { topic: TOPIC, defaultTopicQueueNums: 1, properties: props({ TAGS: tag, n: String(n) }) },
      Buffer.from(`m${n}`),
    );
    expect((await answer(broker, send)).code).toBe(ResponseCode.SUCCESS);
  }
  return broker;
}

function pullRequest(fields: Partial<PullMessageRequestHeader> = {}): RemotingCommand {
  return request(
    RequestCode.PULL_MESSAGE,
    encodeHeader(PullMessageRequestHeader, {
      consumerGroup: GROUP,
      topic: TOPIC,
      queueId: 0,
      queueOffset: 0,
      maxMsgNums: 32,
      sysFlag: FLAG_SUBSCRIPTION,
      commitOffset: 0,
      suspendTimeoutMillis: 15_000,
      subscription: "*",
      subVersion: 0,
      expressionType: "TAG",
      ...fields,
    }),
  );
}

const pull = answer;

function records(body: Buffer | null): MessageExt[] {
  const out: MessageExt[] = [];
  for (let p = 0; body && p < body.length;) {
    const msg = decodeRecordAt(body, p);
    out.push(msg);
    p += msg.storeSize;
  }
  return out;
}

/** Register the group's consumer as its heartbeat would, subscribed to `subString` of PullTopic. */
async function heartbeat(broker: TestBroker, subString: string, messageModel = "CLUSTERING"): Promise<void> {
  const subscription = buildSubscriptionData(TOPIC, subString, javaStringHashCode);
  const body = {
    clientID: "127.0.0.1@unit",
    producerDataSet: [],
    consumerDataSet: [
      {
        groupName: GROUP,
        consumeType: "CONSUME_PASSIVELY",
        messageModel,
        consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
        subscriptionDataSet: [subscription],
        unitMode: false,
      },
    ],
  };
  const res = await broker.handle(request(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(body))));
  expect(res?.code).toBe(ResponseCode.SUCCESS);
}

describe("pull processor", () => {
  it("answers FOUND with the stored records and the next offset", async () => {
    const broker = await brokerWithMessages();
    const res = await pull(broker, pullRequest({ maxMsgNums: 2 }));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.remark).toBe("FOUND");
    expect(res.extFields).toEqual({ suggestWhichBrokerId: "0", nextBeginOffset: "2", minOffset: "0", maxOffset: "3" });
    expect(records(commandBody(res)).map((m) => m.body?.toString())).toEqual(["m0", "m1"]);
  });

  it("filters by the tags the pull carries", async () => {
    const broker = await brokerWithMessages();
    const res = await pull(broker, pullRequest({ subscription: "TagA" }));
    expect(records(commandBody(res)).map((m) => m.body?.toString())).toEqual(["m0", "m2"]);
    expect(res.extFields?.["nextBeginOffset"]).toBe("3");
  });

  it("answers PULL_NOT_FOUND at the end of the queue, and parks the pull when it may be suspended", async () => {
    const broker = await brokerWithMessages();
    const none = await pull(broker, pullRequest({ queueOffset: 3 }));
    expect(none.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(none.remark).toBe("OFFSET_OVERFLOW_ONE");
    expect(none.extFields).toMatchObject({ nextBeginOffset: "3", maxOffset: "3" });
    expect(await broker.handle(pullRequest({ queueOffset: 3, sysFlag: FLAG_SUBSCRIPTION | FLAG_SUSPEND }))).toBeNull();
  });

  it("answers PULL_OFFSET_MOVED for an offset beyond the queue", async () => {
    const broker = await brokerWithMessages();
    const res = await pull(broker, pullRequest({ queueOffset: 10 }));
    expect(res.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    expect(res.remark).toBe("OFFSET_OVERFLOW_BADLY");
  });

  it("commits the offset the pull carries", async () => {
    const broker = await brokerWithMessages();
    await pull(broker, pullRequest({ sysFlag: FLAG_SUBSCRIPTION | FLAG_COMMIT_OFFSET, commitOffset: 2 }));
    expect(broker.ctx.consumerOffsetManager.queryOffset(GROUP, TOPIC, 0)).toBe(2);
  });

  it("without a subscription in the pull, needs the group's heartbeat and filters by what it registered", async () => {
    const broker = await brokerWithMessages();
    const unknown = await pull(broker, pullRequest({ sysFlag: 0 }));
    expect(unknown.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST);
    expect(unknown.remark).toMatch(/^the consumer's group info not exist/);

    await heartbeat(broker, "TagB");
    const res = await pull(broker, pullRequest({ sysFlag: 0, subscription: "*" }));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(records(commandBody(res)).map((m) => m.body?.toString())).toEqual(["m1"]);

    const newer = await pull(broker, pullRequest({ sysFlag: 0, subVersion: Date.now() + 60_000 }));
    expect(newer.code).toBe(ResponseCode.SUBSCRIPTION_NOT_LATEST);
    expect(newer.remark).toBe("the consumer's subscription not latest");
  });

  it("refuses a broadcasting group the group config does not allow", async () => {
    const broker = await brokerWithMessages();
    await heartbeat(broker, "*", "BROADCASTING");
    const group = broker.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(GROUP);
    if (!group) throw new Error("the group was auto-created");
    broker.ctx.subscriptionGroupManager.updateSubscriptionGroupConfig({ ...group, consumeBroadcastEnable: false });
    const res = await pull(broker, pullRequest({ sysFlag: 0 }));
    expect(res.code).toBe(ResponseCode.NO_PERMISSION);
    expect(res.remark).toBe(`the consumer group[${GROUP}] can not consume by broadcast way`);
  });

  it("filters by a SQL92 expression only where enablePropertyFilter allows it", async () => {
    const refused = await brokerWithMessages();
    const no = await pull(refused, pullRequest({ expressionType: "SQL92", subscription: "n > 0" }));
    expect(no.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(no.remark).toBe("The broker does not support consumer to filter message by SQL92");

    const broker = await brokerWithMessages({ brokerConfig: { enablePropertyFilter: true } });
    const res = await pull(broker, pullRequest({ expressionType: "SQL92", subscription: "n > 0" }));
    expect(records(commandBody(res)).map((m) => m.body?.toString())).toEqual(["m1", "m2"]);
    const empty = await pull(broker, pullRequest({ expressionType: "SQL92", subscription: "" }));
    expect(empty.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  });

  it("checks the group, the topic and the queue before anything else", async () => {
    const broker = await brokerWithMessages({ brokerConfig: { autoCreateSubscriptionGroup: false } });
    // each request has two faults: the earlier check answers
    const noGroup = await pull(broker, pullRequest({ topic: "NoSuchTopic" }));
    expect(noGroup.code).toBe(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
    broker.ctx.brokerConfig.autoCreateSubscriptionGroup = true;
    const noTopic = await pull(broker, pullRequest({ topic: "NoSuchTopic", queueId: 7 }));
    expect(noTopic.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    const badQueue = await pull(broker, pullRequest({ queueId: 1, expressionType: "SQL92", subscription: "n > 0" }));
    expect(badQueue.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(badQueue.remark).toBe(
      "queueId[1] is illegal, topic:[PullTopic] topicConfig.readQueueNums:[1] consumer:[127.0.0.1:50001]",
    );
  });
});
