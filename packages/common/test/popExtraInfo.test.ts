/** ExtraInfoUtil, ReceiptHandle and KeyBuilder against strings in Java 5.3.3's formats. */
import { describe, expect, it } from "vitest";
import {
  appendMsgOffsetInfo,
  appendQueueIdOrderCountInfo,
  appendQueueOffsetOrderCountInfo,
  appendStartOffsetInfo,
  buildExtraInfo,
  buildPollingKey,
  buildPopRetryTopicV1,
  buildPopRetryTopicV2,
  decodeReceiptHandle,
  encodeReceiptHandle,
  isPopRetryTopicV2,
  isReceiptHandleExpired,
  parseExtraInfo,
  parseMsgOffsetInfo,
  parseNormalTopic,
  parseOrderCountInfo,
  parseStartOffsetInfo,
  PopInfoError,
  queueOffsetMapKey,
  realTopicOf,
  startOffsetInfoMapKey,
} from "../src/index.js";

describe("KeyBuilder", () => {
  it("names the retry topics V1 and V2 and parses them back", () => {
    expect(buildPopRetryTopicV1("test-topic", "test-group")).toBe("%RETRY%test-group_test-topic");
    expect(buildPopRetryTopicV2("test-topic", "test-group")).toBe("%RETRY%test-group+test-topic");
    expect(parseNormalTopic("%RETRY%test-group+test-topic", "test-group")).toBe("test-topic");
    expect(parseNormalTopic("%RETRY%test-group_test-topic", "test-group")).toBe("test-topic");
    expect(parseNormalTopic("plain", "g")).toBe("plain");
    expect(isPopRetryTopicV2("%RETRY%test-group+test-topic")).toBe(true);
    expect(isPopRetryTopicV2("%RETRY%test-group_test-topic")).toBe(false);
    expect(buildPollingKey("T", "G", -1)).toBe("T@G@-1");
  });
});

describe("ExtraInfoUtil", () => {
  it("builds and parses an extraInfo (POP_CK) of 7 or 8 fields", () => {
    expect(buildExtraInfo(10, 1_700_000_000_000, 60_000, 3, "T", "broker-a", 2)).toBe(
      "10 1700000000000 60000 3 0 broker-a 2",
    );
    const ck = buildExtraInfo(10, 1_700_000_000_000, 60_000, 3, "%RETRY%G_T", "broker-a", 0, 7);
    expect(ck).toBe("10 1700000000000 60000 3 1 broker-a 0 7");
    expect(parseExtraInfo(ck)).toEqual({
      ckQueueOffset: 10,
      popTime: 1_700_000_000_000,
      invisibleTime: 60_000,
      reviveQid: 3,
      topicType: "1",
      brokerName: "broker-a",
      queueId: 0,
      queueOffset: 7,
    });
    expect(buildExtraInfo(0, 1, 2, 999, "%RETRY%G+T", "b", 0)).toBe("0 1 2 999 2 b 0");
    expect(() => parseExtraInfo("1 2 3")).toThrow(PopInfoError);
    expect(() => parseExtraInfo("x 2 3 4 0 b 0")).toThrow(PopInfoError);
  });

  it("maps the topic type to the topic an ack applies to", () => {
    expect(realTopicOf("T", "G", "0")).toBe("T");
    expect(realTopicOf("T", "G", "1")).toBe("%RETRY%G_T");
    expect(realTopicOf("T", "G", "2")).toBe("%RETRY%G+T");
  });

  it("writes and reads the POP response's offset infos", () => {
    let start = appendStartOffsetInfo("", "T", 0, 5);
    start = appendStartOffsetInfo(start, "%RETRY%G_T", 0, 1);
    expect(start).toBe("0 0 5;1 0 1");
    expect(parseStartOffsetInfo(start)).toEqual(
      new Map([
        ["0@0", 5],
        ["1@0", 1],
      ]),
    );
    const msg = appendMsgOffsetInfo(appendMsgOffsetInfo("", "T", 0, [5, 6, 8]), "T", 1, [0]);
    expect(msg).toBe("0 0 5,6,8;0 1 0");
    expect(parseMsgOffsetInfo(msg)?.get("0@0")).toEqual([5, 6, 8]);
    expect(() => parseStartOffsetInfo("0 0 1;0 0 2")).toThrow(/duplicate/);
    expect(parseStartOffsetInfo("")).toBeNull();
  });

  it("writes and reads orderCountInfo as Java's testOrderCountInfo", () => {
    let info = appendQueueIdOrderCountInfo("", "TOPIC", 0, 1);
    info = appendQueueOffsetOrderCountInfo(info, "TOPIC", 0, 1234, 2);
    expect(info).toBe("0 0 1;0 qo0%1234 2");
    const map = parseOrderCountInfo(info);
    expect(map?.get(startOffsetInfoMapKey("TOPIC", 0))).toBe(1);
    expect(map?.get(queueOffsetMapKey("TOPIC", 0, 1234))).toBe(2);
  });
});

describe("ReceiptHandle", () => {
  it("encodes nine fields and decodes eight or nine", () => {
    const handle = {
      startOffset: 1000,
      retrieveTime: 1_700_000_000_000,
      invisibleTime: 1000,
      reviveQueueId: 1,
      topicType: "NORMAL",
      brokerName: "BrokerA",
      queueId: 2,
      offset: 2000,
      commitLogOffset: 3000,
    };
    const encoded = encodeReceiptHandle(handle);
    expect(encoded).toBe("1000 1700000000000 1000 1 NORMAL BrokerA 2 2000 3000");
    expect(decodeReceiptHandle(encoded)).toEqual(handle);
    expect(decodeReceiptHandle("1000 1700000000000 1000 1 0 BrokerA 2 2000").commitLogOffset).toBe(-1);
    expect(() => decodeReceiptHandle("invalid_data")).toThrow(PopInfoError);
  });

  it("is expired once retrieveTime + invisibleTime is reached", () => {
    const h = { retrieveTime: 1000, invisibleTime: 500 };
    expect(isReceiptHandleExpired(h, 1499)).toBe(false);
    expect(isReceiptHandleExpired(h, 1500)).toBe(true);
  });
});
