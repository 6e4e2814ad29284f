/**
 * One consume queue (topic + queue id): 20-byte entries (commit-log offset, size, tags code) in a
 * MappedFileQueue under consumequeue/<topic>/<queueId>. Layout and rules: store-ha-config.md §3.
 */
import { join } from "node:path";
import { readLong, writeLong } from "@rocketmq-ts/common";
import type { MappedFile } from "./MappedFile.js";
import { MappedFileQueue } from "./MappedFileQueue.js";

export const CQ_STORE_UNIT_SIZE = 20;

export interface CqEntry {
  offset: number;
  size: number;
  tagsCode: number;
}

export class ConsumeQueue {
  readonly mappedFileQueue: MappedFileQueue;
  /** End (offset + size) of the last message indexed; -1 when empty. */
  maxPhysicOffset = -1;
  /** Byte position of the queue's first valid entry. */
  minLogicOffset = 0;
  private readonly unit = Buffer.alloc(CQ_STORE_UNIT_SIZE);

  constructor(
    readonly topic: string,
    readonly queueId: number,
    storeRoot: string,
    readonly mappedFileSize: number,
  ) {
    this.mappedFileQueue = new MappedFileQueue(join(storeRoot, "consumequeue", topic, String(queueId)), mappedFileSize);
  }

  load(): void {
    this.mappedFileQueue.load();
  }

  /** Hint the kernel to read what `recover` and `correctMinOffset` will read (MappedFile.willNeed). */
  willNeedForRecovery(): void {
    const files = this.mappedFileQueue.files;
    files.forEach((file, i) => {
      // recover scans the last three files, correctMinOffset reads the first one's head; the kernel's
      // own read-ahead follows a sequential scan, so each file's first read is what needs overlapping
      // (and a bounded hint keeps thousands of queues from asking for gigabytes at once)
      if (i === 0 || i >= files.length - 3) file.willNeed(Math.min(file.allocatedBytes, 128 * 1024));
    });
  }

  /** Java's recover(): scan from the third-last file; the first invalid entry is the end. */
  recover(): void {
    const files = this.mappedFileQueue.files;
    if (files.length === 0) return;
    let index = Math.max(0, files.length - 3);
    let file = files[index] as MappedFile;
    let processOffset = file.fileFromOffset;
    let mappedFileOffset = 0;
    let maxExtAddr = -1;
    for (;;) {
      const buf = file.buffer;
      for (let i = 0; i < this.mappedFileSize; i += CQ_STORE_UNIT_SIZE) {
        const offset = readLong(buf, i);
        const size = buf.readInt32BE(i + 8);
        if (offset >= 0 && size > 0) {
          mappedFileOffset = i + CQ_STORE_UNIT_SIZE;
          this.maxPhysicOffset = offset + size;
          maxExtAddr = Math.max(maxExtAddr, readLong(buf, i + 12));
        } else break;
      }
      if (mappedFileOffset === this.mappedFileSize) {
        index++;
        if (index >= files.length) break;
        file = files[index] as MappedFile;
        processOffset = file.fileFromOffset;
        mappedFileOffset = 0;
      } else break;
    }
    processOffset += mappedFileOffset;
    this.mappedFileQueue.flushedWhere = processOffset;
    this.mappedFileQueue.truncateDirtyFiles(processOffset);
    void maxExtAddr;
  }

  /** Drop entries whose message starts at or beyond `phyOffset` (commit-log truncated). */
  truncateDirtyLogicFiles(phyOffset: number): void {
    this.maxPhysicOffset = phyOffset;
    const files = this.mappedFileQueue.files;
    while (files.length > 0) {
      const file = files[files.length - 1] as MappedFile;
      const buf = file.buffer;
      let kept = 0;
      let deleteFile = false;
      for (let i = 0; i < this.mappedFileSize; i += CQ_STORE_UNIT_SIZE) {
        const offset = readLong(buf, i);
        const size = buf.readInt32BE(i + 8);
        if (i === 0) {
          if (offset >= phyOffset) {
            deleteFile = true;
            break;
          }
          kept = CQ_STORE_UNIT_SIZE;
          this.maxPhysicOffset = offset + size;
        } else if (offset >= 0 && size > 0) {
          if (offset >= phyOffset) break;
          kept = i + CQ_STORE_UNIT_SIZE;
          this.maxPhysicOffset = offset + size;
        } else break;
      }
      if (deleteFile) {
        this.mappedFileQueue.deleteFiles([file]);
        continue;
      }
      file.wrotePosition = kept;
      file.flushedPosition = Math.min(file.flushedPosition, kept);
      return;
    }
  }

  /** After commit-log files were deleted: the first entry still pointing into the commit log. */
  correctMinOffset(phyMinOffset: number): void {
    const first = this.mappedFileQueue.firstMappedFile;
    if (!first) return;
    const buf = first.buffer;
    for (let i = 0; i < first.wrotePosition; i += CQ_STORE_UNIT_SIZE) {
      const offset = readLong(buf, i);
      const size = buf.readInt32BE(i + 8);
      if (offset >= phyMinOffset && size !== 0x7fffffff) {
        this.minLogicOffset = first.fileFromOffset + i;
        return;
      }
    }
  }

  getMinOffsetInQueue(): number {
    return Math.floor(this.minLogicOffset / CQ_STORE_UNIT_SIZE);
  }

  /** Next queue offset to be written. */
  getMaxOffsetInQueue(): number {
    return Math.floor(this.mappedFileQueue.getMaxOffset() / CQ_STORE_UNIT_SIZE);
  }

  /**
   * Append the entry for queue offset `cqOffset`. Already-built entries are skipped (idempotent
   * replay); a queue whose first file starts past 0 is pre-filled with blank entries, as Java does.
   */
  putMessagePositionInfo(offset: number, size: number, tagsCode: number, cqOffset: number): boolean {
    if (offset + size <= this.maxPhysicOffset) return true;
    const expectLogicOffset = cqOffset * CQ_STORE_UNIT_SIZE;
    const file = this.mappedFileQueue.getLastMappedFile(expectLogicOffset);
    if (!file) return false;
    if (file.firstCreateInQueue && cqOffset !== 0 && file.wrotePosition === 0) {
      this.minLogicOffset = expectLogicOffset;
      this.mappedFileQueue.flushedWhere = expectLogicOffset;
      this.fillPreBlank(file, expectLogicOffset);
    }
    if (cqOffset !== 0) {
      const currentLogicOffset = file.wrotePosition + file.fileFromOffset;
      if (expectLogicOffset < currentLogicOffset) return true; // already built
    }
    writeLong(this.unit, offset, 0);
    this.unit.writeInt32BE(size, 8);
    writeLong(this.unit, tagsCode, 12);
    this.maxPhysicOffset = offset + size;
    return file.appendBytes(this.unit);
  }

  private fillPreBlank(file: MappedFile, untilWhere: number): void {
    const blank = Buffer.alloc(CQ_STORE_UNIT_SIZE);
    writeLong(blank, 0, 0);
    blank.writeInt32BE(0x7fffffff, 8);
    const until = untilWhere % this.mappedFileSize;
    for (let i = 0; i < until; i += CQ_STORE_UNIT_SIZE) file.appendBytes(blank);
  }

  /** Entries from queue offset `startIndex` to the end of its file's written data. */
  getIndexBuffer(startIndex: number): { buffer: Buffer; startOffset: number } | null {
    const offset = startIndex * CQ_STORE_UNIT_SIZE;
    if (offset < this.minLogicOffset) return null;
    const file = this.mappedFileQueue.findMappedFileByOffset(offset);
    if (!file) return null;
    const buffer = file.selectMappedBuffer(offset % this.mappedFileSize);
    return buffer ? { buffer, startOffset: offset } : null;
  }

  /** Queue offset at which the next file starts (where a reader continues after a file's end). */
  rollNextFile(index: number): number {
    const perFile = this.mappedFileSize / CQ_STORE_UNIT_SIZE;
    return index + perFile - (index % perFile);
  }

  getEntry(index: number): CqEntry | null {
    const res = this.getIndexBuffer(index);
    if (!res || res.buffer.length < CQ_STORE_UNIT_SIZE) return null;
    return { offset: readLong(res.buffer, 0), size: res.buffer.readInt32BE(8), tagsCode: readLong(res.buffer, 12) };
  }

  /** Delete files whose last entry points below the commit log's new minimum; returns how many. */
  deleteExpiredFile(minCommitLogOffset: number): number {
    const files = this.mappedFileQueue.files;
    const victims: MappedFile[] = [];
    for (let i = 0; i < files.length - 1; i++) {
      const file = files[i] as MappedFile;
      const last = file.wrotePosition - CQ_STORE_UNIT_SIZE;
      if (last < 0) break;
      const maxOffsetInLogicQueue = readLong(file.buffer, last);
      if (maxOffsetInLogicQueue < minCommitLogOffset) victims.push(file);
      else break;
    }
    this.mappedFileQueue.deleteFiles(victims);
    this.correctMinOffset(minCommitLogOffset);
    return victims.length;
  }

  flush(leastPages: number): Promise<boolean> {
    return this.mappedFileQueue.flush(leastPages);
  }

  destroy(): void {
    this.maxPhysicOffset = -1;
    this.minLogicOffset = 0;
    this.mappedFileQueue.destroy();
  }
}
