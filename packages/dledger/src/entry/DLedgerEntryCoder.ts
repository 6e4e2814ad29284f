/**
 * Byte codec of a DLedger entry (see DLedgerEntry.ts for the layout) and the in-place patches the
 * leader applies to an encoded entry once it knows its index, term and position.
 */
import { readLong, writeLong } from "@rocketmq-ts/common";
import { BODY_OFFSET, HEADER_SIZE, POS_OFFSET, computeSizeInBytes, type DLedgerEntry } from "./DLedgerEntry.js";

/** Encode the whole entry; sets `entry.size`. */
export function encodeEntry(entry: DLedgerEntry): Buffer {
  const size = computeSizeInBytes(entry);
  const buf = Buffer.allocUnsafe(size);
  buf.writeInt32BE(entry.magic, 0);
  buf.writeInt32BE(size, 4);
  writeLong(buf, entry.index, 8);
  writeLong(buf, entry.term, 16);
  writeLong(buf, entry.pos, POS_OFFSET);
  buf.writeInt32BE(entry.channel, 32);
  buf.writeInt32BE(entry.chainCrc, 36);
  buf.writeInt32BE(entry.bodyCrc, 40);
  buf.writeInt32BE(entry.body.length, HEADER_SIZE);
  entry.body.copy(buf, BODY_OFFSET);
  return buf;
}

export class EntryDecodeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "EntryDecodeError";
  }
}

/**
 * Decode the entry at `offset` of `buf`. The body is copied (an entry outlives the mapping it was
 * read from) unless `copyBody` is false. As Java, the body is read only when its length is below
 * `size`; a body that runs past the buffer is an error.
 */
export function decodeEntry(buf: Buffer, offset = 0, copyBody = true): DLedgerEntry {
  if (buf.length - offset < BODY_OFFSET) {
    throw new EntryDecodeError(`entry header needs ${BODY_OFFSET} bytes, ${buf.length - offset} available`);
  }
  const size = buf.readInt32BE(offset + 4);
  const bodyLength = buf.readInt32BE(offset + HEADER_SIZE);
  let body = Buffer.alloc(0);
  if (bodyLength < size) {
    const start = offset + BODY_OFFSET;
    if (bodyLength < 0 || start + bodyLength > buf.length) {
      throw new EntryDecodeError(`entry body of ${bodyLength} bytes exceeds the ${buf.length - start} available`);
    }
    const view = buf.subarray(start, start + bodyLength);
    body = copyBody ? Buffer.from(view) : view;
  }
  return {
    magic: buf.readInt32BE(offset),
    size,
    index: readLong(buf, offset + 8),
    term: readLong(buf, offset + 16),
    pos: readLong(buf, offset + POS_OFFSET),
    channel: buf.readInt32BE(offset + 32),
    chainCrc: buf.readInt32BE(offset + 36),
    bodyCrc: buf.readInt32BE(offset + 40),
    body,
  };
}

/** Patch magic, index and term of an encoded entry (the leader's assignment). */
export function setIndexTerm(encoded: Buffer, index: number, term: number, magic: number): void {
  encoded.writeInt32BE(magic, 0);
  writeLong(encoded, index, 8);
  writeLong(encoded, term, 16);
}

/** Patch the position of an encoded entry. */
export function setPos(encoded: Buffer, pos: number): void {
  writeLong(encoded, pos, POS_OFFSET);
}

export function getPos(encoded: Buffer, offset = 0): number {
  return readLong(encoded, offset + POS_OFFSET);
}
