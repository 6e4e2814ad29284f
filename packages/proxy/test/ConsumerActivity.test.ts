import { createHash } from "node:crypto";
import { encodeRecord, messageProperties2String, type MessageInner } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  PopMessageRequestHeader,
  RequestCode,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import { describe, expect, it } from "vitest";
import { ClientActivity } from "../src/grpc/ClientActivity.js";
import { Code } from "../src/grpc/Code.js";
import { ConsumerActivity } from "../src/grpc/ConsumerActivity.js";
import type { FilterExpression, ReceiveMessageRequest, ReceiveMessageResponse } from "../src/grpc/v2types.js";
import { BROKER_ADDR, fakeProxy, type FakeProxy } from "./support/fakeBackend.js";

const host = { address: Buffer.from([10, 0, 0, 1]), port: 10911 };

function record(queueOffset: number, tag: string, body: string, reconsumeTimes = 0, uniqKey = true): Buffer {
  const inner: MessageInner = {
    topic: "T",
    queueId: 1,
    flag: 0,
    body: Buffer.from(body),
    propertiesString: messageProperties2String(
      new Map([
        ["TAGS", tag],
        ...(uniqKey ? [["UNIQ_KEY", `ID-${queueOffset}`] as [string, string]] : []),
        ["color", "red"],
      ]),
    ),
    sysFlag: 0,
    bornTimestamp: 1_699_999_999_000,
    bornHost: host,
    storeHost: host,
    reconsumeTimes,
    preparedTransactionOffset: 0,
  };
  return encodeRecord(inner, queueOffset, 1000 + queueOffset, 1_699_999_999_500);
}

/** The broker answers POP_MESSAGE with `records` (queue 1, offsets 5 and 6) popped now for `invisibleTime`. */
function answerPop(p: FakeProxy, invisibleTime: number, records: Buffer[]): void {
  p.backend.handlers.set(RequestCode.POP_MESSAGE, (req) =>
    createResponse(req, ResponseCode.SUCCESS, {
      extFields: {
        popTime: String(p.clock.now),
        invisibleTime: String(invisibleTime),
        reviveQid: "3",
        restNum: "0",
        startOffsetInfo: "0 1 5",
        msgOffsetInfo: "0 1 5,6",
      },
      body: Buffer.concat(records),
    }),
  );
}

async function consumer(p: FakeProxy, group = "G"): Promise<ConsumerActivity> {
  p.backend.addTopic("T");
  await new ClientActivity(p.deps).telemetry(
    p.ctx(),
    {
      settings: {
        client_type: "SIMPLE_CONSUMER",
        subscription: { group: { name: group } },
        request_timeout: { seconds: 3 },
      },
    },
    { write: () => undefined },
  );
  return new ConsumerActivity(p.deps);
}

const receiveRequest = (over: Partial<ReceiveMessageRequest> = {}): ReceiveMessageRequest => ({
  group: { name: "G" },
  message_queue: { topic: { name: "T" }, id: 0, broker: { name: "broker-a" } },
  filter_expression: { type: "TAG", expression: "TagA" },
  batch_size: 50,
  invisible_duration: { seconds: 15 },
  long_polling_timeout: { seconds: 30 },
  ...over,
});

async function receive(
  p: FakeProxy,
  c: ConsumerActivity,
  req: ReceiveMessageRequest,
  deadlineIn = 33_000,
): Promise<ReceiveMessageResponse[]> {
  const out: ReceiveMessageResponse[] = [];
  await c.receiveMessage(p.ctx("client-1", deadlineIn), req, (item) => {
    out.push(item);
    return true;
  });
  return out;
}

describe("ReceiveMessage", () => {
  it("refuses filter expressions Java's FilterAPI.build refuses, before any POP", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    const cases: [FilterExpression, string][] = [
      [{ type: "SQL", expression: "" }, "Expression can't be null! SQL92"],
      [{ type: "TAG", expression: "||||" }, "subString split error"],
    ];
    for (const [filter_expression, message] of cases) {
      const out = await receive(p, c, receiveRequest({ filter_expression }));
      expect(out[0]?.status).toEqual({ code: Code.ILLEGAL_FILTER_EXPRESSION, message });
      expect(out.map((o) => Object.keys(o)[0])).toEqual(["status", "delivery_timestamp"]);
    }
    expect(p.backend.requests.filter((r) => r.request.code === RequestCode.POP_MESSAGE)).toHaveLength(0);
  });

  it("pops all queues of the broker, filters by tag, builds handles and digests, ends with delivery_timestamp", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    answerPop(p, 15_000, [record(5, "TagA", "a"), record(6, "TagB", "b")]);
    p.backend.handlers.set(RequestCode.ACK_MESSAGE, (req) => createResponse(req, ResponseCode.SUCCESS));
    const out = await receive(p, c, receiveRequest());
    const pop = decodeHeader(PopMessageRequestHeader, p.backend.requests[0]?.request.extFields ?? null);
    expect(pop).toMatchObject({
      consumerGroup: "G",
      topic: "T",
      queueId: -1,
      maxMsgNums: 32,
      invisibleTime: 15_000,
      pollTime: 20_000,
      initMode: 1,
      expType: "TAG",
      exp: "TagA",
      order: false,
    });
    expect(out.map((o) => Object.keys(o)[0])).toEqual(["status", "message", "delivery_timestamp"]);
    expect(out[0]?.status).toEqual({ code: Code.OK, message: "OK" });
    const m = out[1]?.message;
    expect(m?.body?.toString()).toBe("a");
    expect(m?.user_properties).toEqual({ color: "red" });
    expect(m?.system_properties).toMatchObject({
      tag: "TagA",
      message_id: "ID-5",
      queue_id: 1,
      queue_offset: 5,
      delivery_attempt: 1,
      receipt_handle: `5 ${p.clock.now} 15000 3 0 broker-a 1 5 1005`,
      body_digest: { type: "MD5", checksum: createHash("md5").update("a").digest("hex").toUpperCase() },
    });
    // the TagB message was acked by the proxy, never shown
    await new Promise((r) => setImmediate(r));
    const ack = p.backend.requests.find((r) => r.request.code === RequestCode.ACK_MESSAGE);
    expect(ack?.request.extFields).toMatchObject({ consumerGroup: "G", topic: "T", queueId: "1", offset: "6" });
  });

  it("answers each POP outcome with Java's status, always followed by delivery_timestamp", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    const codes: [number, number, string][] = [
      [ResponseCode.POLLING_FULL, Code.TOO_MANY_REQUESTS, "polling full"],
      [ResponseCode.POLLING_TIMEOUT, Code.MESSAGE_NOT_FOUND, "no new message"],
      [ResponseCode.PULL_NOT_FOUND, Code.MESSAGE_NOT_FOUND, "no new message"],
      [ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, Code.CONSUMER_GROUP_NOT_FOUND, "no group"],
    ];
    for (const [remoting, code, text] of codes) {
      p.backend.handlers.set(RequestCode.POP_MESSAGE, (req) =>
        createResponse(req, remoting, {
          remark: "no group",
          extFields: { popTime: "0", invisibleTime: "0", reviveQid: "0", restNum: "0" },
        }),
      );
      const out = await receive(p, c, receiveRequest());
      expect(out[0]?.status).toEqual({ code, message: text });
      expect(out[1]?.delivery_timestamp).toBeDefined();
      expect(out).toHaveLength(2);
    }
  });

  it("validates the invisible time and the time left for polling", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    const small = await receive(p, c, receiveRequest({ invisible_duration: { seconds: 9 } }));
    expect(small[0]?.status).toEqual({
      code: Code.ILLEGAL_INVISIBLE_TIME,
      message: "the invisibleTime is too small. min is 10000",
    });
    // Java compares versions as strings: "5.0.3" > "1.0.8", so the Node client 1.0.8 gets BAD_REQUEST
    const short = await receive(p, c, receiveRequest(), 4000);
    expect(short[0]?.status).toEqual({
      code: Code.BAD_REQUEST,
      message: "The deadline time remaining is not enough for polling, please check network condition",
    });
    expect(short[1]?.delivery_timestamp).toBeDefined();
    const newer: ReceiveMessageResponse[] = [];
    await c.receiveMessage(p.ctx("client-1", 4000, "5.0.5"), receiveRequest(), (item) => newer.push(item) > 0);
    expect(newer[0]?.status?.code).toBe(Code.ILLEGAL_POLLING_TIME);
    expect(p.backend.requests).toHaveLength(0);
    // auto-renew receives take the default 60 s and skip the check
    p.backend.handlers.set(RequestCode.POP_MESSAGE, (req) =>
      createResponse(req, ResponseCode.POLLING_TIMEOUT, {
        extFields: { popTime: "0", invisibleTime: "0", reviveQid: "0", restNum: "0" },
      }),
    );
    await receive(p, c, receiveRequest({ auto_renew: true, invisible_duration: undefined }));
    expect(decodeHeader(PopMessageRequestHeader, p.backend.requests[0]?.request.extFields ?? null).invisibleTime).toBe(
      60_000,
    );
  });
});

describe("Ack / ChangeInvisibleDuration / ForwardMessageToDeadLetterQueue", () => {
  it("refuses an expired handle before asking the broker", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    const handle = `5 ${p.clock.now - 20_000} 15000 3 0 broker-a 1 5 1005`;
    const res = await c.ackMessage(p.ctx(), {
      group: { name: "G" },
      topic: { name: "T" },
      entries: [{ message_id: "ID-5", receipt_handle: handle }],
    });
    expect(res.status).toEqual({ code: Code.INVALID_RECEIPT_HANDLE, message: "INVALID_RECEIPT_HANDLE" });
    expect(res.entries?.[0]).toEqual({
      message_id: "ID-5",
      receipt_handle: handle,
      status: { code: Code.INVALID_RECEIPT_HANDLE, message: "receipt handle is expired" },
    });
    await expect(
      c.changeInvisibleDuration(p.ctx(), {
        group: { name: "G" },
        topic: { name: "T" },
        receipt_handle: handle,
        invisible_duration: { seconds: 5 },
      }),
    ).rejects.toMatchObject({ code: Code.INVALID_RECEIPT_HANDLE, message: "receipt handle is expired" });
    expect(p.backend.requests).toHaveLength(0);
  });

  it("acks a retry-topic message on the retry topic, and reports a broker refusal", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    let answer: number = ResponseCode.SUCCESS;
    p.backend.handlers.set(RequestCode.ACK_MESSAGE, (req) => createResponse(req, answer));
    const handle = `5 ${p.clock.now} 15000 3 1 broker-a 0 5 1005`;
    const ok = await c.ackMessage(p.ctx(), {
      group: { name: "G" },
      topic: { name: "T" },
      entries: [{ message_id: "m", receipt_handle: handle }],
    });
    expect(ok.status).toEqual({ code: Code.OK, message: "OK" });
    expect(p.backend.requests[0]?.addr).toBe(BROKER_ADDR);
    expect(p.backend.requests[0]?.request.extFields).toMatchObject({
      topic: "%RETRY%G_T",
      extraInfo: handle,
      offset: "5",
      queueId: "0",
    });
    answer = ResponseCode.SYSTEM_ERROR;
    const bad = await c.ackMessage(p.ctx(), {
      group: { name: "G" },
      topic: { name: "T" },
      entries: [{ message_id: "m", receipt_handle: handle }],
    });
    expect(bad.entries?.[0]?.status).toEqual({
      code: Code.INTERNAL_SERVER_ERROR,
      message: "ack failed: status is abnormal",
    });
  });

  it("answers a changed invisibility with the new handle (cluster form) and has no 10 s minimum", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    p.backend.handlers.set(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, (req) =>
      createResponse(req, ResponseCode.SUCCESS, {
        extFields: { popTime: "1700000001000", invisibleTime: "5000", reviveQid: "2" },
      }),
    );
    const handle = `3 ${p.clock.now} 15000 3 0 broker-a 1 5 1005`;
    const res = await c.changeInvisibleDuration(p.ctx(), {
      group: { name: "G" },
      topic: { name: "T" },
      receipt_handle: handle,
      invisible_duration: { seconds: 5 },
      message_id: "m",
    });
    expect(res).toEqual({
      status: { code: Code.OK, message: "OK" },
      receipt_handle: "5 1700000001000 5000 2 0 broker-a 1 5 1005",
    });
    expect(p.backend.requests[0]?.request.extFields).toMatchObject({ invisibleTime: "5000", extraInfo: handle });
  });

  it("forwards to the DLQ with delay level −1 and acks the handle", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    p.backend.handlers.set(RequestCode.CONSUMER_SEND_MSG_BACK, (req) => createResponse(req, ResponseCode.SUCCESS));
    p.backend.handlers.set(RequestCode.ACK_MESSAGE, (req) => createResponse(req, ResponseCode.SUCCESS));
    const handle = `5 ${p.clock.now} 15000 3 0 broker-a 1 5 1005`;
    const res = await c.forwardMessageToDeadLetterQueue(p.ctx(), {
      group: { name: "G" },
      topic: { name: "T" },
      receipt_handle: handle,
      message_id: "ID-5",
    });
    expect(res.status).toEqual({ code: Code.OK, message: "0" });
    expect(p.backend.requests.map((r) => r.request.code)).toEqual([
      RequestCode.CONSUMER_SEND_MSG_BACK,
      RequestCode.ACK_MESSAGE,
    ]);
    expect(p.backend.requests[0]?.request.extFields).toMatchObject({
      offset: "1005",
      group: "G",
      delayLevel: "-1",
      originMsgId: "ID-5",
      originTopic: "T",
    });
    await expect(
      c.forwardMessageToDeadLetterQueue(p.ctx(), {
        group: { name: "G" },
        topic: { name: "T" },
        receipt_handle: `5 ${p.clock.now} 15000 3 0 broker-a 1 5`,
        message_id: "x",
      }),
    ).rejects.toMatchObject({ code: Code.INVALID_RECEIPT_HANDLE, message: "commit log offset is empty" });
  });

  it("answers the forward even when the follow-up ack fails (the ack is fired, not awaited)", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    p.backend.handlers.set(RequestCode.CONSUMER_SEND_MSG_BACK, (req) => createResponse(req, ResponseCode.SUCCESS));
    p.backend.handlers.set(RequestCode.ACK_MESSAGE, () => Promise.reject(new Error("broker went away")));
    const res = await c.forwardMessageToDeadLetterQueue(p.ctx(), {
      group: { name: "G" },
      topic: { name: "T" },
      receipt_handle: `5 ${p.clock.now} 15000 3 0 broker-a 1 5 1005`,
      message_id: "ID-5",
    });
    expect(res.status).toEqual({ code: Code.OK, message: "0" });
    expect(p.backend.requests.map((r) => r.request.code)).toEqual([
      RequestCode.CONSUMER_SEND_MSG_BACK,
      RequestCode.ACK_MESSAGE,
    ]);
  });
});

describe("auto-renew registration", () => {
  const popTwo = (p: FakeProxy, uniqKey: boolean): void => {
    answerPop(p, 60_000, [record(5, "TagA", "a", 0, uniqKey), record(6, "TagA", "b", 0, uniqKey)]);
    p.backend.handlers.set(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, (req) =>
      createResponse(req, ResponseCode.SUCCESS, {
        extFields: { popTime: String(p.clock.now), invisibleTime: "1000", reviveQid: "3" },
      }),
    );
  };

  it("registers only the messages the client got; an unwritten one is nacked and never renewed", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    popTwo(p, true);
    const out: ReceiveMessageResponse[] = [];
    // the stream breaks after the status and the first message
    await c.receiveMessage(p.ctx("client-1", 33_000), receiveRequest({ auto_renew: true }), (item) => {
      if (out.length >= 2) return false;
      out.push(item);
      return true;
    });
    expect(out[1]?.message?.system_properties?.message_id).toBe("ID-5");
    expect(p.deps.receiptHandles.size()).toBe(1);
    const second = `5 ${p.clock.now} 60000 3 0 broker-a 1 6 1006`;
    expect(await p.deps.receiptHandles.take("client-1", "G", "ID-6", second)).toBeNull();
    const first = out[1]?.message?.system_properties?.receipt_handle ?? "";
    expect(await p.deps.receiptHandles.take("client-1", "G", "ID-5", first)).toBe(first);
    await new Promise((r) => setImmediate(r));
    const nack = p.backend.requests.find((r) => r.request.code === RequestCode.CHANGE_MESSAGE_INVISIBLETIME);
    expect(nack?.request.extFields).toMatchObject({ invisibleTime: "1000", offset: "6" });
  });

  it("registers a message without UNIQ_KEY under the offset message id the client sees", async () => {
    const p = fakeProxy();
    const c = await consumer(p);
    popTwo(p, false);
    const out = await receive(p, c, receiveRequest({ auto_renew: true }));
    const messages = out.flatMap((o) => (o.message ? [o.message] : []));
    expect(messages).toHaveLength(2);
    expect(p.deps.receiptHandles.size()).toBe(2);
    for (const m of messages) {
      const id = m.system_properties?.message_id ?? "";
      expect(id).toMatch(/^[0-9A-F]{32}$/);
      const handle = m.system_properties?.receipt_handle ?? "";
      expect(await p.deps.receiptHandles.take("client-1", "G", id, handle)).toBe(handle);
    }
  });
});
