/**
 * One queue a push consumer holds (Java's PullRequest with the lock state Java keeps on its
 * ProcessQueue): where the next pull starts, the messages in flight, and for orderly consumption
 * the broker lock.
 */
import type { MessageQueue } from "../message/Message.js";
import type { ProcessQueue } from "./ProcessQueue.js";

/** How long a broker lock counts without a successful re-lock (Java's rocketmq.client.rebalance.lockMaxLiveTime). */
export const REBALANCE_LOCK_MAX_LIVE_TIME = 30_000;

export interface PullRequest {
  readonly mq: MessageQueue;
  readonly pq: ProcessQueue;
  nextOffset: number;
  /** Broker id the last pull answer suggested. */
  brokerId: number;
  /** Orderly: broker lock held, and when it was last granted. */
  locked: boolean;
  lastLockTimestamp: number;
  /** Orderly: false after a re-lock, until the next pull re-reads the committed offset. */
  previouslyLocked: boolean;
  /** Orderly: a consume loop runs for the queue. */
  draining: boolean;
}

/** Orderly: the lock is held and was renewed recently enough to consume. */
export function lockValid(req: PullRequest, now = Date.now()): boolean {
  return req.locked && now - req.lastLockTimestamp <= REBALANCE_LOCK_MAX_LIVE_TIME;
}
