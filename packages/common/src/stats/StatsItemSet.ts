/**
 * The items of one stats name by key (Java's common/stats StatsItemSet): items appear on first use;
 * the set samples all of them every 10 s / 10 min / 1 h from its creation and logs each one at every
 * minute, hour and local midnight.
 */
import { StatsItem, type StatsItemKind, type StatsLogger, type StatsSnapshot } from "./StatsItem.js";
import { nextHourStart, nextMinuteStart, nextMorning, type StatsScheduler } from "./StatsScheduler.js";

const EMPTY: StatsSnapshot = { sum: 0, tps: 0, avgpt: 0, times: 0 };

export class StatsItemSet {
  readonly statsItemTable = new Map<string, StatsItem>();

  constructor(
    readonly statsName: string,
    private readonly scheduler: StatsScheduler,
    private readonly log: StatsLogger,
  ) {
    const now = scheduler.now();
    const each = (fn: (item: StatsItem) => void) => () => {
      for (const item of this.statsItemTable.values()) fn(item);
    };
    scheduler.scheduleAtFixedRate(
      each((i) => i.samplingInSeconds(scheduler.now())),
      0,
      10_000,
    );
    scheduler.scheduleAtFixedRate(
      each((i) => i.samplingInMinutes(scheduler.now())),
      0,
      600_000,
    );
    scheduler.scheduleAtFixedRate(
      each((i) => i.samplingInHour(scheduler.now())),
      0,
      3_600_000,
    );
    scheduler.scheduleAtFixedRate(
      each((i) => i.printAtMinutes()),
      nextMinuteStart(now) - now,
      60_000,
    );
    scheduler.scheduleAtFixedRate(
      each((i) => i.printAtHour()),
      nextHourStart(now) - now,
      3_600_000,
    );
    scheduler.scheduleAtFixedRate(
      each((i) => i.printAtDay()),
      nextMorning(now) - now,
      86_400_000,
    );
  }

  addValue(statsKey: string, incValue: number, incTimes: number): void {
    this.getAndCreateStatsItem(statsKey).add(incValue, incTimes);
  }

  /** A response-time value (GROUP_GET_LATENCY): logged as TIMES / AVGRT. */
  addRTValue(statsKey: string, incValue: number, incTimes: number): void {
    this.getAndCreateItem(statsKey, "rt").add(incValue, incTimes);
  }

  getAndCreateStatsItem(statsKey: string): StatsItem {
    return this.getAndCreateItem(statsKey, "plain");
  }

  private getAndCreateItem(statsKey: string, kind: StatsItemKind): StatsItem {
    let item = this.statsItemTable.get(statsKey);
    if (!item) {
      item = new StatsItem(this.statsName, statsKey, this.log, kind);
      this.statsItemTable.set(statsKey, item);
    }
    return item;
  }

  getStatsItem(statsKey: string): StatsItem | undefined {
    return this.statsItemTable.get(statsKey);
  }

  getStatsDataInMinute(statsKey: string): StatsSnapshot {
    return this.statsItemTable.get(statsKey)?.getStatsDataInMinute() ?? { ...EMPTY };
  }

  getStatsDataInHour(statsKey: string): StatsSnapshot {
    return this.statsItemTable.get(statsKey)?.getStatsDataInHour() ?? { ...EMPTY };
  }

  getStatsDataInDay(statsKey: string): StatsSnapshot {
    return this.statsItemTable.get(statsKey)?.getStatsDataInDay() ?? { ...EMPTY };
  }

  delValue(statsKey: string): void {
    this.statsItemTable.delete(statsKey);
  }

  /** Drop the keys starting with `statsKey + separator` (a deleted topic's `topic@…` items). */
  delValueByPrefixKey(statsKey: string, separator: string): void {
    this.deleteWhere((k) => k.startsWith(statsKey + separator));
  }

  /** Drop the keys containing `separator + statsKey + separator`. */
  delValueByInfixKey(statsKey: string, separator: string): void {
    this.deleteWhere((k) => k.includes(separator + statsKey + separator));
  }

  /** Drop the keys ending with `separator + statsKey` (a deleted group's `…@group` items). */
  delValueBySuffixKey(statsKey: string, separator: string): void {
    this.deleteWhere((k) => k.endsWith(separator + statsKey));
  }

  private deleteWhere(match: (key: string) => boolean): void {
    for (const key of [...this.statsItemTable.keys()]) if (match(key)) this.statsItemTable.delete(key);
  }
}
