/**
 * The leader's pending appends (pendingAppendResponsesByTerm of dledger 0.3.1.2's
 * DLedgerEntryPusher, with its AppendFuture / TimeoutFuture): per term, index → the future of an
 * entry appended as leader and not yet acknowledged by a quorum. Futures complete with the
 * AppendEntryResponse Java builds: SUCCESS (with pos) on quorum ack, WAIT_QUORUM_ACK_TIMEOUT after
 * maxWaitAckTimeMs, TERM_CHANGED when the term moved on.
 */
import { DLedgerResponseCode } from "../protocol/DLedgerResponseCode.js";
import { AppendEntryResponseCodec, type AppendEntryResponse } from "../protocol/messages.js";

export class AppendFuture {
  readonly promise: Promise<AppendEntryResponse>;
  private resolve!: (response: AppendEntryResponse) => void;
  private doneValue = false;

  constructor(
    /** The entry's position in the data files (-1 when nothing was appended). */
    readonly pos: number,
    readonly createTimeMs: number,
    readonly timeOutMs: number,
  ) {
    this.promise = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  static completed(pos: number, response: AppendEntryResponse): AppendFuture {
    const future = new AppendFuture(pos, 0, 0);
    future.complete(response);
    return future;
  }

  get done(): boolean {
    return this.doneValue;
  }

  /** The first completion wins. */
  complete(response: AppendEntryResponse): void {
    if (this.doneValue) return;
    this.doneValue = true;
    this.resolve(response);
  }

  isTimeOut(now: number): boolean {
    return now - this.createTimeMs >= this.timeOutMs;
  }
}

export interface PendingAppendsContext {
  readonly group: string;
  readonly selfId: string;
  readonly maxPendingRequestsNum: number;
  readonly maxWaitAckTimeMs: number;
  now(): number;
}

export class PendingAppends {
  private readonly byTerm = new Map<number, Map<number, AppendFuture>>();

  constructor(private readonly ctx: PendingAppendsContext) {}

  forTerm(term: number): Map<number, AppendFuture> {
    let pending = this.byTerm.get(term);
    if (!pending) {
      pending = new Map();
      this.byTerm.set(term, pending);
    }
    return pending;
  }

  /** More than maxPendingRequestsNum appends of `term` wait for their quorum. */
  isPendingFull(term: number): boolean {
    return this.forTerm(term).size > this.ctx.maxPendingRequestsNum;
  }

  /** Register the future of an entry just appended as leader. */
  waitAck(entry: { index: number; term: number; pos: number }): AppendFuture {
    const future = new AppendFuture(entry.pos, this.ctx.now(), this.ctx.maxWaitAckTimeMs);
    this.forTerm(entry.term).set(entry.index, future);
    return future;
  }

  private success(term: number, index: number, future: AppendFuture): AppendEntryResponse {
    return AppendEntryResponseCodec.create({
      group: this.ctx.group,
      term,
      index,
      leaderId: this.ctx.selfId,
      pos: future.pos,
    });
  }

  /** Complete (SUCCESS) and remove the future of `index`; false when there was none. */
  ack(term: number, index: number): boolean {
    const pending = this.forTerm(term);
    const future = pending.get(index);
    if (!future) return false;
    pending.delete(index);
    if (!future.done) future.complete(this.success(term, index, future));
    return true;
  }

  /** Java's checkResponseFuturesTimeout: from `beginIndex` on, complete timed-out futures until one is not. */
  failTimedOut(term: number, beginIndex: number): void {
    const pending = this.forTerm(term);
    const now = this.ctx.now();
    for (let i = beginIndex; ; i++) {
      const future = pending.get(i);
      if (!future || !future.isTimeOut(now)) break;
      future.complete(
        AppendEntryResponseCodec.create({
          group: this.ctx.group,
          code: DLedgerResponseCode.WAIT_QUORUM_ACK_TIMEOUT,
          term,
          index: i,
          leaderId: this.ctx.selfId,
        }),
      );
    }
  }

  /** Java's checkResponseFuturesElapsed: everything up to `endIndex` is committed; complete and drop it. */
  ackUpTo(term: number, endIndex: number): void {
    const pending = this.forTerm(term);
    for (const [index, future] of [...pending]) {
      if (index > endIndex) continue;
      future.complete(this.success(term, index, future));
      pending.delete(index);
    }
  }

  /** The futures of other terms than `currTerm` (all when null) complete with TERM_CHANGED and are dropped. */
  failOtherTerms(currTerm: number | null, leaderId: string | null): void {
    if (currTerm !== null) this.forTerm(currTerm);
    for (const [term, pending] of [...this.byTerm]) {
      if (term === currTerm) continue;
      for (const [index, future] of pending) {
        future.complete(
          AppendEntryResponseCodec.create({
            group: this.ctx.group,
            index,
            code: DLedgerResponseCode.TERM_CHANGED,
            leaderId,
          }),
        );
      }
      this.byTerm.delete(term);
    }
  }

  /** At shutdown: every open future completes with `code`. */
  failAll(code: number): void {
    for (const [term, pending] of this.byTerm) {
      for (const [index, future] of pending) {
        future.complete(AppendEntryResponseCodec.create({ group: this.ctx.group, code, term, index }));
      }
      pending.clear();
    }
  }
}
