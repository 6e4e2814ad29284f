/**
 * The leader's EntryDispatcher for one follower (dledger 0.3.1.2). States, per follower:
 * COMPARE (find the last entry both logs share, walking back from the leader's end) → TRUNCATE
 * (make the follower's log end at that entry) → APPEND (push every following entry, pipelined, one
 * request per entry or batches with isEnableBatchPush; retry the first unacknowledged one after
 * maxPushTimeOutMs; a COMMIT push when nothing was pushed for a second) → back to COMPARE on
 * INCONSISTENT_STATE or any failure. A term or leader change restarts at COMPARE.
 */
import {
  DLedgerException,
  DLedgerResponseCode,
  checkCode,
  dledgerResponseCodeName,
} from "../protocol/DLedgerResponseCode.js";
import {
  PushEntryRequestCodec,
  pushCount,
  pushFirstEntryIndex,
  type PushEntryRequest,
  type PushEntryResponse,
} from "../protocol/messages.js";
import type { DLedgerEntry } from "../entry/DLedgerEntry.js";
import type { PushEntryType as PushType } from "../protocol/VoteResult.js";
import { Quota } from "./Quota.js";
import { COMPARE_TIMEOUT_MS, type ReplicationContext } from "./ReplicationContext.js";
import { ServiceLoop, withTimeout } from "./ServiceLoop.js";

/** Java's maxPendingSize of a dispatcher: pushes in flight before it waits for answers. */
export const MAX_PENDING_PUSHES = 1000;

export class EntryDispatcher {
  readonly loop: ServiceLoop;
  type: PushType = "COMPARE";
  private lastPushCommitTimeMs = -1;
  private compareIndex = -1;
  private writeIndex = -1;
  private term = -1;
  private leaderId: string | null = null;
  private lastCheckLeakTimeMs: number;
  /** index → send time of single-entry pushes in flight. */
  private readonly pendingMap = new Map<number, number>();
  /** first index → send time and count of batch pushes in flight. */
  private readonly batchPendingMap = new Map<number, { sendTimeMs: number; count: number }>();
  private batch: DLedgerEntry[] = [];
  private batchTotalSize = 0;
  private readonly quota: Quota;

  constructor(
    private readonly ctx: ReplicationContext,
    readonly peerId: string,
  ) {
    this.lastCheckLeakTimeMs = ctx.timer.now();
    this.quota = new Quota(ctx.config.peerPushQuota);
    this.loop = new ServiceLoop(`EntryDispatcher-${ctx.memberState.selfId}-${peerId}`, ctx.timer, ctx.logger, () =>
      this.doWork(),
    );
  }

  private get now(): number {
    return this.ctx.timer.now();
  }

  /** Leader in the term this dispatcher works for; a new term or leader restarts at COMPARE. */
  private checkAndFreshState(): boolean {
    const ms = this.ctx.memberState;
    if (!ms.isLeader()) return false;
    if (this.term !== ms.currTerm || this.leaderId === null || this.leaderId !== ms.leaderId) {
      checkCode(ms.selfId === ms.leaderId, "UNKNOWN");
      this.term = ms.currTerm;
      this.leaderId = ms.selfId;
      this.changeState(-1, "COMPARE");
    }
    return true;
  }

  private buildPushRequest(entry: DLedgerEntry | null, type: PushType): PushEntryRequest {
    const ms = this.ctx.memberState;
    return PushEntryRequestCodec.create({
      group: ms.group,
      remoteId: this.peerId,
      leaderId: this.leaderId,
      localId: ms.selfId,
      term: this.term,
      entry,
      type,
      commitIndex: this.ctx.store.getCommittedIndex(),
    });
  }

  private changeState(index: number, target: PushType): void {
    this.ctx.logger.info(`[Push-${this.peerId}]Change state from ${this.type} to ${target} at ${index}`);
    switch (target) {
      case "APPEND":
        this.compareIndex = -1;
        this.ctx.waterMarks.update(this.term, this.peerId, index);
        this.ctx.wakeupQuorumAckChecker();
        this.writeIndex = index + 1;
        if (this.ctx.config.enableBatchPush) this.resetBatch();
        break;
      case "COMPARE":
        if (this.type === "APPEND") {
          this.compareIndex = -1;
          if (this.ctx.config.enableBatchPush) this.batchPendingMap.clear();
          else this.pendingMap.clear();
        }
        break;
      case "TRUNCATE":
        this.compareIndex = -1;
        break;
      default:
        break;
    }
    this.type = target;
  }

  private async doWork(): Promise<void> {
    try {
      if (!this.checkAndFreshState()) {
        await this.loop.waitForRunning(this.ctx.idleWaitMs);
        return;
      }
      if (this.type === "APPEND") {
        if (this.ctx.config.enableBatchPush) await this.doBatchAppend();
        else await this.doAppend();
      } else {
        await this.doCompare();
      }
      await this.loop.waitForRunning(this.ctx.idleWaitMs);
    } catch (err) {
      this.ctx.logger.error(
        { err: (err as Error).message, writeIndex: this.writeIndex, compareIndex: this.compareIndex },
        `[Push-${this.peerId}]Error in ${this.loop.name}`,
      );
      this.changeState(-1, "COMPARE");
      await this.loop.sleep(500);
    }
  }

  // ---- APPEND ---------------------------------------------------------------------------

  /** The entry to push, or null when it is below the leader's begin (then back to COMPARE). */
  private entryForAppend(index: number): DLedgerEntry | null {
    try {
      return this.ctx.store.get(index);
    } catch (err) {
      if (err instanceof DLedgerException && err.code === DLedgerResponseCode.INDEX_LESS_THAN_LOCAL_BEGIN) {
        this.ctx.logger.info(
          `[Push-${this.peerId}]Get INDEX_LESS_THAN_LOCAL_BEGIN when requested index is ${index}, try to compare`,
        );
        this.changeState(-1, "COMPARE");
        return null;
      }
      throw err;
    }
  }

  /** Far behind on old data: at most peerPushQuota bytes a second. */
  private async checkQuotaAndWait(entry: DLedgerEntry): Promise<void> {
    const store = this.ctx.store;
    if (store.getLedgerEndIndex() - entry.index <= MAX_PENDING_PUSHES) return;
    if (store.dataFileList.getMaxWrotePosition() - entry.pos < this.ctx.config.peerPushThrottlePoint) return;
    this.quota.sample(entry.size, this.now);
    if (this.quota.validateNow(this.now)) {
      const left = this.quota.leftNow(this.now);
      this.ctx.logger.warn(`[Push-${this.peerId}]Quota exhaust, will sleep ${left}ms`);
      await this.loop.sleep(left);
    }
  }

  private async doAppendInner(index: number): Promise<void> {
    const entry = this.entryForAppend(index);
    if (!entry) return;
    await this.checkQuotaAndWait(entry);
    const request = this.buildPushRequest(entry, "APPEND");
    const response = this.ctx.transport.push(request);
    this.pendingMap.set(index, this.now);
    void response.then((x) => this.onAppendResponse(x, false));
    this.lastPushCommitTimeMs = this.now;
  }

  private onAppendResponse(x: PushEntryResponse, batch: boolean): void {
    switch (x.code) {
      case DLedgerResponseCode.SUCCESS: {
        if (x.index === null) return;
        if (batch) {
          this.batchPendingMap.delete(x.index);
          this.ctx.waterMarks.update(x.term, this.peerId, x.count === 0 ? x.index : x.index + x.count - 1);
        } else {
          this.pendingMap.delete(x.index);
          this.ctx.waterMarks.update(x.term, this.peerId, x.index);
        }
        this.ctx.wakeupQuorumAckChecker();
        // an ack may let the next retry go (Java's 1 ms passes find it; ours are woken)
        this.loop.wakeup();
        break;
      }
      case DLedgerResponseCode.INCONSISTENT_STATE:
        this.ctx.logger.info(`[Push-${this.peerId}]Get INCONSISTENT_STATE when push index=${x.index} term=${x.term}`);
        this.changeState(-1, "COMPARE");
        break;
      default:
        this.ctx.logger.warn(`[Push-${this.peerId}]Get error response code ${dledgerResponseCodeName(x.code)}`);
        break;
    }
  }

  private doCommit(): void {
    if (this.now - this.lastPushCommitTimeMs > 1000) {
      // the answer is ignored
      void this.ctx.transport.push(this.buildPushRequest(null, "COMMIT"));
      this.lastPushCommitTimeMs = this.now;
    }
  }

  /** The first entry the follower has not acknowledged was pushed more than maxPushTimeOutMs ago: push it again. */
  private async doCheckAppendResponse(): Promise<void> {
    const next = this.ctx.waterMarks.get(this.term, this.peerId) + 1;
    const sendTimeMs = this.pendingMap.get(next);
    if (sendTimeMs !== undefined && this.now - sendTimeMs > this.ctx.config.maxPushTimeOutMs) {
      this.ctx.logger.warn(`[Push-${this.peerId}]Retry to push entry at ${next}`);
      await this.doAppendInner(next);
    }
  }

  private async doAppend(): Promise<void> {
    for (;;) {
      if (!this.checkAndFreshState() || this.type !== "APPEND") break;
      if (this.writeIndex > this.ctx.store.getLedgerEndIndex()) {
        this.doCommit();
        await this.doCheckAppendResponse();
        break;
      }
      if (this.pendingMap.size >= MAX_PENDING_PUSHES || this.now - this.lastCheckLeakTimeMs > 1000) {
        const mark = this.ctx.waterMarks.get(this.term, this.peerId);
        for (const index of [...this.pendingMap.keys()]) if (index < mark) this.pendingMap.delete(index);
        this.lastCheckLeakTimeMs = this.now;
      }
      if (this.pendingMap.size >= MAX_PENDING_PUSHES) {
        await this.doCheckAppendResponse();
        break;
      }
      await this.doAppendInner(this.writeIndex);
      this.writeIndex++;
    }
  }

  // ---- batch APPEND (isEnableBatchPush) --------------------------------------------------

  private resetBatch(): void {
    this.batch = [];
    this.batchTotalSize = 0;
  }

  private sendBatch(): void {
    const request = this.buildPushRequest(null, "APPEND");
    request.batchEntry = this.batch;
    request.totalSize = this.batchTotalSize;
    const response = this.ctx.transport.push(request);
    this.batchPendingMap.set(pushFirstEntryIndex(request), { sendTimeMs: this.now, count: pushCount(request) });
    void response.then((x) => this.onAppendResponse(x, true));
    this.lastPushCommitTimeMs = this.now;
    this.resetBatch();
  }

  private addToBatch(entry: DLedgerEntry): void {
    const first = this.batch[0];
    checkCode(!first || first.index + this.batch.length === entry.index, "UNKNOWN", () => "batch push wrong order");
    this.batch.push(entry);
    this.batchTotalSize += entry.size;
  }

  private doCheckBatchAppendResponse(): void {
    const first = this.ctx.waterMarks.get(this.term, this.peerId) + 1;
    const pending = this.batchPendingMap.get(first);
    if (pending && this.now - pending.sendTimeMs > this.ctx.config.maxPushTimeOutMs) {
      this.ctx.logger.warn(`[Push-${this.peerId}]Retry to push entry from ${first} to ${first + pending.count - 1}`);
      this.resetBatch();
      for (let i = first; i < first + pending.count; i++) this.addToBatch(this.ctx.store.get(i));
      this.sendBatch();
    }
  }

  private async doBatchAppend(): Promise<void> {
    for (;;) {
      if (!this.checkAndFreshState() || this.type !== "APPEND") break;
      if (this.writeIndex > this.ctx.store.getLedgerEndIndex()) {
        if (this.batch.length > 0) this.sendBatch();
        this.doCommit();
        this.doCheckBatchAppendResponse();
        break;
      }
      if (this.batchPendingMap.size >= MAX_PENDING_PUSHES || this.now - this.lastCheckLeakTimeMs > 1000) {
        const mark = this.ctx.waterMarks.get(this.term, this.peerId);
        for (const [first, p] of [...this.batchPendingMap])
          if (first + p.count - 1 <= mark) this.batchPendingMap.delete(first);
        this.lastCheckLeakTimeMs = this.now;
      }
      if (this.batchPendingMap.size >= MAX_PENDING_PUSHES) {
        this.doCheckBatchAppendResponse();
        break;
      }
      const entry = this.entryForAppend(this.writeIndex);
      if (entry) {
        this.addToBatch(entry);
        if (this.batchTotalSize >= this.ctx.config.maxBatchPushSize) this.sendBatch();
      }
      this.writeIndex++;
      // let answers and new appends in between large batches
      await Promise.resolve();
    }
  }

  // ---- COMPARE / TRUNCATE ---------------------------------------------------------------

  private pushAndWait(request: PushEntryRequest): Promise<PushEntryResponse | null> {
    return withTimeout(this.ctx.timer, this.ctx.transport.push(request), COMPARE_TIMEOUT_MS, () => null);
  }

  private async doTruncate(truncateIndex: number): Promise<void> {
    checkCode(this.type === "TRUNCATE", "UNKNOWN");
    const entry = this.ctx.store.get(truncateIndex);
    this.ctx.logger.info(
      `[Push-${this.peerId}]Will push data to truncate truncateIndex=${truncateIndex} pos=${entry.pos}`,
    );
    const response = await this.pushAndWait(this.buildPushRequest(entry, "TRUNCATE"));
    checkCode(response !== null, "UNKNOWN", () => `truncateIndex=${truncateIndex}`);
    if (response.code !== DLedgerResponseCode.SUCCESS) {
      throw new DLedgerException(response.code, `truncateIndex=${truncateIndex}`);
    }
    this.lastPushCommitTimeMs = this.now;
    this.changeState(truncateIndex, "APPEND");
  }

  private async doCompare(): Promise<void> {
    const store = this.ctx.store;
    for (;;) {
      if (!this.checkAndFreshState()) break;
      if (this.type !== "COMPARE" && this.type !== "TRUNCATE") break;
      if (this.compareIndex === -1 && store.getLedgerEndIndex() === -1) break;
      if (this.compareIndex === -1) {
        this.compareIndex = store.getLedgerEndIndex();
      } else if (this.compareIndex > store.getLedgerEndIndex() || this.compareIndex < store.getLedgerBeginIndex()) {
        this.ctx.logger.info(
          `[Push-${this.peerId}][DoCompare] compareIndex=${this.compareIndex} out of range ${store.getLedgerBeginIndex()}-${store.getLedgerEndIndex()}`,
        );
        this.compareIndex = store.getLedgerEndIndex();
      }
      const entry = store.get(this.compareIndex);
      const term = this.term;
      const response = await this.pushAndWait(this.buildPushRequest(entry, "COMPARE"));
      checkCode(response !== null, "INTERNAL_ERROR", () => `compareIndex=${this.compareIndex}`);
      if (response.code !== DLedgerResponseCode.INCONSISTENT_STATE && response.code !== DLedgerResponseCode.SUCCESS) {
        throw new DLedgerException(response.code, `compareIndex=${this.compareIndex}`);
      }
      // the leadership may have gone while the answer was on its way
      if (!this.checkAndFreshState() || this.term !== term) break;
      let truncateIndex = -1;
      if (response.code === DLedgerResponseCode.SUCCESS) {
        // same entry: append from here if it is the follower's last, else cut the follower's dirty tail
        if (this.compareIndex === response.endIndex) {
          this.changeState(this.compareIndex, "APPEND");
          break;
        }
        truncateIndex = this.compareIndex;
      } else if (response.endIndex < store.getLedgerBeginIndex() || response.beginIndex > store.getLedgerEndIndex()) {
        // no common range (a follower down while the leader deleted expired files)
        truncateIndex = store.getLedgerBeginIndex();
      } else if (this.compareIndex < response.beginIndex) {
        truncateIndex = store.getLedgerBeginIndex();
      } else if (this.compareIndex > response.endIndex) {
        // usual: the follower ends before the leader
        this.compareIndex = response.endIndex;
      } else {
        this.compareIndex--;
      }
      if (this.compareIndex < store.getLedgerBeginIndex()) truncateIndex = store.getLedgerBeginIndex();
      if (truncateIndex !== -1) {
        this.changeState(truncateIndex, "TRUNCATE");
        await this.doTruncate(truncateIndex);
        break;
      }
    }
  }
}
