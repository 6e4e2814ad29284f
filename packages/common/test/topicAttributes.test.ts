/** 5.x topic attributes: Java's AttributeParser / AttributeUtil semantics and messages. */
import { describe, expect, it } from "vitest";
import {
  alterAttributes,
  attributesToString,
  messageTypeOfProperties,
  parseAttributes,
  topicMessageTypeOf,
} from "@rocketmq-ts/common";

describe("topic attributes", () => {
  it("parses `+k=v,-k` changes as Java's AttributeParser, refusing what it refuses", () => {
    expect(parseAttributes("")).toEqual(new Map());
    expect(parseAttributes(undefined)).toEqual(new Map());
    expect(parseAttributes("+message.type=FIFO,-reserve.time")).toEqual(
      new Map([
        ["+message.type", "FIFO"],
        ["-reserve.time", ""],
      ]),
    );
    expect(() => parseAttributes("message.type=FIFO")).toThrow("add/alter attribute format is wrong: message.type");
    expect(() => parseAttributes("reserve.time")).toThrow("delete attribute format is wrong: reserve.time");
    expect(() => parseAttributes("+a=1,+a=2")).toThrow("key duplication: +a");
    expect(() => parseAttributes("+a=")).toThrow("Index 1 out of bounds for length 1");
  });

  it("prints a change back in HashMap order, a blank value without `=`", () => {
    const change = parseAttributes("+message.type=FIFO,-reserve.time");
    expect(parseAttributes(attributesToString(change))).toEqual(change);
    expect(attributesToString(new Map())).toBe("");
    expect(attributesToString(new Map([["-k", ""]]))).toBe("-k");
  });

  it("alters current attributes: create takes only +, - needs the key, unchangeable ones stay", () => {
    expect(alterAttributes(true, {}, parseAttributes("+message.type=DELAY"))).toEqual({ "message.type": "DELAY" });
    expect(() => alterAttributes(true, {}, parseAttributes("-message.type"))).toThrow(
      "only add attribute is supported while creating topic. key: message.type",
    );
    expect(() => alterAttributes(false, {}, parseAttributes("-message.type"))).toThrow(
      "attempt to delete a nonexistent key: message.type",
    );
    expect(alterAttributes(false, { "message.type": "FIFO", x: "y" }, parseAttributes("-message.type"))).toEqual({
      x: "y",
    });
    expect(() => alterAttributes(false, {}, parseAttributes("+cleanup.policy=DELETE"))).toThrow(
      "attempt to update an unchangeable attribute. key: cleanup.policy",
    );
    expect(() => alterAttributes(true, {}, parseAttributes("+reserve.time=-2"))).toThrow(
      "value is not in range(-1, 9223372036854775807)",
    );
    expect(() => alterAttributes(true, {}, parseAttributes("+queue.type=Other"))).toThrow(
      "value is not in set: [SimpleCQ, BatchCQ]",
    );
    expect(() => alterAttributes(true, {}, parseAttributes("+a+b=1"))).toThrow("kv string format wrong.");
  });

  it("gives a topic's and a message's type as 5.x does", () => {
    expect(topicMessageTypeOf({})).toBe("NORMAL");
    expect(topicMessageTypeOf({ attributes: { "message.type": "TRANSACTION" } })).toBe("TRANSACTION");
    expect(messageTypeOfProperties(new Map([["TRAN_MSG", "true"]]))).toBe("TRANSACTION");
    expect(messageTypeOfProperties(new Map([["TIMER_DELIVER_MS", "1"]]))).toBe("DELAY");
    expect(messageTypeOfProperties(new Map([["DELAY", "3"]]))).toBe("DELAY");
    expect(messageTypeOfProperties(new Map([["__SHARDINGKEY", "g"]]))).toBe("FIFO");
    expect(messageTypeOfProperties(new Map())).toBe("NORMAL");
  });
});
