/**
 * The Consumer and Producer pages' data (rocketmq-dashboard's ConsumerController and
 * ProducerController). The group list comes from the last metrics collection (lag, TPS, consumers
 * online, client versions): listing 2,000 groups is then one memory read, where asking every broker
 * per page load is what makes the Java dashboard slow at that size. A group's detail, resets and
 * changes go to the cluster at once.
 */
import type { ConnectionInfo, ConsumeQueueProgress, MQAdminClient } from "@rocketmq-ts/client";
import { MQClientException } from "@rocketmq-ts/client";
import type { JsonValue } from "@rocketmq-ts/remoting";
import { versionDesc } from "@rocketmq-ts/remoting";
import type { ExporterMetrics, GroupSummary } from "../metrics/ExporterMetrics.js";

export interface GroupList {
  total: number;
  page: number;
  pageSize: number;
  collectedAt: number;
  groups: GroupSummary[];
}

export interface GroupDetail {
  group: string;
  consumeTps: number;
  diff: number;
  progress: ConsumeQueueProgress[];
  connections: (ConnectionInfo & { versionDesc: string })[];
  messageModel: string | null;
  consumeType: string | null;
  consumeFromWhere: string | null;
  subscriptions: { topic: string; subString: string }[];
}

export interface GroupUpdate {
  group: string;
  consumeEnable: boolean;
  consumeBroadcastEnable: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  clusterNames: readonly string[];
  brokerNames: readonly string[];
}

const SYSTEM_GROUP =
  /^(TOOLS_CONSUMER|FILTERSRV_CONSUMER|__MONITOR_CONSUMER|CLIENT_INNER_PRODUCER|SELF_TEST_P_GROUP|SELF_TEST_C_GROUP|CID_ONS-HTTP-PROXY|CID_ONSAPI_OWNER|CID_ONSAPI_PERMISSION|CID_ONSAPI_PULL|CID_RMQ_SYS_.*)$/;

export class ConsumerService {
  constructor(
    private readonly admin: MQAdminClient,
    private readonly metrics: ExporterMetrics,
  ) {}

  list(q: { search: string; page: number; pageSize: number; includeSystem: boolean }): GroupList {
    const needle = q.search.toLowerCase();
    const rows = [...this.metrics.groups.values()]
      .filter((g) => (q.includeSystem || !SYSTEM_GROUP.test(g.group)) && g.group.toLowerCase().includes(needle))
      .sort((a, b) => a.group.localeCompare(b.group));
    const start = (q.page - 1) * q.pageSize;
    return {
      total: rows.length,
      page: q.page,
      pageSize: q.pageSize,
      collectedAt: this.metrics.groupsCollectedAt,
      groups: rows.slice(start, start + q.pageSize),
    };
  }

  async detail(group: string): Promise<GroupDetail> {
    const [stats, conn] = await Promise.all([
      this.admin.examineConsumeStats(group).catch((err: unknown) => {
        if (err instanceof MQClientException) return { progress: [], consumeTps: 0 };
        throw err;
      }),
      this.admin.examineConsumerConnectionInfo(group).catch(() => null),
    ]);
    const progress = stats.progress.sort(
      (a, b) => a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId,
    );
    const str = (v: JsonValue | undefined): string | null => (typeof v === "string" ? v : null);
    const table = conn?.body["subscriptionTable"];
    const subscriptions: { topic: string; subString: string }[] = [];
    if (table instanceof Map) {
      for (const [topic, sub] of table) {
        const s = sub as Record<string, JsonValue>;
        subscriptions.push({ topic: String(topic), subString: String(s["subString"] ?? "*") });
      }
    } else if (table && typeof table === "object" && !Array.isArray(table)) {
      for (const [topic, sub] of Object.entries(table as Record<string, JsonValue>)) {
        subscriptions.push({ topic, subString: String((sub as Record<string, JsonValue>)["subString"] ?? "*") });
      }
    }
    return {
      group,
      consumeTps: stats.consumeTps,
      diff: progress.reduce((n, p) => n + Math.max(0, p.brokerOffset - p.consumerOffset), 0),
      progress,
      connections: (conn?.connections ?? []).map((c) => ({ ...c, versionDesc: versionDesc(c.version) })),
      messageModel: str(conn?.body["messageModel"]),
      consumeType: str(conn?.body["consumeType"]),
      consumeFromWhere: str(conn?.body["consumeFromWhere"]),
      subscriptions: subscriptions.sort((a, b) => a.topic.localeCompare(b.topic)),
    };
  }

  /** Java's resetOffsetByTimestamp (the broker tells online consumers to move): the offsets set. */
  resetOffset(group: string, topic: string, timestamp: number, force: boolean) {
    return this.admin.resetOffsetByTimestamp(topic, group, timestamp, force);
  }

  private async masters(clusterNames: readonly string[], brokerNames: readonly string[]): Promise<string[]> {
    const info = await this.admin.examineBrokerClusterInfo();
    const names = new Set(brokerNames);
    for (const c of clusterNames) {
      const members = info.clusterAddrTable.get(c);
      if (!members) throw new MQClientException(-1, `cluster [${c}] not exist`);
      for (const b of members) names.add(b);
    }
    if (names.size === 0) for (const b of info.brokerAddrTable.keys()) names.add(b);
    const addrs: string[] = [];
    for (const n of names) {
      const addr = info.brokerAddrTable.get(n)?.brokerAddrs.get(0);
      if (!addr) throw new MQClientException(-1, `broker [${n}] has no master`);
      addrs.push(addr);
    }
    return addrs;
  }

  async createOrUpdate(u: GroupUpdate): Promise<string[]> {
    const addrs = await this.masters(u.clusterNames, u.brokerNames);
    for (const addr of addrs) {
      await this.admin.createAndUpdateSubscriptionGroupConfig(addr, {
        groupName: u.group,
        consumeEnable: u.consumeEnable,
        consumeFromMinEnable: true,
        consumeBroadcastEnable: u.consumeBroadcastEnable,
        retryQueueNums: u.retryQueueNums,
        retryMaxTimes: u.retryMaxTimes,
        brokerId: u.brokerId,
        whichBrokerWhenConsumeSlowly: u.whichBrokerWhenConsumeSlowly,
        notifyConsumerIdsChangedEnable: true,
      });
    }
    return addrs;
  }

  /** From every master (of the named clusters/brokers, all when none). */
  async delete(group: string, clusterNames: readonly string[], brokerNames: readonly string[]): Promise<string[]> {
    const addrs = await this.masters(clusterNames, brokerNames);
    for (const addr of addrs) await this.admin.deleteSubscriptionGroup(addr, group);
    this.metrics.groups.delete(group);
    return addrs;
  }

  /** GET_CONSUMER_RUNNING_INFO relayed to one client of the group: its properties, queues and statistics. */
  async runningInfo(group: string, clientId: string) {
    const info = await this.admin.getConsumerRunningInfo(group, clientId, false);
    if (!info) throw new MQClientException(206, `no running info from ${clientId}`);
    return {
      properties: Object.fromEntries(info.properties),
      subscriptions: info.subscriptionSet.map((s) => ({ topic: s.topic, subString: s.subString })),
      queues: info.mqTable.map(([mq, pq]) => ({ ...mq, ...pq })),
      status: Object.fromEntries(info.statusTable),
    };
  }

  /** The groups that consume `topic` (online, or with offsets on a broker). */
  consumersOf(topic: string): Promise<string[]> {
    return this.admin.queryTopicConsumeByWho(topic);
  }

  async producers(group: string, topic: string): Promise<(ConnectionInfo & { versionDesc: string })[]> {
    const list = await this.admin.examineProducerConnectionInfo(group, topic);
    return list.map((c) => ({ ...c, versionDesc: versionDesc(c.version) }));
  }
}
