import { createMessageId, MessageSysFlag, string2messageProperties } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
} from "@rocketmq-ts/remoting";
import { describe, expect, it } from "vitest";
import { Code } from "../src/grpc/Code.js";
import { consistentHash, messageGroupBucket } from "../src/grpc/consistentHash.js";
import { EndTransactionActivity } from "../src/grpc/EndTransactionActivity.js";
import { buildMessageProperties } from "../src/grpc/MessagePropertyBuilder.js";
import { SendMessageActivity } from "../src/grpc/SendMessageActivity.js";
import type { Message } from "../src/grpc/v2types.js";
import { BROKER_ADDR, fakeProxy, routeOf, type FakeProxy } from "./support/fakeBackend.js";

const ID = "0102FC0000000145A70B262BB900000000";

function msg(over: Partial<NonNullable<Message["system_properties"]>> = {}, topic = "T", body = "hello"): Message {
  return {
    topic: { name: topic },
    body: Buffer.from(body),
    user_properties: { color: "red" },
    system_properties: {
      message_id: ID,
      message_type: "NORMAL",
      born_timestamp: { seconds: 1_700_000_000, nanos: 5_000_000 },
      born_host: "h1",
      ...over,
    },
  };
}

function brokerAnswering(p: FakeProxy, transactionId?: string, recallHandle?: string): void {
  p.backend.handlers.set(RequestCode.SEND_MESSAGE_V2, (req) =>
    createResponse(req, ResponseCode.SUCCESS, {
      extFields: {
        msgId: createMessageId({ address: Buffer.from([10, 0, 0, 1]), port: 10911 }, 4242),
        queueId: decodeHeader(SendMessageRequestHeaderV2, req.extFields).e.toString(),
        queueOffset: "7",
        ...(transactionId ? { transactionId } : {}),
        ...(recallHandle ? { recallHandle } : {}),
      },
    }),
  );
}

describe("SendMessage", () => {
  it("builds Java's properties and header: producer group = topic, TAGS, KEYS, UNIQ_KEY, born fields", async () => {
    const p = fakeProxy();
    p.backend.addTopic("T", "NORMAL");
    brokerAnswering(p);
    const res = await new SendMessageActivity(p.deps).sendMessage(p.ctx(), {
      messages: [msg({ tag: "TagA", keys: ["k1", "k2"] })],
    });
    expect(res.status).toEqual({ code: Code.OK, message: "OK" });
    expect(res.entries?.[0]).toMatchObject({
      status: { code: Code.OK },
      message_id: ID,
      offset: 7,
      transaction_id: "",
    });
    const sent = p.backend.requests[0];
    expect(sent?.addr).toBe(BROKER_ADDR);
    const h = decodeHeader(SendMessageRequestHeaderV2, sent?.request.extFields ?? null);
    expect(h.a).toBe("T");
    expect(h.c).toBe("TBW102");
    expect(h.f).toBe(0);
    expect(h.g).toBe(1_700_000_000_005);
    const props = string2messageProperties(h.i ?? "");
    expect(Object.fromEntries(props)).toEqual({
      color: "red",
      TAGS: "TagA",
      KEYS: "k1 k2",
      UNIQ_KEY: ID,
      RECONSUME_TIME: "0",
      PGROUP: "T",
      __BORNHOST: "h1",
      BORN_TIMESTAMP: "1700000000005",
    });
  });

  it("refuses what Java refuses, with its codes and texts", async () => {
    const p = fakeProxy();
    p.backend.addTopic("T", "NORMAL");
    brokerAnswering(p);
    const send = new SendMessageActivity(p.deps);
    const fails = (m: Message[]): Promise<unknown> =>
      send.sendMessage(p.ctx(), { messages: m }).catch((e: unknown) => e);
    expect(await fails([])).toMatchObject({ code: Code.MESSAGE_CORRUPTED, message: "no message to send" });
    expect(await fails([msg(), msg({}, "U")])).toMatchObject({
      code: Code.MESSAGE_CORRUPTED,
      message: "topic in message is not same",
    });
    expect(await fails([msg({}, "T", "")])).toMatchObject({
      code: Code.MESSAGE_BODY_EMPTY,
      message: "message body cannot be empty",
    });
    expect(await fails([msg({ message_id: " " })])).toMatchObject({
      code: Code.ILLEGAL_MESSAGE_ID,
      message: "message id cannot be empty",
    });
    expect(await fails([msg({ tag: "a|b" })])).toMatchObject({
      code: Code.ILLEGAL_MESSAGE_TAG,
      message: "tag cannot contain '|'",
    });
    expect(await fails([{ ...msg(), user_properties: { KEYS: "x" } }])).toMatchObject({
      code: Code.ILLEGAL_MESSAGE_PROPERTY_KEY,
      message: "property is used by system: KEYS",
    });
    expect(await fails([msg({ delivery_timestamp: { seconds: 1_700_000_000 + 86_401 } })])).toMatchObject({
      code: Code.ILLEGAL_DELIVERY_TIME,
      message: "the max delay time of message is too large, max is 86400000",
    });
    expect(await fails([msg({ message_group: "x".repeat(64) })])).toMatchObject({ code: Code.ILLEGAL_MESSAGE_GROUP });
    // a FIFO message on a NORMAL topic
    expect(await fails([msg({ message_group: "g" })])).toMatchObject({
      code: Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE,
      message: "TopicMessageType validate failed, the expected type is NORMAL, but actual type is FIFO",
    });
    expect(p.backend.requests).toHaveLength(0);
  });

  it("a delivery timestamp becomes TIMER_DELIVER_MS (a DELAY message)", () => {
    const p = fakeProxy();
    const props = buildMessageProperties(
      msg({ delivery_timestamp: { seconds: 1_700_000_010, nanos: 0 } }),
      "T",
      p.deps.config,
      "peer:1",
      p.clock.now,
    );
    expect(props.get("TIMER_DELIVER_MS")).toBe("1700000010000");
    expect(props.has("DELAY")).toBe(false);
  });

  it("passes the broker's recall handle of a timer message on to the client", async () => {
    const p = fakeProxy();
    p.backend.addTopic("D", "DELAY");
    brokerAnswering(p, undefined, "djEgRCBicm9rZXItYSAxNzAwMDAwMDEwMDAxIFUx");
    const res = await new SendMessageActivity(p.deps).sendMessage(p.ctx(), {
      messages: [msg({ message_type: "DELAY", delivery_timestamp: { seconds: 1_700_000_010, nanos: 0 } }, "D")],
    });
    expect(res.entries?.[0]).toMatchObject({
      status: { code: Code.OK },
      recall_handle: "djEgRCBicm9rZXItYSAxNzAwMDAwMDEwMDAxIFUx",
    });
  });

  it("ignores the client's queue id: a message group always lands on its consistent-hash queue", async () => {
    const p = fakeProxy();
    p.backend.addTopic("F", "FIFO", routeOf("broker-a", 8));
    brokerAnswering(p);
    const send = new SendMessageActivity(p.deps);
    for (let i = 0; i < 3; i++)
      await send.sendMessage(p.ctx(), { messages: [{ ...msg({ message_group: "order-42", queue_id: i }, "F") }] });
    const queues = p.backend.requests.map((r) => decodeHeader(SendMessageRequestHeaderV2, r.request.extFields).e);
    expect(new Set(queues).size).toBe(1);
    expect(queues[0]).toBe(messageGroupBucket("order-42", 8));
  });

  it("remembers a stored prepared message and ends it with a oneway END_TRANSACTION", async () => {
    const p = fakeProxy();
    p.backend.addTopic("Tx", "TRANSACTION");
    brokerAnswering(p, "TXID-1");
    const res = await new SendMessageActivity(p.deps).sendMessage(p.ctx(), {
      messages: [msg({ message_type: "TRANSACTION" }, "Tx")],
    });
    expect(res.entries?.[0]?.transaction_id).toBe("TXID-1");
    const h = decodeHeader(SendMessageRequestHeaderV2, p.backend.requests[0]?.request.extFields ?? null);
    expect(h.f).toBe(MessageSysFlag.TRANSACTION_PREPARED_TYPE);
    expect(string2messageProperties(h.i ?? "").get("TRAN_MSG")).toBe("true");

    const end = new EndTransactionActivity(p.deps);
    await expect(end.endTransaction({ topic: { name: "Tx" }, transaction_id: "" })).rejects.toMatchObject({
      code: Code.INVALID_TRANSACTION_ID,
    });
    const ok = await end.endTransaction({
      topic: { name: "Tx" },
      message_id: ID,
      transaction_id: "TXID-1",
      resolution: "COMMIT",
      source: "SOURCE_CLIENT",
    });
    expect(ok.status.code).toBe(Code.OK);
    const oneway = p.backend.requests.find((r) => r.oneway);
    expect(oneway?.request.code).toBe(RequestCode.END_TRANSACTION);
    expect(oneway?.request.extFields).toMatchObject({
      producerGroup: "Tx",
      tranStateTableOffset: "7",
      commitLogOffset: "4242",
      commitOrRollback: "8",
      fromTransactionCheck: "false",
      msgId: ID,
      transactionId: "TXID-1",
      topic: "Tx",
    });
    // the data was used up; a second end has nothing to address
    await expect(
      end.endTransaction({ topic: { name: "Tx" }, message_id: ID, transaction_id: "TXID-1", resolution: "ROLLBACK" }),
    ).rejects.toMatchObject({ code: Code.INTERNAL_SERVER_ERROR, message: "cannot found transaction data" });
  });

  it("transaction data expires after transactionDataExpireMillis", async () => {
    const p = fakeProxy();
    p.backend.addTopic("Tx", "TRANSACTION");
    brokerAnswering(p, "TXID-2");
    await new SendMessageActivity(p.deps).sendMessage(p.ctx(), {
      messages: [msg({ message_type: "TRANSACTION" }, "Tx")],
    });
    p.clock.now += 30_001;
    await expect(
      new EndTransactionActivity(p.deps).endTransaction({
        topic: { name: "Tx" },
        message_id: ID,
        transaction_id: "TXID-2",
        resolution: "COMMIT",
      }),
    ).rejects.toMatchObject({ message: "cannot found transaction data" });
  });

  it("the cleaner drops expired transaction data of producers that never end their half messages", async () => {
    const p = fakeProxy();
    p.backend.addTopic("Tx", "TRANSACTION");
    for (let i = 0; i < 50; i++) {
      brokerAnswering(p, `TXID-${i}`);
      await new SendMessageActivity(p.deps).sendMessage(p.ctx(), {
        messages: [msg({ message_type: "TRANSACTION" }, "Tx")],
      });
    }
    expect(p.deps.transactions.size()).toBe(50);
    p.deps.transactions.cleanExpired();
    expect(p.deps.transactions.size()).toBe(50);
    p.clock.now += 30_001;
    p.deps.transactions.cleanExpired();
    expect(p.deps.transactions.size()).toBe(0);
  });
});

describe("consistentHash (Guava's jump hash)", () => {
  it("stays in range and moves a key only to the new bucket when one is added", () => {
    for (let key = -500; key < 500; key++) {
      let prev = consistentHash(key * 7919, 1);
      expect(prev).toBe(0);
      for (let n = 2; n <= 40; n++) {
        const b = consistentHash(key * 7919, n);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThan(n);
        if (b !== prev) expect(b).toBe(n - 1);
        prev = b;
      }
    }
  });
});
