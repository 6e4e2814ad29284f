/**
 * POP consumption against a real broker process: pop → ack, un-acked messages coming back from the
 * retry topic after their invisible time (through the timer wheel and the revive service), orderly
 * POP blocking its queue until acked, and a broker restart between pop and revive.
 */
import { afterAll, describe, expect, it } from "vitest";
import { decodeRecordAt, MessageConst, type MessageExt } from "@rocketmq-ts/common";
import {
  AckMessageRequestHeader,
  createRequest,
  encodeHeader,
  PopMessageRequestHeader,
  RemotingClient,
  RequestCode,
  type ExtFields,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { startLocalCluster, type LocalCluster } from "./support/cluster.js";
import { sendMessageV2Fields } from "./support/sendHeader.js";

const GROUP = "PopE2EGroup";
const INVISIBLE = 3000;
/** reviveTime + the revive's ~2–4 s, generously (loaded machines) */
const REVIVE_BOUND = 60_000;

let cluster: LocalCluster | undefined;
const client = new RemotingClient();
afterAll(async () => {
  await client.shutdown();
  await cluster?.stop();
});

async function getCluster(): Promise<LocalCluster> {
  cluster ??= await startLocalCluster("reviveInterval=500");
  return cluster;
}

const call = (
  c: LocalCluster,
  code: number,
  extFields: ExtFields,
  body: Buffer | null = null,
): Promise<RemotingCommand> => client.invokeSync(c.brokerAddr, createRequest(code, { extFields, body }), 10_000);

async function createTopic(c: LocalCluster, topic: string): Promise<void> {
  const res = await call(c, RequestCode.UPDATE_AND_CREATE_TOPIC, {
    topic,
    defaultTopic: "TBW102",
    readQueueNums: "1",
    writeQueueNums: "1",
    perm: "6",
    topicFilterType: "SINGLE_TAG",
  });
  expect(res.code).toBe(0);
}

async function send(c: LocalCluster, topic: string, body: string): Promise<void> {
  const res = await call(
    c,
    RequestCode.SEND_MESSAGE_V2,
    sendMessageV2Fields({ a: "pg", b: topic, d: "1", i: `TAGS\u0001T\u0002WAIT\u0001true` }),
    Buffer.from(body),
  );
  expect(res.code).toBe(0);
}

interface Popped {
  readonly res: RemotingCommand;
  readonly messages: MessageExt[];
}

async function pop(c: LocalCluster, topic: string, fields: Partial<PopMessageRequestHeader> = {}): Promise<Popped> {
  const res = await call(
    c,
    RequestCode.POP_MESSAGE,
    encodeHeader(PopMessageRequestHeader, {
      consumerGroup: GROUP,
      topic,
      queueId: -1,
      maxMsgNums: 32,
      invisibleTime: INVISIBLE,
      pollTime: 0,
      bornTime: Date.now(),
      initMode: 0,
      order: false,
      ...fields,
    }),
  );
  const messages: MessageExt[] = [];
  for (let p = 0; res.body && p < res.body.length;) {
    const m = decodeRecordAt(res.body, p);
    messages.push(m);
    p += m.storeSize;
  }
  return { res, messages };
}

/** The ack of one popped message: its POP_CK (retried) or the handle built from the POP answer. */
async function ack(c: LocalCluster, topic: string, popped: Popped, msg: MessageExt): Promise<number> {
  const h = popped.res.extFields ?? {};
  const popCk = msg.properties.get(MessageConst.PROPERTY_POP_CK);
  const extraInfo =
    popCk ??
    [
      h["startOffsetInfo"]?.split(" ")[2],
      h["popTime"],
      h["invisibleTime"],
      h["reviveQid"],
      "0",
      "broker-a",
      msg.queueId,
    ].join(" ");
  const realTopic = popCk && popCk.split(" ")[4] === "1" ? `%RETRY%${GROUP}_${topic}` : topic;
  const res = await call(
    c,
    RequestCode.ACK_MESSAGE,
    encodeHeader(AckMessageRequestHeader, {
      consumerGroup: GROUP,
      topic: realTopic,
      queueId: msg.queueId,
      extraInfo,
      offset: msg.queueOffset,
    }),
  );
  return res.code;
}

/** Pop until a message comes back, within `ms`. */
async function popUntilSome(
  c: LocalCluster,
  topic: string,
  ms: number,
  fields: Partial<PopMessageRequestHeader> = {},
): Promise<Popped> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await pop(c, topic, fields);
    if (got.messages.length > 0 || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("POP against a broker process", () => {
  it("pop → ack one, the other comes back from the retry topic after its invisible time", async () => {
    const c = await getCluster();
    const topic = "PopE2E";
    await createTopic(c, topic);
    await send(c, topic, "acked");
    await send(c, topic, "forgotten");
    const first = await popUntilSome(c, topic, 10_000);
    expect(first.res.code).toBe(0);
    expect(first.messages.map((m) => m.body?.toString())).toEqual(["acked", "forgotten"]);
    // the checkpoint waits in the timer wheel, not yet in its revive queue
    const maxOffset = async (t: string, queueId: number): Promise<string | undefined> =>
      (await call(c, RequestCode.GET_MAX_OFFSET, { topic: t, queueId: String(queueId) })).extFields?.["offset"];
    const reviveQid = Number(first.res.extFields?.["reviveQid"]);
    expect(await maxOffset("rmq_sys_REVIVE_LOG_DefaultCluster", reviveQid)).toBe("0");
    expect(Number(await maxOffset("rmq_sys_wheel_timer", 0))).toBeGreaterThan(0);
    const acked = first.messages[0];
    if (!acked) throw new Error("nothing popped");
    expect(await ack(c, topic, first, acked)).toBe(0);

    // invisible now: nothing to pop
    expect((await pop(c, topic)).messages).toHaveLength(0);

    const again = await popUntilSome(c, topic, REVIVE_BOUND);
    expect(again.messages.map((m) => m.body?.toString())).toEqual(["forgotten"]);
    const back = again.messages[0];
    expect(back?.topic).toBe(topic);
    expect(back?.reconsumeTimes).toBe(1);
    expect(back?.properties.get(MessageConst.PROPERTY_POP_CK)).toMatch(/^\d+ \d+ 3000 \d+ 1 broker-a 0 0$/);
    if (back) expect(await ack(c, topic, again, back)).toBe(0);
  }, 120_000);

  it("orderly POP blocks the queue until the messages are acked", async () => {
    const c = await getCluster();
    const topic = "PopE2EOrder";
    await createTopic(c, topic);
    await send(c, topic, "o1");
    await send(c, topic, "o2");
    const first = await popUntilSome(c, topic, 10_000, {
      order: true,
      maxMsgNums: 1,
      invisibleTime: 60_000,
      attemptId: "a",
    });
    expect(first.messages.map((m) => m.body?.toString())).toEqual(["o1"]);
    expect(first.res.extFields?.["reviveQid"]).toBe("999");
    const blocked = await pop(c, topic, { order: true, maxMsgNums: 1, invisibleTime: 60_000, attemptId: "b" });
    expect(blocked.messages).toHaveLength(0);
    const m = first.messages[0];
    if (!m) throw new Error("nothing popped");
    expect(await ack(c, topic, first, m)).toBe(0);
    const next = await popUntilSome(c, topic, 10_000, {
      order: true,
      maxMsgNums: 1,
      invisibleTime: 60_000,
      attemptId: "c",
    });
    expect(next.messages.map((x) => x.body?.toString())).toEqual(["o2"]);
    const n = next.messages[0];
    if (n) expect(await ack(c, topic, next, n)).toBe(0);
  }, 60_000);

  it("a restart between pop and revive loses nothing acked and redelivers the un-acked", async () => {
    const c = await getCluster();
    const topic = "PopE2ERestart";
    await createTopic(c, topic);
    for (const b of ["r-acked", "r-open"]) await send(c, topic, b);
    const first = await popUntilSome(c, topic, 10_000, { invisibleTime: 8000 });
    expect(first.messages.map((m) => m.body?.toString())).toEqual(["r-acked", "r-open"]);
    const acked = first.messages[0];
    if (!acked) throw new Error("nothing popped");
    expect(await ack(c, topic, first, acked)).toBe(0);
    // let the checkpoint's offset commit and the offsets reach the disk (flushConsumerOffsetInterval is
    // 5 s; shutdown persists them too)
    await c.restartBroker();

    const seen: string[] = [];
    const end = Date.now() + REVIVE_BOUND;
    while (Date.now() < end && !seen.includes("r-open")) {
      const got = await pop(c, topic, { invisibleTime: 60_000 });
      seen.push(...got.messages.map((m) => m.body?.toString() ?? ""));
      if (got.messages.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(seen).toEqual(["r-open"]);
  }, 120_000);
});
