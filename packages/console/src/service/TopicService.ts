/**
 * The Topic page's data (rocketmq-dashboard's TopicController): the topic list with its kind,
 * filtered and paged here so a cluster with thousands of topics answers in one name-server call;
 * create/update on every master of a cluster or on named brokers; delete from brokers and name
 * servers; route and per-queue status.
 */
import { MQClientException, type MQAdminClient, type QueueStats } from "@rocketmq-ts/client";
import { newTopicConfig, type TopicRouteData } from "@rocketmq-ts/common";

export type TopicKind = "NORMAL" | "RETRY" | "DLQ" | "SYSTEM";

/** Reserved names (Java's TopicValidator) besides cluster and broker names, which are topics too. */
const RESERVED = new Set([
  "TBW102",
  "SCHEDULE_TOPIC_XXXX",
  "BenchmarkTest",
  "RMQ_SYS_TRANS_HALF_TOPIC",
  "RMQ_SYS_TRACE_TOPIC",
  "RMQ_SYS_TRANS_OP_HALF_TOPIC",
  "TRANS_CHECK_MAX_TIME_TOPIC",
  "SELF_TEST_TOPIC",
  "OFFSET_MOVED_EVENT",
]);

export function topicKind(topic: string, clusterAndBrokerNames: ReadonlySet<string>): TopicKind {
  if (topic.startsWith("%RETRY%")) return "RETRY";
  if (topic.startsWith("%DLQ%")) return "DLQ";
  if (RESERVED.has(topic) || topic.startsWith("rmq_sys_") || clusterAndBrokerNames.has(topic)) return "SYSTEM";
  return "NORMAL";
}

export interface TopicListQuery {
  /** Kinds to list (all when empty). */
  kinds: readonly TopicKind[];
  /** Case-insensitive substring. */
  search: string;
  page: number;
  pageSize: number;
}

export interface TopicList {
  total: number;
  page: number;
  pageSize: number;
  topics: { topic: string; kind: TopicKind }[];
}

export interface TopicUpdate {
  topic: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  order: boolean;
  /** Every master of these clusters… */
  clusterNames: readonly string[];
  /** …and these brokers (by name). */
  brokerNames: readonly string[];
}

export class TopicService {
  constructor(private readonly admin: MQAdminClient) {}

  async list(q: TopicListQuery): Promise<TopicList> {
    const [topics, info] = await Promise.all([this.admin.fetchAllTopicList(), this.admin.examineBrokerClusterInfo()]);
    const names = new Set<string>([...info.clusterAddrTable.keys(), ...info.brokerAddrTable.keys()]);
    const needle = q.search.toLowerCase();
    const rows = topics
      .map((topic) => ({ topic, kind: topicKind(topic, names) }))
      .filter((r) => (q.kinds.length === 0 || q.kinds.includes(r.kind)) && r.topic.toLowerCase().includes(needle))
      .sort((a, b) => a.topic.localeCompare(b.topic));
    const start = (q.page - 1) * q.pageSize;
    return { total: rows.length, page: q.page, pageSize: q.pageSize, topics: rows.slice(start, start + q.pageSize) };
  }

  /** The master addresses a create/update goes to; throws when a named cluster or broker is unknown. */
  private async targets(clusterNames: readonly string[], brokerNames: readonly string[]): Promise<string[]> {
    const info = await this.admin.examineBrokerClusterInfo();
    const wanted = new Set<string>(brokerNames);
    for (const cluster of clusterNames) {
      const members = info.clusterAddrTable.get(cluster);
      if (!members) throw new MQClientException(-1, `cluster [${cluster}] not exist`);
      for (const b of members) wanted.add(b);
    }
    const addrs: string[] = [];
    for (const name of wanted) {
      const addr = info.brokerAddrTable.get(name)?.brokerAddrs.get(0);
      if (!addr) throw new MQClientException(-1, `broker [${name}] has no master`);
      addrs.push(addr);
    }
    if (addrs.length === 0) throw new MQClientException(-1, "choose a cluster or a broker");
    return addrs;
  }

  async createOrUpdate(u: TopicUpdate): Promise<string[]> {
    const addrs = await this.targets(u.clusterNames, u.brokerNames);
    const config = newTopicConfig(u.topic, {
      readQueueNums: u.readQueueNums,
      writeQueueNums: u.writeQueueNums,
      perm: u.perm,
      order: u.order,
    });
    for (const addr of addrs) await this.admin.createAndUpdateTopicConfig(addr, config);
    return addrs;
  }

  /**
   * From every broker it is routed on (of `clusterName` only, if given), then from every name server.
   * A broker's refusal fails the delete; a name server that cannot be reached is reported, not fatal
   * (it forgets the topic when the brokers next register).
   */
  async delete(topic: string, clusterName?: string): Promise<{ unreachableNamesrvs: string[] }> {
    const route = await this.admin.examineTopicRouteInfo(topic);
    const info = await this.admin.examineBrokerClusterInfo();
    for (const bd of route.brokerDatas) {
      if (clusterName && info.brokerAddrTable.get(bd.brokerName)?.cluster !== clusterName) continue;
      for (const addr of bd.brokerAddrs.values()) await this.admin.deleteTopicInBroker(addr, topic);
    }
    const unreachableNamesrvs: string[] = [];
    for (const ns of this.admin.namesrvAddrList()) {
      await this.admin.deleteTopicInNameServer(ns, topic, clusterName).catch((err: unknown) => {
        if (err instanceof MQClientException) throw err; // an answer: the name server refused
        unreachableNamesrvs.push(ns);
      });
    }
    return { unreachableNamesrvs };
  }

  route(topic: string): Promise<TopicRouteData> {
    return this.admin.examineTopicRouteInfo(topic);
  }

  async status(topic: string): Promise<QueueStats[]> {
    const stats = await this.admin.examineTopicStats(topic);
    return stats.sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
  }
}
