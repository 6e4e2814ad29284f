import { deflateSync } from "node:zlib";
import {
  createMessageId,
  decodeRecordAt,
  encodeRecord,
  formatHost,
  MESSAGE_MAGIC_CODE_V2,
  MessageConst,
  MessageSysFlag,
  parseHost,
  type MessageInner,
} from "@rocketmq-ts/common";
import { describe, expect, it } from "vitest";
import { setConsumeStartTime } from "../src/consumer/ConsumeMessageService.js";
import { decodePulledMessages } from "../src/consumer/decodeMessages.js";
import type { MessageExt } from "../src/message/Message.js";

const inner = (over: Partial<MessageInner> = {}): MessageInner => ({
  topic: "TopicTest",
  queueId: 3,
  flag: 7,
  body: Buffer.from("hello body"),
  propertiesString: "",
  sysFlag: 0,
  bornTimestamp: 1_600_000_000_123,
  bornHost: parseHost("10.1.2.3:54321"),
  storeHost: parseHost("192.168.0.9:10911"),
  reconsumeTimes: 2,
  preparedTransactionOffset: 0,
  ...over,
});

/** What the client showed before decoding lazily: every field from the store's eager decoder. */
function eager(record: Buffer, brokerName: string): MessageExt {
  const r = decodeRecordAt(record, 0);
  const offsetMsgId = createMessageId(r.storeHost, r.commitLogOffset);
  return {
    topic: r.topic,
    body: r.body ?? Buffer.alloc(0),
    flag: r.flag,
    properties: r.properties,
    tags: r.properties.get(MessageConst.PROPERTY_TAGS),
    keys: r.properties.get(MessageConst.PROPERTY_KEYS),
    msgId: r.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? offsetMsgId,
    offsetMsgId,
    queueId: r.queueId,
    queueOffset: r.queueOffset,
    commitLogOffset: r.commitLogOffset,
    brokerName,
    bornTimestamp: r.bornTimestamp,
    storeTimestamp: r.storeTimestamp,
    bornHost: formatHost(r.bornHost),
    storeHost: formatHost(r.storeHost),
    reconsumeTimes: r.reconsumeTimes,
    sysFlag: r.sysFlag,
    bodyCRC: r.bodyCRC,
    storeSize: r.storeSize,
    preparedTransactionOffset: r.preparedTransactionOffset,
  };
}

/** A 4.x record rewritten with 5.x's magic code and a 2-byte topic length. */
function asV2(record: Buffer, topicLengthAt: number): Buffer {
  const out = Buffer.concat([record.subarray(0, topicLengthAt), Buffer.from([0]), record.subarray(topicLengthAt)]);
  out.writeInt32BE(record.length + 1, 0);
  out.writeInt32BE(MESSAGE_MAGIC_CODE_V2, 4);
  return out;
}

describe("decodePulledMessages", () => {
  const props =
    "UNIQ_KEY\u00017F000001D2A118B4AAC20000\u0002TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002WAIT\u0001true\u0002a\u0001\u00e9t\u00e9";
  const records = [
    encodeRecord(inner({ propertiesString: props }), 11, 4096, 1_600_000_000_456),
    encodeRecord(inner({ propertiesString: "TAGS\u0001TagB" }), 12, 8192, 1_600_000_000_457), // no UNIQ_KEY
    encodeRecord(inner({ body: null }), 13, 9000, 1_600_000_000_458), // no body, no properties
    encodeRecord(
      inner({ bornHost: parseHost("[fe80::1:2]:40000"), storeHost: parseHost("[2001:db8::7]:10911") }),
      14,
      2 ** 40 + 5,
      1_600_000_000_459,
    ),
    encodeRecord(inner({ topic: "%RETRY%g1", propertiesString: "RETRY_TOPIC\u0001TopicTest" }), 15, 10_000, 1),
  ];

  it("shows every field as the eager decoder did, for each record of an answer", () => {
    const got = decodePulledMessages(Buffer.concat(records), "broker-a");
    expect(got).toHaveLength(records.length);
    got.forEach((m, i) => {
      const want = eager(records[i] as Buffer, "broker-a");
      for (const key of Object.keys(want) as (keyof MessageExt)[]) expect([key, m[key]]).toEqual([key, want[key]]);
      expect(JSON.parse(JSON.stringify(m))).toEqual(JSON.parse(JSON.stringify(want)));
    });
    expect(got[0]?.msgId).toBe("7F000001D2A118B4AAC20000");
    expect(got[1]?.msgId).toBe(got[1]?.offsetMsgId);
    expect(got[3]?.bornHost).toBe("[fe80:0:0:0:0:0:1:2]:40000");
  });

  it("reads the 5.x magic code's two-byte topic length", () => {
    const v1 = records[0] as Buffer;
    const topicLengthAt = v1.length - 2 - Buffer.byteLength(props) - "TopicTest".length - 1;
    const [m] = decodePulledMessages(asV2(v1, topicLengthAt), "b");
    expect(m?.topic).toBe("TopicTest");
    expect(m?.body.toString()).toBe("hello body");
    expect(m?.tags).toBe("TagA");
  });

  it("inflates a compressed body", () => {
    const body = deflateSync(Buffer.from("x".repeat(5000)));
    const record = encodeRecord(inner({ body, sysFlag: MessageSysFlag.COMPRESSED_FLAG }), 1, 1, 1);
    const [m] = decodePulledMessages(record, "b");
    expect(m?.body.toString()).toBe("x".repeat(5000));
  });

  it("a topic changed on one message (a retry) leaves the next one's alone", () => {
    const [a, b] = decodePulledMessages(Buffer.concat([records[4] as Buffer, records[4] as Buffer]), "b");
    if (!a || !b) throw new Error("two messages expected");
    a.topic = "TopicTest";
    expect(b.topic).toBe("%RETRY%g1");
    const [c] = decodePulledMessages(Buffer.concat([records[0] as Buffer]), "b");
    expect(c?.topic).toBe("TopicTest");
  });

  it("keeps the consume start time whether or not the properties were read before", () => {
    const [early, late] = decodePulledMessages(Buffer.concat([records[0] as Buffer, records[1] as Buffer]), "b");
    if (!early || !late) throw new Error("two messages expected");
    void late.properties.size;
    setConsumeStartTime(early, "1700000000000");
    setConsumeStartTime(late, "1700000000001");
    expect(early.properties.get(MessageConst.PROPERTY_CONSUME_START_TIMESTAMP)).toBe("1700000000000");
    expect(early.tags).toBe("TagA");
    expect(late.properties.get(MessageConst.PROPERTY_CONSUME_START_TIMESTAMP)).toBe("1700000000001");
  });

  it("refuses a record whose lengths run past its end", () => {
    const good = records[0] as Buffer;
    const truncated = Buffer.from(good.subarray(0, good.length - 3));
    expect(() => decodePulledMessages(truncated, "b")).toThrow(RangeError);
    const badBody = Buffer.from(good);
    badBody.writeInt32BE(1 << 20, 48 + 8 + 8 + 8 + 4 + 8); // BODY length of a v4 record
    expect(() => decodePulledMessages(badBody, "b")).toThrow(RangeError);
    const badSize = Buffer.from(good);
    badSize.writeInt32BE(4, 0);
    expect(() => decodePulledMessages(badSize, "b")).toThrow(RangeError);
  });
});
