/**
 * The clock and the periodic runner behind the stats (Java's ScheduledExecutorService and
 * System.currentTimeMillis of StatsItemSet / StoreStatsService). Production code uses timers; tests
 * pass a manual one and move time themselves.
 */
export interface StatsScheduler {
  now(): number;
  /** Run `task` after `initialDelayMs`, then every `periodMs`, until shutdown. */
  scheduleAtFixedRate(task: () => void, initialDelayMs: number, periodMs: number): void;
  shutdown(): void;
}

/** Timers of the event loop; they never keep the process alive. */
export class TimerStatsScheduler implements StatsScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  now(): number {
    return Date.now();
  }

  scheduleAtFixedRate(task: () => void, initialDelayMs: number, periodMs: number): void {
    if (this.stopped) return;
    const run = (): void => {
      try {
        task();
      } catch {
        // as Java's stats tasks: a failing round does not cancel the next one
      }
    };
    const first = setTimeout(
      () => {
        this.timers.delete(first);
        if (this.stopped) return;
        run();
        const every = setInterval(run, periodMs);
        every.unref();
        this.timers.add(every);
      },
      Math.max(0, initialDelayMs),
    );
    first.unref();
    this.timers.add(first);
  }

  shutdown(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/**
 * A scheduler whose time only moves when told (tests): `advance` runs every task that falls due,
 * in time order, with `now()` at its due time.
 */
export class ManualStatsScheduler implements StatsScheduler {
  private tasks: { task: () => void; next: number; period: number }[] = [];

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  scheduleAtFixedRate(task: () => void, initialDelayMs: number, periodMs: number): void {
    this.tasks.push({ task, next: this.time + Math.max(0, initialDelayMs), period: periodMs });
  }

  /** Run what is due now (tasks scheduled with no delay). */
  runDue(): void {
    this.advance(0);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let due: (typeof this.tasks)[number] | undefined;
      for (const t of this.tasks) if (t.next <= until && (!due || t.next < due.next)) due = t;
      if (!due) break;
      this.time = Math.max(this.time, due.next);
      due.next += due.period;
      try {
        due.task();
      } catch {
        // same as the timer scheduler
      }
    }
    this.time = until;
  }

  shutdown(): void {
    this.tasks = [];
  }
}

/** Java's UtilAll.computeNextMinutesTimeMillis: the start of the next minute (local time). */
export function nextMinuteStart(now: number): number {
  const d = new Date(now);
  d.setSeconds(0, 0);
  d.setMinutes(d.getMinutes() + 1);
  return d.getTime();
}

/** Java's UtilAll.computeNextHourTimeMillis: the start of the next hour (local time). */
export function nextHourStart(now: number): number {
  const d = new Date(now);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d.getTime();
}

/** Java's UtilAll.computeNextMorningTimeMillis: the next local midnight. */
export function nextMorning(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + 1);
  return d.getTime();
}
