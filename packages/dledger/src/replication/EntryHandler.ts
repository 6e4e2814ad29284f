/**
 * The follower's EntryHandler (dledger 0.3.1.2): PUSH requests are queued — APPENDs by their first
 * index, COMPARE / TRUNCATE / COMMIT in arrival order (1024 at most) — and applied one at a time:
 * COMPARE / TRUNCATE / COMMIT first, then the APPEND that continues the ledger. Every answer carries
 * the request's group, term, first index and count (not for COMMIT) and the follower's begin and end
 * index. A member that is not follower answers the queued COMPARE / TRUNCATE / COMMIT NOT_FOLLOWER.
 * Once a second an APPEND the ledger already holds is answered from the store, and one stuck ahead
 * of a gap for over a second is answered INCONSISTENT_STATE (the leader then compares again).
 */
import { entriesEqual, type DLedgerEntry } from "../entry/DLedgerEntry.js";
import { DLedgerResponseCode, checkCode } from "../protocol/DLedgerResponseCode.js";
import {
  PushEntryResponseCodec,
  pushCount,
  pushFirstEntryIndex,
  pushLastEntryIndex,
  type PushEntryRequest,
  type PushEntryResponse,
} from "../protocol/messages.js";
import type { WireDLedgerEntry } from "../protocol/wireEntry.js";
import type { ReplicationContext } from "./ReplicationContext.js";
import { ServiceLoop } from "./ServiceLoop.js";

/** Capacity of the COMPARE / TRUNCATE / COMMIT queue. */
export const COMPARE_OR_TRUNCATE_QUEUE_SIZE = 1024;
/** A queued push "times out" after 1 s (Java's TimeoutFuture(1000), below the 3 s RPC timeout). */
export const PUSH_FUTURE_TIMEOUT_MS = 1000;

interface PendingPush {
  request: PushEntryRequest;
  createTimeMs: number;
  resolve: (response: PushEntryResponse) => void;
  done: boolean;
}

/** The store's entry for a pushed one (a missing body is an empty one). */
export function storeEntryOf(wire: WireDLedgerEntry): DLedgerEntry {
  return { ...wire, body: wire.body ?? Buffer.alloc(0) };
}

export class EntryHandler {
  readonly loop: ServiceLoop;
  private lastCheckFastForwardTimeMs: number;
  /** first entry index → queued APPEND. */
  private readonly writeRequestMap = new Map<number, PendingPush>();
  private readonly compareOrTruncateRequests: PendingPush[] = [];

  constructor(private readonly ctx: ReplicationContext) {
    this.lastCheckFastForwardTimeMs = ctx.timer.now();
    this.loop = new ServiceLoop(`EntryHandler-${ctx.memberState.selfId}`, ctx.timer, ctx.logger, () => this.doWork());
  }

  handlePush(request: PushEntryRequest): Promise<PushEntryResponse> {
    let resolve!: (response: PushEntryResponse) => void;
    const promise = new Promise<PushEntryResponse>((r) => {
      resolve = r;
    });
    const pending: PendingPush = { request, createTimeMs: this.ctx.timer.now(), resolve, done: false };
    switch (request.type) {
      case "APPEND": {
        if (request.batchEntry.length > 0) checkCode(pushCount(request) > 0, "UNEXPECTED_ARGUMENT");
        else checkCode(request.entry !== null, "UNEXPECTED_ARGUMENT");
        const index = pushFirstEntryIndex(request);
        const old = this.writeRequestMap.get(index);
        if (old) {
          this.ctx.logger.warn(`[MONITOR]The index ${index} has already existed`);
          this.complete(pending, DLedgerResponseCode.REPEATED_PUSH);
        } else {
          this.writeRequestMap.set(index, pending);
        }
        break;
      }
      case "COMMIT":
        this.offer(pending, "commit");
        break;
      case "COMPARE":
      case "TRUNCATE":
        checkCode(request.entry !== null, "UNEXPECTED_ARGUMENT");
        // Java drops the queued APPENDs without answering them (the leader's requests time out)
        this.writeRequestMap.clear();
        this.offer(pending, "compare or truncate");
        break;
      default:
        this.complete(pending, DLedgerResponseCode.UNEXPECTED_ARGUMENT);
        break;
    }
    this.loop.wakeup();
    return promise;
  }

  private offer(pending: PendingPush, what: string): void {
    if (this.compareOrTruncateRequests.length >= COMPARE_OR_TRUNCATE_QUEUE_SIZE) {
      this.ctx.logger.warn(`compareOrTruncateRequests blockingQueue is full when put ${what} request`);
      this.complete(pending, DLedgerResponseCode.PUSH_REQUEST_IS_FULL);
    } else {
      this.compareOrTruncateRequests.push(pending);
    }
  }

  private buildResponse(request: PushEntryRequest, code: number): PushEntryResponse {
    const response = PushEntryResponseCodec.create({
      group: request.group,
      code,
      term: request.term,
      beginIndex: this.ctx.store.getLedgerBeginIndex(),
      endIndex: this.ctx.store.getLedgerEndIndex(),
    });
    if (request.type !== "COMMIT") {
      response.index = pushFirstEntryIndex(request);
      response.count = pushCount(request);
    }
    return response;
  }

  private complete(pending: PendingPush, code: number): void {
    if (pending.done) return;
    pending.done = true;
    pending.resolve(this.buildResponse(pending.request, code));
  }

  private async doWork(): Promise<void> {
    const ms = this.ctx.memberState;
    if (!ms.isFollower()) {
      for (const pending of this.compareOrTruncateRequests.splice(0))
        this.complete(pending, DLedgerResponseCode.NOT_FOLLOWER);
      await this.loop.waitForRunning(this.ctx.idleWaitMs);
      return;
    }
    const queued = this.compareOrTruncateRequests.shift();
    if (queued) {
      const entryIndex = queued.request.entry?.index ?? -1;
      switch (queued.request.type) {
        case "TRUNCATE":
          this.handleDoTruncate(entryIndex, queued);
          break;
        case "COMPARE":
          this.handleDoCompare(entryIndex, queued);
          break;
        case "COMMIT":
          this.handleDoCommit(queued.request.commitIndex, queued);
          break;
        default:
          break;
      }
      return;
    }
    const nextIndex = this.ctx.store.getLedgerEndIndex() + 1;
    const next = this.writeRequestMap.get(nextIndex);
    if (!next) {
      this.checkAbnormalFuture(this.ctx.store.getLedgerEndIndex());
      await this.loop.waitForRunning(this.ctx.idleWaitMs);
      return;
    }
    this.writeRequestMap.delete(nextIndex);
    if (next.request.batchEntry.length > 0) this.handleDoBatchAppend(nextIndex, next);
    else this.handleDoAppend(nextIndex, next);
  }

  private fail(what: string, err: unknown): void {
    this.ctx.logger.error({ err: (err as Error).message }, what);
  }

  private handleDoAppend(writeIndex: number, pending: PendingPush): void {
    const request = pending.request;
    try {
      const wire = request.entry;
      checkCode(wire !== null && writeIndex === wire.index, "INCONSISTENT_STATE");
      const entry = this.ctx.store.appendAsFollower(storeEntryOf(wire), request.term, request.leaderId ?? "");
      checkCode(entry.index === writeIndex, "INCONSISTENT_STATE");
      this.complete(pending, DLedgerResponseCode.SUCCESS);
      this.ctx.updateCommittedIndex(request.term, request.commitIndex);
    } catch (err) {
      this.fail(`[HandleDoAppend] writeIndex=${writeIndex}`, err);
      this.complete(pending, DLedgerResponseCode.INCONSISTENT_STATE);
    }
  }

  private handleDoBatchAppend(writeIndex: number, pending: PendingPush): void {
    const request = pending.request;
    try {
      checkCode(writeIndex === pushFirstEntryIndex(request), "INCONSISTENT_STATE");
      for (const wire of request.batchEntry) {
        this.ctx.store.appendAsFollower(storeEntryOf(wire), request.term, request.leaderId ?? "");
      }
      this.complete(pending, DLedgerResponseCode.SUCCESS);
      this.ctx.updateCommittedIndex(request.term, request.commitIndex);
    } catch (err) {
      this.fail("[HandleDoBatchAppend]", err);
      this.complete(pending, DLedgerResponseCode.INCONSISTENT_STATE);
    }
  }

  private handleDoCompare(compareIndex: number, pending: PendingPush): void {
    const request = pending.request;
    try {
      checkCode(request.entry !== null && compareIndex === request.entry.index, "UNKNOWN");
      checkCode(request.type === "COMPARE", "UNKNOWN");
      const local = this.ctx.store.get(compareIndex);
      checkCode(entriesEqual(storeEntryOf(request.entry), local), "INCONSISTENT_STATE");
      this.complete(pending, DLedgerResponseCode.SUCCESS);
    } catch (err) {
      this.fail(`[HandleDoCompare] compareIndex=${compareIndex}`, err);
      this.complete(pending, DLedgerResponseCode.INCONSISTENT_STATE);
    }
  }

  private handleDoCommit(committedIndex: number, pending: PendingPush): void {
    const request = pending.request;
    try {
      checkCode(committedIndex === request.commitIndex && request.type === "COMMIT", "UNKNOWN");
      this.ctx.updateCommittedIndex(request.term, committedIndex);
      this.complete(pending, DLedgerResponseCode.SUCCESS);
    } catch (err) {
      this.fail(`[HandleDoCommit] committedIndex=${request.commitIndex}`, err);
      this.complete(pending, DLedgerResponseCode.UNKNOWN);
    }
  }

  private handleDoTruncate(truncateIndex: number, pending: PendingPush): void {
    const request = pending.request;
    try {
      this.ctx.logger.info(`[HandleDoTruncate] truncateIndex=${truncateIndex} pos=${request.entry?.pos}`);
      checkCode(request.entry !== null && truncateIndex === request.entry.index, "UNKNOWN");
      checkCode(request.type === "TRUNCATE", "UNKNOWN");
      const index = this.ctx.store.truncate(storeEntryOf(request.entry), request.term, request.leaderId ?? "");
      checkCode(index === truncateIndex, "INCONSISTENT_STATE");
      this.complete(pending, DLedgerResponseCode.SUCCESS);
      this.ctx.updateCommittedIndex(request.term, request.commitIndex);
    } catch (err) {
      this.fail(`[HandleDoTruncate] truncateIndex=${truncateIndex}`, err);
      this.complete(pending, DLedgerResponseCode.INCONSISTENT_STATE);
    }
  }

  /** Java's checkAbnormalFuture, once a second: answer the APPENDs the ledger has passed, or unblock a gap. */
  private checkAbnormalFuture(endIndex: number): void {
    const now = this.ctx.timer.now();
    if (now - this.lastCheckFastForwardTimeMs < 1000) return;
    this.lastCheckFastForwardTimeMs = now;
    if (this.writeRequestMap.size === 0) return;
    let minFastForwardIndex = Number.MAX_SAFE_INTEGER;
    for (const [first, pending] of [...this.writeRequestMap]) {
      const request = pending.request;
      if (pushLastEntryIndex(request) <= endIndex) {
        // the leader pushed what we hold (its ack was lost): answer from the store
        try {
          const entries = request.batchEntry.length > 0 ? request.batchEntry : request.entry ? [request.entry] : [];
          for (const e of entries) {
            checkCode(entriesEqual(storeEntryOf(e), this.ctx.store.get(e.index)), "INCONSISTENT_STATE");
          }
          this.complete(pending, DLedgerResponseCode.SUCCESS);
          this.ctx.logger.warn(
            `[PushFallBehind]last index=${pushLastEntryIndex(request)} <= ledgerEndIndex=${endIndex}`,
          );
        } catch (err) {
          this.fail(`[PushFallBehind]last index=${pushLastEntryIndex(request)} <= ledgerEndIndex=${endIndex}`, err);
          this.complete(pending, DLedgerResponseCode.INCONSISTENT_STATE);
        }
        this.writeRequestMap.delete(first);
        continue;
      }
      if (first === endIndex + 1) return;
      if (now - pending.createTimeMs < PUSH_FUTURE_TIMEOUT_MS) continue;
      if (first < minFastForwardIndex) minFastForwardIndex = first;
    }
    const stuck = this.writeRequestMap.get(minFastForwardIndex);
    if (!stuck) return;
    this.ctx.logger.warn(`[PushFastForward] ledgerEndIndex=${endIndex} entryIndex=${minFastForwardIndex}`);
    this.complete(stuck, DLedgerResponseCode.INCONSISTENT_STATE);
  }
}
