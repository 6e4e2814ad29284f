/**
 * The commit log: every message of every topic, appended to 1 GiB mapped files (store-ha-config.md §2); the master/slave
 * implementation of the CommitLogStore seam. Assigns physical and queue offsets, writes the BLANK
 * filler at file ends, flushes when asked (ASYNC_FLUSH rounds, SYNC_FLUSH group commit) and recovers
 * the valid tail after a restart (store-ha-config.md §5.4).
 */
import type { Logger } from "pino";
import {
  checkRecord,
  checkRecordSize,
  createMessageId,
  END_FILE_MIN_BLANK_LENGTH,
  writeBlank,
  writeRecord,
  type HostAddress,
  recordStoreTimestampAt,
  type PreparedRecord,
} from "@rocketmq-ts/common";
import { MessageSysFlag, transactionType } from "@rocketmq-ts/common";
import type { CommitLogStore, EntryFraming, PutMessageResult, SelectMappedBufferResult } from "./CommitLogStore.js";
import { commitLogStorePath, type MessageStoreConfig } from "./config/MessageStoreConfig.js";
import { isDiskFullError } from "./DiskFull.js";
import { OS_PAGE_SIZE, type MappedFile } from "./MappedFile.js";
import { MappedFileQueue } from "./MappedFileQueue.js";

export interface CommitLogOptions {
  storePath: string;
  mappedFileSize: number;
  logger: Logger;
  /**
   * Read files ahead of the writer (MappedFile.readAhead). Measured here: +50 % appends under
   * ASYNC_FLUSH, but half the group commits per second under SYNC_FLUSH, so only for the former.
   */
  readAhead: boolean;
  /** warmMapedFileEnable: pre-created files are warmed, forced as they go under SYNC_FLUSH. */
  warmMappedFile?: { force: boolean; forceEveryBytes: number };
  /**
   * Create the next file at start, before the first append needs it (the warm-up needs a head start).
   * Not on a slave: its first file starts at the master's offset, unknown until the first transfer.
   */
  preallocateOnStart?: boolean;
}

/** A recovery scan maps this much of a file ahead of its position at a time (MappedFile.populate). */
const SCAN_WINDOW = 32 * 1024 * 1024;

/** The options the store's configuration gives its commit log. */
export function commitLogOptions(config: MessageStoreConfig, logger: Logger): CommitLogOptions {
  return {
    storePath: commitLogStorePath(config),
    mappedFileSize: config.mappedFileSizeCommitLog,
    logger,
    // a slave flushes on the timer whatever the flush type
    readAhead: config.flushDiskType === "ASYNC_FLUSH" || config.brokerRole === "SLAVE",
    warmMappedFile: config.warmMapedFileEnable
      ? {
          force: config.flushDiskType === "SYNC_FLUSH",
          forceEveryBytes: config.flushLeastPagesWhenWarmMapedFile * OS_PAGE_SIZE,
        }
      : undefined,
    preallocateOnStart: config.warmMapedFileEnable && config.brokerRole !== "SLAVE",
  };
}

/** The commit log over mapped files: the master/slave implementation of the CommitLogStore seam. */
export class CommitLog implements CommitLogStore {
  readonly mappedFileQueue: MappedFileQueue;
  /** `<topic>-<queueId>` → next queue offset. */
  readonly topicQueueTable = new Map<string, number>();
  /** Store time of the last appended message. */
  lastStoreTimestamp = 0;
  /** Flush and slave acknowledgements are waited for after the append (PutMessageWaiter). */
  readonly replicatesOnAppend = false;

  constructor(private readonly options: CommitLogOptions) {
    this.mappedFileQueue = new MappedFileQueue(options.storePath, options.mappedFileSize, {
      preallocate: true,
      readAhead: options.readAhead,
      warm: options.warmMappedFile,
    });
  }

  get storePath(): string {
    return this.options.storePath;
  }

  /** Records back to back. */
  entryFraming(): EntryFraming | null {
    return null;
  }

  get mappedFileSize(): number {
    return this.options.mappedFileSize;
  }

  load(): void {
    this.mappedFileQueue.load();
    this.options.logger.info({ files: this.mappedFileQueue.files.length }, "load commit log OK");
  }

  start(): void {
    if (this.options.preallocateOnStart) this.mappedFileQueue.preallocateNext();
  }

  isEmpty(): boolean {
    return this.mappedFileQueue.files.length === 0;
  }

  getMinOffset(): number {
    const first = this.mappedFileQueue.firstMappedFile;
    if (!first) return -1;
    return first.isAvailable ? first.fileFromOffset : this.rollNextFile(first.fileFromOffset);
  }

  getMaxOffset(): number {
    return this.mappedFileQueue.getMaxOffset();
  }

  /** Every byte written is confirmed: replication to slaves does not hold back dispatch. */
  getConfirmOffset(): number {
    return this.getMaxOffset();
  }

  rollNextFile(offset: number): number {
    const size = this.options.mappedFileSize;
    return offset + size - (offset % size);
  }

  /**
   * Append encoded records (one message, or the items of a batch, all for `topic`/`queueId`) in one
   * go: same file, consecutive physical and queue offsets. Rolls to a new file (after a BLANK) when
   * they do not fit with 8 bytes to spare. Throws a disk-full error (`isDiskFullError`: ENOSPC from
   * MappedFile.prepareWrite or from creating the next file) before the records were written, so the
   * store can refuse the put as on a full disk; the log is unchanged then, apart from a BLANK that
   * may already have closed the previous file.
   */
  append(
    records: readonly PreparedRecord[],
    topic: string,
    queueId: number,
    sysFlag: number,
    storeHost: HostAddress,
    now = Date.now(),
  ): PutMessageResult {
    const total = records.reduce((n, r) => n + r.length, 0);
    if (total + END_FILE_MIN_BLANK_LENGTH > this.options.mappedFileSize) return { status: "MESSAGE_ILLEGAL" };
    let file: MappedFile | null;
    try {
      file = this.mappedFileQueue.getLastMappedFile(0);
      if (file && total + END_FILE_MIN_BLANK_LENGTH > file.remaining) {
        file.prepareWrite(file.wrotePosition + Math.min(file.remaining, 8));
        writeBlank(file.buffer, file.wrotePosition, file.remaining);
        file.wrotePosition = file.fileSize;
        file = this.mappedFileQueue.getLastMappedFile(0);
      }
    } catch (err) {
      if (isDiskFullError(err)) throw err;
      this.options.logger.error({ err: (err as Error).message }, "create mapped file failed");
      return { status: "CREATE_MAPEDFILE_FAILED" };
    }
    if (!file) return { status: "CREATE_MAPEDFILE_FAILED" };

    const key = `${topic}-${queueId}`;
    const tranType = transactionType(sysFlag);
    const noQueueOffset =
      tranType === MessageSysFlag.TRANSACTION_PREPARED_TYPE || tranType === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
    const firstQueueOffset = noQueueOffset ? 0 : (this.topicQueueTable.get(key) ?? 0);
    const wroteOffset = file.fileFromOffset + file.wrotePosition;
    let msgId = "";
    let pos = file.wrotePosition;
    file.prepareWrite(pos + total);
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as PreparedRecord;
      const physicalOffset = file.fileFromOffset + pos;
      writeRecord(file.buffer, pos, record, noQueueOffset ? 0 : firstQueueOffset + i, physicalOffset, now);
      pos += record.length;
      const id = createMessageId(storeHost, physicalOffset);
      msgId = i === 0 ? id : `${msgId},${id}`;
    }
    file.wrotePosition = pos;
    if (!noQueueOffset) this.topicQueueTable.set(key, firstQueueOffset + records.length);
    file.storeTimestamp = now;
    this.lastStoreTimestamp = now;
    return {
      status: "PUT_OK",
      appendResult: {
        wroteOffset,
        wroteBytes: total,
        msgId,
        storeTimestamp: now,
        logicsOffset: firstQueueOffset,
        msgNum: records.length,
      },
    };
  }

  /**
   * Slave: append replicated bytes at `startOffset`, which must be the end of the local log (the
   * first file of an empty log is created at the file boundary below it). A master never sends a
   * frame that crosses a file end, so the bytes always go to one file.
   */
  appendData(startOffset: number, data: Buffer): boolean {
    let file: MappedFile | null;
    try {
      file = this.mappedFileQueue.getLastMappedFile(startOffset);
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message }, "create mapped file failed");
      return false;
    }
    if (!file || file.fileFromOffset + file.wrotePosition !== startOffset) {
      this.options.logger.error({ startOffset, maxOffset: this.getMaxOffset() }, "appendData at a wrong offset");
      return false;
    }
    return file.appendBytes(data);
  }

  /** Raw bytes written from `offset` to the end of its file's data (for dispatch and replication). */
  getData(offset: number): SelectMappedBufferResult | null {
    const file = this.mappedFileQueue.findMappedFileByOffset(offset, offset === 0);
    if (!file) return null;
    const pos = offset % this.options.mappedFileSize;
    const buffer = file.selectMappedBuffer(pos);
    return buffer ? { buffer, startOffset: offset } : null;
  }

  /** The `size` bytes of the record at `offset`, or null if not (or no longer) stored. */
  getMessage(offset: number, size: number): Buffer | null {
    const file = this.mappedFileQueue.findMappedFileByOffset(offset, offset === 0);
    if (!file || !file.isAvailable) return null;
    return file.selectMappedBuffer(offset % this.options.mappedFileSize, size);
  }

  /** Store time of the record at `offset` (-1 if unreadable). */
  pickupStoreTimestamp(offset: number, size: number): number {
    const buf = this.getMessage(offset, size);
    if (!buf) return -1;
    const check = checkRecord(buf, 0, buf.length, false, false);
    return check.kind === "message" ? check.msg.storeTimestamp : -1;
  }

  /**
   * Scan records from the start of file `startIndex` and return where valid data ends (Java's
   * recovery loop: a BLANK moves to the next file, the first invalid record ends the scan). Header
   * fields are read in place (`checkRecordSize`); `onMessage` (abnormal recovery re-dispatching) gets
   * each valid record's bytes where they lie. The file being read and the next one are hinted to the
   * kernel (a cold start reads ahead), and the pages ahead of the scan are mapped a window at a time
   * (no fault per page).
   */
  scanValidEnd(
    startIndex: number,
    checkCRC: boolean,
    onMessage?: (buf: Buffer, pos: number, size: number) => void,
  ): number {
    const files = this.mappedFileQueue.files;
    const willNeed = (i: number): void => files[i]?.willNeed(this.options.mappedFileSize);
    willNeed(startIndex);
    willNeed(startIndex + 1);
    let index = startIndex;
    let file = files[index] as MappedFile;
    let buf = file.buffer;
    let end = file.fileSize;
    let pos = 0;
    let populated = 0;
    for (;;) {
      if (pos >= populated - SCAN_WINDOW / 2 && populated < end) {
        file.populate(populated, SCAN_WINDOW);
        populated += SCAN_WINDOW;
      }
      const size = checkRecordSize(buf, pos, end, checkCRC);
      if (size > 0) {
        onMessage?.(buf, pos, size);
        pos += size;
      } else if (size === 0) {
        index++;
        if (index >= files.length) {
          this.options.logger.info({ file: file.fileName }, "recover last 3 physics file over, last mapped file");
          break;
        }
        file = files[index] as MappedFile;
        buf = file.buffer;
        end = file.fileSize;
        pos = 0;
        populated = 0;
        willNeed(index + 1);
        this.options.logger.info({ file: file.fileName }, "recover next physics file");
      } else {
        // the slow decoder once, for the reason
        const check = checkRecord(buf, pos, end, checkCRC, true);
        this.options.logger.info(
          { file: file.fileName, pos, reason: check.kind === "invalid" ? check.reason : check.kind },
          "recover physics file end",
        );
        break;
      }
    }
    return file.fileFromOffset + pos;
  }

  /**
   * Normal recovery (clean shutdown): validate from the start of the third-last file (Java's rule;
   * the files before it are not read); returns the end of valid data.
   */
  recoverNormally(checkCRC: boolean): number {
    const files = this.mappedFileQueue.files;
    if (files.length === 0) {
      this.mappedFileQueue.flushedWhere = 0;
      return 0;
    }
    const processOffset = this.scanValidEnd(Math.max(0, files.length - 3), checkCRC);
    this.setEnd(processOffset);
    return processOffset;
  }

  /**
   * Abnormal recovery (abort file present): start at the newest file whose first record is a message
   * stored at or before the checkpoint's safe time (the first file when none is), re-dispatch every
   * valid record from there, truncate the dirty tail.
   */
  recoverAbnormally(
    checkCRC: boolean,
    safeTimestamp: number,
    dispatch: (buf: Buffer, pos: number, size: number) => void,
  ): number {
    const files = this.mappedFileQueue.files;
    if (files.length === 0) {
      this.mappedFileQueue.flushedWhere = 0;
      return 0;
    }
    let start = 0;
    for (let i = files.length - 1; i >= 0; i--) {
      const f = files[i] as MappedFile;
      const storeTimestamp = recordStoreTimestampAt(f.buffer, 0);
      if (storeTimestamp !== 0 && storeTimestamp <= safeTimestamp) {
        start = i;
        this.options.logger.info({ file: f.fileName, storeTimestamp }, "find check timestamp, recover from this file");
        break;
      }
    }
    const processOffset = this.scanValidEnd(start, checkCRC, dispatch);
    this.setEnd(processOffset);
    return processOffset;
  }

  private setEnd(processOffset: number): void {
    this.mappedFileQueue.flushedWhere = processOffset;
    this.mappedFileQueue.truncateDirtyFiles(processOffset);
  }

  /**
   * Delete files (never the last) older than `expiredMs`, or all eligible ones when `cleanImmediately`;
   * at most `maxBatch` per call (Java's DELETE_FILES_BATCH_MAX), pausing `deleteFilesInterval` ms
   * between two (Java's deleteCommitLogFilesInterval). Resolves with how many were deleted.
   */
  async deleteExpiredFile(
    expiredMs: number,
    deleteFilesInterval: number,
    cleanImmediately: boolean,
    maxBatch = 10,
  ): Promise<number> {
    const candidates = this.mappedFileQueue.files.slice(0, -1);
    let deleted = 0;
    for (let i = 0; i < candidates.length; i++) {
      const f = candidates[i] as MappedFile;
      // the store may have shut down (or the queue changed) during a pause
      if (this.mappedFileQueue.isClosed || this.mappedFileQueue.firstMappedFile !== f) break;
      if (!(Date.now() >= f.lastModifiedTimestamp() + expiredMs || cleanImmediately)) break;
      this.mappedFileQueue.deleteFiles([f]);
      deleted++;
      if (deleted >= maxBatch) break;
      if (deleteFilesInterval > 0 && i + 1 < candidates.length)
        await new Promise((resolve) => setTimeout(resolve, deleteFilesInterval));
    }
    return deleted;
  }

  /** Flush per the async rules: at least `leastPages` dirty pages, or everything when 0. */
  flush(leastPages: number): Promise<boolean> {
    return this.mappedFileQueue.flush(leastPages);
  }

  get flushedWhere(): number {
    return this.mappedFileQueue.flushedWhere;
  }

  shutdown(): void {
    this.mappedFileQueue.shutdown();
  }
}
