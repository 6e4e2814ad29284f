import { describe, expect, it } from "vitest";
import {
  parseFastjson,
  stringifyFastjson,
  jdouble,
  javaDoubleToString,
  JsonSyntaxError,
  javaStringHashCode,
  javaConcurrentHashMapOrder,
  javaHashMapOrder,
  jsonEntries,
  type JsonObject,
} from "@rocketmq-ts/remoting";

describe("fastjson reader", () => {
  it("reads bare numeric keys into a Map and quoted keys into an object", () => {
    const legacy = parseFastjson('{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"}}') as Record<
      string,
      unknown
    >;
    expect(legacy["brokerAddrs"]).toEqual(
      new Map([
        [0, "127.0.0.1:10911"],
        [1, "127.0.0.1:10921"],
      ]),
    );
    const standard = parseFastjson('{"brokerAddrs":{"0":"127.0.0.1:10911"}}') as JsonObject;
    expect(standard["brokerAddrs"]).toEqual({ 0: "127.0.0.1:10911" });
    expect(jsonEntries(standard["brokerAddrs"])).toEqual([["0", "127.0.0.1:10911"]]);
  });

  it("reads object keys (Map<MessageQueue, X>)", () => {
    const v = parseFastjson('{"offsetTable":{{"brokerName":"b","queueId":1,"topic":"t"}:5}}') as Record<
      string,
      unknown
    >;
    const table = v["offsetTable"] as Map<unknown, unknown>;
    expect([...table.entries()]).toEqual([[{ brokerName: "b", queueId: 1, topic: "t" }, 5]]);
  });

  it("keeps 64-bit integers exact", () => {
    const v = parseFastjson('{"a":9223372036854775807,"b":-9223372036854775808,"c":9007199254740991,"d":12}') as Record<
      string,
      number | bigint
    >;
    expect(v["a"]).toBe(9223372036854775807n);
    expect(v["b"]).toBe(-9223372036854775808n);
    expect(v["c"]).toBe(9007199254740991);
    expect(v["d"]).toBe(12);
    expect(stringifyFastjson(v)).toBe('{"a":9223372036854775807,"b":-9223372036854775808,"c":9007199254740991,"d":12}');
  });

  it("accepts single quotes, unquoted identifiers, escapes and trailing commas", () => {
    expect(parseFastjson('{a:\'x\\\'y\',b:[1,2],"c":"\\u0041\\n",}')).toEqual({ a: "x'y", b: [1, 2], c: "A\n" });
  });

  it("does not let a __proto__ key touch the prototype", () => {
    const v = parseFastjson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("rejects malformed input with a position", () => {
    for (const bad of ["{", '{"a"}', "[1 2]", '"abc', "{a:1}x", "tru", "-", '{"a":1e}']) {
      expect(() => parseFastjson(bad), bad).toThrow(JsonSyntaxError);
    }
    expect(() => parseFastjson("[".repeat(10_000))).toThrow(/Nesting too deep/);
  });
});

describe("fastjson writer", () => {
  it("writes beans with sorted keys and no nulls", () => {
    expect(stringifyFastjson({ writeQueueNums: 4, brokerName: "a", perm: 6, missing: undefined, none: null })).toBe(
      '{"brokerName":"a","perm":6,"writeQueueNums":4}',
    );
  });

  it("writes numeric Map keys bare by default and quoted on request", () => {
    const route = { brokerAddrs: new Map([[0, "127.0.0.1:10911"]]), brokerName: "broker-a" };
    expect(stringifyFastjson(route)).toBe('{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a"}');
    expect(stringifyFastjson(route, { quoteNumericKeys: true })).toBe(
      '{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a"}',
    );
  });

  it("writes object keys and Sets", () => {
    const table = new Map([[{ topic: "t", brokerName: "b", queueId: 0 }, 249]]);
    expect(stringifyFastjson({ offsetTable: table, ids: new Set(["x"]) })).toBe(
      '{"ids":["x"],"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:249}}',
    );
  });

  it("prints doubles like Java's Double.toString", () => {
    expect(stringifyFastjson({ consumeTps: jdouble(0) })).toBe('{"consumeTps":0.0}');
    expect(javaDoubleToString(1.5)).toBe("1.5");
    expect(javaDoubleToString(100)).toBe("100.0");
    expect(javaDoubleToString(1e7)).toBe("1.0E7");
    expect(javaDoubleToString(12345678.9)).toBe("1.23456789E7");
    expect(javaDoubleToString(0.001)).toBe("0.001");
    expect(javaDoubleToString(0.0001)).toBe("1.0E-4");
    expect(javaDoubleToString(-2.5e-5)).toBe("-2.5E-5");
    expect(stringifyFastjson(0.25)).toBe("0.25");
  });
});

describe("Java hashing", () => {
  it("matches String.hashCode", () => {
    expect(javaStringHashCode("")).toBe(0);
    expect(javaStringHashCode("topic")).toBe(110546223);
    expect(javaStringHashCode("hello")).toBe(99162322);
    expect(javaStringHashCode("Hello World")).toBe(-862545276);
  });

  it("orders keys as a HashMap iterates them: bucket of the spread hash, then insertion", () => {
    const bucket = (k: string): number => {
      const h = javaStringHashCode(k);
      return (h ^ (h >>> 16)) & 15;
    };
    const keys = ["consumerGroup", "topic", "queueId", "queueOffset", "maxMsgNums", "sysFlag", "commitOffset"];
    const ordered = javaHashMapOrder(keys);
    expect(ordered.map(bucket)).toEqual([...ordered.map(bucket)].sort((a, b) => a - b));
    expect(new Set(ordered)).toEqual(new Set(keys));
    // 13 keys force a 32-slot table
    const many = Array.from({ length: 13 }, (_, i) => `k${i}`);
    const bucket32 = (k: string): number => {
      const h = javaStringHashCode(k);
      return (h ^ (h >>> 16)) & 31;
    };
    expect(javaHashMapOrder(many).map(bucket32)).toEqual(
      javaHashMapOrder(many)
        .map(bucket32)
        .sort((a, b) => a - b),
    );
  });

  it("orders keys as a ConcurrentHashMap / Properties iterates them, resizes included", () => {
    // Java 17's iteration order for these 17 puts (new ConcurrentHashMap<>() and new Properties()
    // gave the same); the resize at the 12th key reverses part of a bin, which a HashMap keeps
    const keys = [
      "k3c8_0",
      "k11k_1",
      "k174_2",
      "k168_3",
      "k194_4",
      "k2so_5",
      "k1g8_6",
      "k360_7",
      "k1dc_8",
      "k1tk_9",
      "k2zs_10",
      "k3pc_11",
      "k3b4_12",
      "k1rk_13",
      "k1i0_14",
      "k3tc_15",
      "k3t4_16",
    ];
    const java = [
      "k3t4_16",
      "k1i0_14",
      "k360_7",
      "k2zs_10",
      "k1tk_9",
      "k1dc_8",
      "k11k_1",
      "k1rk_13",
      "k2so_5",
      "k174_2",
      "k194_4",
      "k1g8_6",
      "k3b4_12",
      "k3c8_0",
      "k168_3",
      "k3pc_11",
      "k3tc_15",
    ];
    expect(javaConcurrentHashMapOrder(keys)).toEqual(java);
    expect(javaHashMapOrder(keys)).not.toEqual(java);
    // a key put twice keeps its first place
    expect(javaConcurrentHashMapOrder(["b", "a", "b"])).toEqual(javaConcurrentHashMapOrder(["b", "a"]));
  });
});
