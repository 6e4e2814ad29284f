import { beforeEach, describe, expect, it } from "vitest";
import { buildExtFields, extFieldsShapeStats, resetExtFieldsShapes } from "../src/codec/extFieldsShapes.js";
import { decodeBinaryHeader, encodeBinaryHeader } from "../src/codec/binaryHeader.js";
import type { ExtFields } from "../src/protocol/RemotingCommand.js";

/** What key-by-key assignment into `{}` gives (the reference semantics). */
function assigned(pairs: [string, string][]): ExtFields {
  const out: ExtFields = {};
  for (const [k, v] of pairs) {
    if (k === "__proto__")
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

function built(pairs: [string, string][]): ExtFields {
  return buildExtFields(
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
    pairs.length,
  );
}

/** Same own keys in the same order, same values, same prototype. */
function expectSame(actual: ExtFields, expected: ExtFields): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const k of Object.keys(expected))
    expect(Object.getOwnPropertyDescriptor(actual, k)).toEqual(Object.getOwnPropertyDescriptor(expected, k));
  expect(Object.getPrototypeOf(actual)).toBe(Object.prototype);
}

describe("buildExtFields", () => {
  beforeEach(() => resetExtFieldsShapes());

  it("gives what key-by-key assignment gives, before and after a sequence is compiled", () => {
    const cases: [string, string][][] = [
      [],
      [
        ["topic", "T"],
        ["queueId", "1"],
      ],
      [
        ["queueId", "2"],
        ["topic", "U"],
      ],
      [
        ["a", "1"],
        ["b", "2"],
        ["a", "3"],
      ], // a repeated key: first position, last value
      [
        ["2", "x"],
        ["10", "y"],
        ["k", "z"],
        ["1", "w"],
      ], // index-like keys enumerate first, ascending
      [
        ["constructor", "c"],
        ["toString", "t"],
        ["hasOwnProperty", "h"],
      ],
      [
        ['quote"d', "1"],
        ["back\\slash", "2"],
        ["line\u2028sep", "3"],
        ["中文", "4"],
      ],
    ];
    for (let round = 0; round < 4; round++) {
      for (const pairs of cases) expectSame(built(pairs), assigned(pairs));
    }
    expect(extFieldsShapeStats().shapes).toBe(cases.length);
  });

  it("keeps __proto__ an own key and never touches the prototype", () => {
    const pairs: [string, string][] = [
      ["a", "1"],
      ["__proto__", "polluted"],
      ["b", "2"],
    ];
    for (let round = 0; round < 3; round++) {
      const out = built(pairs);
      expectSame(out, assigned(pairs));
      expect(Object.prototype.hasOwnProperty.call(out, "__proto__")).toBe(true);
    }
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("stops learning at its bounds and still builds every object right", () => {
    for (let i = 0; i < 6000; i++) {
      const pairs: [string, string][] = [
        [`k${i}`, `v${i}`],
        [`j${i}`, "x"],
      ];
      expectSame(built(pairs), assigned(pairs));
      expectSame(built(pairs), assigned(pairs));
    }
    const stats = extFieldsShapeStats();
    expect(stats.nodes).toBeLessThanOrEqual(4096);
    expect(stats.shapes).toBeLessThanOrEqual(512);
    const late: [string, string][] = [["late", "1"]];
    expectSame(built(late), assigned(late));
  });

  it("serves decodeBinaryHeader: repeated headers decode to equal objects", () => {
    const header = {
      code: 310,
      language: "JAVA" as const,
      version: 409,
      opaque: 7,
      flag: 0,
      remark: null,
      extFields: {
        a: "group",
        b: "TopicTest",
        c: "TBW102",
        d: "4",
        e: "2",
        f: "0",
        g: "1700000000000",
        h: "0",
        i: "KEYS\u0001k",
      },
    };
    const bytes = encodeBinaryHeader(header);
    for (let round = 0; round < 3; round++) {
      const decoded = decodeBinaryHeader(bytes);
      expect(decoded.extFields).toEqual(header.extFields);
      expect(Object.keys(decoded.extFields ?? {})).toEqual(Object.keys(header.extFields));
    }
  });
});
