import { describe, expect, it } from "vitest";
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import { javaPropertiesString, string2messageProperties } from "@rocketmq-ts/common";

const entries = (s: string): [string, string][] => [...string2messageProperties(s)];

describe("message properties", () => {
  it("parses as Java's string2messageProperties: short pieces, empty keys and values skipped, last wins", () => {
    expect(entries("")).toEqual([]);
    expect(entries("ab")).toEqual([]);
    expect(entries("k\u0001")).toEqual([]);
    expect(entries("\u0001v")).toEqual([]);
    expect(entries("k\u0001v\u0002")).toEqual([["k", "v"]]);
    expect(entries("\u0002\u0002k\u0001v")).toEqual([["k", "v"]]);
    expect(entries("ab\u0001\u0002cd\u0001e")).toEqual([["cd", "e"]]);
    expect(entries("nosep\u0002k\u0001v")).toEqual([["k", "v"]]);
    expect(entries("k\u0001v\u0001w")).toEqual([["k", "v\u0001w"]]);
    expect(entries("WAIT\u0001true\u0002TAGS\u0001a\u0002WAIT\u0001false")).toEqual([
      ["WAIT", "false"],
      ["TAGS", "a"],
    ]);
  });

  it("serializes in Java's HashMap order, the same for a key set seen before", () => {
    const props = new Map([
      ["UNIQ_KEY", "C0A8010A4E2A18B4AAC2774A8F6F0000"],
      ["KEYS", "OrderID188"],
      ["TAGS", "TagA"],
      ["CLUSTER", "DefaultCluster"],
    ]);
    const expected = javaHashMapOrder([...props.keys()])
      .map((k) => `${k}\u0001${props.get(k)}`)
      .join("\u0002");
    expect(javaPropertiesString(props)).toBe(expected);
    props.set("KEYS", "OrderID189");
    expect(javaPropertiesString(props)).toBe(expected.replace("OrderID188", "OrderID189"));
    expect(javaPropertiesString(new Map())).toBe("");
  });

  it("never takes one key set's order for another, whatever the keys hold", () => {
    expect(javaPropertiesString(new Map([["a\u0000b", "1"]]))).toBe("a\u0000b\u00011");
    expect(
      javaPropertiesString(
        new Map([
          ["a", "1"],
          ["b", "2"],
        ]),
      ),
    ).toBe("a\u00011\u0002b\u00012");
    expect(javaHashMapOrder(["x\u0000y"])).toEqual(["x\u0000y"]);
    expect(javaHashMapOrder(["x", "y"])).toEqual(["x", "y"]);
  });
});
