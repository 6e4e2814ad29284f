/**
 * One hash index file: 40-byte header, `hashSlotNum` 4-byte slots, `indexNum` 20-byte entries chained
 * per slot (newest first). Layout and rules: store-ha-config.md §4.
 */
import { javaStringHashCode } from "@rocketmq-ts/remoting";
import { putLong, readLong } from "@rocketmq-ts/common";
import { MappedFile } from "../MappedFile.js";

export const INDEX_HEADER_SIZE = 40;
const HASH_SLOT_SIZE = 4;
const INDEX_SIZE = 20;
const INVALID_INDEX = 0;

export function indexFileSize(hashSlotNum: number, indexNum: number): number {
  return INDEX_HEADER_SIZE + hashSlotNum * HASH_SLOT_SIZE + indexNum * INDEX_SIZE;
}

/** |String.hashCode()| with Integer.MIN_VALUE mapped to 0. */
export function indexKeyHash(key: string): number {
  return absHash(javaStringHashCode(key));
}

function absHash(h: number): number {
  return h === -2147483648 ? 0 : Math.abs(h);
}

// 31^n mod 2^32: hashCode(a + b) = hashCode(a) * 31^b.length + hashCode(b), so the index key
// `<topic>#<key>` hashes without building the string or rehashing the topic for every message.
const POW31 = new Int32Array(256);
POW31[0] = 1;
for (let i = 1; i < POW31.length; i++) POW31[i] = Math.imul(POW31[i - 1] as number, 31);
const topicPrefixHashes = new Map<string, number>();

/** `indexKeyHash(`${topic}#${key}`)`, computed without the concatenation. */
export function topicKeyHash(topic: string, key: string): number {
  let prefix = topicPrefixHashes.get(topic);
  if (prefix === undefined) {
    prefix = javaStringHashCode(`${topic}#`);
    if (topicPrefixHashes.size >= 100_000) topicPrefixHashes.clear();
    topicPrefixHashes.set(topic, prefix);
  }
  let pow = POW31[Math.min(key.length, POW31.length - 1)] as number;
  for (let i = POW31.length - 1; i < key.length; i++) pow = Math.imul(pow, 31);
  return absHash((Math.imul(prefix, pow) + javaStringHashCode(key)) | 0);
}

export class IndexFile {
  readonly mappedFile: MappedFile;
  /** Typed access to the mapping (much cheaper than Buffer's checked accessors on this hot path). */
  private readonly view: DataView;
  beginTimestamp = 0;
  endTimestamp = 0;
  beginPhyOffset = 0;
  endPhyOffset = 0;
  hashSlotCount = 0;
  indexCount = 1;

  constructor(
    readonly fileName: string,
    readonly hashSlotNum: number,
    readonly indexNum: number,
    /** For a new file after a full one: begin = end = the previous file's end (Java's quirk). */
    previous?: { endPhyOffset: number; endTimestamp: number },
  ) {
    this.mappedFile = MappedFile.open(fileName, indexFileSize(hashSlotNum, indexNum));
    const b = this.mappedFile.buffer;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (previous) {
      this.beginPhyOffset = this.endPhyOffset = previous.endPhyOffset;
      this.beginTimestamp = this.endTimestamp = previous.endTimestamp;
    }
  }

  /** Read the header of an existing file. */
  load(): void {
    const b = this.mappedFile.buffer;
    this.beginTimestamp = readLong(b, 0);
    this.endTimestamp = readLong(b, 8);
    this.beginPhyOffset = readLong(b, 16);
    this.endPhyOffset = readLong(b, 24);
    this.hashSlotCount = b.readInt32BE(32);
    this.indexCount = Math.max(1, b.readInt32BE(36));
  }

  private writeHeader(): void {
    const v = this.view;
    putLong(v, 0, this.beginTimestamp);
    putLong(v, 8, this.endTimestamp);
    putLong(v, 16, this.beginPhyOffset);
    putLong(v, 24, this.endPhyOffset);
    v.setInt32(32, this.hashSlotCount);
    v.setInt32(36, this.indexCount);
  }

  isWriteFull(): boolean {
    return this.indexCount >= this.indexNum;
  }

  private slotPosition(keyHash: number): number {
    return INDEX_HEADER_SIZE + (keyHash % this.hashSlotNum) * HASH_SLOT_SIZE;
  }

  private entryPosition(index: number): number {
    return INDEX_HEADER_SIZE + this.hashSlotNum * HASH_SLOT_SIZE + index * INDEX_SIZE;
  }

  /**
   * Give the pages that putting these key hashes (one message's keys) stores into their blocks:
   * the header, each key's slot, the next entries (MappedFile.ensureAllocated: slots are all over
   * a sparse file, and a store into a hole on a full disk is SIGBUS). Throws ENOSPC before
   * anything is written, so a message is indexed wholly or not at all.
   */
  reserve(keyHashes: readonly number[]): void {
    const n = Math.min(keyHashes.length, this.indexNum - this.indexCount);
    if (n <= 0) return;
    const file = this.mappedFile;
    file.ensureAllocated(0, INDEX_HEADER_SIZE);
    for (let i = 0; i < n; i++) file.ensureAllocated(this.slotPosition(keyHashes[i] as number), HASH_SLOT_SIZE);
    file.ensureAllocated(this.entryPosition(this.indexCount), n * INDEX_SIZE);
  }

  /**
   * Add an entry for a key hash (`indexKeyHash` / `topicKeyHash`); false when the file is full.
   * Throws ENOSPC, having written nothing, when a page it stores into cannot get its block.
   */
  putKey(keyHash: number, phyOffset: number, storeTimestamp: number): boolean {
    if (this.isWriteFull()) return false;
    const v = this.view;
    const absSlotPos = this.slotPosition(keyHash);
    const absIndexPos = this.entryPosition(this.indexCount);
    const file = this.mappedFile;
    file.ensureAllocated(0, INDEX_HEADER_SIZE);
    file.ensureAllocated(absSlotPos, HASH_SLOT_SIZE);
    file.ensureAllocated(absIndexPos, INDEX_SIZE);
    let slotValue = v.getInt32(absSlotPos);
    if (slotValue <= INVALID_INDEX || slotValue > this.indexCount) slotValue = INVALID_INDEX;
    let timeDiff = storeTimestamp - this.beginTimestamp;
    timeDiff = this.beginTimestamp <= 0 ? 0 : Math.floor(timeDiff / 1000);
    timeDiff = Math.min(Math.max(timeDiff, 0), 0x7fffffff);
    v.setInt32(absIndexPos, keyHash);
    putLong(v, absIndexPos + 4, phyOffset);
    v.setInt32(absIndexPos + 12, timeDiff);
    v.setInt32(absIndexPos + 16, slotValue);
    v.setInt32(absSlotPos, this.indexCount);
    if (this.indexCount <= 1) {
      this.beginPhyOffset = phyOffset;
      this.beginTimestamp = storeTimestamp;
      putLong(v, 0, storeTimestamp);
      putLong(v, 16, phyOffset);
    }
    if (slotValue === INVALID_INDEX) v.setInt32(32, ++this.hashSlotCount);
    v.setInt32(36, ++this.indexCount);
    this.endPhyOffset = phyOffset;
    this.endTimestamp = storeTimestamp;
    putLong(v, 8, storeTimestamp);
    putLong(v, 24, phyOffset);
    return true;
  }

  isTimeMatched(begin: number, end: number): boolean {
    return (
      (begin < this.beginTimestamp && end > this.endTimestamp) ||
      (begin >= this.beginTimestamp && begin <= this.endTimestamp) ||
      (end >= this.beginTimestamp && end <= this.endTimestamp)
    );
  }

  /** Physical offsets of entries whose hash matches `key` and whose time is within [begin, end]. */
  selectPhyOffset(out: number[], key: string, maxNum: number, begin: number, end: number): void {
    const b = this.mappedFile.buffer;
    const keyHash = indexKeyHash(key);
    const absSlotPos = INDEX_HEADER_SIZE + (keyHash % this.hashSlotNum) * HASH_SLOT_SIZE;
    const slotValue = b.readInt32BE(absSlotPos);
    if (slotValue <= INVALID_INDEX || slotValue > this.indexCount || this.indexCount <= 1) return;
    for (let nextIndexToRead = slotValue; ;) {
      if (out.length >= maxNum) break;
      const absIndexPos = INDEX_HEADER_SIZE + this.hashSlotNum * HASH_SLOT_SIZE + nextIndexToRead * INDEX_SIZE;
      const keyHashRead = b.readInt32BE(absIndexPos);
      const phyOffsetRead = readLong(b, absIndexPos + 4);
      const timeDiff = b.readInt32BE(absIndexPos + 12);
      const prevIndexRead = b.readInt32BE(absIndexPos + 16);
      if (timeDiff < 0) break;
      const timeRead = this.beginTimestamp + timeDiff * 1000;
      const timeMatched = timeRead >= begin && timeRead <= end;
      if (keyHash === keyHashRead && timeMatched) out.push(phyOffsetRead);
      if (
        prevIndexRead <= INVALID_INDEX ||
        prevIndexRead > this.indexCount ||
        prevIndexRead === nextIndexToRead ||
        timeRead < begin
      )
        break;
      nextIndexToRead = prevIndexRead;
    }
  }

  /** Write the header and flush; rejects (ENOSPC) when the header's page cannot get its block. */
  async flush(): Promise<number> {
    this.mappedFile.ensureAllocated(0, INDEX_HEADER_SIZE);
    this.writeHeader();
    return this.mappedFile.flush(0);
  }

  destroy(): void {
    this.mappedFile.destroy();
  }
}
