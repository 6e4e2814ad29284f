/**
 * One consume queue (topic + queue id): 20-byte entries (commit-log offset, size, tags code) in a
 * MappedFileQueue under consumequeue/<topic>/<queueId>. Layout and rules: store-ha-config.md §3.
 */
import { join } from "node:path";
import {
  CQ_BLANK_ENTRY_SIZE,
  CQ_STORE_UNIT_SIZE,
  cqEntryOffset,
  cqEntrySize,
  decodeCqEntry,
  encodeCqEntry,
  type CqEntry,
} from "./ConsumeQueueEntry.js";
import type { MappedFile } from "./MappedFile.js";
import { MappedFileQueue } from "./MappedFileQueue.js";

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
    for (;;) {
      const buf = file.buffer;
      for (let i = 0; i < this.mappedFileSize; i += CQ_STORE_UNIT_SIZE) {
        const offset = cqEntryOffset(buf, i);
        const size = cqEntrySize(buf, i);
        if (offset >= 0 && size > 0) {
          mappedFileOffset = i + CQ_STORE_UNIT_SIZE;
          this.maxPhysicOffset = offset + size;
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
        const offset = cqEntryOffset(buf, i);
        const size = cqEntrySize(buf, i);
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
      const offset = cqEntryOffset(buf, i);
      const size = cqEntrySize(buf, i);
      if (offset >= phyMinOffset && size !== CQ_BLANK_ENTRY_SIZE) {
        this.minLogicOffset = first.fileFromOffset + i;
        return;
      }
    }
  }

  getMinOffsetInQueue(): number {
    return Math.floor(this.minLogicOffset / CQ_STORE_UNIT_SIZE);
  }

  /**
   * End (offset + size) in the commit log of the last entry of the last file, -1 when that file holds
   * no entry (Java's getLastOffset: what cleanExpiredConsumerQueue compares with the commit log's minimum).
   */
  getLastOffset(): number {
    const last = this.mappedFileQueue.lastMappedFile;
    if (!last || last.wrotePosition < CQ_STORE_UNIT_SIZE) return -1;
    const at = last.wrotePosition - CQ_STORE_UNIT_SIZE;
    const offset = cqEntryOffset(last.buffer, at);
    const size = cqEntrySize(last.buffer, at);
    return offset >= 0 && size > 0 ? offset + size : -1;
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
    encodeCqEntry(this.unit, 0, offset, size, tagsCode);
    this.maxPhysicOffset = offset + size;
    return file.appendBytes(this.unit);
  }

  /**
   * Give the bytes of the entries for queue offsets [queueOffset, queueOffset + count) their blocks
   * now (MappedFile.prepareWrite; the file is created if needed), before the commit log takes the
   * messages they will point to: a full disk then throws ENOSPC here, with nothing stored, instead
   * of in `putMessagePositionInfo` after the message was. Entries past this file's end (a batch
   * crossing into the next file) get theirs when written.
   */
  reserve(queueOffset: number, count: number): void {
    const from = queueOffset * CQ_STORE_UNIT_SIZE;
    const file = this.mappedFileQueue.getLastMappedFile(from);
    if (!file) return;
    const end = from + count * CQ_STORE_UNIT_SIZE - file.fileFromOffset;
    if (end > 0) file.prepareWrite(Math.min(end, this.mappedFileSize));
  }

  private fillPreBlank(file: MappedFile, untilWhere: number): void {
    const blank = Buffer.alloc(CQ_STORE_UNIT_SIZE);
    encodeCqEntry(blank, 0, 0, CQ_BLANK_ENTRY_SIZE, 0);
    const until = untilWhere % this.mappedFileSize;
    for (let i = 0; i < until; i += CQ_STORE_UNIT_SIZE) file.appendBytes(blank);
  }

  /** Entries from queue offset `startIndex` to the end of its file's written data. */
  getIndexBuffer(startIndex: number): { buffer: Buffer; startOffset: number } | null {
    const offset = startIndex * CQ_STORE_UNIT_SIZE;
    if (offset < this.minLogicOffset) return null;
    const file = this.mappedFileQueue.findMappedFileByOffset(offset);
    if (!file) return null;
    // as Java's selectMappedBuffer: nothing written at that position is no buffer at all
    const buffer = file.selectMappedBuffer(offset % this.mappedFileSize);
    return buffer && buffer.length > 0 ? { buffer, startOffset: offset } : null;
  }

  /** Queue offset at which the next file starts (where a reader continues after a file's end). */
  rollNextFile(index: number): number {
    const perFile = this.mappedFileSize / CQ_STORE_UNIT_SIZE;
    return index + perFile - (index % perFile);
  }

  getEntry(index: number): CqEntry | null {
    const res = this.getIndexBuffer(index);
    if (!res || res.buffer.length < CQ_STORE_UNIT_SIZE) return null;
    return decodeCqEntry(res.buffer, 0);
  }

  /**
   * Queue offset of the first message stored at or after `timestamp`: Java's binary search over the
   * first file modified at or after that time (store-ha-config.md §3.3). `minPhyOffset` is the commit log's minimum (older
   * entries are skipped); `storeTimeOf` reads a message's store time (-1 if unreadable).
   */
  getOffsetInQueueByTime(
    timestamp: number,
    minPhyOffset: number,
    storeTimeOf: (offset: number, size: number) => number,
  ): number {
    const files = this.mappedFileQueue.files;
    const file = files.find((f) => f.lastModifiedTimestamp() >= timestamp) ?? files[files.length - 1];
    if (!file) return 0;
    const buf = file.selectMappedBuffer(0);
    if (!buf || buf.length === 0) return this.getMinOffsetInQueue();
    let low = this.minLogicOffset > file.fileFromOffset ? this.minLogicOffset - file.fileFromOffset : 0;
    let high = buf.length - CQ_STORE_UNIT_SIZE;
    let leftOffset = -1;
    let rightOffset = -1;
    let leftIndexValue = -1;
    let rightIndexValue = -1;
    let targetOffset = -1;
    while (high >= low) {
      const midOffset = Math.floor((low + high) / (2 * CQ_STORE_UNIT_SIZE)) * CQ_STORE_UNIT_SIZE;
      const phyOffset = cqEntryOffset(buf, midOffset);
      if (phyOffset < minPhyOffset) {
        low = midOffset + CQ_STORE_UNIT_SIZE;
        leftOffset = midOffset;
        continue;
      }
      const storeTime = storeTimeOf(phyOffset, cqEntrySize(buf, midOffset));
      if (storeTime < 0) return 0;
      if (storeTime === timestamp) {
        targetOffset = midOffset;
        break;
      } else if (storeTime > timestamp) {
        high = midOffset - CQ_STORE_UNIT_SIZE;
        rightOffset = midOffset;
        rightIndexValue = storeTime;
      } else {
        low = midOffset + CQ_STORE_UNIT_SIZE;
        leftOffset = midOffset;
        leftIndexValue = storeTime;
      }
    }
    let offset: number;
    if (targetOffset !== -1) offset = targetOffset;
    else if (leftIndexValue === -1) offset = rightOffset;
    else if (rightIndexValue === -1) offset = leftOffset;
    else
      offset = Math.abs(timestamp - leftIndexValue) > Math.abs(timestamp - rightIndexValue) ? rightOffset : leftOffset;
    return (file.fileFromOffset + Math.max(0, offset)) / CQ_STORE_UNIT_SIZE;
  }

  /** Delete files whose last entry points below the commit log's new minimum; returns how many. */
  deleteExpiredFile(minCommitLogOffset: number): number {
    const files = this.mappedFileQueue.files;
    const victims: MappedFile[] = [];
    for (let i = 0; i < files.length - 1; i++) {
      const file = files[i] as MappedFile;
      const last = file.wrotePosition - CQ_STORE_UNIT_SIZE;
      if (last < 0) break;
      const maxOffsetInLogicQueue = cqEntryOffset(file.buffer, last);
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
