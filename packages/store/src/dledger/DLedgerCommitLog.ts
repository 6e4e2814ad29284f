/**
 * The DLedger commit log (RocketMQ 4.9.8's DLedgerCommitLog): every message is the body of one
 * DLedger entry, appended through the member as leader and acknowledged once a quorum has it. The
 * record's physical offset is the entry's position + 48 (the entry header): an append hook writes it
 * into PHYSICALOFFSET before the entry is written, and consume queues, the index, pulls and
 * offsetMsgId all use it. Reads by physical offset land inside entries; the reput service walks
 * entries (header + record) and dispatches only committed ones.
 *
 * A commit log written before the broker switched to DLedger is kept (`old`): at the first DLedger
 * start its last file is closed with a BLANK and DLedger's first data file starts right after it
 * (`dividedCommitlogOffset`); offsets below it are read from the old files.
 */
import type { Logger } from "pino";
import {
  BLANK_MAGIC_CODE,
  checkRecord,
  createMessageId,
  MessageSysFlag,
  PHYSICAL_OFFSET_POS,
  transactionType,
  writeBlank,
  writeRecord,
  type HostAddress,
  type PreparedRecord,
} from "@rocketmq-ts/common";
import { CommitLog, type CommitLogOptions } from "../CommitLog.js";
import type {
  AppendMessageResult,
  CommitLogStore,
  EntryFraming,
  PutMessageResult,
  SelectMappedBufferResult,
} from "../CommitLogStore.js";
import type { MappedFile } from "../MappedFile.js";
import type { DLedgerAppendResult, DLedgerCommitLogBackend, DLedgerHookEntry } from "./DLedgerCommitLogBackend.js";
import { DLEDGER_BODY_OFFSET, putStatusOfDLedger } from "./DLedgerPutStatus.js";

/** DLedger's BLANK filler at a data file end (MmapFileList.BLANK_MAGIC_CODE). */
const DLEDGER_BLANK_MAGIC = -1;

const DLEDGER_FRAMING: EntryFraming = {
  headerSize: DLEDGER_BODY_OFFSET,
  isBlank: (buf, pos) => buf.readInt32BE(pos) === DLEDGER_BLANK_MAGIC,
  entrySize: (buf, pos) => buf.readInt32BE(pos + 4),
};

export interface DLedgerCommitLogOptions {
  backend: DLedgerCommitLogBackend;
  /** The old (pre-DLedger) commit log's files: storePathCommitLog, mappedFileSizeCommitLog. */
  oldCommitLog: CommitLogOptions;
  logger: Logger;
  /** Called when the committed position moved (the store runs its reput then). */
  onConfirmOffsetMoved?: () => void;
}

export class DLedgerCommitLog implements CommitLogStore {
  readonly topicQueueTable = new Map<string, number>();
  lastStoreTimestamp = 0;
  /** A put resolves once the quorum has it: no group commit or HA wait after it. */
  readonly replicatesOnAppend = true;
  /** Offsets below this are in the old commit log; -1 without one. */
  private divided = -1;
  private readonly old: CommitLog;
  private readonly backend: DLedgerCommitLogBackend;
  private readonly logger: Logger;
  /** Set while this log calls appendAsLeader: the position the hook saw. */
  private appendingPos: number | null = null;

  constructor(private readonly options: DLedgerCommitLogOptions) {
    this.backend = options.backend;
    this.logger = options.logger;
    this.old = new CommitLog({ ...options.oldCommitLog, preallocateOnStart: false, warmMappedFile: undefined });
    this.backend.store.addAppendHook((entry, buffer, bodyOffset) => this.appendHook(entry, buffer, bodyOffset));
    this.backend.onCommitted(() => this.options.onConfirmOffsetMoved?.());
  }

  /** Java's hook: PHYSICALOFFSET = entry pos + 48, written into the encoded entry before it is stored. */
  private appendHook(entry: DLedgerHookEntry, buffer: Buffer, bodyOffset: number): void {
    const physicalOffset = entry.pos + bodyOffset;
    buffer.writeBigInt64BE(BigInt(physicalOffset), bodyOffset + PHYSICAL_OFFSET_POS);
    if (this.appendingPos === -1) this.appendingPos = entry.pos;
  }

  get dividedCommitlogOffset(): number {
    return this.divided;
  }

  get storePath(): string {
    return this.backend.store.dataFileList.storePath;
  }

  private get store() {
    return this.backend.store;
  }

  // --- lifecycle ---------------------------------------------------------------------------------

  load(): void {
    this.old.load();
  }

  /** The DLedger member is started by the broker (it owns elections and the peer port). */
  start(): void {}

  /** The old files are released; the broker shuts the DLedger member (and its store) down. */
  shutdown(): void {
    this.old.shutdown();
  }

  // --- recovery ----------------------------------------------------------------------------------

  recoverNormally(checkCRC: boolean): number {
    return this.recover(checkCRC);
  }

  /** Java recovers a DLedger log the same way after a crash: the entry store's own recovery. */
  recoverAbnormally(checkCRC: boolean): number {
    return this.recover(checkCRC);
  }

  /**
   * Recover the entry store (end of valid entries, committed index from its checkpoint); the store
   * cuts consume queues beyond the written end. Without DLedger files but with an old commit log:
   * recover that, close its last file with a BLANK and create the first DLedger file after it.
   */
  private recover(checkCRC: boolean): number {
    const store = this.store;
    store.load();
    if (store.dataFileList.mappedFiles.length > 0) {
      store.recover();
      this.divided = store.dataFileList.getMinOffset();
      if (this.old.isEmpty()) this.divided = -1;
      return store.dataFileList.getMaxWrotePosition();
    }
    const processOffset = this.old.recoverNormally(checkCRC);
    const last = this.old.mappedFileQueue.lastMappedFile;
    if (!last) {
      store.recover();
      return processOffset;
    }
    this.closeOldCommitLog(last);
    this.divided = last.fileFromOffset + last.fileSize;
    store.dataFileList.getLastMappedFile(this.divided);
    store.recover();
    this.logger.info(
      { dividedCommitlogOffset: this.divided },
      `Will set the initial commitlog offset=${this.divided} for dledger`,
    );
    return processOffset;
  }

  /** The old log's last file ends with a BLANK and counts as full. */
  private closeOldCommitLog(last: MappedFile): void {
    const pos = last.wrotePosition;
    const remaining = last.fileSize - pos;
    const hasBlank = remaining >= 8 && last.buffer.readInt32BE(pos + 4) === BLANK_MAGIC_CODE;
    this.logger.info(
      { needWriteMagicCode: !hasBlank, pos: last.fileFromOffset + pos, file: last.fileName },
      "Recover old commitlog",
    );
    if (!hasBlank && remaining >= 8) {
      last.prepareWrite(pos + 8);
      writeBlank(last.buffer, pos, remaining);
    }
    last.wrotePosition = last.fileSize;
    void last.flush(0);
  }

  isEmpty(): boolean {
    return this.old.isEmpty() && this.store.dataFileList.mappedFiles.length === 0;
  }

  // --- append ------------------------------------------------------------------------------------

  /**
   * Append through the member as leader: one entry per record (a batch is consecutive entries, with
   * the 48-byte headers between its records), queue offsets assigned in entry order; resolves with
   * the quorum's answer.
   */
  append(
    records: readonly PreparedRecord[],
    topic: string,
    queueId: number,
    sysFlag: number,
    storeHost: HostAddress,
    now = Date.now(),
  ): Promise<PutMessageResult> | PutMessageResult {
    const tranType = transactionType(sysFlag);
    const noQueueOffset =
      tranType === MessageSysFlag.TRANSACTION_PREPARED_TYPE || tranType === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
    // Java refuses transactional and delayed batches in DLedger mode (the batch path has no such fields)
    if (records.length > 1 && tranType !== MessageSysFlag.TRANSACTION_NOT_TYPE) return { status: "MESSAGE_ILLEGAL" };
    const key = `${topic}-${queueId}`;
    const firstQueueOffset = noQueueOffset ? 0 : (this.topicQueueTable.get(key) ?? 0);
    const positions: number[] = [];
    const pending: Promise<DLedgerAppendResult>[] = [];
    let wroteBytes = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as PreparedRecord;
      const body = Buffer.allocUnsafe(record.length);
      writeRecord(body, 0, record, noQueueOffset ? 0 : firstQueueOffset + i, 0, now);
      // the hook sees the entry being written: appendAsLeader writes before it waits for the quorum
      this.appendingPos = -1;
      let result: Promise<DLedgerAppendResult>;
      try {
        result = this.backend.appendAsLeader(body);
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, "Put message error");
        result = Promise.resolve({ code: -1, index: -1, pos: -1 });
      }
      const pos = this.appendingPos;
      this.appendingPos = null;
      pending.push(result);
      if (pos === null || pos < 0) break;
      positions.push(pos);
      wroteBytes += record.length;
    }
    const appended = positions.length;
    if (appended > 0 && !noQueueOffset) this.topicQueueTable.set(key, firstQueueOffset + appended);
    if (appended > 0) this.lastStoreTimestamp = now;
    return this.settle(pending, positions, wroteBytes, firstQueueOffset, storeHost, now);
  }

  private async settle(
    pending: Promise<DLedgerAppendResult>[],
    positions: number[],
    wroteBytes: number,
    logicsOffset: number,
    storeHost: HostAddress,
    now: number,
  ): Promise<PutMessageResult> {
    const results = await Promise.all(pending);
    const failed = results.find((r) => putStatusOfDLedger(r.code, r.pos) !== "PUT_OK");
    const first = results[0];
    if (positions.length === 0 || !first) {
      const r = failed ?? first;
      return { status: r ? putStatusOfDLedger(r.code, r.pos) : "UNKNOWN_ERROR" };
    }
    const offsets = positions.map((pos) => pos + DLEDGER_BODY_OFFSET);
    const appendResult: AppendMessageResult = {
      wroteOffset: offsets[0] as number,
      wroteBytes,
      msgId: offsets.map((o) => createMessageId(storeHost, o)).join(","),
      storeTimestamp: now,
      logicsOffset,
      msgNum: positions.length,
    };
    return { status: failed ? putStatusOfDLedger(failed.code, failed.pos) : "PUT_OK", appendResult };
  }

  // --- read --------------------------------------------------------------------------------------

  /** Committed bytes from `offset` to the end of the data of its file (entries, headers included). */
  getData(offset: number): SelectMappedBufferResult | null {
    if (offset < this.divided) return this.old.getData(offset);
    const committedPos = this.store.getCommittedPos();
    if (offset >= committedPos) return null;
    const buffer = this.store.getData(offset);
    if (!buffer) return null;
    const size = Math.min(buffer.length, committedPos - offset);
    return { buffer: size === buffer.length ? buffer : buffer.subarray(0, size), startOffset: offset };
  }

  /** The record at a physical offset (inside an entry for DLedger data). */
  getMessage(offset: number, size: number): Buffer | null {
    if (offset < this.divided) return this.old.getMessage(offset, size);
    return this.store.getData(offset, size);
  }

  pickupStoreTimestamp(offset: number, size: number): number {
    const buf = this.getMessage(offset, size);
    if (!buf) return -1;
    const check = checkRecord(buf, 0, buf.length, false, false);
    return check.kind === "message" ? check.msg.storeTimestamp : -1;
  }

  /** Entries (and the old log's plain records before them) framed for the reput service. */
  entryFraming(offset: number): EntryFraming | null {
    return offset < this.divided ? null : DLEDGER_FRAMING;
  }

  getMinOffset(): number {
    if (!this.old.isEmpty()) return this.old.getMinOffset();
    return this.store.dataFileList.getMinOffset();
  }

  /** Java's: the committed position, else the start of the DLedger data, else 0. */
  getMaxOffset(): number {
    const committedPos = this.store.getCommittedPos();
    if (committedPos > 0) return committedPos;
    const min = this.store.dataFileList.getMinOffset();
    return min > 0 ? min : 0;
  }

  /** Only committed entries are dispatched. */
  getConfirmOffset(): number {
    return this.getMaxOffset();
  }

  rollNextFile(offset: number): number {
    return this.old.rollNextFile(offset);
  }

  // --- flush and cleanup -------------------------------------------------------------------------

  /** The entry store flushes itself (DLedger's flush service); this forces it, and the old log. */
  async flush(leastPages: number): Promise<boolean> {
    if (leastPages > 0) return true;
    await this.store.flush();
    return true;
  }

  get flushedWhere(): number {
    return this.store.dataFileList.flushedWhere;
  }

  /**
   * Expired old commit-log files go (the last one too, as Java's DLedgerCommitLog); DLedger's own
   * clean service deletes expired entry files.
   */
  async deleteExpiredFile(expiredMs: number, deleteFilesInterval: number, cleanImmediately: boolean): Promise<number> {
    if (this.old.isEmpty()) return 0;
    const deleted = await this.old.deleteExpiredFile(expiredMs, deleteFilesInterval, cleanImmediately);
    const files = this.old.mappedFileQueue.files;
    if (deleted > 0 || files.length !== 1) return deleted;
    const last = files[0] as MappedFile;
    if (Date.now() >= last.lastModifiedTimestamp() + expiredMs || cleanImmediately) {
      this.logger.info({ file: last.fileName }, "Try to delete the last old commitlog file");
      this.old.mappedFileQueue.deleteFiles([last]);
      return 1;
    }
    return 0;
  }

  /** The master/slave HA path does not apply: DLedger replicates entries itself. */
  appendData(): boolean {
    return false;
  }
}
