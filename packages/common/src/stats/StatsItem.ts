/**
 * One counted thing of a stats set (Java's common/stats StatsItem): a running value and call count,
 * snapshotted every 10 s (kept 7: the last minute), every 10 min (7: the last hour) and every hour
 * (25: the last day); a window's figures are the difference between its first and last snapshot.
 */

/** Where the "Stats In One Minute/Hour/Day" lines go (Java's RocketmqStats logger → stats.log). */
export interface StatsLogger {
  info(msg: string): void;
}

/** Java's StatsSnapshot: sum and tps over a window, avgpt = sum per call, times = calls. */
export interface StatsSnapshot {
  sum: number;
  tps: number;
  avgpt: number;
  times: number;
}

interface CallSnapshot {
  timestamp: number;
  times: number;
  value: number;
}

const MINUTE_SNAPSHOTS = 7;
const HOUR_SNAPSHOTS = 7;
const DAY_SNAPSHOTS = 25;

function windowOf(list: readonly CallSnapshot[]): StatsSnapshot {
  const first = list[0];
  const last = list[list.length - 1];
  if (!first || !last) return { sum: 0, tps: 0, avgpt: 0, times: 0 };
  const sum = last.value - first.value;
  const times = last.times - first.times;
  return {
    sum,
    // Java divides by the elapsed time even when it is 0 (NaN/Infinity); the first snapshot is
    // always back-dated one period, so that never happens from the sampler
    tps: (sum * 1000) / (last.timestamp - first.timestamp),
    avgpt: times > 0 ? sum / times : 0,
    times,
  };
}

/** `SUM: %d TPS: %.2f AVGPT: %.2f` (or `TIMES: %d AVGRT: %.2f` for a response-time item). */
function printDetail(kind: StatsItemKind, ss: StatsSnapshot): string {
  return kind === "rt"
    ? `TIMES: ${ss.times} AVGRT: ${ss.avgpt.toFixed(2)}`
    : `SUM: ${ss.sum} TPS: ${ss.tps.toFixed(2)} AVGPT: ${ss.avgpt.toFixed(2)}`;
}

/** "rt": a response-time item (Java's RTStatsItem), which only logs differently. */
export type StatsItemKind = "plain" | "rt";

export class StatsItem {
  /** the running sum of added values (Java's `value` LongAdder) */
  value = 0;
  /** the running count of additions (Java's `times`) */
  times = 0;
  private readonly csListMinute: CallSnapshot[] = [];
  private readonly csListHour: CallSnapshot[] = [];
  private readonly csListDay: CallSnapshot[] = [];

  constructor(
    readonly statsName: string,
    readonly statsKey: string,
    private readonly log: StatsLogger,
    readonly kind: StatsItemKind = "plain",
  ) {}

  add(value: number, times: number): void {
    this.value += value;
    this.times += times;
  }

  getStatsDataInMinute(): StatsSnapshot {
    return windowOf(this.csListMinute);
  }

  getStatsDataInHour(): StatsSnapshot {
    return windowOf(this.csListHour);
  }

  getStatsDataInDay(): StatsSnapshot {
    return windowOf(this.csListDay);
  }

  private sample(list: CallSnapshot[], now: number, periodMs: number, keep: number): void {
    // the first sample starts from zero one period back, so a fresh item has a rate at once
    if (list.length === 0) list.push({ timestamp: now - periodMs, times: 0, value: 0 });
    list.push({ timestamp: now, times: this.times, value: this.value });
    if (list.length > keep) list.shift();
  }

  samplingInSeconds(now: number): void {
    this.sample(this.csListMinute, now, 10_000, MINUTE_SNAPSHOTS);
  }

  samplingInMinutes(now: number): void {
    this.sample(this.csListHour, now, 600_000, HOUR_SNAPSHOTS);
  }

  samplingInHour(now: number): void {
    this.sample(this.csListDay, now, 3_600_000, DAY_SNAPSHOTS);
  }

  printAtMinutes(): void {
    this.print("Minute", this.getStatsDataInMinute());
  }

  printAtHour(): void {
    this.print("Hour", this.getStatsDataInHour());
  }

  printAtDay(): void {
    this.print("Day", this.getStatsDataInDay());
  }

  private print(span: string, ss: StatsSnapshot): void {
    this.log.info(`[${this.statsName}] [${this.statsKey}] Stats In One ${span}, ${printDetail(this.kind, ss)}`);
  }
}
