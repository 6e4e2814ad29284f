/**
 * Point-in-time values by key (Java's MomentStatsItemSet, GROUP_GET_FALL_SIZE / _TIME): each key
 * holds the last value set; every 5 minutes from the next whole minute they are logged as
 * `Stats Every 5 Minutes, Value: n`.
 */
import type { StatsLogger } from "./StatsItem.js";
import { nextMinuteStart, type StatsScheduler } from "./StatsScheduler.js";

export class MomentStatsItemSet {
  readonly statsItemTable = new Map<string, number>();

  constructor(
    readonly statsName: string,
    scheduler: StatsScheduler,
    private readonly log: StatsLogger,
  ) {
    const now = scheduler.now();
    scheduler.scheduleAtFixedRate(() => this.printAtMinutes(), nextMinuteStart(now) - now, 300_000);
  }

  setValue(statsKey: string, value: number): void {
    this.statsItemTable.set(statsKey, value);
  }

  delValueByInfixKey(statsKey: string, separator: string): void {
    for (const key of [...this.statsItemTable.keys()])
      if (key.includes(separator + statsKey + separator)) this.statsItemTable.delete(key);
  }

  delValueBySuffixKey(statsKey: string, separator: string): void {
    for (const key of [...this.statsItemTable.keys()])
      if (key.endsWith(separator + statsKey)) this.statsItemTable.delete(key);
  }

  private printAtMinutes(): void {
    for (const [key, value] of this.statsItemTable)
      this.log.info(`[${this.statsName}] [${key}] Stats Every 5 Minutes, Value: ${value}`);
  }
}
