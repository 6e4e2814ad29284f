/**
 * What Java 5.3.3's PopBufferMergeService does on its default path (enablePopBufferMerge=false):
 * POP consumer offsets never pass messages whose checkpoint is not durable.
 *
 * Each POP that takes messages from a queue writes its checkpoint at once (`addCkJustOffset`) and
 * queues {checkpoint, nextBeginOffset} in a FIFO per `topic@group@queueId`; a POP that only skipped
 * filtered-out messages queues a "mock" entry (stored from the start) that just moves the offset.
 * Every 5 ms the head entries whose checkpoint is stored commit the group's offset to their
 * nextBeginOffset, in order, under the queue's lock (a busy queue waits for the next round); a
 * checkpoint whose put failed is put again. The newest queued nextBeginOffset is where the next POP
 * of that queue starts (`getLatestOffset`), so pops do not wait for the commit.
 */
import type { PutMessageResult } from "@rocketmq-ts/store";
import type { Logger } from "pino";
import { buildPollingKey } from "@rocketmq-ts/common";
import type { QueueLockManager } from "./QueueLockManager.js";
import type { PopCheckPoint } from "./PopCheckPoint.js";

/** Java's PopCheckPointWrapper on this path. */
export interface CheckPointOffset {
  readonly ck: PopCheckPoint;
  readonly reviveQid: number;
  readonly nextBeginOffset: number;
  readonly lockKey: string;
  /** the checkpoint message is in the store (always for a mock) */
  stored: boolean;
  /** a put is under way */
  storing: boolean;
}

export interface PopBufferMergeDeps {
  readonly lockManager: QueueLockManager;
  /** Put a checkpoint message (the store's putMessages). */
  readonly putCk: (ck: PopCheckPoint, reviveQid: number) => PutMessageResult | Promise<PutMessageResult>;
  readonly commitOffset: (group: string, topic: string, queueId: number, offset: number) => void;
  readonly logger: Logger;
  /** Max entries queued per queue before a put is deferred to the scan (popCkOffsetMaxQueueSize). */
  readonly maxQueueSize: () => number;
}

const PUT_OK = new Set(["PUT_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"]);
export const SCAN_INTERVAL_MS = 5;

export class PopBufferMergeService {
  private readonly commitOffsets = new Map<string, CheckPointOffset[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: PopBufferMergeDeps) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.scan(), SCAN_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stop the scan after committing what can be committed. */
  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.scan();
  }

  /** Write the checkpoint now and queue its offset commit; resolves once the put is answered. */
  async addCkJustOffset(ck: PopCheckPoint, reviveQid: number, nextBeginOffset: number): Promise<boolean> {
    const entry: CheckPointOffset = {
      ck,
      reviveQid,
      nextBeginOffset,
      lockKey: buildPollingKey(ck.topic, ck.cid, ck.queueId),
      stored: false,
      storing: false,
    };
    const queue = this.queueOf(entry.lockKey);
    const putNow = queue.length < this.deps.maxQueueSize();
    queue.push(entry);
    if (putNow) await this.putCk(entry);
    return true;
  }

  /** A POP that moved past filtered-out messages only: commit nextBeginOffset in turn. */
  addCkMock(ck: PopCheckPoint, reviveQid: number, nextBeginOffset: number): void {
    const entry: CheckPointOffset = {
      ck,
      reviveQid,
      nextBeginOffset,
      lockKey: buildPollingKey(ck.topic, ck.cid, ck.queueId),
      stored: true,
      storing: false,
    };
    this.queueOf(entry.lockKey).push(entry);
  }

  /** The offset the last queued POP of that queue reached, -1 when none is queued. */
  getLatestOffset(lockKey: string): number {
    const queue = this.commitOffsets.get(lockKey);
    const last = queue?.[queue.length - 1];
    return last ? last.nextBeginOffset : -1;
  }

  clearOffsetQueue(lockKey: string): void {
    this.commitOffsets.delete(lockKey);
  }

  /** Entries waiting for their commit, over all queues. */
  get pendingCount(): number {
    let n = 0;
    for (const q of this.commitOffsets.values()) n += q.length;
    return n;
  }

  /** One round: re-put failed checkpoints, commit stored heads in order. */
  scan(): void {
    for (const [key, queue] of this.commitOffsets) {
      for (const entry of queue) if (!entry.stored && !entry.storing) void this.putCk(entry);
      while (queue.length > 0) {
        const head = queue[0];
        if (!head || !head.stored || !this.commit(head)) break;
        queue.shift();
      }
      if (queue.length === 0) this.commitOffsets.delete(key);
    }
  }

  private queueOf(lockKey: string): CheckPointOffset[] {
    let queue = this.commitOffsets.get(lockKey);
    if (!queue) this.commitOffsets.set(lockKey, (queue = []));
    return queue;
  }

  private async putCk(entry: CheckPointOffset): Promise<void> {
    entry.storing = true;
    try {
      const result = await this.deps.putCk(entry.ck, entry.reviveQid);
      entry.stored = PUT_OK.has(result.status);
      if (!entry.stored)
        this.deps.logger.error({ status: result.status, key: entry.lockKey }, "[PopBuffer]put ck to store fail");
    } catch (err) {
      this.deps.logger.error({ err: (err as Error).message, key: entry.lockKey }, "[PopBuffer]put ck to store fail");
    } finally {
      entry.storing = false;
    }
  }

  private commit(entry: CheckPointOffset): boolean {
    if (entry.nextBeginOffset < 0) return true;
    if (!this.deps.lockManager.tryLock(entry.lockKey)) return false;
    try {
      const { ck } = entry;
      this.deps.commitOffset(ck.cid, ck.topic, ck.queueId, entry.nextBeginOffset);
    } finally {
      this.deps.lockManager.unLock(entry.lockKey);
    }
    return true;
  }
}
