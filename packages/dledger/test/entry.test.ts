/** The entry and index-unit codecs against dledger 0.3.1.2's byte layout. */
import { describe, expect, it } from "vitest";
import {
  BODY_OFFSET,
  HEADER_SIZE,
  INDEX_UNIT_SIZE,
  POS_OFFSET,
  createEntry,
  decodeEntry,
  decodeIndexUnit,
  encodeEntry,
  encodeIndexUnit,
  entriesEqual,
  getPos,
  setIndexTerm,
  setPos,
} from "../src/index.js";

describe("DLedgerEntry codec", () => {
  it("has Java's offsets: pos at 24, header 44, body at 48", () => {
    expect([POS_OFFSET, HEADER_SIZE, BODY_OFFSET]).toEqual([24, 44, 48]);
  });

  it("encodes the 48-byte header big-endian and computes size = 48 + body", () => {
    const entry = createEntry(Buffer.from("abc"), {
      magic: 1,
      index: 1000,
      term: 2,
      pos: 260_000,
      channel: 7,
      chainCrc: -2,
      bodyCrc: 0x11223344,
    });
    const bytes = encodeEntry(entry);
    expect(entry.size).toBe(51);
    expect(bytes.toString("hex")).toBe(
      [
        "00000001", // magic
        "00000033", // size 51
        "00000000000003e8", // index
        "0000000000000002", // term
        "000000000003f7a0", // pos
        "00000007", // channel
        "fffffffe", // chain crc
        "11223344", // body crc
        "00000003", // body length
        "616263",
      ].join(""),
    );
    expect(decodeEntry(bytes)).toEqual({ ...entry, size: 51 });
  });

  it("decodes an entry inside a larger buffer, copying the body unless asked not to", () => {
    const bytes = encodeEntry(createEntry(Buffer.from("hello"), { magic: 1, index: 3, term: 1, pos: 10 }));
    const buf = Buffer.concat([Buffer.alloc(10, 0xff), bytes, Buffer.alloc(5, 0xee)]);
    const copied = decodeEntry(buf, 10);
    expect(copied.body.toString()).toBe("hello");
    buf.fill(0x41, 10 + BODY_OFFSET, 10 + BODY_OFFSET + 5);
    expect(copied.body.toString()).toBe("hello");
    expect(decodeEntry(buf, 10, false).body.toString()).toBe("AAAAA");
  });

  it("rejects a truncated header or a body past the buffer", () => {
    const bytes = encodeEntry(createEntry(Buffer.alloc(100, 1), { magic: 1 }));
    expect(() => decodeEntry(bytes.subarray(0, 40))).toThrow(RangeError);
    expect(() => decodeEntry(bytes.subarray(0, 120))).toThrow(/exceeds/);
  });

  it("patches index, term, magic and pos in place (the leader's assignment)", () => {
    const bytes = encodeEntry(createEntry(Buffer.from("x")));
    setIndexTerm(bytes, 2 ** 40 + 5, 9, 1);
    setPos(bytes, 2 ** 33 + 1);
    const e = decodeEntry(bytes);
    expect([e.magic, e.index, e.term, e.pos]).toEqual([1, 2 ** 40 + 5, 9, 2 ** 33 + 1]);
    expect(getPos(bytes)).toBe(2 ** 33 + 1);
  });

  it("equality as Java's: header fields and body bytes, not the CRCs", () => {
    const a = createEntry(Buffer.from("body"), { magic: 1, size: 52, index: 1, term: 1, pos: 0 });
    expect(entriesEqual(a, { ...a, body: Buffer.from("body"), bodyCrc: 5, chainCrc: 6 })).toBe(true);
    expect(entriesEqual(a, { ...a, body: Buffer.from("bodY") })).toBe(false);
    expect(entriesEqual(a, { ...a, term: 2 })).toBe(false);
    expect(entriesEqual(a, { ...a, pos: 1 })).toBe(false);
    expect(entriesEqual(a, null)).toBe(false);
  });
});

describe("index unit codec", () => {
  it("is 32 bytes: magic · pos · size · index · term", () => {
    const unit = { magic: 1, pos: 521519, size: 261, index: 1999, term: 2 };
    const bytes = encodeIndexUnit(unit);
    expect(INDEX_UNIT_SIZE).toBe(32);
    expect(bytes.toString("hex")).toBe(
      "00000001" + "000000000007f52f" + "00000105" + "00000000000007cf" + "0000000000000002",
    );
    expect(decodeIndexUnit(bytes)).toEqual(unit);
    expect(() => decodeIndexUnit(bytes.subarray(0, 31))).toThrow(RangeError);
  });
});
