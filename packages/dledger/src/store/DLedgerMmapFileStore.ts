/**
 * DLedger's mmap file store (dledger 0.3.1.2's DLedgerMmapFileStore), file-compatible with Java's:
 * entries in `data/` (entry n at its `pos`), one 32-byte index unit per entry in `index/` (unit n
 * at n × 32), the `checkpoint` file beside them. The leader appends (assigning index, term and
 * position, with hooks that patch the encoded entry first: RocketMQ writes PHYSICALOFFSET = pos + 48
 * into the body there), a follower appends what the leader sent at the same position, and a
 * follower's truncate cuts its log back to the leader's. A flush service flushes both file lists and
 * writes the checkpoint; a clean service deletes expired data files.
 */
import type { Logger } from "pino";
import { BODY_OFFSET, CURRENT_MAGIC, type DLedgerEntry, entriesEqual } from "../entry/DLedgerEntry.js";
import { decodeEntry, encodeEntry, setIndexTerm, setPos } from "../entry/DLedgerEntryCoder.js";
import { INDEX_UNIT_SIZE, decodeIndexUnit, encodeIndexUnit } from "../entry/DLedgerIndexUnit.js";
import { loadCheckpoint, persistCheckpoint } from "./DLedgerCheckpoint.js";
import { DLedgerCleanSpaceService } from "./DLedgerCleanSpaceService.js";
import { dledgerDataStorePath, dledgerDefaultPath, dledgerIndexStorePath } from "../config/DLedgerConfig.js";
import type { LedgerEndSource } from "../MemberState.js";
import type { DLedgerStoreMemberState } from "./DLedgerMemberState.js";
import type { DLedgerStoreConfig } from "./DLedgerStoreConfig.js";
import { DLedgerException, DLedgerResponseCode, checkCode } from "../protocol/DLedgerResponseCode.js";
import { scanDataFiles } from "./DLedgerStoreRecovery.js";
import { MmapFileList } from "./MmapFileList.js";

/** Called with the encoded entry (index, term and pos set) before it is written; may patch `buffer`. */
export type AppendHook = (entry: DLedgerEntry, buffer: Buffer, bodyOffset: number) => void;

export interface DLedgerMmapFileStoreOptions {
  config: DLedgerStoreConfig;
  memberState: DLedgerStoreMemberState;
  logger: Logger;
  /** Clock for the checkpoint interval and file expiry. */
  now?: () => number;
  /** Run the clean service (Java's enableCleanSpaceService, default true). */
  enableCleanSpaceService?: boolean;
}

export class DLedgerMmapFileStore implements LedgerEndSource {
  readonly dataFileList: MmapFileList;
  readonly indexFileList: MmapFileList;
  private readonly config: DLedgerStoreConfig;
  private readonly memberState: DLedgerStoreMemberState;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly appendHooks: AppendHook[] = [];
  private ledgerBeginIndex = -1;
  private _ledgerEndIndex = -1;
  private _ledgerEndTerm = 0;
  private committedIndex = -1;
  private committedPos = -1;
  private hasLoaded = false;
  private hasRecovered = false;
  private lastCheckPointTimeMs: number;
  /** Set by the clean service when the disk is above the full ratio: appends get DISK_FULL. */
  isDiskFull = false;
  private readonly cleanSpaceService: DLedgerCleanSpaceService | null;
  private flushLoop: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(options: DLedgerMmapFileStoreOptions) {
    this.config = options.config;
    this.memberState = options.memberState;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.lastCheckPointTimeMs = this.now();
    this.dataFileList = new MmapFileList(
      dledgerDataStorePath(this.config),
      this.config.mappedFileSizeForEntryData,
      true,
    );
    this.indexFileList = new MmapFileList(
      dledgerIndexStorePath(this.config),
      this.config.mappedFileSizeForEntryIndex,
      true,
    );
    this.cleanSpaceService =
      options.enableCleanSpaceService === false
        ? null
        : new DLedgerCleanSpaceService(this, this.config, this.logger, this.now);
  }

  get ledgerEndIndex(): number {
    return this._ledgerEndIndex;
  }

  get ledgerEndTerm(): number {
    return this._ledgerEndTerm;
  }

  getLedgerEndIndex(): number {
    return this._ledgerEndIndex;
  }

  getLedgerEndTerm(): number {
    return this._ledgerEndTerm;
  }

  getLedgerBeginIndex(): number {
    return this.ledgerBeginIndex;
  }

  getCommittedIndex(): number {
    return this.committedIndex;
  }

  /** End of the committed data (end of the committed index's entry); -1 before anything was committed. */
  getCommittedPos(): number {
    return this.committedPos;
  }

  getWritePos(): number {
    return this.dataFileList.getMaxWrotePosition();
  }

  getFlushPos(): number {
    return this.dataFileList.flushedWhere;
  }

  addAppendHook(hook: AppendHook): void {
    if (!this.appendHooks.includes(hook)) this.appendHooks.push(hook);
  }

  /** Load, recover, then run the flush service (and the clean service). */
  startup(): void {
    this.load();
    this.recover();
    this.stopped = false;
    this.flushLoop = this.runFlushService();
    this.cleanSpaceService?.start();
  }

  /** Stop the services, flush everything, write the checkpoint, close the files. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.flushLoop;
    this.flushLoop = null;
    await this.cleanSpaceService?.shutdown();
    await this.flush();
    this.persistCheckPoint();
    this.dataFileList.shutdown();
    this.indexFileList.shutdown();
  }

  async flush(): Promise<void> {
    await this.dataFileList.flush(0);
    await this.indexFileList.flush(0);
  }

  load(): void {
    if (this.hasLoaded) return;
    this.hasLoaded = true;
    this.dataFileList.load();
    this.indexFileList.load();
  }

  /** Find the ledger's begin and end from the files, cut a dirty tail, read the committed index. */
  recover(): void {
    if (this.hasRecovered) return;
    this.hasRecovered = true;
    const data = this.dataFileList;
    const index = this.indexFileList;
    checkCode(data.checkSelf(), "DISK_ERROR", () => "check data file order failed before recovery");
    checkCode(index.checkSelf(), "DISK_ERROR", () => "check index file order failed before recovery");
    const lastFile = data.lastMappedFile;
    if (!lastFile) {
      index.updateWherePosition(0);
      index.truncateOffset(0);
      return;
    }
    const end = scanDataFiles(data, index, this.logger);
    this.logger.info(
      `Recover data to the end entryIndex=${end.lastEntryIndex} processOffset=${end.processOffset} lastFileOffset=${lastFile.fileFromOffset}`,
    );
    if (lastFile.fileFromOffset - end.processOffset > lastFile.fileSize) {
      throw new DLedgerException(
        DLedgerResponseCode.DISK_ERROR,
        `[MONITOR]The processOffset is too small, you should check it manually before truncating the data from ${end.processOffset}`,
      );
    }
    this._ledgerEndIndex = end.lastEntryIndex;
    this._ledgerEndTerm = end.lastEntryTerm;
    if (end.lastEntryIndex !== -1) {
      const entry = this.get(end.lastEntryIndex);
      checkCode(entry.index === end.lastEntryIndex, "DISK_ERROR", () => `recheck index ${entry.index}`);
      this.reviseLedgerBeginIndex();
    }
    data.updateWherePosition(end.processOffset);
    data.truncateOffset(end.processOffset);
    const indexEnd = (end.lastEntryIndex + 1) * INDEX_UNIT_SIZE;
    index.updateWherePosition(indexEnd);
    index.truncateOffset(indexEnd);
    this.updateLedgerEndIndexAndTerm();
    checkCode(data.checkSelf(), "DISK_ERROR", () => "check data file order failed after recovery");
    checkCode(index.checkSelf(), "DISK_ERROR", () => "check index file order failed after recovery");
    const checkpoint = loadCheckpoint(dledgerDefaultPath(this.config));
    if (checkpoint?.committedIndex === undefined) return;
    this.logger.info(`Recover to get committed index=${checkpoint.committedIndex} from checkpoint`);
    this.updateCommittedIndex(this.memberState.currTerm, checkpoint.committedIndex);
  }

  /** The ledger begins at the first entry of the first data file; the index follows. */
  reviseLedgerBeginIndex(): void {
    const first = this.dataFileList.firstMappedFile;
    if (!first) return;
    const start = this.dataFileList.startPosition(first);
    this.ledgerBeginIndex = decodeEntry(first.buffer, start, false).index;
    this.indexFileList.resetOffset(this.ledgerBeginIndex * INDEX_UNIT_SIZE);
  }

  appendAsLeader(entry: DLedgerEntry): DLedgerEntry {
    checkCode(this.memberState.isLeader(), "NOT_LEADER");
    checkCode(!this.isDiskFull, "DISK_FULL");
    checkCode(this.memberState.transferee === null, "LEADER_TRANSFERRING");
    const encoded = encodeEntry(entry);
    const term = this.memberState.currTerm;
    const nextIndex = this._ledgerEndIndex + 1;
    entry.index = nextIndex;
    entry.term = term;
    entry.magic = CURRENT_MAGIC;
    setIndexTerm(encoded, nextIndex, term, CURRENT_MAGIC);
    const prePos = this.dataFileList.preAppend(encoded.length);
    checkCode(prePos !== -1, "DISK_ERROR");
    entry.pos = prePos;
    setPos(encoded, prePos);
    for (const hook of this.appendHooks) hook(entry, encoded, BODY_OFFSET);
    // the entry carries what was written (Java's keeps the body as it came)
    entry.body = encoded.subarray(BODY_OFFSET);
    const dataPos = this.dataFileList.append(encoded);
    checkCode(dataPos !== -1 && dataPos === prePos, "DISK_ERROR", () => `${dataPos} != ${prePos}`);
    this.appendIndexUnit(entry, dataPos, encoded.length);
    this._ledgerEndIndex = nextIndex;
    this._ledgerEndTerm = term;
    if (this.ledgerBeginIndex === -1) this.ledgerBeginIndex = nextIndex;
    this.updateLedgerEndIndexAndTerm();
    return entry;
  }

  appendAsFollower(entry: DLedgerEntry, leaderTerm: number, leaderId: string): DLedgerEntry {
    checkCode(this.memberState.isFollower(), "NOT_FOLLOWER");
    checkCode(!this.isDiskFull, "DISK_FULL");
    const encoded = encodeEntry(entry);
    checkCode(this._ledgerEndIndex + 1 === entry.index, "INCONSISTENT_INDEX");
    checkCode(leaderTerm === this.memberState.currTerm, "INCONSISTENT_TERM");
    checkCode(leaderId === this.memberState.leaderId, "INCONSISTENT_LEADER");
    const dataPos = this.dataFileList.append(encoded);
    checkCode(dataPos === entry.pos, "DISK_ERROR", () => `${dataPos} != ${entry.pos}`);
    this.appendIndexUnit(entry, dataPos, encoded.length);
    this._ledgerEndTerm = entry.term;
    this._ledgerEndIndex = entry.index;
    if (this.ledgerBeginIndex === -1) this.ledgerBeginIndex = entry.index;
    this.updateLedgerEndIndexAndTerm();
    return entry;
  }

  private appendIndexUnit(entry: DLedgerEntry, pos: number, size: number): void {
    const unit = encodeIndexUnit({ magic: entry.magic, pos, size, index: entry.index, term: entry.term });
    const indexPos = this.indexFileList.append(unit, false);
    checkCode(
      indexPos === entry.index * INDEX_UNIT_SIZE,
      "DISK_ERROR",
      () => `index unit of ${entry.index} at ${indexPos}`,
    );
  }

  /**
   * The follower's TRUNCATE: make `entry` (the leader's) the last entry of the log. An equal entry
   * already in place is kept, else everything from its position goes and it is written there.
   * Returns its index.
   */
  truncate(entry: DLedgerEntry, leaderTerm: number, leaderId: string): number {
    checkCode(this.memberState.isFollower(), "NOT_FOLLOWER");
    const encoded = encodeEntry(entry);
    checkCode(leaderTerm === this.memberState.currTerm, "INCONSISTENT_TERM", () => `term ${leaderTerm}`);
    checkCode(leaderId === this.memberState.leaderId, "INCONSISTENT_LEADER", () => `leaderId ${leaderId}`);
    let existed: boolean;
    try {
      existed = entriesEqual(entry, this.get(entry.index));
    } catch {
      existed = false;
    }
    const data = this.dataFileList;
    const truncatePos = existed ? entry.pos + entry.size : entry.pos;
    if (truncatePos !== data.getMaxWrotePosition()) {
      this.logger.warn(
        `[TRUNCATE]leaderId=${leaderId} index=${entry.index} truncatePos=${truncatePos} != maxPos=${data.getMaxWrotePosition()}, this is usually happened on the old leader`,
      );
    }
    data.clearFrom(truncatePos);
    data.truncateOffset(truncatePos);
    if (data.getMaxWrotePosition() !== truncatePos) {
      this.logger.warn(
        `[TRUNCATE] rebuild for data wrotePos: ${data.getMaxWrotePosition()} != truncatePos: ${truncatePos}`,
      );
      checkCode(data.rebuildWithPos(truncatePos), "DISK_ERROR", () => `rebuild data truncatePos=${truncatePos}`);
    }
    data.updateWherePosition(whereAfterTruncate(data, truncatePos));
    if (!existed) {
      const dataPos = data.append(encoded);
      checkCode(dataPos === entry.pos, "DISK_ERROR", () => `${dataPos} != ${entry.pos}`);
    }
    const index = this.indexFileList;
    const truncateIndexOffset = entry.index * INDEX_UNIT_SIZE;
    index.clearFrom(truncateIndexOffset);
    index.truncateOffset(truncateIndexOffset);
    if (index.getMaxWrotePosition() !== truncateIndexOffset) {
      this.logger.warn(
        `[TRUNCATE] rebuild for index wrotePos: ${index.getMaxWrotePosition()} != truncatePos: ${truncateIndexOffset}`,
      );
      checkCode(index.rebuildWithPos(truncateIndexOffset), "DISK_ERROR", () => `rebuild index ${truncateIndexOffset}`);
    }
    index.updateWherePosition(whereAfterTruncate(index, truncateIndexOffset));
    this.appendIndexUnit(entry, entry.pos, encoded.length);
    this._ledgerEndTerm = entry.term;
    this._ledgerEndIndex = entry.index;
    this.reviseLedgerBeginIndex();
    this.updateLedgerEndIndexAndTerm();
    return entry.index;
  }

  private indexCheck(index: number): void {
    checkCode(index >= 0, "INDEX_OUT_OF_RANGE", () => `${index} should gt 0`);
    checkCode(
      index >= this.ledgerBeginIndex,
      "INDEX_LESS_THAN_LOCAL_BEGIN",
      () => `${index} < ${this.ledgerBeginIndex}`,
    );
    checkCode(index <= this._ledgerEndIndex, "INDEX_OUT_OF_RANGE", () => `${index} > ${this._ledgerEndIndex}`);
  }

  /** Position and size of entry `index` from its index unit. */
  getEntryPosAndSize(index: number): { pos: number; size: number } {
    this.indexCheck(index);
    const unit = this.indexFileList.getData(index * INDEX_UNIT_SIZE, INDEX_UNIT_SIZE);
    checkCode(unit !== null, "DISK_ERROR", () => `Get null index for ${index}`);
    const { pos, size } = decodeIndexUnit(unit);
    return { pos, size };
  }

  /** Entry `index` (its body copied out of the mapping). */
  get(index: number): DLedgerEntry {
    const { pos, size } = this.getEntryPosAndSize(index);
    const bytes = this.dataFileList.getData(pos, size);
    checkCode(bytes !== null, "DISK_ERROR", () => `Get null data for ${index}`);
    const entry = decodeEntry(bytes);
    checkCode(entry.pos === pos, "DISK_ERROR", () => `${pos} != ${entry.pos}`);
    return entry;
  }

  /**
   * A view of the data files at `pos`: `size` bytes, or to the end of the written data of the file
   * holding `pos` (never across a file end). RocketMQ reads its records here at entry pos + 48.
   */
  getData(pos: number, size?: number): Buffer | null {
    return this.dataFileList.getData(pos, size);
  }

  updateCommittedIndex(term: number, newCommittedIndex: number): void {
    if (
      newCommittedIndex === -1 ||
      this._ledgerEndIndex === -1 ||
      term < this.memberState.currTerm ||
      newCommittedIndex === this.committedIndex
    )
      return;
    if (newCommittedIndex < this.committedIndex || newCommittedIndex < this.ledgerBeginIndex) {
      this.logger.warn(
        `[MONITOR]Skip update committed index for new=${newCommittedIndex} < old=${this.committedIndex} or new=${newCommittedIndex} < beginIndex=${this.ledgerBeginIndex}`,
      );
      return;
    }
    // a follower far behind may hear of a committed index beyond its end
    const committed = Math.min(newCommittedIndex, this._ledgerEndIndex);
    const { pos, size } = this.getEntryPosAndSize(committed);
    this.committedIndex = committed;
    this.committedPos = pos + size;
  }

  /** Write `checkpoint` (committedIndex, endIndex); a failure is logged, as Java. */
  persistCheckPoint(): void {
    try {
      persistCheckpoint(dledgerDefaultPath(this.config), {
        committedIndex: this.committedIndex,
        endIndex: this._ledgerEndIndex,
      });
    } catch (e) {
      this.logger.error({ err: e }, "Persist checkpoint failed");
    }
  }

  private updateLedgerEndIndexAndTerm(): void {
    this.memberState.updateLedgerIndexAndTerm(this._ledgerEndIndex, this._ledgerEndTerm);
  }

  /** Java's FlushDataService: flush both lists, write the checkpoint every checkPointInterval. */
  private async runFlushService(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.flush();
        if (this.now() - this.lastCheckPointTimeMs > this.config.checkPointInterval) {
          this.persistCheckPoint();
          this.lastCheckPointTimeMs = this.now();
        }
      } catch (e) {
        this.logger.info({ err: e }, "Error in DLedgerFlushDataService");
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = null;
          resolve();
        }, this.config.flushFileInterval);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
  }
}

/**
 * The flush position after a truncation at `offset` (Java's calculateWherePosition): unchanged when
 * nothing was flushed or when it is already below `offset`, the first file's start when it lies
 * before the files, else `offset`.
 */
function whereAfterTruncate(list: MmapFileList, offset: number): number {
  const flushed = list.flushedWhere;
  if (flushed === 0) return 0;
  const first = list.firstMappedFile;
  if (!first) return offset;
  if (flushed < first.fileFromOffset) return first.fileFromOffset;
  return flushed > offset ? offset : flushed;
}
