/**
 * The reput service (Java's ReputMessageService): keeps consume queues and index in step with the
 * commit log. From `reputFromOffset` it reads every complete record up to the commit log's confirm
 * offset, builds its DispatchRequest and hands it to the dispatchers (build consume queue, build
 * index), then to the store's listener (long polling).
 *
 * Java runs it as a thread polling every millisecond. Here a put dispatches what it appended before
 * it returns (`dispatchAppended`: every field is known, nothing is read back), a slave dispatches
 * after each replicated append, and start-up dispatches whatever the consume queues miss (`doReput`).
 *
 * A dispatcher refused by a full disk (`isDiskFullError`) stops the service at that message:
 * `stalled` is set, `onDiskFull` is told, and the next `doReput` starts there again (the consume
 * queue skips entries it already has, the index writes a message wholly or not at all).
 */
import {
  checkRecord,
  checkRecordSize,
  getsConsumeQueueEntry,
  recordHeadAt,
  type MessageInner,
} from "@rocketmq-ts/common";
import type { PreparedRecord } from "@rocketmq-ts/common";
import type { Logger } from "pino";
import type { CommitLogDispatcher } from "./CommitLogDispatcher.js";
import type { AppendMessageResult, CommitLogStore, EntryFraming } from "./CommitLogStore.js";
import { isDiskFullError } from "./DiskFull.js";
import {
  dispatchRequestOfAppended,
  dispatchRequestOfRecord,
  type DelayLevels,
  type DispatchRequest,
} from "./DispatchRequest.js";

export interface ReputMessageServiceOptions {
  commitLog: CommitLogStore;
  /** Called in this order for every message. */
  dispatchers: readonly CommitLogDispatcher[];
  delayLevels: DelayLevels;
  logger: Logger;
  /** Called after the dispatchers (long polling wakes here). */
  onDispatched?: (req: DispatchRequest) => void;
  /** A dispatcher's write was refused by a full disk: the service stopped at `req` (see `stalled`). */
  onDiskFull?: (err: Error, req: DispatchRequest) => void;
}

export class ReputMessageService {
  private reputFromOffset = 0;
  /** The last dispatch was refused by a full disk: records from `fromOffset` on wait for `doReput`. */
  stalled = false;

  constructor(private readonly options: ReputMessageServiceOptions) {}

  /** Physical offset of the next record to dispatch. */
  get fromOffset(): number {
    return this.reputFromOffset;
  }

  /** Continue from `offset` (at start: the end of what the consume queues already hold). */
  setReputFromOffset(offset: number): void {
    this.reputFromOffset = offset;
  }

  /** Bytes stored but not dispatched yet (Java's dispatchBehindBytes). */
  behindBytes(): number {
    return this.options.commitLog.getMaxOffset() - this.reputFromOffset;
  }

  /** Run the dispatchers and the listener for one message. */
  dispatch(req: DispatchRequest): void {
    for (const dispatcher of this.options.dispatchers) dispatcher.dispatch(req);
    this.options.onDispatched?.(req);
  }

  /** `dispatch`, false when a full disk refused it (the caller stops there; see `stalled`). */
  private tryDispatch(req: DispatchRequest): boolean {
    try {
      this.dispatch(req);
      return true;
    } catch (err) {
      if (!isDiskFullError(err)) throw err;
      this.stalled = true;
      this.options.onDiskFull?.(err as Error, req);
      return false;
    }
  }

  /** Dispatch a record found valid by abnormal recovery (the offset moves on at start). */
  dispatchRecovered(buf: Buffer, pos: number, size: number): void {
    this.dispatch(dispatchRequestOfRecord(recordHeadAt(buf, pos), size, this.options.delayLevels));
  }

  /**
   * Dispatch every complete record between the reput offset and the commit log's confirm offset. In
   * a framed log (DLedger entries) the offset walks entries: header, then the record.
   */
  doReput(): void {
    const { commitLog, logger, delayLevels } = this.options;
    if (this.reputFromOffset < commitLog.getMinOffset()) this.reputFromOffset = Math.max(0, commitLog.getMinOffset());
    this.stalled = false;
    for (;;) {
      const confirmOffset = commitLog.getConfirmOffset();
      if (this.reputFromOffset >= confirmOffset) break;
      const data = commitLog.getData(this.reputFromOffset);
      if (!data) break;
      const framing = commitLog.entryFraming(this.reputFromOffset);
      const header = framing?.headerSize ?? 0;
      // never beyond the confirm offset (a master/slave log confirms everything it holds)
      const end = Math.min(data.buffer.length, confirmOffset - this.reputFromOffset);
      const buf = data.buffer;
      let pos = 0;
      let stop = false;
      while (pos < end) {
        if (framing && end - pos >= 8 && framing.isBlank(buf, pos)) {
          this.reputFromOffset = commitLog.rollNextFile(this.reputFromOffset);
          break;
        }
        const size = checkRecordSize(buf, pos + header, end, false);
        if (size > 0) {
          const head = recordHeadAt(buf, pos + header);
          if (!this.tryDispatch(dispatchRequestOfRecord(head, size, delayLevels))) {
            stop = true;
            break;
          }
          // a slave's checkpoint follows the replicated messages (a master sets it when appending)
          if (head.storeTimestamp > commitLog.lastStoreTimestamp) commitLog.lastStoreTimestamp = head.storeTimestamp;
          pos += header + size;
          this.reputFromOffset += header + size;
        } else if (size === 0 && !framing) {
          this.reputFromOffset = commitLog.rollNextFile(this.reputFromOffset);
          pos = end;
        } else {
          const skip = this.invalidRecordSize(buf, pos, end, framing);
          if (skip <= 0) {
            stop = true;
            break;
          }
          logger.error({ offset: this.reputFromOffset }, "[BUG] dispatch found an inconsistent record, skipped");
          pos += skip;
          this.reputFromOffset += skip;
        }
      }
      if (stop) break;
    }
  }

  /**
   * Bytes to skip over an invalid record at `pos` (Java's [BUG] case: its lengths do not add up), or
   * 0 when it is merely incomplete — wait for more bytes (a slave receiving HA data). A committed
   * DLedger entry that holds no record is skipped by its header's size.
   */
  private invalidRecordSize(buf: Buffer, pos: number, end: number, framing: EntryFraming | null): number {
    if (framing) return end - pos >= framing.headerSize ? Math.min(framing.entrySize(buf, pos), end - pos) : 0;
    const check = checkRecord(buf, pos, end, false, false);
    return check.kind === "blank" || check.size <= 0 ? 0 : check.size;
  }

  /**
   * Dispatch the records this store has just appended without reading them back. Falls back to
   * `doReput` when something else wrote in between or the append is not confirmed yet.
   */
  dispatchAppended(
    msgs: readonly MessageInner[],
    encoded: readonly PreparedRecord[],
    append: AppendMessageResult,
  ): void {
    const { wroteOffset, wroteBytes, logicsOffset, storeTimestamp } = append;
    if (this.reputFromOffset !== wroteOffset || wroteOffset + wroteBytes > this.options.commitLog.getConfirmOffset()) {
      this.doReput();
      return;
    }
    let physicalOffset = wroteOffset;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i] as MessageInner;
      const size = (encoded[i] as PreparedRecord).length;
      const queueOffset = getsConsumeQueueEntry(m.sysFlag) ? logicsOffset + i : 0;
      const req = dispatchRequestOfAppended(
        m,
        physicalOffset,
        size,
        storeTimestamp,
        queueOffset,
        this.options.delayLevels,
      );
      if (!this.tryDispatch(req)) break;
      physicalOffset += size;
    }
    this.reputFromOffset = physicalOffset;
  }
}
