/**
 * The commit log seam: everything the rest of the store asks of a commit log. DefaultMessageStore,
 * ReputMessageService, the flush and clean services and HA talk to the commit log only through this
 * interface. `CommitLog` implements it over mapped files (Java's CommitLog); a DLedger commit log
 * (Raft-replicated entries whose body is an ordinary commit-log record at physical offset = entry
 * position + 48, Java's DLedgerCommitLog) is the second (`dledger/DLedgerCommitLog`).
 *
 * Every offset here is a physical offset: the position of a record in the one stream of commit-log
 * records that consume queues, the index, pulls and replication address. The bytes at a record's
 * offset are always a complete record in the format of `@rocketmq-ts/common`'s record codec, or a
 * BLANK filler at a file end. A log that frames its records (DLedger's 48-byte entry headers) says so
 * through `entryFraming`: the reput service then walks entries, and `getData` returns them whole.
 */
import type { HostAddress, PreparedRecord } from "@rocketmq-ts/common";

export type PutMessageStatus =
  | "PUT_OK"
  | "FLUSH_DISK_TIMEOUT"
  | "FLUSH_SLAVE_TIMEOUT"
  | "SLAVE_NOT_AVAILABLE"
  | "SERVICE_NOT_AVAILABLE"
  | "CREATE_MAPEDFILE_FAILED"
  | "MESSAGE_ILLEGAL"
  | "PROPERTIES_SIZE_EXCEEDED"
  | "OS_PAGECACHE_BUSY"
  | "UNKNOWN_ERROR"
  // 5.x timer messages (the put hook's refusals, see timer/TimerPutHook)
  | "WHEEL_TIMER_FLOW_CONTROL"
  | "WHEEL_TIMER_MSG_ILLEGAL"
  | "WHEEL_TIMER_NOT_ENABLE";

export interface AppendMessageResult {
  /** Physical offset of the first record. */
  wroteOffset: number;
  wroteBytes: number;
  /** offsetMsgId(s), comma-joined for a batch. */
  msgId: string;
  storeTimestamp: number;
  /** Queue offset of the first record. */
  logicsOffset: number;
  msgNum: number;
}

export interface PutMessageResult {
  status: PutMessageStatus;
  appendResult?: AppendMessageResult;
}

/** Bytes read from the commit log (Java's SelectMappedBufferResult): a view, not a copy. */
export interface SelectMappedBufferResult {
  buffer: Buffer;
  /** Physical offset of `buffer[0]`. */
  startOffset: number;
}

/** How a log frames its records from some offset on (DLedger: a 48-byte entry header before each). */
export interface EntryFraming {
  /** Bytes before each record. */
  headerSize: number;
  /** The entry at `pos` is the file-end filler (the reput moves to the next file). */
  isBlank(buf: Buffer, pos: number): boolean;
  /** Size of the whole entry at `pos` (header + record), from its header. */
  entrySize(buf: Buffer, pos: number): number;
}

export interface CommitLogStore {
  /** The directory of the data files (Java's getStorePathPhysic): disk-usage checks look here. */
  readonly storePath: string;

  // --- lifecycle -------------------------------------------------------------------------------

  /** Open the files on disk (throws StoreLoadError when they are not loadable). */
  load(): void;
  /** Start background work once the store runs (e.g. creating the next file ahead of the writer). */
  start(): void;
  /** Release the files (after the final flush). */
  shutdown(): void;

  // --- recovery (store-ha-config.md §5.4) -------------------------------------------------------------------------

  /**
   * After a clean shutdown: validate the tail, truncate anything after the last valid record and
   * return the end of valid data.
   */
  recoverNormally(checkCRC: boolean): number;
  /**
   * After a crash (abort file present): re-read from a point older than `safeTimestamp` (the
   * checkpoint's), hand every valid record to `dispatch` — its commit-log record bytes at
   * `buf[pos, pos + size)`, valid only during the call (consume queues and index are rebuilt from
   * them) —, truncate the dirty tail and return the end of valid data.
   */
  recoverAbnormally(
    checkCRC: boolean,
    safeTimestamp: number,
    dispatch: (buf: Buffer, pos: number, size: number) => void,
  ): number;
  /** Holds no data at all (a new store, or all files removed): recovery then drops the consume queues. */
  isEmpty(): boolean;

  // --- append ----------------------------------------------------------------------------------

  /**
   * `<topic>-<queueId>` → next queue offset. The append assigns queue offsets from it; the store
   * rebuilds it from the consume queues after recovery.
   */
  readonly topicQueueTable: Map<string, number>;
  /**
   * Append one message or the records of one batch (all for `topic`/`queueId`) contiguously: same
   * file, consecutive physical and queue offsets, store time `now`. Prepared and rolled-back
   * transaction records get queue offset 0 and do not advance the queue. A log that replicates before
   * acknowledging (`replicatesOnAppend`) returns a promise of the replicated result.
   */
  append(
    records: readonly PreparedRecord[],
    topic: string,
    queueId: number,
    sysFlag: number,
    storeHost: HostAddress,
    now?: number,
  ): PutMessageResult | Promise<PutMessageResult>;
  /**
   * The append's result already covers durability and replication (a DLedger quorum): the store
   * waits neither for a group commit nor for HA slaves after it.
   */
  readonly replicatesOnAppend: boolean;
  /**
   * Store time of the newest record appended here or, on a slave, dispatched (the reput service
   * advances it); the flush services copy it into the checkpoint's physicMsgTimestamp.
   */
  lastStoreTimestamp: number;

  // --- read ------------------------------------------------------------------------------------

  /** The `size` bytes of the record at `offset`, or null if not (or no longer) stored. */
  getMessage(offset: number, size: number): Buffer | null;
  /**
   * Bytes from `offset` to the end of the data written in the file holding it (null if none): what
   * the reput service dispatches and the HA master sends. Never crosses a file end.
   */
  getData(offset: number): SelectMappedBufferResult | null;
  /** Store time of the record at `offset` (-1 if unreadable). */
  pickupStoreTimestamp(offset: number, size: number): number;
  /** First readable physical offset; -1 when the log holds no files. */
  getMinOffset(): number;
  /** End of the written data: the physical offset the next record gets. */
  getMaxOffset(): number;
  /**
   * End of the data that may be dispatched to consume queues and index (and served to consumers).
   * A master/slave commit log confirms every byte it wrote, so this is getMaxOffset(); a DLedger log
   * confirms what a quorum has committed.
   */
  getConfirmOffset(): number;
  /** How records are framed from `offset` on; null: records back to back. */
  entryFraming(offset: number): EntryFraming | null;
  /** Physical offset at which the file after the one holding `offset` starts. */
  rollNextFile(offset: number): number;

  // --- flush (store-ha-config.md §6) ------------------------------------------------------------------------------

  /**
   * Flush the file holding the flush position if it has at least `leastPages` dirty pages (0: any);
   * true when nothing was flushed. Data ending in the next file needs a second call.
   */
  flush(leastPages: number): Promise<boolean>;
  /** Physical offset up to which data is on disk. */
  readonly flushedWhere: number;

  // --- cleanup (store-ha-config.md §7) ----------------------------------------------------------------------------

  /**
   * Delete the oldest files (never the one being written) last modified more than `expiredMs` ago,
   * or every eligible one when `cleanImmediately` (disk nearly full), pausing `deleteFilesInterval`
   * ms between two; resolves with how many were deleted.
   */
  deleteExpiredFile(expiredMs: number, deleteFilesInterval: number, cleanImmediately: boolean): Promise<number>;

  // --- HA (store-ha-config.md §8) ---------------------------------------------------------------------------------

  /**
   * Slave: append bytes replicated from the master at `startOffset`, which must be this log's end
   * (an empty log starts at the file boundary below it); false when refused. The master sends them
   * from `getData`, so they never cross a file end.
   */
  appendData(startOffset: number, data: Buffer): boolean;
}
