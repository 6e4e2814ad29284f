/**
 * What the DLedger commit log asks of a DLedger member (dledger's DLedgerServer as RocketMQ 4.9.8's
 * DLedgerCommitLog uses it), declared here so that the store does not depend on the dledger package
 * (which builds on the store's mapped files). `@rocketmq-ts/dledger`'s DLedgerServer (appendAsLeader,
 * onCommitted, isLeader, its DLedgerMmapFileStore as `store`) fits these types as it is.
 */

/** What an append as leader came to (the dledger package's DLedgerAppendResult). */
export interface DLedgerAppendResult {
  /** A DLedgerResponseCode: SUCCESS once a quorum has the entry. */
  code: number;
  /** The entry's index, -1 when it was not appended. */
  index: number;
  /** The entry's position in the data files, -1 when it was not appended; the record sits at pos + 48. */
  pos: number;
}

/** The entry as an append hook sees it (index, term and pos already assigned). */
export interface DLedgerHookEntry {
  pos: number;
}

/** The data files of the entry store (DLedger's MmapFileList). */
export interface DLedgerDataFileList {
  readonly storePath: string;
  readonly mappedFiles: readonly unknown[];
  /** Start of the first entry (0 without files). */
  getMinOffset(): number;
  /** End of the written entries. */
  getMaxWrotePosition(): number;
  readonly flushedWhere: number;
  /** The file to append to; the first one created at `startOffset` rounded down to a file start. */
  getLastMappedFile(startOffset?: number, create?: boolean): unknown;
}

/** The entry store (dledger's DLedgerMmapFileStore). */
export interface DLedgerEntryStore {
  readonly dataFileList: DLedgerDataFileList;
  /** Called with each encoded entry before a leader writes it; may patch `buffer` (the whole entry). */
  addAppendHook(hook: (entry: DLedgerHookEntry, buffer: Buffer, bodyOffset: number) => void): void;
  /** Map the files (idempotent). */
  load(): void;
  /** Find the ledger end, cut a dirty tail, read the committed index from the checkpoint (idempotent). */
  recover(): void;
  /** End of the committed entries; -1 before anything was committed. */
  getCommittedPos(): number;
  getCommittedIndex(): number;
  getLedgerEndIndex(): number;
  /** A view of the data at `pos`: `size` bytes, or to the end of the written data of its file. */
  getData(pos: number, size?: number): Buffer | null;
  flush(): Promise<void>;
}

/** The DLedger member a DLedger commit log appends through (the broker creates, starts and stops it). */
export interface DLedgerCommitLogBackend {
  readonly store: DLedgerEntryStore;
  /**
   * Append one entry body as leader; resolves once a quorum has it, or with the failure code. The
   * entry must be written (append hooks run) before this returns, as Java's handleAppend does under
   * the put lock: queue offsets are assigned in that order.
   */
  appendAsLeader(body: Buffer): Promise<DLedgerAppendResult>;
  /** Called whenever the committed index moved forward (leader and followers). */
  onCommitted(listener: (committedIndex: number) => void): void;
  readonly isLeader: boolean;
}
