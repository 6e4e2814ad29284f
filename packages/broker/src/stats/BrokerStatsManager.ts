/**
 * The broker's stats by name and key (Java's store/stats BrokerStatsManager): what was put per topic,
 * pulled per topic@group, sent back, and the broker totals, each with its last minute / hour / day.
 * VIEW_BROKER_STATS_DATA, GET_CONSUME_STATS' and GET_BROKER_CONSUME_STATS' consumeTps and
 * `mqadmin statsAll` read it; its per-minute/hour/day lines go to the stats log.
 */
import {
  MomentStatsItemSet,
  StatsItemSet,
  type StatsItem,
  type StatsLogger,
  type StatsScheduler,
} from "@rocketmq-ts/common";

/** The stats names of 4.9.8 (Java's common/stats Stats). */
export const Stats = {
  QUEUE_PUT_NUMS: "QUEUE_PUT_NUMS",
  QUEUE_PUT_SIZE: "QUEUE_PUT_SIZE",
  QUEUE_GET_NUMS: "QUEUE_GET_NUMS",
  QUEUE_GET_SIZE: "QUEUE_GET_SIZE",
  TOPIC_PUT_NUMS: "TOPIC_PUT_NUMS",
  TOPIC_PUT_SIZE: "TOPIC_PUT_SIZE",
  GROUP_GET_NUMS: "GROUP_GET_NUMS",
  GROUP_GET_SIZE: "GROUP_GET_SIZE",
  SNDBCK_PUT_NUMS: "SNDBCK_PUT_NUMS",
  BROKER_PUT_NUMS: "BROKER_PUT_NUMS",
  BROKER_GET_NUMS: "BROKER_GET_NUMS",
  GROUP_GET_FROM_DISK_NUMS: "GROUP_GET_FROM_DISK_NUMS",
  GROUP_GET_FROM_DISK_SIZE: "GROUP_GET_FROM_DISK_SIZE",
  BROKER_GET_FROM_DISK_NUMS: "BROKER_GET_FROM_DISK_NUMS",
  BROKER_GET_FROM_DISK_SIZE: "BROKER_GET_FROM_DISK_SIZE",
  COMMERCIAL_SEND_TIMES: "COMMERCIAL_SEND_TIMES",
  COMMERCIAL_SNDBCK_TIMES: "COMMERCIAL_SNDBCK_TIMES",
  COMMERCIAL_RCV_TIMES: "COMMERCIAL_RCV_TIMES",
  COMMERCIAL_RCV_EPOLLS: "COMMERCIAL_RCV_EPOLLS",
  COMMERCIAL_SEND_SIZE: "COMMERCIAL_SEND_SIZE",
  COMMERCIAL_RCV_SIZE: "COMMERCIAL_RCV_SIZE",
  COMMERCIAL_PERM_FAILURES: "COMMERCIAL_PERM_FAILURES",
  GROUP_GET_FALL_SIZE: "GROUP_GET_FALL_SIZE",
  GROUP_GET_FALL_TIME: "GROUP_GET_FALL_TIME",
  GROUP_GET_LATENCY: "GROUP_GET_LATENCY",
} as const;

/** The sets a broker keeps; the QUEUE_* ones only with enableDetailStat (Java's enableQueueStat). */
const QUEUE_SETS = [Stats.QUEUE_PUT_NUMS, Stats.QUEUE_PUT_SIZE, Stats.QUEUE_GET_NUMS, Stats.QUEUE_GET_SIZE];
const BROKER_SETS = [
  Stats.TOPIC_PUT_NUMS,
  Stats.TOPIC_PUT_SIZE,
  Stats.GROUP_GET_NUMS,
  Stats.GROUP_GET_SIZE,
  Stats.GROUP_GET_LATENCY,
  Stats.SNDBCK_PUT_NUMS,
  Stats.BROKER_PUT_NUMS,
  Stats.BROKER_GET_NUMS,
  Stats.GROUP_GET_FROM_DISK_NUMS,
  Stats.GROUP_GET_FROM_DISK_SIZE,
  Stats.BROKER_GET_FROM_DISK_NUMS,
  Stats.BROKER_GET_FROM_DISK_SIZE,
];
const COMMERCIAL_SETS = [
  Stats.COMMERCIAL_SEND_TIMES,
  Stats.COMMERCIAL_RCV_TIMES,
  Stats.COMMERCIAL_SEND_SIZE,
  Stats.COMMERCIAL_RCV_SIZE,
  Stats.COMMERCIAL_RCV_EPOLLS,
  Stats.COMMERCIAL_SNDBCK_TIMES,
  Stats.COMMERCIAL_PERM_FAILURES,
];

/** `topic@group` (GROUP_GET_*, SNDBCK_PUT_NUMS). */
export const topicGroupKey = (topic: string, group: string): string => `${topic}@${group}`;
/** `topic@queueId` (QUEUE_PUT_*). */
export const topicQueueKey = (topic: string, queueId: number): string => `${topic}@${queueId}`;
/** `topic@queueId@group` (QUEUE_GET_*). */
export const topicQueueGroupKey = (topic: string, queueId: number, group: string): string =>
  `${topic}@${queueId}@${group}`;
/** `queueId@topic@group` (GROUP_GET_LATENCY with queue stats, GROUP_GET_FALL_*). */
export const queueTopicGroupKey = (queueId: number, topic: string, group: string): string =>
  `${queueId}@${topic}@${group}`;

export interface BrokerStatsManagerOptions {
  clusterName: string;
  /** brokerConfig.enableDetailStat: per-queue sets, and the queue in GROUP_GET_LATENCY keys */
  enableQueueStat: boolean;
  scheduler: StatsScheduler;
  /** the RocketmqStats logger (stats.log) */
  statsLog: StatsLogger;
  /** the RocketmqCommercial logger */
  commercialLog?: StatsLogger;
}

export class BrokerStatsManager {
  private readonly statsTable = new Map<string, StatsItemSet>();
  readonly momentStatsItemSetFallSize: MomentStatsItemSet;
  readonly momentStatsItemSetFallTime: MomentStatsItemSet;
  private readonly clusterName: string;
  private readonly enableQueueStat: boolean;
  private readonly scheduler: StatsScheduler;

  constructor(options: BrokerStatsManagerOptions) {
    this.clusterName = options.clusterName;
    this.enableQueueStat = options.enableQueueStat;
    this.scheduler = options.scheduler;
    const log = options.statsLog;
    const names = options.enableQueueStat ? [...QUEUE_SETS, ...BROKER_SETS] : BROKER_SETS;
    for (const name of names) this.statsTable.set(name, new StatsItemSet(name, this.scheduler, log));
    for (const name of COMMERCIAL_SETS)
      this.statsTable.set(name, new StatsItemSet(name, this.scheduler, options.commercialLog ?? log));
    this.momentStatsItemSetFallSize = new MomentStatsItemSet(Stats.GROUP_GET_FALL_SIZE, this.scheduler, log);
    this.momentStatsItemSetFallTime = new MomentStatsItemSet(Stats.GROUP_GET_FALL_TIME, this.scheduler, log);
  }

  shutdown(): void {
    this.scheduler.shutdown();
  }

  /** The set of a stats name (undefined for a name this broker does not keep). */
  getStatsItemSet(statsName: string): StatsItemSet | undefined {
    return this.statsTable.get(statsName);
  }

  getStatsItem(statsName: string, statsKey: string): StatsItem | undefined {
    return this.statsTable.get(statsName)?.getStatsItem(statsKey);
  }

  private set(name: string): StatsItemSet | undefined {
    return this.statsTable.get(name);
  }

  // ------------------------------------------------------------------------------------------
  // Puts

  incQueuePutNums(topic: string, queueId: number, num = 1, times = 1): void {
    if (this.enableQueueStat) this.set(Stats.QUEUE_PUT_NUMS)?.addValue(topicQueueKey(topic, queueId), num, times);
  }

  incQueuePutSize(topic: string, queueId: number, size: number): void {
    if (this.enableQueueStat) this.set(Stats.QUEUE_PUT_SIZE)?.addValue(topicQueueKey(topic, queueId), size, 1);
  }

  incTopicPutNums(topic: string, num = 1, times = 1): void {
    this.set(Stats.TOPIC_PUT_NUMS)?.addValue(topic, num, times);
  }

  incTopicPutSize(topic: string, size: number): void {
    this.set(Stats.TOPIC_PUT_SIZE)?.addValue(topic, size, 1);
  }

  /** BROKER_PUT_NUMS keeps one item, keyed by the cluster name; it counts values only. */
  incBrokerPutNums(num = 1): void {
    this.set(Stats.BROKER_PUT_NUMS)?.getAndCreateStatsItem(this.clusterName).add(num, 0);
  }

  incSendBackNums(group: string, topic: string): void {
    this.set(Stats.SNDBCK_PUT_NUMS)?.addValue(topicGroupKey(topic, group), 1, 1);
  }

  // ------------------------------------------------------------------------------------------
  // Gets

  incQueueGetNums(group: string, topic: string, queueId: number, num: number): void {
    if (this.enableQueueStat)
      this.set(Stats.QUEUE_GET_NUMS)?.addValue(topicQueueGroupKey(topic, queueId, group), num, 1);
  }

  incQueueGetSize(group: string, topic: string, queueId: number, size: number): void {
    if (this.enableQueueStat)
      this.set(Stats.QUEUE_GET_SIZE)?.addValue(topicQueueGroupKey(topic, queueId, group), size, 1);
  }

  incGroupGetNums(group: string, topic: string, num: number): void {
    this.set(Stats.GROUP_GET_NUMS)?.addValue(topicGroupKey(topic, group), num, 1);
  }

  incGroupGetSize(group: string, topic: string, size: number): void {
    this.set(Stats.GROUP_GET_SIZE)?.addValue(topicGroupKey(topic, group), size, 1);
  }

  incGroupGetLatency(group: string, topic: string, queueId: number, latencyMs: number): void {
    const key = this.enableQueueStat ? queueTopicGroupKey(queueId, topic, group) : topicGroupKey(topic, group);
    this.set(Stats.GROUP_GET_LATENCY)?.addRTValue(key, latencyMs, 1);
  }

  incBrokerGetNums(num: number): void {
    this.set(Stats.BROKER_GET_NUMS)?.getAndCreateStatsItem(this.clusterName).add(num, 0);
  }

  recordDiskFallBehindTime(group: string, topic: string, queueId: number, fallBehindMs: number): void {
    this.momentStatsItemSetFallTime.setValue(queueTopicGroupKey(queueId, topic, group), fallBehindMs);
  }

  recordDiskFallBehindSize(group: string, topic: string, queueId: number, fallBehind: number): void {
    this.momentStatsItemSetFallSize.setValue(queueTopicGroupKey(queueId, topic, group), fallBehind);
  }

  /** Messages per second a group pulled from a topic over the last minute (consumeTps). */
  tpsGroupGetNums(group: string, topic: string): number {
    return this.set(Stats.GROUP_GET_NUMS)?.getStatsDataInMinute(topicGroupKey(topic, group)).tps ?? 0;
  }

  // ------------------------------------------------------------------------------------------
  // Deletions

  onTopicDeleted(topic: string): void {
    this.set(Stats.TOPIC_PUT_NUMS)?.delValue(topic);
    this.set(Stats.TOPIC_PUT_SIZE)?.delValue(topic);
    for (const name of [
      Stats.QUEUE_PUT_NUMS,
      Stats.QUEUE_PUT_SIZE,
      Stats.GROUP_GET_NUMS,
      Stats.GROUP_GET_SIZE,
      Stats.QUEUE_GET_NUMS,
      Stats.QUEUE_GET_SIZE,
      Stats.SNDBCK_PUT_NUMS,
    ])
      this.set(name)?.delValueByPrefixKey(topic, "@");
    this.set(Stats.GROUP_GET_LATENCY)?.delValueByInfixKey(topic, "@");
    this.momentStatsItemSetFallSize.delValueByInfixKey(topic, "@");
    this.momentStatsItemSetFallTime.delValueByInfixKey(topic, "@");
  }

  onGroupDeleted(group: string): void {
    for (const name of [
      Stats.GROUP_GET_NUMS,
      Stats.GROUP_GET_SIZE,
      Stats.QUEUE_GET_NUMS,
      Stats.QUEUE_GET_SIZE,
      Stats.SNDBCK_PUT_NUMS,
      Stats.GROUP_GET_LATENCY,
    ])
      this.set(name)?.delValueBySuffixKey(group, "@");
    this.momentStatsItemSetFallSize.delValueBySuffixKey(group, "@");
    this.momentStatsItemSetFallTime.delValueBySuffixKey(group, "@");
  }
}
