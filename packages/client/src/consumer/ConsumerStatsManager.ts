/**
 * Per-topic consume statistics as GET_CONSUMER_RUNNING_INFO reports them (Java's
 * ConsumerStatsManager): pull and consume RT/TPS over the last minute, failed messages in the
 * last hour. Second buckets for the minute, minute buckets for the hour.
 */
import type { ConsumeStatus } from "@rocketmq-ts/common";

class Window {
  private readonly sums: number[];
  private readonly counts: number[];
  private readonly stamps: number[];

  constructor(
    private readonly slots: number,
    private readonly slotMs: number,
  ) {
    this.sums = new Array<number>(slots).fill(0);
    this.counts = new Array<number>(slots).fill(0);
    this.stamps = new Array<number>(slots).fill(-1);
  }

  add(value: number, times = 1, now = Date.now()): void {
    const t = Math.floor(now / this.slotMs);
    const i = t % this.slots;
    if (this.stamps[i] !== t) {
      this.stamps[i] = t;
      this.sums[i] = 0;
      this.counts[i] = 0;
    }
    this.sums[i] = (this.sums[i] ?? 0) + value;
    this.counts[i] = (this.counts[i] ?? 0) + times;
  }

  /** Sum and count over the window ending now. */
  total(now = Date.now()): { sum: number; count: number } {
    const t = Math.floor(now / this.slotMs);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < this.slots; i++) {
      const s = this.stamps[i] ?? -1;
      if (s >= 0 && t - s < this.slots) {
        sum += this.sums[i] ?? 0;
        count += this.counts[i] ?? 0;
      }
    }
    return { sum, count };
  }
}

interface TopicStats {
  pullRT: Window;
  pullTPS: Window;
  consumeRT: Window;
  consumeOK: Window;
  consumeFailed: Window;
  failedInHour: Window;
}

export class ConsumerStatsManager {
  private readonly topics = new Map<string, TopicStats>();

  private of(topic: string): TopicStats {
    let s = this.topics.get(topic);
    if (!s) {
      const minute = (): Window => new Window(60, 1000);
      s = {
        pullRT: minute(),
        pullTPS: minute(),
        consumeRT: minute(),
        consumeOK: minute(),
        consumeFailed: minute(),
        failedInHour: new Window(60, 60_000),
      };
      this.topics.set(topic, s);
    }
    return s;
  }

  incPullRT(topic: string, rt: number): void {
    this.of(topic).pullRT.add(rt);
  }
  incPullTPS(topic: string, msgs: number): void {
    this.of(topic).pullTPS.add(msgs);
  }
  incConsumeRT(topic: string, rt: number): void {
    this.of(topic).consumeRT.add(rt);
  }
  incConsumeOKTPS(topic: string, msgs: number): void {
    this.of(topic).consumeOK.add(msgs);
  }
  /** One consumed batch: its RT, and its messages as consumed OK or failed (one lookup, one clock read). */
  incConsumed(topic: string, rt: number, msgs: number, ok: boolean, now = Date.now()): void {
    const s = this.of(topic);
    s.consumeRT.add(rt, 1, now);
    if (ok) s.consumeOK.add(msgs, 1, now);
    else {
      s.consumeFailed.add(msgs, 1, now);
      s.failedInHour.add(msgs, 1, now);
    }
  }
  incConsumeFailedTPS(topic: string, msgs: number): void {
    const s = this.of(topic);
    s.consumeFailed.add(msgs);
    s.failedInHour.add(msgs);
  }

  consumeStatus(topic: string, now = Date.now()): ConsumeStatus {
    const s = this.of(topic);
    const avg = (w: Window): number => {
      const { sum, count } = w.total(now);
      return count === 0 ? 0 : sum / count;
    };
    const perSecond = (w: Window): number => w.total(now).sum / 60;
    return {
      pullRT: avg(s.pullRT),
      pullTPS: perSecond(s.pullTPS),
      consumeRT: avg(s.consumeRT),
      consumeOKTPS: perSecond(s.consumeOK),
      consumeFailedTPS: perSecond(s.consumeFailed),
      consumeFailedMsgs: s.failedInHour.total(now).sum,
    };
  }
}
