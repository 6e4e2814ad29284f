/**
 * /metrics in Prometheus' text format with rocketmq-exporter's metric names, label names and label
 * order, and its way of computing each value, so dashboards built on the exporter work unchanged.
 * Values are collected on the console's interval (as the exporter's scheduled tasks do) and served
 * from the registry between collections. Facts from apache/rocketmq-exporter (MetricsCollectTask,
 * RMQMetricsCollector):
 *
 * - broker: `rocketmq_broker_tps` / `_qps` {cluster, brokerIP, broker}: the master's BROKER_PUT_NUMS /
 *   BROKER_GET_NUMS last-minute TPS (stats key: the cluster name); brokerIP is the master's address.
 * - runtime: `rocketmq_brokeruntime_*` {cluster, brokerIP, brokerHost, des, boottime, broker_version}
 *   from each master's runtime table (brokerHost is empty, as the exporter sends it).
 * - topics: `rocketmq_producer_offset` {cluster, broker, topic}: the sum of the topic's queue max
 *   offsets per broker (retry topics: `rocketmq_topic_retry_offset`; DLQ: `rocketmq_topic_dlq_offset`
 *   {cluster, broker, group}); `rocketmq_producer_tps`: TOPIC_PUT_NUMS last-minute TPS.
 * - groups, per topic a group consumes (QUERY_TOPIC_CONSUME_BY_WHO): `rocketmq_group_diff` {group,
 *   topic, countOfOnlineConsumers, msgModel} (msgModel: MessageModel's ordinal, 1 = CLUSTERING; only for
 *   clustering groups; a %RETRY% topic's backlog is `rocketmq_group_retrydiff`, a %DLQ% one's
 *   `rocketmq_group_dlqdiff`), `rocketmq_group_count` {caddr, localaddr, group} (the consumers' addresses
 *   and client ids, comma-joined), `rocketmq_consumer_offset` {cluster, broker, topic, group} (summed
 *   consumer offsets), `rocketmq_group_get_latency_by_storetime` (age of the oldest unconsumed message),
 *   `rocketmq_consumer_tps` (GROUP_GET_NUMS of topic@group, last minute).
 *
 * Not covered yet: the per-client metrics (`rocketmq_client_*`, from each consumer's running info),
 * `rocketmq_producer_count`, message sizes, send-back counts, `rocketmq_broker_commitlog_diff`.
 */
import type { ConnectionInfo, MQAdminClient } from "@rocketmq-ts/client";
import { versionDesc } from "@rocketmq-ts/remoting";
import { Gauge, Registry } from "prom-client";
import type { ClusterView } from "../service/ClusterService.js";

/** One subscription group as the Consumer page lists it (from the last collection). */
export interface GroupSummary {
  group: string;
  /** Messages not yet consumed on its topics (retry and DLQ backlogs apart); null: no progress known. */
  diff: number | null;
  retryDiff: number | null;
  /** Messages in its dead-letter queue. */
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

const RUNTIME_LABELS = ["cluster", "brokerIP", "brokerHost", "des", "boottime", "broker_version"] as const;
type RuntimeLabel = (typeof RUNTIME_LABELS)[number];

/** rocketmq_brokeruntime_<suffix>: help, and how the value is read from the runtime table. */
const RUNTIME_GAUGES: readonly [string, string, (t: Map<string, string>) => number | undefined][] = [
  ["msg_put_total_today_now", "brokerRuntimeMsgPutTotalTodayNow", (t) => num(t.get("msgPutTotalTodayNow"))],
  ["msg_gettotal_today_now", "brokerRuntimeMsgGetTotalTodayNow", (t) => num(t.get("msgGetTotalTodayNow"))],
  [
    "msg_puttotal_yesterdaymorning",
    "brokerRuntimeMsgPutTotalYesterdayMorning",
    (t) => num(t.get("msgPutTotalYesterdayMorning")),
  ],
  [
    "msg_gettotal_yesterdaymorning",
    "brokerRuntimeMsgGetTotalYesterdayMorning",
    (t) => num(t.get("msgGetTotalYesterdayMorning")),
  ],
  ["msg_puttotal_todaymorning", "brokerRuntimeMsgPutTotalTodayMorning", (t) => num(t.get("msgPutTotalTodayMorning"))],
  ["msg_gettotal_todaymorning", "brokerRuntimeMsgGetTotalTodayMorning", (t) => num(t.get("msgGetTotalTodayMorning"))],
  ["dispatch_behind_bytes", "brokerRuntimeDispatchBehindBytes", (t) => num(t.get("dispatchBehindBytes"))],
  ["put_message_size_total", "brokerRuntimePutMessageSizeTotal", (t) => num(t.get("putMessageSizeTotal"))],
  ["put_message_average_size", "brokerRuntimePutMessageAverageSize", (t) => num(t.get("putMessageAverageSize"))],
  ["putmessage_times_total", "brokerRuntimePutMessageTimesTotal", (t) => num(t.get("putMessageTimesTotal"))],
  ["putmessage_entire_time_max", "brokerRuntimePutMessageEntireTimeMax", (t) => num(t.get("putMessageEntireTimeMax"))],
  ["getmessage_entire_time_max", "brokerRuntimeGetMessageEntireTimeMax", (t) => num(t.get("getMessageEntireTimeMax"))],
  [
    "earliest_message_timestamp",
    "brokerRuntimeEarliestMessageTimeStamp",
    (t) => num(t.get("earliestMessageTimeStamp")),
  ],
  [
    "start_accept_sendrequest_time",
    "brokerRuntimeStartAcceptSendRequestTimeStamp",
    (t) => num(t.get("startAcceptSendRequestTimeStamp")),
  ],
  ["commitlog_disk_ratio", "brokerRuntimeCommitLogDiskRatio", (t) => num(t.get("commitLogDiskRatio"))],
  ["consumequeue_disk_ratio", "brokerRuntimeConsumeQueueDiskRatio", (t) => num(t.get("consumeQueueDiskRatio"))],
  ["commitlog_maxoffset", "brokerRuntimeCommitLogMaxOffset", (t) => num(t.get("commitLogMaxOffset"))],
  ["commitlog_minoffset", "brokerRuntimeCommitLogMinOffset", (t) => num(t.get("commitLogMinOffset"))],
  ["put_tps10", "brokerRuntimePutTps10", (t) => rate(t.get("putTps"), 0)],
  ["put_tps60", "brokerRuntimePutTps60", (t) => rate(t.get("putTps"), 1)],
  ["put_tps600", "brokerRuntimePutTps600", (t) => rate(t.get("putTps"), 2)],
  ["gettransfered_tps10", "brokerRuntimeGetTransferedTps10", (t) => rate(t.get("getTransferedTps"), 0)],
  ["gettransfered_tps60", "brokerRuntimeGetTransferedTps60", (t) => rate(t.get("getTransferedTps"), 1)],
  ["gettransfered_tps600", "brokerRuntimeGetTransferedTps600", (t) => rate(t.get("getTransferedTps"), 2)],
  ["getfound_tps10", "brokerRuntimeGetFoundTps10", (t) => rate(t.get("getFoundTps"), 0)],
  ["getmiss_tps10", "brokerRuntimeGetMissTps10", (t) => rate(t.get("getMissTps"), 0)],
  ["gettotal_tps10", "brokerRuntimeGetTotalTps10", (t) => rate(t.get("getTotalTps"), 0)],
  ["put_latency_99", "brokerRuntimePutLatency99", (t) => num(t.get("putLatency99"))],
  ["put_latency_999", "brokerRuntimePutLatency999", (t) => num(t.get("putLatency999"))],
  ["send_threadpool_queue_size", "brokerRuntimeSendThreadPoolQueueSize", (t) => num(t.get("sendThreadPoolQueueSize"))],
  [
    "send_threadpoolqueue_capacity",
    "brokerRuntimeSendThreadPoolQueueCapacity",
    (t) => num(t.get("sendThreadPoolQueueCapacity")),
  ],
  ["pull_threadpoolqueue_size", "brokerRuntimePullThreadPoolQueueSizeF", (t) => num(t.get("pullThreadPoolQueueSize"))],
  [
    "pull_threadpoolqueue_capacity",
    "brokerRuntimePullThreadPoolQueueCapacity",
    (t) => num(t.get("pullThreadPoolQueueCapacity")),
  ],
  [
    "remain_howmanydata_toflush",
    "brokerRuntimeRemainHowManyDataToFlush",
    (t) => num(t.get("remainHowManyDataToFlush")?.split(" ")[0]),
  ],
];

function num(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** One figure of a "10 s, 1 min, 10 min" rate. */
function rate(value: string | undefined, index: number): number | undefined {
  return num(value?.trim().split(/\s+/)[index]);
}

/** Java's MessageModel ordinals, as the exporter writes them in `msgModel`. */
const MSG_MODEL_ORDINAL: Record<string, string> = { BROADCASTING: "0", CLUSTERING: "1" };

interface Online {
  connections: ConnectionInfo[];
  messageModel: string;
  consumeType: string;
}

export class ExporterMetrics {
  readonly registry = new Registry();
  /** Each topic's put TPS (all brokers) in the last collection. */
  readonly topicTps = new Map<string, number>();
  /** Every subscription group of the last collection, by name. */
  readonly groups = new Map<string, GroupSummary>();
  groupsCollectedAt = 0;

  private readonly brokerTps = this.gauge("rocketmq_broker_tps", "BrokerPutNums", ["cluster", "brokerIP", "broker"]);
  private readonly brokerQps = this.gauge("rocketmq_broker_qps", "BrokerGetNums", ["cluster", "brokerIP", "broker"]);
  private readonly producerOffset = this.gauge("rocketmq_producer_offset", "TopicOffset", [
    "cluster",
    "broker",
    "topic",
  ]);
  private readonly retryOffset = this.gauge("rocketmq_topic_retry_offset", "TopicRetryOffset", [
    "cluster",
    "broker",
    "topic",
  ]);
  private readonly dlqOffset = this.gauge("rocketmq_topic_dlq_offset", "TopicRetryOffset", [
    "cluster",
    "broker",
    "group",
  ]);
  private readonly producerTps = this.gauge("rocketmq_producer_tps", "TopicPutNums", ["cluster", "broker", "topic"]);
  private readonly groupDiff = this.gauge("rocketmq_group_diff", "GroupDiff", [
    "group",
    "topic",
    "countOfOnlineConsumers",
    "msgModel",
  ]);
  private readonly groupRetryDiff = this.gauge("rocketmq_group_retrydiff", "GroupRetryDiff", [
    "group",
    "topic",
    "countOfOnlineConsumers",
    "msgModel",
  ]);
  private readonly groupDlqDiff = this.gauge("rocketmq_group_dlqdiff", "GroupDLQDiff", [
    "group",
    "topic",
    "countOfOnlineConsumers",
    "msgModel",
  ]);
  private readonly groupCount = this.gauge("rocketmq_group_count", "GroupCount", ["caddr", "localaddr", "group"]);
  private readonly consumerTps = this.gauge("rocketmq_consumer_tps", "GroupGetNums", [
    "cluster",
    "broker",
    "topic",
    "group",
  ]);
  private readonly consumerOffset = this.gauge("rocketmq_consumer_offset", "GroupBrokerTotalOffset", [
    "cluster",
    "broker",
    "topic",
    "group",
  ]);
  private readonly latency = this.gauge("rocketmq_group_get_latency_by_storetime", "GroupGetLatencyByStoreTime", [
    "cluster",
    "broker",
    "topic",
    "group",
  ]);
  private readonly runtime = new Map<string, Gauge<RuntimeLabel>>();

  constructor(private readonly admin: MQAdminClient) {
    for (const [suffix, help] of RUNTIME_GAUGES) {
      this.runtime.set(suffix, this.gauge(`rocketmq_brokeruntime_${suffix}`, help, RUNTIME_LABELS));
    }
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  /** Broker figures: each master's runtime table (from the cluster view) and its put/get TPS. */
  async collectBrokers(view: ClusterView): Promise<void> {
    const tps = new Map<string, { labels: Record<string, string>; put?: number; get?: number }>();
    for (const b of view.brokers) {
      if (b.error || b.brokerId !== 0) continue;
      const labels = { cluster: b.cluster, brokerIP: b.addr, broker: b.brokerName };
      const put = await this.admin.viewBrokerStatsData(b.addr, "BROKER_PUT_NUMS", b.cluster).catch(() => null);
      const get = await this.admin.viewBrokerStatsData(b.addr, "BROKER_GET_NUMS", b.cluster).catch(() => null);
      tps.set(b.addr, {
        labels,
        ...(put ? { put: put.statsMinute.tps } : {}),
        ...(get ? { get: get.statsMinute.tps } : {}),
      });
    }
    this.brokerTps.reset();
    this.brokerQps.reset();
    for (const { labels, put, get } of tps.values()) {
      if (put !== undefined) this.brokerTps.set(labels, put);
      if (get !== undefined) this.brokerQps.set(labels, get);
    }
    for (const g of this.runtime.values()) g.reset();
    for (const b of view.brokers) {
      if (b.error || b.brokerId !== 0) continue;
      const table = new Map(Object.entries(b.runtime));
      const labels = {
        cluster: b.cluster,
        brokerIP: b.addr,
        brokerHost: "",
        des: table.get("brokerVersionDesc") ?? "",
        boottime: table.get("bootTimestamp") ?? "",
        broker_version: table.get("brokerVersion") ?? "",
      };
      for (const [suffix, , read] of RUNTIME_GAUGES) {
        const value = read(table);
        if (value !== undefined) this.runtime.get(suffix)?.set(labels, value);
      }
    }
  }

  /** Topic and group figures, and the Consumer page's group list. */
  async collectGroups(view: ClusterView): Promise<void> {
    const clusterOf = new Map(view.brokers.map((b) => [b.brokerName, b.cluster]));
    const masterAddr = new Map(
      view.brokers.filter((b) => b.brokerId === 0 && !b.error).map((b) => [b.brokerName, b.addr]),
    );
    const topics = await this.admin.fetchAllTopicList();

    // topics: offsets, put TPS, and which groups consume them
    const offsets: [Gauge<"cluster" | "broker" | "topic">, Record<string, string>, number][] = [];
    const dlqOffsets: [Record<string, string>, number][] = [];
    const putTps: [Record<string, string>, number][] = [];
    const topicTps = new Map<string, number>();
    const dlqMessages = new Map<string, number>();
    const consumedBy: [string, string][] = [];
    for (const topic of topics) {
      if (clusterOf.has(topic) || view.clusters.some((c) => c.name === topic)) continue; // a broker's or cluster's own topic
      const stats = await this.admin.examineTopicStats(topic).catch(() => null);
      if (stats) {
        const perBroker = new Map<string, { max: number; count: number }>();
        for (const q of stats) {
          const e = perBroker.get(q.brokerName) ?? { max: 0, count: 0 };
          e.max += q.maxOffset;
          e.count += q.maxOffset - q.minOffset;
          perBroker.set(q.brokerName, e);
        }
        for (const [broker, e] of perBroker) {
          const cluster = clusterOf.get(broker) ?? "";
          if (topic.startsWith("%RETRY%")) offsets.push([this.retryOffset, { cluster, broker, topic }, e.max]);
          else if (topic.startsWith("%DLQ%")) {
            const group = topic.slice("%DLQ%".length);
            dlqOffsets.push([{ cluster, broker, group }, e.max]);
            dlqMessages.set(group, (dlqMessages.get(group) ?? 0) + e.count);
          } else {
            offsets.push([this.producerOffset, { cluster, broker, topic }, e.max]);
            const addr = masterAddr.get(broker);
            const put = addr
              ? await this.admin.viewBrokerStatsData(addr, "TOPIC_PUT_NUMS", topic).catch(() => null)
              : null;
            if (put) {
              putTps.push([{ cluster, broker, topic }, put.statsMinute.tps]);
              topicTps.set(topic, (topicTps.get(topic) ?? 0) + put.statsMinute.tps);
            }
          }
        }
      }
      if (topic.startsWith("%DLQ%")) continue;
      const groups = await this.admin.queryTopicConsumeByWho(topic).catch(() => []);
      for (const group of groups) consumedBy.push([topic, group]);
    }

    // every subscription group is listed on the Consumer page, consumed or not
    const allGroups = new Set(consumedBy.map(([, g]) => g));
    for (const addr of masterAddr.values()) {
      const wrapper = await this.admin.getUserSubscriptionGroup(addr).catch(() => null);
      for (const g of wrapper?.subscriptionGroupTable.keys() ?? []) allGroups.add(g);
    }
    const online = new Map<string, Online | null>();
    for (const group of allGroups) {
      const conn = await this.admin.examineConsumerConnectionInfo(group).catch(() => null);
      online.set(
        group,
        conn && {
          connections: conn.connections,
          messageModel: typeof conn.body["messageModel"] === "string" ? conn.body["messageModel"] : "CLUSTERING",
          consumeType: typeof conn.body["consumeType"] === "string" ? conn.body["consumeType"] : "",
        },
      );
    }
    const summaries = new Map<string, GroupSummary>();
    for (const group of allGroups) {
      const o = online.get(group) ?? null;
      summaries.set(group, {
        group,
        diff: null,
        retryDiff: null,
        dlqDiff: dlqMessages.get(group) ?? null,
        consumeTps: null,
        online: o?.connections.length ?? 0,
        msgModel: o?.messageModel ?? "",
        consumeType: o?.consumeType ?? "",
        versions: [...new Set(o?.connections.map((c) => versionDesc(c.version)) ?? [])].sort(),
        topics: [],
      });
    }

    // per (topic, group): backlog, offsets, latency, consume TPS
    const diffs: [Gauge<"group" | "topic" | "countOfOnlineConsumers" | "msgModel">, Record<string, string>, number][] =
      [];
    const consumer: [Gauge<"cluster" | "broker" | "topic" | "group">, Record<string, string>, number][] = [];
    const now = Date.now();
    for (const [topic, group] of consumedBy) {
      const summary = summaries.get(group) as GroupSummary;
      const o = online.get(group) ?? null;
      const stats = await this.admin.examineConsumeStats(group, topic).catch(() => null);
      if (!stats || stats.progress.length === 0) continue;
      let diff = 0;
      const perBroker = new Map<string, { offset: number; latency: number }>();
      for (const p of stats.progress) {
        const behind = Math.max(0, p.brokerOffset - p.consumerOffset);
        diff += behind;
        const e = perBroker.get(p.brokerName) ?? { offset: 0, latency: 0 };
        e.offset += p.consumerOffset;
        if (behind > 0) {
          const oldest = await this.admin
            .pullOne({ topic: p.topic, brokerName: p.brokerName, queueId: p.queueId }, p.consumerOffset)
            .catch(() => null);
          if (oldest) e.latency = Math.max(e.latency, now - oldest.storeTimestamp);
        }
        perBroker.set(p.brokerName, e);
      }
      const model = o?.messageModel ?? "CLUSTERING";
      if (model === "CLUSTERING") {
        const labels = {
          group,
          topic,
          countOfOnlineConsumers: String(o?.connections.length ?? 0),
          msgModel: MSG_MODEL_ORDINAL[model] ?? "",
        };
        diffs.push([topic.startsWith("%RETRY%") ? this.groupRetryDiff : this.groupDiff, labels, diff]);
      }
      if (topic.startsWith("%RETRY%")) summary.retryDiff = (summary.retryDiff ?? 0) + diff;
      else {
        summary.diff = (summary.diff ?? 0) + diff;
        summary.consumeTps = (summary.consumeTps ?? 0) + stats.consumeTps;
        summary.topics.push(topic);
      }
      for (const [broker, e] of perBroker) {
        const labels = { cluster: clusterOf.get(broker) ?? "", broker, topic, group };
        consumer.push([this.consumerOffset, labels, e.offset]);
        if (model === "CLUSTERING") consumer.push([this.latency, labels, e.latency]);
        const addr = masterAddr.get(broker);
        const got = addr
          ? await this.admin.viewBrokerStatsData(addr, "GROUP_GET_NUMS", `${topic}@${group}`).catch(() => null)
          : null;
        if (got) consumer.push([this.consumerTps, labels, got.statsMinute.tps]);
      }
    }

    // swap in the new figures at once: a scrape never sees a half-collected set
    for (const g of [this.producerOffset, this.retryOffset, this.dlqOffset, this.producerTps, this.groupDiff])
      g.reset();
    for (const g of [
      this.groupRetryDiff,
      this.groupDlqDiff,
      this.groupCount,
      this.consumerTps,
      this.consumerOffset,
      this.latency,
    ])
      g.reset();
    for (const [gauge, labels, value] of offsets) gauge.set(labels, value);
    for (const [labels, value] of dlqOffsets) this.dlqOffset.set(labels, value);
    for (const [labels, value] of putTps) this.producerTps.set(labels, value);
    for (const [gauge, labels, value] of diffs) gauge.set(labels, value);
    for (const [gauge, labels, value] of consumer) gauge.set(labels, value);
    for (const [group, o] of online) {
      const conns = o?.connections ?? [];
      this.groupCount.set(
        { caddr: conns.map((c) => c.clientAddr).join(","), localaddr: conns.map((c) => c.clientId).join(","), group },
        conns.length,
      );
    }
    for (const [group, count] of dlqMessages) {
      const o = online.get(group) ?? null;
      const labels = {
        group,
        topic: `%DLQ%${group}`,
        countOfOnlineConsumers: String(o?.connections.length ?? 0),
        msgModel: MSG_MODEL_ORDINAL[o?.messageModel ?? "CLUSTERING"] ?? "",
      };
      this.groupDlqDiff.set(labels, count);
    }
    this.topicTps.clear();
    for (const [t, v] of topicTps) this.topicTps.set(t, v);
    this.groups.clear();
    for (const [g, summary] of summaries) {
      summary.topics.sort();
      this.groups.set(g, summary);
    }
    this.groupsCollectedAt = Date.now();
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
