/** Messages pulled for one queue and not yet consumed (Java's ProcessQueue), ordered by queue offset. */
import type { MessageExt } from "../message/Message.js";

export class ProcessQueue {
  /** Kept in ascending offset order, so the first key is the oldest message in flight. */
  private msgs = new Map<number, MessageExt>();
  /** Highest offset ever put (−1: none). */
  private queueOffsetMax = -1;
  msgSize = 0;
  dropped = false;
  lastPullTimestamp = Date.now();
  lastConsumeTimestamp = Date.now();

  get msgCount(): number {
    return this.msgs.size;
  }

  putMessage(list: MessageExt[]): void {
    let outOfOrder = false;
    for (const m of list) {
      if (this.msgs.has(m.queueOffset)) continue;
      // pulls normally append ascending offsets; a corrected (moved-back) offset needs a re-sort
      if (this.msgs.size > 0 && m.queueOffset < this.queueOffsetMax) outOfOrder = true;
      this.msgs.set(m.queueOffset, m);
      this.msgSize += m.body.length;
      if (m.queueOffset > this.queueOffsetMax) this.queueOffsetMax = m.queueOffset;
    }
    if (outOfOrder) this.msgs = new Map([...this.msgs].sort((a, b) => a[0] - b[0]));
  }

  /** The oldest `n` cached messages, left in the cache (orderly consumption commits them later). */
  peekMessages(n: number): MessageExt[] {
    const out: MessageExt[] = [];
    for (const m of this.msgs.values()) {
      if (out.length >= n) break;
      out.push(m);
    }
    return out;
  }

  /** Offset span between the oldest and newest cached message. */
  maxSpan(): number {
    if (this.msgs.size === 0) return 0;
    return this.queueOffsetMax - this.minOffset();
  }

  /** Oldest / newest cached queue offset (for running info; only meaningful when something is cached). */
  minCachedOffset(): number {
    return this.minOffset();
  }
  maxCachedOffset(): number {
    return this.queueOffsetMax;
  }

  private minOffset(): number {
    return this.msgs.keys().next().value ?? -1;
  }

  /**
   * Drop consumed messages; returns the offset safe to commit: the smallest offset still in
   * flight, or the newest + 1 when nothing is cached (−1 when nothing was ever cached).
   */
  removeMessage(list: MessageExt[]): number {
    this.lastConsumeTimestamp = Date.now();
    for (const m of list) {
      if (this.msgs.delete(m.queueOffset)) this.msgSize -= m.body.length;
    }
    if (this.msgs.size > 0) return this.minOffset();
    return this.queueOffsetMax >= 0 ? this.queueOffsetMax + 1 : -1;
  }
}
