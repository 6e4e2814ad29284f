/**
 * The 32-byte index unit of a DLedger store (unit n at offset n × 32 of the index files), big-endian:
 * magic int32 · pos int64 · size int32 · index int64 · term int64.
 */
import { readLong, writeLong } from "@rocketmq-ts/common";

export const INDEX_UNIT_SIZE = 32;

export interface DLedgerIndexUnit {
  magic: number;
  /** Position of the entry in the data files. */
  pos: number;
  /** Size of the whole entry. */
  size: number;
  index: number;
  term: number;
}

export function encodeIndexUnit(unit: DLedgerIndexUnit, buf = Buffer.allocUnsafe(INDEX_UNIT_SIZE), offset = 0): Buffer {
  buf.writeInt32BE(unit.magic, offset);
  writeLong(buf, unit.pos, offset + 4);
  buf.writeInt32BE(unit.size, offset + 12);
  writeLong(buf, unit.index, offset + 16);
  writeLong(buf, unit.term, offset + 24);
  return buf;
}

export function decodeIndexUnit(buf: Buffer, offset = 0): DLedgerIndexUnit {
  if (buf.length - offset < INDEX_UNIT_SIZE) {
    throw new RangeError(`index unit needs ${INDEX_UNIT_SIZE} bytes, ${buf.length - offset} available`);
  }
  return {
    magic: buf.readInt32BE(offset),
    pos: readLong(buf, offset + 4),
    size: buf.readInt32BE(offset + 12),
    index: readLong(buf, offset + 16),
    term: readLong(buf, offset + 24),
  };
}
