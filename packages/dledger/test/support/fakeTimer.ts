/** A DLedgerTimer driven by hand: time moves only in advance(), callbacks run in time order. */
import type { Cancel, DLedgerTimer } from "../../src/index.js";

interface Task {
  at: number;
  seq: number;
  fn: () => void;
}

/** Let every pending promise continuation run (microtasks, then one macrotask turn). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeTimer implements DLedgerTimer {
  private tasks: Task[] = [];
  private seq = 0;

  constructor(private current = 1_000_000) {}

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void): Cancel {
    const task = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  }

  /** Move time forward by `ms`, running every callback that falls due, in order, settling promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flush();
    for (;;) {
      let next: Task | undefined;
      for (const t of this.tasks)
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.tasks = this.tasks.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
      await flush();
    }
    this.current = target;
  }

  /** Advance in `stepMs` steps until `cond()` holds; fails after `limitMs`. Returns the time taken. */
  async advanceUntil(cond: () => boolean, limitMs: number, stepMs = 10): Promise<number> {
    const start = this.current;
    while (!cond()) {
      if (this.current - start > limitMs) throw new Error(`condition not reached within ${limitMs} ms of fake time`);
      await this.advance(stepMs);
    }
    return this.current - start;
  }
}

/** A seeded RandomInt (mulberry32), so elections replay identically. */
export function seededRandom(seed: number): (bound: number) => number {
  let a = seed >>> 0;
  return (bound) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(r * bound);
  };
}
