/**
 * DLedgerEntryPusher of dledger 0.3.1.2: replication of the entry store. As leader, one
 * EntryDispatcher per follower pushes the log, the QuorumAckChecker commits what a majority holds
 * and completes the pending appends; as follower, the EntryHandler applies the leader's pushes.
 * It is the request handler's replication part (PUSH, APPEND, GET, peer water marks) and what
 * DLedgerServer.appendAsLeader appends through.
 */
import type { Logger } from "pino";
import type { DLedgerConfig } from "../config/DLedgerConfig.js";
import { createEntry, type DLedgerEntry } from "../entry/DLedgerEntry.js";
import type { MemberState } from "../MemberState.js";
import { DLedgerResponseCode, checkCode } from "../protocol/DLedgerResponseCode.js";
import {
  AppendEntryResponseCodec,
  GetEntriesResponseCodec,
  type AppendEntryRequest,
  type AppendEntryResponse,
  type GetEntriesRequest,
  type GetEntriesResponse,
  type PushEntryRequest,
  type PushEntryResponse,
} from "../protocol/messages.js";
import type { DLedgerProtocol, DLedgerReplication } from "../rpc/DLedgerProtocol.js";
import type { DLedgerMmapFileStore } from "../store/DLedgerMmapFileStore.js";
import type { DLedgerTimer } from "../timer.js";
import { EntryDispatcher } from "./EntryDispatcher.js";
import { EntryHandler } from "./EntryHandler.js";
import { PeerWaterMarks } from "./PeerWaterMarks.js";
import { AppendFuture, PendingAppends } from "./PendingAppends.js";
import { QuorumAckChecker } from "./QuorumAckChecker.js";
import { REPLICATION_IDLE_WAIT_MS, type ReplicationContext } from "./ReplicationContext.js";

export type CommittedListener = (committedIndex: number) => void;

export interface DLedgerEntryPusherOptions {
  config: DLedgerConfig;
  memberState: MemberState;
  store: DLedgerMmapFileStore;
  transport: Pick<DLedgerProtocol, "push">;
  timer: DLedgerTimer;
  logger: Logger;
  idleWaitMs?: number;
}

/** An append as leader: the entry written (null when refused) and the future of its quorum ack. */
export interface LeaderAppend {
  entry: DLedgerEntry | null;
  future: AppendFuture;
}

export class DLedgerEntryPusher implements DLedgerReplication {
  readonly waterMarks: PeerWaterMarks;
  readonly pending: PendingAppends;
  readonly entryHandler: EntryHandler;
  readonly quorumAckChecker: QuorumAckChecker;
  readonly dispatchers = new Map<string, EntryDispatcher>();
  private readonly ctx: ReplicationContext;
  private readonly committedListeners: CommittedListener[] = [];

  constructor(options: DLedgerEntryPusherOptions) {
    const { config, memberState, store, timer, logger } = options;
    const peerIds = [...memberState.peerMap.keys()];
    this.waterMarks = new PeerWaterMarks(peerIds);
    this.pending = new PendingAppends({
      group: memberState.group,
      selfId: memberState.selfId,
      maxPendingRequestsNum: config.maxPendingRequestsNum,
      maxWaitAckTimeMs: config.maxWaitAckTimeMs,
      now: () => timer.now(),
    });
    this.ctx = {
      config,
      memberState,
      store,
      timer,
      logger,
      transport: options.transport,
      waterMarks: this.waterMarks,
      pending: this.pending,
      idleWaitMs: options.idleWaitMs ?? REPLICATION_IDLE_WAIT_MS,
      updateCommittedIndex: (term, index) => this.updateCommittedIndex(term, index),
      wakeupQuorumAckChecker: () => this.quorumAckChecker.loop.wakeup(),
    };
    for (const id of peerIds)
      if (id !== memberState.selfId) this.dispatchers.set(id, new EntryDispatcher(this.ctx, id));
    this.entryHandler = new EntryHandler(this.ctx);
    this.quorumAckChecker = new QuorumAckChecker(this.ctx);
  }

  private get loops() {
    return [this.entryHandler.loop, this.quorumAckChecker.loop, ...[...this.dispatchers.values()].map((d) => d.loop)];
  }

  startup(): void {
    for (const loop of this.loops) loop.start();
  }

  /** Stop the loops (they end after their current pass); `join()` waits for them. */
  stop(): void {
    for (const loop of this.loops) loop.stop();
  }

  async join(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.join()));
    // nobody will acknowledge them any more
    this.pending.failAll(DLedgerResponseCode.WAIT_QUORUM_ACK_TIMEOUT);
  }

  onCommitted(listener: CommittedListener): void {
    this.committedListeners.push(listener);
  }

  /** The store's updateCommittedIndex; the listeners hear of every forward move. */
  updateCommittedIndex(term: number, committedIndex: number): void {
    const store = this.ctx.store;
    const before = store.getCommittedIndex();
    store.updateCommittedIndex(term, committedIndex);
    const after = store.getCommittedIndex();
    if (after <= before) return;
    for (const listener of this.committedListeners) {
      try {
        listener(after);
      } catch (err) {
        this.ctx.logger.error({ err: (err as Error).message }, "committed listener failed");
      }
    }
  }

  getPeerWaterMark(term: number, peerId: string): number {
    return this.waterMarks.get(term, peerId);
  }

  isPendingFull(term: number): boolean {
    return this.pending.isPendingFull(term);
  }

  wakeUpDispatchers(): void {
    for (const d of this.dispatchers.values()) d.loop.wakeup();
  }

  /**
   * The checks before a leader append: NOT_LEADER / LEADER_TRANSFERRING throw their
   * DLedgerException; over maxPendingRequestsNum the answer is an already completed
   * LEADER_PENDING_FULL future (returned); otherwise null and the append goes on.
   */
  private checkLeaderAppend(): AppendFuture | null {
    const ms = this.ctx.memberState;
    checkCode(ms.isLeader(), "NOT_LEADER");
    checkCode(ms.transferee === null, "LEADER_TRANSFERRING");
    if (!this.pending.isPendingFull(ms.currTerm)) return null;
    const response = AppendEntryResponseCodec.create({
      group: ms.group,
      code: DLedgerResponseCode.LEADER_PENDING_FULL,
      term: ms.currTerm,
      leaderId: ms.selfId,
    });
    return AppendFuture.completed(-1, response);
  }

  /**
   * DLedgerServer.handleAppend after its request checks: LEADER_PENDING_FULL over
   * maxPendingRequestsNum, else the entry goes to the store at once (synchronously, so that appends
   * keep their call order) and the future waits for the quorum. Store refusals throw their
   * DLedgerException (NOT_LEADER, DISK_FULL, LEADER_TRANSFERRING …).
   */
  appendAsLeader(body: Buffer): LeaderAppend {
    const full = this.checkLeaderAppend();
    if (full) return { entry: null, future: full };
    const entry = this.ctx.store.appendAsLeader(createEntry(body));
    return { entry, future: this.awaitQuorum(entry) };
  }

  /**
   * DLedgerServer.handleAppend of a BatchAppendEntryRequest (RocketMQ's batch put): every body its
   * own entry, written now; one future, for the last entry (BatchAppendFuture). No bodies:
   * REQUEST_WITH_EMPTY_BODYS.
   */
  appendBatchAsLeader(bodies: readonly Buffer[]): { entries: DLedgerEntry[]; future: AppendFuture } {
    const full = this.checkLeaderAppend();
    if (full) return { entries: [], future: full };
    checkCode(bodies.length > 0, "REQUEST_WITH_EMPTY_BODYS", () => "BatchAppendEntryRequest with empty bodys");
    const entries = bodies.map((body) => this.ctx.store.appendAsLeader(createEntry(body)));
    return { entries, future: this.awaitQuorum(entries[entries.length - 1]!) };
  }

  /** The leader's own water mark moves to the written entry; its future waits for the quorum. */
  private awaitQuorum(entry: DLedgerEntry): AppendFuture {
    this.waterMarks.update(entry.term, this.ctx.memberState.selfId, entry.index);
    const future = this.pending.waitAck(entry);
    this.wakeUpDispatchers();
    return future;
  }

  // ---- DLedgerReplication (the request handler has checked address and role) -------------

  handlePush(request: PushEntryRequest): Promise<PushEntryResponse> {
    return this.entryHandler.handlePush(request);
  }

  handleAppend(request: AppendEntryRequest): Promise<AppendEntryResponse> {
    checkCode(request.body !== null, "UNEXPECTED_ARGUMENT", () => "AppendEntryRequest without a body");
    return this.appendAsLeader(request.body).future.promise;
  }

  handleGet(request: GetEntriesRequest): Promise<GetEntriesResponse> {
    checkCode(request.beginIndex !== null, "UNEXPECTED_ARGUMENT", () => "GetEntriesRequest without beginIndex");
    const entry = this.ctx.store.get(request.beginIndex);
    return Promise.resolve(GetEntriesResponseCodec.create({ group: this.ctx.memberState.group, entries: [entry] }));
  }
}
