/**
 * A DLedgerEntry as it travels inside PUSH / PULL / GET bodies: fastjson writes the bean's getters
 * (body as base64, no `computeSizeInBytes`), in alphabetical order. The store keeps the same fields
 * in its binary layout; any object with these fields can be pushed.
 */
export interface WireDLedgerEntry {
  magic: number;
  size: number;
  index: number;
  term: number;
  /** The entry's position in the data files (validates the follower's copy). */
  pos: number;
  /** Reserved (0). */
  channel: number;
  chainCrc: number;
  bodyCrc: number;
  body: Buffer | null;
}

/** A DLedgerEntry with Java's field defaults (all 0, no body). */
export function createWireEntry(init: Partial<WireDLedgerEntry> = {}): WireDLedgerEntry {
  return {
    magic: 0,
    size: 0,
    index: 0,
    term: 0,
    pos: 0,
    channel: 0,
    chainCrc: 0,
    bodyCrc: 0,
    body: null,
    ...init,
  };
}
