/**
 * Yesterday's and today's message totals (Java's store/stats BrokerStats): at every local midnight
 * the store's put and get totals are recorded as "this morning", the previous ones become
 * "yesterday morning".
 */
import { nextMorning, type StatsLogger, type StatsScheduler } from "@rocketmq-ts/common";
import type { StoreStatsService } from "@rocketmq-ts/store";

export class BrokerStats {
  msgPutTotalYesterdayMorning = 0;
  msgPutTotalTodayMorning = 0;
  msgGetTotalYesterdayMorning = 0;
  msgGetTotalTodayMorning = 0;

  constructor(
    private readonly storeStats: StoreStatsService,
    private readonly log: StatsLogger,
  ) {}

  /** Record at every local midnight from now on (Java's BrokerController schedules it so). */
  start(scheduler: StatsScheduler): void {
    const now = scheduler.now();
    scheduler.scheduleAtFixedRate(() => this.record(), nextMorning(now) - now, 86_400_000);
  }

  record(): void {
    this.msgPutTotalYesterdayMorning = this.msgPutTotalTodayMorning;
    this.msgGetTotalYesterdayMorning = this.msgGetTotalTodayMorning;
    this.msgPutTotalTodayMorning = this.getMsgPutTotalTodayNow();
    this.msgGetTotalTodayMorning = this.getMsgGetTotalTodayNow();
    this.log.info(`yesterday put message total: ${this.msgPutTotalTodayMorning - this.msgPutTotalYesterdayMorning}`);
    this.log.info(`yesterday get message total: ${this.msgGetTotalTodayMorning - this.msgGetTotalYesterdayMorning}`);
  }

  getMsgPutTotalTodayNow(): number {
    return this.storeStats.getPutMessageTimesTotal();
  }

  getMsgGetTotalTodayNow(): number {
    return this.storeStats.getMessageTransferedMsgCount;
  }
}
