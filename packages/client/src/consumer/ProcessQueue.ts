/** Messages pulled for one queue and not yet consumed (Java's ProcessQueue), ordered by queue offset. */
import type { MessageExt } from "../message/Message.js";

export class ProcessQueue {
  private readonly msgs = new Map<number, MessageExt>();
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
    for (const m of list) {
      if (this.msgs.has(m.queueOffset)) continue;
      this.msgs.set(m.queueOffset, m);
      this.msgSize += m.body.length;
      if (m.queueOffset > this.queueOffsetMax) this.queueOffsetMax = m.queueOffset;
    }
  }

  /** The oldest `n` cached messages, left in the cache (orderly consumption commits them later). */
  peekMessages(n: number): MessageExt[] {
    // pulls append in increasing offset order, so insertion order is offset order
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

  private minOffset(): number {
    let min = Infinity;
    for (const k of this.msgs.keys()) if (k < min) min = k;
    return min;
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
