/**
 * A real one-member DLedger backend for the DLedger commit log's tests: dledger's DLedgerMmapFileStore
 * in a directory, where an append as leader is the store's appendAsLeader and a quorum of one commits
 * it at once (`updateCommittedIndex`). `autoCommit = false` holds commits back until `commitAll()`
 * (a lagging quorum); `role` makes it a follower that refuses appends. It has DLedgerServer's surface
 * (store, appendAsLeader, onCommitted), so the commit log's tests run without elections or peers.
 */
import { pino } from "pino";
import {
  DLedgerMmapFileStore,
  DLedgerException,
  createEntry,
  defaultDLedgerStoreConfig,
  type DLedgerStoreConfig,
  type DLedgerStoreMemberState,
} from "@rocketmq-ts/dledger";
import type { DLedgerAppendResult, DLedgerCommitLogBackend } from "@rocketmq-ts/store";

const SUCCESS = 200;

class OneMemberState implements DLedgerStoreMemberState {
  readonly transferee = null;
  constructor(
    public role: "leader" | "follower",
    public term: number,
  ) {}
  get currTerm(): number {
    return this.term;
  }
  isLeader(): boolean {
    return this.role === "leader";
  }
  isFollower(): boolean {
    return this.role === "follower";
  }
  get leaderId(): string | null {
    return this.role === "leader" ? "n0" : null;
  }
  updateLedgerIndexAndTerm(): void {}
}

export interface SingleMemberOptions {
  /** storePathRootDir: the store goes to `<root>/dledger-<selfId>/`. */
  storeBaseDir: string;
  selfId?: string;
  mappedFileSizeForEntryData?: number;
  role?: "leader" | "follower";
}

export class SingleMemberDLedger implements DLedgerCommitLogBackend {
  readonly store: DLedgerMmapFileStore;
  readonly memberState: OneMemberState;
  /** Commit each append at once (a quorum of one); false: appends wait for `commitAll()`. */
  autoCommit = true;
  private readonly listeners: ((committedIndex: number) => void)[] = [];
  private readonly waiting: { index: number; pos: number; resolve: (r: DLedgerAppendResult) => void }[] = [];

  constructor(options: SingleMemberOptions) {
    const config: DLedgerStoreConfig = defaultDLedgerStoreConfig({
      storeBaseDir: options.storeBaseDir,
      selfId: options.selfId ?? "n0",
      ...(options.mappedFileSizeForEntryData ? { mappedFileSizeForEntryData: options.mappedFileSizeForEntryData } : {}),
    });
    this.memberState = new OneMemberState(options.role ?? "leader", 1);
    this.store = new DLedgerMmapFileStore({
      config,
      memberState: this.memberState,
      logger: pino({ level: "silent" }),
      enableCleanSpaceService: false,
    });
  }

  get isLeader(): boolean {
    return this.memberState.isLeader();
  }

  /** What DLedgerServer.start does for the store: load, recover, flush service. */
  start(): void {
    this.store.startup();
  }

  shutdown(): Promise<void> {
    return this.store.shutdown();
  }

  onCommitted(listener: (committedIndex: number) => void): void {
    this.listeners.push(listener);
  }

  appendAsLeader(body: Buffer): Promise<DLedgerAppendResult> {
    let index: number;
    let pos: number;
    try {
      const entry = this.store.appendAsLeader(createEntry(body));
      index = entry.index;
      pos = entry.pos;
    } catch (err) {
      if (err instanceof DLedgerException) return Promise.resolve({ code: err.code, index: -1, pos: -1 });
      throw err;
    }
    const done = new Promise<DLedgerAppendResult>((resolve) => this.waiting.push({ index, pos, resolve }));
    if (this.autoCommit) this.commitAll();
    return done;
  }

  /** The quorum acknowledges everything appended: commit to the ledger end and answer the appends. */
  commitAll(): void {
    const end = this.store.getLedgerEndIndex();
    if (end < 0 || end === this.store.getCommittedIndex()) return;
    this.store.updateCommittedIndex(this.memberState.term, end);
    for (const l of this.listeners) l(end);
    for (const w of this.waiting.splice(0)) w.resolve({ code: SUCCESS, index: w.index, pos: w.pos });
  }

  /** Answer the waiting appends with `code` (a quorum-ack timeout, say) without committing. */
  failWaiting(code: number): void {
    for (const w of this.waiting.splice(0)) w.resolve({ code, index: w.index, pos: w.pos });
  }
}
