/**
 * One DLedger log entry (dledger 0.3.1.2's DLedgerEntry): a 48-byte header and an opaque body. In
 * RocketMQ's DLedger commit log the body is one commit-log record.
 *
 * Layout (big-endian): magic int32 · size int32 · index int64 · term int64 · pos int64 · channel
 * int32 · chainCrc int32 · bodyCrc int32 · bodyLength int32 · body. `size` is the whole entry
 * (48 + body length); `pos` is the entry's own offset in the data files. 0.3.1.2 leaves channel,
 * chainCrc and bodyCrc at 0.
 */

/** Offset of the `pos` field in the header. */
export const POS_OFFSET = 4 + 4 + 8 + 8;
/** The header up to (not including) the body length. */
export const HEADER_SIZE = POS_OFFSET + 8 + 4 + 4 + 4;
/** Offset of the body: the header plus the body length. */
export const BODY_OFFSET = HEADER_SIZE + 4;

/** The only magic 0.3.1.2 writes. */
export const MAGIC_1 = 1;
export const CURRENT_MAGIC = MAGIC_1;

export interface DLedgerEntry {
  magic: number;
  /** The whole entry in bytes: BODY_OFFSET + body length (set by `computeSizeInBytes` / the encoder). */
  size: number;
  index: number;
  term: number;
  pos: number;
  channel: number;
  chainCrc: number;
  bodyCrc: number;
  body: Buffer;
}

/** A new entry around `body`, every header field 0 (index, term and pos are assigned by the store). */
export function createEntry(body: Buffer, fields: Partial<Omit<DLedgerEntry, "body">> = {}): DLedgerEntry {
  return {
    magic: 0,
    size: 0,
    index: 0,
    term: 0,
    pos: 0,
    channel: 0,
    chainCrc: 0,
    bodyCrc: 0,
    ...fields,
    body,
  };
}

/** Set and return `size` from the body length. */
export function computeSizeInBytes(entry: DLedgerEntry): number {
  entry.size = BODY_OFFSET + entry.body.length;
  return entry.size;
}

/** Java's DLedgerEntry.equals: size, magic, index, term, channel, pos and the body bytes (not the CRCs). */
export function entriesEqual(a: DLedgerEntry, b: DLedgerEntry | null | undefined): boolean {
  if (!b) return false;
  return (
    a.size === b.size &&
    a.magic === b.magic &&
    a.index === b.index &&
    a.term === b.term &&
    a.channel === b.channel &&
    a.pos === b.pos &&
    a.body.equals(b.body)
  );
}
