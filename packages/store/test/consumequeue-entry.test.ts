import { describe, expect, it } from "vitest";
import {
  CQ_BLANK_ENTRY_SIZE,
  CQ_STORE_UNIT_SIZE,
  cqEntryOffset,
  cqEntrySize,
  cqEntryTagsCode,
  decodeCqEntry,
  encodeCqEntry,
} from "@rocketmq-ts/store";

/** The entry as Java's ByteBuffer.putLong/putInt/putLong writes it (big-endian, two's complement). */
function javaEntry(offset: bigint, size: number, tagsCode: bigint): Buffer {
  const b = Buffer.alloc(CQ_STORE_UNIT_SIZE);
  b.writeBigInt64BE(offset, 0);
  b.writeInt32BE(size, 8);
  b.writeBigInt64BE(tagsCode, 12);
  return b;
}

describe("consume-queue entry codec", () => {
  const cases: [string, number, number, number][] = [
    ["zeros", 0, 0, 0],
    ["a tags hash code (negative int)", 1_073_741_824, 312, -1_541_936_126],
    ["a delay due time", 5 * 1024 ** 3 + 17, 4_194_304, 1_718_000_000_123],
    ["offsets up to 2^53", 2 ** 53 - 1, 0x7ffffffe, 2 ** 53 - 1],
    ["the most negative safe tags code", 4096, 1, -(2 ** 53 - 1)],
    ["a tags code of -1", 20, 100, -1],
    ["a blank entry", 0, CQ_BLANK_ENTRY_SIZE, 0],
  ];

  it.each(cases)("writes %s byte for byte as Java and reads it back", (_name, offset, size, tagsCode) => {
    const buf = Buffer.alloc(3 * CQ_STORE_UNIT_SIZE, 0xaa);
    const pos = CQ_STORE_UNIT_SIZE; // an entry inside a file, not at its start
    encodeCqEntry(buf, pos, offset, size, tagsCode);
    expect(buf.subarray(pos, pos + CQ_STORE_UNIT_SIZE).toString("hex")).toBe(
      javaEntry(BigInt(offset), size, BigInt(tagsCode)).toString("hex"),
    );
    // the neighbours are untouched
    expect(buf.subarray(0, pos).every((b) => b === 0xaa)).toBe(true);
    expect(buf.subarray(pos + CQ_STORE_UNIT_SIZE).every((b) => b === 0xaa)).toBe(true);
    expect(decodeCqEntry(buf, pos)).toEqual({ offset, size, tagsCode });
    expect([cqEntryOffset(buf, pos), cqEntrySize(buf, pos), cqEntryTagsCode(buf, pos)]).toEqual([
      offset,
      size,
      tagsCode,
    ]);
  });

  it("reads entries written by Java", () => {
    // commitLogOffset 0x0000000100000010, size 0x0100, tagsCode 0xFFFFFFFF80000000 (Integer.MIN_VALUE)
    const java = Buffer.from("0000000100000010" + "00000100" + "ffffffff80000000", "hex");
    expect(decodeCqEntry(java, 0)).toEqual({ offset: 2 ** 32 + 16, size: 256, tagsCode: -(2 ** 31) });
  });
});
