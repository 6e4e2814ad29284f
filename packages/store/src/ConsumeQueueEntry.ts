/**
 * The consume queue's 20-byte entry (Java's ConsumeQueue.CQ_STORE_UNIT_SIZE), big-endian:
 *
 *   commitLogOffset int64 | size int32 | tagsCode int64
 *
 * tagsCode is the hash code of the message's TAGS, or for SCHEDULE_TOPIC_XXXX the time the message
 * is due. This module is the only place that knows the layout.
 *
 * The field readers take the buffer and the entry's position and allocate nothing: recovery and pulls
 * scan thousands of entries, and read each field inline as before. `decodeCqEntry` builds an object for
 * callers that want one entry. Offsets and tags codes are JavaScript numbers: exact up to 2^53, as
 * everywhere in this store.
 */
import { readLong, writeLong } from "@rocketmq-ts/common";

export const CQ_STORE_UNIT_SIZE = 20;
const SIZE_POS = 8;
const TAGS_CODE_POS = 12;

/**
 * Size field of the blank entries that pre-fill a queue whose first file starts past queue offset 0
 * (commit-log offset 0, tags code 0): never a message.
 */
export const CQ_BLANK_ENTRY_SIZE = 0x7fffffff;

export interface CqEntry {
  /** Commit-log (physical) offset of the message. */
  offset: number;
  size: number;
  tagsCode: number;
}

/** Commit-log offset of the entry at `pos`. */
export function cqEntryOffset(buf: Buffer, pos: number): number {
  return readLong(buf, pos);
}

/** Message size of the entry at `pos`. */
export function cqEntrySize(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + SIZE_POS);
}

/** Tags code of the entry at `pos`. */
export function cqEntryTagsCode(buf: Buffer, pos: number): number {
  return readLong(buf, pos + TAGS_CODE_POS);
}

export function decodeCqEntry(buf: Buffer, pos: number): CqEntry {
  return { offset: cqEntryOffset(buf, pos), size: cqEntrySize(buf, pos), tagsCode: cqEntryTagsCode(buf, pos) };
}

/** Write one entry at `pos` (20 bytes). */
export function encodeCqEntry(buf: Buffer, pos: number, offset: number, size: number, tagsCode: number): void {
  writeLong(buf, offset, pos);
  buf.writeInt32BE(size, pos + SIZE_POS);
  writeLong(buf, tagsCode, pos + TAGS_CODE_POS);
}
