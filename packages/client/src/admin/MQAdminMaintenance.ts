/**
 * The admin calls of mqadmin's metadata and store-maintenance commands (Java's DefaultMQAdminExtImpl
 * getUserTopicConfig, getUserSubscriptionGroup, cleanExpiredConsumerQueue, deleteExpiredCommitLog,
 * cleanUnusedTopic, queryConsumeQueue, getAllProducerInfo, and MQClientAPIImpl's requests behind
 * them): one broker by address, or every broker of a cluster.
 */
import {
  decodeDataVersion,
  decodeProducerTableInfo,
  decodeQueryConsumeQueueResponseBody,
  decodeTopicConfigWrapper,
  decodeTopicList,
  entries,
  MixAll,
  obj,
  parseBody,
  type ClusterInfo,
  type DataVersion,
  type ProducerInfo,
  type QueryConsumeQueueResponseBody,
  type TopicConfigSerializeWrapper,
} from "@rocketmq-ts/common";
import {
  encodeHeader,
  GetAllProducerInfoRequestHeader,
  QueryConsumeQueueRequestHeader,
  RequestCode,
  type JsonObject,
} from "@rocketmq-ts/remoting";
import { createRequest } from "../impl/requests.js";
import type { MQAdminClient } from "../MQAdminClient.js";

/** GET_ALL_SUBSCRIPTIONGROUP_CONFIG's body: each group's config kept as the broker wrote it. */
export interface SubscriptionGroupWrapper {
  dataVersion: DataVersion;
  subscriptionGroupTable: Map<string, JsonObject>;
}

/** Groups getUserSubscriptionGroup leaves out (Java's DefaultMQAdminExtImpl.SYSTEM_GROUP_SET). */
const SYSTEM_GROUP_SET = new Set([
  "DEFAULT_CONSUMER",
  "DEFAULT_PRODUCER",
  "TOOLS_CONSUMER",
  "FILTERSRV_CONSUMER",
  "__MONITOR_CONSUMER",
  "CLIENT_INNER_PRODUCER",
  "SELF_TEST_P_GROUP",
  "SELF_TEST_C_GROUP",
  "CID_ONS-HTTP-PROXY",
  "CID_ONSAPI_PERMISSION",
  "CID_ONSAPI_OWNER",
  "CID_ONSAPI_PULL",
  MixAll.CID_SYS_RMQ_TRANS,
]);
const CID_RMQ_SYS_PREFIX = "CID_RMQ_SYS_";

/** Every address (master and slaves) of every broker set of `cluster` (ClusterInfo.retrieveAllAddrByCluster). */
export function retrieveAllAddrByCluster(info: ClusterInfo, cluster: string): string[] {
  return (info.clusterAddrTable.get(cluster) ?? []).flatMap((name) =>
    [...(info.brokerAddrTable.get(name)?.brokerAddrs.entries() ?? [])].sort((a, b) => a[0] - b[0]).map(([, a]) => a),
  );
}

export class MQAdminMaintenance {
  constructor(private readonly admin: MQAdminClient) {}

  /** GET_SYSTEM_TOPIC_LIST_FROM_BROKER: the broker's system topics. */
  async getSystemTopicListFromBroker(brokerAddr: string): Promise<string[]> {
    const res = await this.admin.call(brokerAddr, createRequest(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER));
    return decodeTopicList(res.body).topicList;
  }

  /** GET_ALL_TOPIC_CONFIG: every topic of the broker with the table's data version. */
  async getAllTopicConfig(brokerAddr: string): Promise<TopicConfigSerializeWrapper> {
    const res = await this.admin.call(brokerAddr, createRequest(RequestCode.GET_ALL_TOPIC_CONFIG));
    return decodeTopicConfigWrapper(parseBody(res.body, "TopicConfigSerializeWrapper"), "TopicConfigSerializeWrapper");
  }

  /** The broker's topics without its system topics and, unless `specialTopic`, without retry and DLQ topics. */
  async getUserTopicConfig(brokerAddr: string, specialTopic: boolean): Promise<TopicConfigSerializeWrapper> {
    const wrapper = await this.getAllTopicConfig(brokerAddr);
    const system = new Set(await this.getSystemTopicListFromBroker(brokerAddr));
    for (const topic of [...wrapper.topicConfigTable.keys()]) {
      const special =
        topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(MixAll.DLQ_GROUP_TOPIC_PREFIX);
      if (system.has(topic) || (!specialTopic && special)) wrapper.topicConfigTable.delete(topic);
    }
    return wrapper;
  }

  /** GET_ALL_SUBSCRIPTIONGROUP_CONFIG: every subscription group of the broker. */
  async getAllSubscriptionGroup(brokerAddr: string): Promise<SubscriptionGroupWrapper> {
    const res = await this.admin.call(brokerAddr, createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG));
    const o = obj(parseBody(res.body, "SubscriptionGroupWrapper"), "SubscriptionGroupWrapper");
    return {
      dataVersion: decodeDataVersion(o["dataVersion"]),
      subscriptionGroupTable: new Map(
        entries(o["subscriptionGroupTable"], "subscriptionGroupTable").map(([g, c]) => [
          g,
          obj(c, `subscriptionGroupTable.${g}`),
        ]),
      ),
    };
  }

  /** The broker's subscription groups without the system groups. */
  async getUserSubscriptionGroup(brokerAddr: string): Promise<SubscriptionGroupWrapper> {
    const wrapper = await this.getAllSubscriptionGroup(brokerAddr);
    for (const group of [...wrapper.subscriptionGroupTable.keys()])
      if (group.startsWith(CID_RMQ_SYS_PREFIX) || SYSTEM_GROUP_SET.has(group))
        wrapper.subscriptionGroupTable.delete(group);
    return wrapper;
  }

  /** A request without header or body that a broker answers SUCCESS to (else MQClientException). */
  async maintenanceByAddr(
    code:
      | typeof RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE
      | typeof RequestCode.DELETE_EXPIRED_COMMITLOG
      | typeof RequestCode.CLEAN_UNUSED_TOPIC,
    brokerAddr: string,
  ): Promise<boolean> {
    await this.admin.call(brokerAddr, createRequest(code));
    this.admin.logger?.warn({ brokerAddr, code }, "broker maintenance request done");
    return true;
  }

  /**
   * The request on every broker (masters and slaves) of `cluster`, or of every cluster when none is
   * named: the result is the last broker's, false when there was none.
   */
  async maintenanceByCluster(
    code: Parameters<MQAdminMaintenance["maintenanceByAddr"]>[0],
    cluster: string | undefined,
  ): Promise<boolean> {
    const info = await this.admin.examineBrokerClusterInfo();
    const clusters = cluster ? [cluster] : [...info.clusterAddrTable.keys()];
    let result = false;
    for (const name of clusters)
      for (const addr of retrieveAllAddrByCluster(info, name)) result = await this.maintenanceByAddr(code, addr);
    return result;
  }

  /** QUERY_CONSUME_QUEUE: `count` entries of a consume queue from `index`, with the group's subscription. */
  async queryConsumeQueue(
    brokerAddr: string,
    topic: string,
    queueId: number,
    index: number,
    count: number,
    consumerGroup?: string,
  ): Promise<QueryConsumeQueueResponseBody> {
    const extFields = encodeHeader(QueryConsumeQueueRequestHeader, { topic, queueId, index, count, consumerGroup });
    const res = await this.admin.call(brokerAddr, createRequest(RequestCode.QUERY_CONSUME_QUEUE, { extFields }));
    return decodeQueryConsumeQueueResponseBody(res.body);
  }

  /** GET_ALL_PRODUCER_INFO: producer group → the producers connected to the broker. */
  async getAllProducerInfo(brokerAddr: string): Promise<Map<string, ProducerInfo[]>> {
    const extFields = encodeHeader(GetAllProducerInfoRequestHeader, {});
    const res = await this.admin.call(brokerAddr, createRequest(RequestCode.GET_ALL_PRODUCER_INFO, { extFields }));
    return decodeProducerTableInfo(res.body);
  }
}
