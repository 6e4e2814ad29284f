/**
 * /metrics in Prometheus' text format with rocketmq-exporter's metric names and labels, so dashboards
 * built on the exporter work unchanged. Values are collected on the console's interval (as the
 * exporter's scheduled tasks do) and served from the registry between collections.
 *
 * Covered: per broker TPS/QPS and runtime figures; per topic put TPS and max offset; per group and
 * topic consume TPS, committed offset, backlog (diff), retry and DLQ backlogs, and the online
 * consumer count.
 */
import type { MQAdminClient } from "@rocketmq-ts/client";
import { versionDesc } from "@rocketmq-ts/remoting";
import { Gauge, Registry } from "prom-client";
import type { ClusterView } from "../service/ClusterService.js";
import { firstRate } from "../service/ClusterService.js";

const GROUP_LABELS = ["group", "topic", "countOfOnlineConsumers", "msgModel"] as const;
const BROKER_LABELS = ["cluster", "broker"] as const;
const TOPIC_LABELS = ["cluster", "broker", "topic"] as const;
const CONSUMER_LABELS = ["cluster", "broker", "topic", "group"] as const;

/** Runtime keys exported as rocketmq_brokeruntime_<name> (their first figure for rates). */
const RUNTIME_GAUGES: readonly [string, string][] = [
  ["msg_put_total_today_now", "msgPutTotalTodayNow"],
  ["msg_gettotal_today_now", "msgGetTotalTodayNow"],
  ["msg_put_total_yesterday_morning", "msgPutTotalYesterdayMorning"],
  ["msg_gettotal_yesterday_morning", "msgGetTotalYesterdayMorning"],
  ["msg_put_total_today_morning", "msgPutTotalTodayMorning"],
  ["msg_gettotal_today_morning", "msgGetTotalTodayMorning"],
  ["put_tps", "putTps"],
  ["get_transfered_tps", "getTransferedTps"],
  ["dispatch_behind_bytes", "dispatchBehindBytes"],
  ["commitlog_disk_ratio", "commitLogDiskRatio"],
  ["consumequeue_disk_ratio", "consumeQueueDiskRatio"],
  ["commitlog_min_offset", "commitLogMinOffset"],
  ["commitlog_max_offset", "commitLogMaxOffset"],
  ["earliest_message_timestamp", "earliestMessageTimeStamp"],
  ["start_accept_sendrequest_time", "startAcceptSendRequestTimeStamp"],
];

/** One subscription group as the Consumer page lists it (from the last collection). */
export interface GroupSummary {
  group: string;
  /** Messages not yet consumed on its topics (retry and DLQ backlogs apart). */
  diff: number | null;
  retryDiff: number | null;
  dlqDiff: number | null;
  consumeTps: number | null;
  online: number;
  /** CLUSTERING / BROADCASTING ("" while no consumer is online). */
  msgModel: string;
  /** CONSUME_PASSIVELY (push) / CONSUME_ACTIVELY (pull), "" while none is online. */
  consumeType: string;
  /** Client versions of the online consumers (e.g. V4_9_8). */
  versions: string[];
  topics: string[];
}

export class ExporterMetrics {
  /** Each topic's put TPS (all brokers) in the last collection. */
  readonly topicTps = new Map<string, number>();
  /** Every subscription group of the last collection, by name. */
  readonly groups = new Map<string, GroupSummary>();
  groupsCollectedAt = 0;
  readonly registry = new Registry();
  private readonly brokerTps = this.gauge("rocketmq_broker_tps", "messages stored per second", BROKER_LABELS);
  private readonly brokerQps = this.gauge("rocketmq_broker_qps", "messages read per second", BROKER_LABELS);
  private readonly producerTps = this.gauge("rocketmq_producer_tps", "messages stored per second", TOPIC_LABELS);
  private readonly producerOffset = this.gauge("rocketmq_producer_offset", "max offset of the topic", TOPIC_LABELS);
  private readonly consumerTps = this.gauge("rocketmq_consumer_tps", "messages consumed per second", CONSUMER_LABELS);
  private readonly consumerOffset = this.gauge("rocketmq_consumer_offset", "committed offset", CONSUMER_LABELS);
  private readonly groupDiff = this.gauge("rocketmq_group_diff", "messages not yet consumed", GROUP_LABELS);
  private readonly groupRetryDiff = this.gauge(
    "rocketmq_group_retrydiff",
    "retry messages not yet consumed",
    GROUP_LABELS,
  );
  private readonly groupDlqDiff = this.gauge("rocketmq_group_dlqdiff", "dead letters of the group", GROUP_LABELS);
  private readonly groupCount = this.gauge("rocketmq_group_count", "consumers online", ["group"] as const);
  private readonly latency = this.gauge(
    "rocketmq_group_get_latency_by_storetime",
    "consume latency by store time (ms)",
    CONSUMER_LABELS,
  );
  private readonly runtime = new Map<string, Gauge<"cluster" | "brokerIP" | "brokerHost">>();

  constructor(private readonly admin: MQAdminClient) {
    for (const [name] of RUNTIME_GAUGES) {
      this.runtime.set(
        name,
        this.gauge(`rocketmq_brokeruntime_${name}`, `broker runtime ${name}`, [
          "cluster",
          "brokerIP",
          "brokerHost",
        ] as const),
      );
    }
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  /** Broker figures from a cluster view (taken by the console's sampler). */
  recordCluster(view: ClusterView): void {
    this.brokerTps.reset();
    this.brokerQps.reset();
    for (const g of this.runtime.values()) g.reset();
    for (const b of view.brokers) {
      if (b.error || b.brokerId !== 0) continue;
      this.brokerTps.set({ cluster: b.cluster, broker: b.brokerName }, b.inTps);
      this.brokerQps.set({ cluster: b.cluster, broker: b.brokerName }, b.outTps);
      const ip = b.addr.slice(0, b.addr.lastIndexOf(":"));
      for (const [name, key] of RUNTIME_GAUGES) {
        const raw = b.runtime[key];
        if (raw === undefined || raw === "") continue;
        this.runtime.get(name)?.set({ cluster: b.cluster, brokerIP: ip, brokerHost: b.brokerName }, firstRate(raw));
      }
    }
  }

  /** Topic and group figures: every topic's queues, every subscription group's progress. */
  async collectGroups(view: ClusterView): Promise<void> {
    const brokerCluster = new Map(view.brokers.map((b) => [b.brokerName, b.cluster]));
    const masters = view.brokers.filter((b) => b.brokerId === 0 && !b.error);
    const masterAddr = new Map(masters.map((b) => [b.brokerName, b.addr]));
    const groups = new Set<string>();
    for (const m of masters) {
      const wrapper = await this.admin.getUserSubscriptionGroup(m.addr).catch(() => null);
      for (const g of wrapper?.subscriptionGroupTable.keys() ?? []) groups.add(g);
    }
    const topics = (await this.admin.fetchAllTopicList()).filter((t) => !t.startsWith("%") && !brokerCluster.has(t));
    this.producerOffset.reset();
    this.producerTps.reset();
    this.topicTps.clear();
    for (const topic of topics) {
      const stats = await this.admin.examineTopicStats(topic).catch(() => null);
      if (!stats) continue;
      const byBroker = new Map<string, number>();
      for (const q of stats) byBroker.set(q.brokerName, (byBroker.get(q.brokerName) ?? 0) + q.maxOffset);
      for (const [broker, offset] of byBroker) {
        const cluster = brokerCluster.get(broker) ?? "";
        this.producerOffset.set({ cluster, broker, topic }, offset);
        const addr = masterAddr.get(broker);
        // TOPIC_PUT_NUMS' last minute (VIEW_BROKER_STATS_DATA), as the exporter reads it
        const put = addr ? await this.admin.viewBrokerStatsData(addr, "TOPIC_PUT_NUMS", topic).catch(() => null) : null;
        if (put) {
          this.producerTps.set({ cluster, broker, topic }, put.statsMinute.tps);
          this.topicTps.set(topic, (this.topicTps.get(topic) ?? 0) + put.statsMinute.tps);
        }
      }
    }
    for (const gauge of [
      this.groupDiff,
      this.groupRetryDiff,
      this.groupDlqDiff,
      this.groupCount,
      this.consumerOffset,
      this.consumerTps,
      this.latency,
    ]) {
      gauge.reset();
    }
    const summaries = new Map<string, GroupSummary>();
    for (const group of groups) summaries.set(group, await this.collectGroup(group, brokerCluster, masterAddr));
    this.groups.clear();
    for (const [g, summary] of summaries) this.groups.set(g, summary);
    this.groupsCollectedAt = Date.now();
  }

  private async collectGroup(
    group: string,
    brokerCluster: Map<string, string>,
    masterAddr: Map<string, string>,
  ): Promise<GroupSummary> {
    const conn = await this.admin.examineConsumerConnectionInfo(group).catch(() => null);
    const online = conn?.connections.length ?? 0;
    const msgModel = typeof conn?.body["messageModel"] === "string" ? conn.body["messageModel"] : "";
    const summary: GroupSummary = {
      group,
      diff: null,
      retryDiff: null,
      dlqDiff: null,
      consumeTps: null,
      online,
      msgModel,
      consumeType: typeof conn?.body["consumeType"] === "string" ? conn.body["consumeType"] : "",
      versions: [...new Set(conn?.connections.map((c) => versionDesc(c.version)) ?? [])].sort(),
      topics: [],
    };
    this.groupCount.set({ group }, online);
    const stats = await this.admin.examineConsumeStats(group).catch(() => null);
    if (!stats || stats.progress.length === 0) return summary;
    const perTopic = new Map<string, { diff: number; retry: number; dlq: number }>();
    const perBrokerTopic = new Map<string, { broker: string; topic: string; offset: number }>();
    const now = Date.now();
    for (const p of stats.progress) {
      const diff = Math.max(0, p.brokerOffset - p.consumerOffset);
      const isRetry = p.topic.startsWith("%RETRY%");
      const isDlq = p.topic.startsWith("%DLQ%");
      const key = isRetry || isDlq ? "" : p.topic;
      const t = perTopic.get(key) ?? { diff: 0, retry: 0, dlq: 0 };
      if (isRetry) t.retry += diff;
      else if (isDlq) t.dlq += diff;
      else t.diff += diff;
      perTopic.set(key, t);
      if (!isRetry && !isDlq) {
        const k = `${p.brokerName}\u0001${p.topic}`;
        const e = perBrokerTopic.get(k) ?? { broker: p.brokerName, topic: p.topic, offset: 0 };
        e.offset += p.consumerOffset;
        perBrokerTopic.set(k, e);
        if (diff > 0 && p.lastTimestamp > 0) {
          const cluster = brokerCluster.get(p.brokerName) ?? "";
          const labels = { cluster, broker: p.brokerName, topic: p.topic, group };
          this.latency.set(labels, Math.max(0, now - p.lastTimestamp));
        }
      }
    }
    const retry = perTopic.get("")?.retry ?? 0;
    const dlq = perTopic.get("")?.dlq ?? 0;
    summary.retryDiff = retry;
    summary.dlqDiff = dlq;
    summary.diff = 0;
    summary.consumeTps = stats.consumeTps;
    for (const [topic, t] of perTopic) {
      if (topic === "") continue;
      summary.diff += t.diff;
      summary.topics.push(topic);
    }
    summary.topics.sort();
    for (const [topic, t] of perTopic) {
      if (topic === "") continue;
      const labels = { group, topic, countOfOnlineConsumers: String(online), msgModel };
      this.groupDiff.set(labels, t.diff);
      this.groupRetryDiff.set(labels, retry);
      this.groupDlqDiff.set(labels, dlq);
    }
    for (const e of perBrokerTopic.values()) {
      const labels = { cluster: brokerCluster.get(e.broker) ?? "", broker: e.broker, topic: e.topic, group };
      this.consumerOffset.set(labels, e.offset);
      const addr = masterAddr.get(e.broker);
      // GROUP_GET_NUMS of topic@group, last minute
      const got = addr
        ? await this.admin.viewBrokerStatsData(addr, "GROUP_GET_NUMS", `${e.topic}@${group}`).catch(() => null)
        : null;
      if (got) this.consumerTps.set(labels, got.statsMinute.tps);
    }
    return summary;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
