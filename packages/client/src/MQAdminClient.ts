/**
 * Admin calls to name servers and brokers (Java's DefaultMQAdminExt, the part mqadmin uses). Every
 * method is one or a few requests; bodies are decoded into typed values.
 *
 * Long because it is the one facade mqadmin and the console call (Java's DefaultMQAdminExt has the
 * same breadth); each method is a few lines, and themes with logic of their own live in admin/
 * (MQAdminImpl for messages and offsets, MQAdminAcl for the ACL codes).
 */
import {
  attributesToString,
  decodeClusterInfo,
  decodeConsumeMessageDirectlyResult,
  decodeConsumerRunningInfo,
  decodeKVTable,
  decodeTopicList,
  decodeTopicRouteData,
  MixAll,
  parseBody,
  type ClusterInfo,
  type ConsumeMessageDirectlyResult,
  type ConsumerRunningInfo,
  type ProducerInfo,
  type QueryConsumeQueueResponseBody,
  type TopicConfig,
  type TopicConfigSerializeWrapper,
  type TopicRouteData,
} from "@rocketmq-ts/common";
import {
  AddWritePermOfBrokerRequestHeader,
  AddWritePermOfBrokerResponseHeader,
  ConsumeMessageDirectlyResultRequestHeader,
  CreateTopicRequestHeader,
  DeleteKVConfigRequestHeader,
  DeleteSubscriptionGroupRequestHeader,
  DeleteTopicFromNamesrvRequestHeader,
  DeleteTopicRequestHeader,
  encodeHeader,
  GetConsumeStatsInBrokerHeader,
  GetConsumeStatsRequestHeader,
  GetConsumerConnectionListRequestHeader,
  GetConsumerRunningInfoRequestHeader,
  GetProducerConnectionListRequestHeader,
  GetRouteInfoRequestHeader,
  GetTopicStatsInfoRequestHeader,
  javaHashMapOrder,
  PutKVConfigRequestHeader,
  QueryTopicConsumeByWhoRequestHeader,
  RemotingClient,
  ResetOffsetRequestHeader,
  ViewBrokerStatsDataRequestHeader,
  WipeWritePermOfBrokerRequestHeader,
  WipeWritePermOfBrokerResponseHeader,
  RequestCode,
  ResponseCode,
  stringifyFastjson,
  type JsonValue,
  type RemotingCommand,
  type RPCHook,
} from "@rocketmq-ts/remoting";
import { decodeHeaderLeniently, headerFields } from "./impl/headers.js";
import { createRequest } from "./impl/requests.js";
import { clientTlsOptions } from "./impl/clientTls.js";
import { rpcHooksOf, type SessionCredentials } from "./impl/rpcHooks.js";
import type { PullStatus } from "./consumer/PullAPIWrapper.js";
import type { Logger } from "pino";
import type { MessageExt, MessageQueue } from "./message/Message.js";
import type { ClientRemoting } from "./impl/MQClientInstance.js";
import { MQClientException } from "./MQClientException.js";
import {
  brokerStatsDataOf,
  connectionsOf,
  consumeStatsListOf,
  numOf,
  selectBrokerAddr,
  type BrokerStatsData,
  type ConnectionInfo,
  type ConsumeQueueProgress,
  type ConsumeStatsList,
  type QueueStats,
} from "./admin/adminBodies.js";
import { MQAdminImpl } from "./admin/MQAdminImpl.js";
import { MQAdminMaintenance, type SubscriptionGroupWrapper } from "./admin/MQAdminMaintenance.js";
import { MQAdminAcl, type ClusterAclVersionInfo } from "./admin/MQAdminAcl.js";
import type { PlainAccessConfig } from "@rocketmq-ts/acl";
import { messageTrackDetail, type MessageTrack } from "./admin/MessageTrack.js";

export interface MQAdminClientOptions {
  namesrvAddr: string;
  /** Per-call timeout (mqadmin uses 5000 ms). */
  timeoutMillis?: number;
  /** Java's `useTLS`: connect with TLS (as `tls.client.*` say); default `-Dtls.enable` (false). */
  useTLS?: boolean;
  logger?: Logger;
  /** Runs before every request (Java's RPCHook); with `sessionCredentials` as well, this one runs first. */
  rpcHook?: RPCHook;
  /**
   * Sign every request for brokers with plain ACL, as Java's `new DefaultMQAdminExt(new
   * AclClientRPCHook(new SessionCredentials(ak, sk)))`. The ACL admin calls below need only a valid
   * signature (or a white address), not an admin account, as in 4.9.8.
   */
  sessionCredentials?: SessionCredentials;
  /** The remoting client to use instead of a new RemotingClient. */
  remotingClient?: ClientRemoting;
}

export type { PullStatus };
export * from "./admin/adminBodies.js";
export { messageTrackToString, type MessageTrack } from "./admin/MessageTrack.js";
export type { SubscriptionGroupWrapper } from "./admin/MQAdminMaintenance.js";
export type { ClusterAclVersionInfo } from "./admin/MQAdminAcl.js";
export type { PlainAccessConfig } from "@rocketmq-ts/acl";

/** mqadmin deleteSubGroup (4.9.8) writes only the group name; later headers add removeOffset. */
const DeleteSubscriptionGroupGroupOnly = headerFields(DeleteSubscriptionGroupRequestHeader, ["groupName"]);

export class MQAdminClient {
  readonly remoting: ClientRemoting;
  /** Per-call timeout. */
  readonly timeoutMillis: number;
  readonly logger: Logger | undefined;
  private readonly mqAdminImpl = new MQAdminImpl(this);
  private readonly maintenance = new MQAdminMaintenance(this);
  private readonly acl = new MQAdminAcl(this);

  constructor(options: MQAdminClientOptions) {
    this.remoting =
      options.remotingClient ??
      new RemotingClient({
        ...(options.logger ? { logger: options.logger } : {}),
        ...clientTlsOptions(options.useTLS),
      });
    this.remoting.updateNameServerAddressList(options.namesrvAddr.split(";"));
    for (const hook of rpcHooksOf(options)) this.remoting.registerRPCHook(hook);
    this.timeoutMillis = options.timeoutMillis ?? 5000;
    this.logger = options.logger;
  }

  namesrvAddrList(): string[] {
    return this.remoting.getNameServerAddressList();
  }

  /** Call and require SUCCESS (or one of `accept`), else MQClientException with the broker's code/remark. */
  async call(
    addr: string | null,
    request: RemotingCommand,
    accept: number[] = [ResponseCode.SUCCESS],
  ): Promise<RemotingCommand> {
    const res = await this.remoting.invokeSync(addr, request, this.timeoutMillis);
    if (!accept.includes(res.code)) throw new MQClientException(res.code, res.remark ?? "");
    return res;
  }

  async examineBrokerClusterInfo(): Promise<ClusterInfo> {
    return decodeClusterInfo((await this.call(null, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO))).body);
  }

  async examineTopicRouteInfo(topic: string): Promise<TopicRouteData> {
    const res = await this.remoting.invokeSync(
      null,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, {
        extFields: encodeHeader(GetRouteInfoRequestHeader, { topic }),
      }),
      this.timeoutMillis,
    );
    if (res.code === ResponseCode.TOPIC_NOT_EXIST) {
      throw new MQClientException(
        res.code,
        `No topic route info in name server for the topic: ${topic}${MixAll.FAQ_URL_SUFFIX}`,
      );
    }
    if (res.code !== ResponseCode.SUCCESS) throw new MQClientException(res.code, res.remark ?? "");
    return decodeTopicRouteData(res.body);
  }

  async fetchAllTopicList(): Promise<string[]> {
    return decodeTopicList((await this.call(null, createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER))).body)
      .topicList;
  }

  async fetchBrokerRuntimeStats(brokerAddr: string): Promise<Map<string, string>> {
    return decodeKVTable((await this.call(brokerAddr, createRequest(RequestCode.GET_BROKER_RUNTIME_INFO))).body);
  }

  /** VIEW_BROKER_STATS_DATA: one stats item's last minute, hour and day (e.g. TOPIC_PUT_NUMS of a topic). */
  async viewBrokerStatsData(brokerAddr: string, statsName: string, statsKey: string): Promise<BrokerStatsData> {
    const res = await this.call(
      brokerAddr,
      createRequest(RequestCode.VIEW_BROKER_STATS_DATA, {
        extFields: encodeHeader(ViewBrokerStatsDataRequestHeader, { statsName, statsKey }),
      }),
    );
    return brokerStatsDataOf(parseBody(res.body, "BrokerStatsData"));
  }

  /** GET_BROKER_CONSUME_STATS: every subscription group's progress on one broker (only order topics with isOrder). */
  async fetchConsumeStatsInBroker(
    brokerAddr: string,
    isOrder: boolean,
    timeoutMillis: number,
  ): Promise<ConsumeStatsList> {
    const res = await this.remoting.invokeSync(
      brokerAddr,
      createRequest(RequestCode.GET_BROKER_CONSUME_STATS, {
        extFields: encodeHeader(GetConsumeStatsInBrokerHeader, { isOrder }),
      }),
      timeoutMillis,
    );
    if (res.code !== ResponseCode.SUCCESS) throw new MQClientException(res.code, res.remark ?? "");
    return consumeStatsListOf(parseBody(res.body, "ConsumeStatsList"));
  }

  async examineTopicStats(topic: string): Promise<QueueStats[]> {
    const route = await this.examineTopicRouteInfo(topic);
    const out: QueueStats[] = [];
    for (const bd of route.brokerDatas) {
      const addr = selectBrokerAddr(bd.brokerAddrs);
      if (!addr) continue;
      const res = await this.call(
        addr,
        createRequest(RequestCode.GET_TOPIC_STATS_INFO, {
          extFields: encodeHeader(GetTopicStatsInfoRequestHeader, { topic }),
        }),
      );
      for (const [key, value] of mqTable(res.body)) {
        out.push({
          ...key,
          minOffset: numOf(value, "minOffset"),
          maxOffset: numOf(value, "maxOffset"),
          lastUpdateTimestamp: numOf(value, "lastUpdateTimestamp"),
        });
      }
    }
    return out;
  }

  async examineConsumeStats(
    group: string,
    topic?: string,
  ): Promise<{ progress: ConsumeQueueProgress[]; consumeTps: number }> {
    const route = await this.examineTopicRouteInfo(`${MixAll.RETRY_GROUP_TOPIC_PREFIX}${group}`);
    const progress: ConsumeQueueProgress[] = [];
    let consumeTps = 0;
    for (const bd of route.brokerDatas) {
      const addr = selectBrokerAddr(bd.brokerAddrs);
      if (!addr) continue;
      const ext = encodeHeader(GetConsumeStatsRequestHeader, { consumerGroup: group, ...(topic ? { topic } : {}) });
      const res = await this.remoting.invokeSync(
        addr,
        createRequest(RequestCode.GET_CONSUME_STATS, { extFields: ext }),
        15_000,
      );
      if (res.code !== ResponseCode.SUCCESS) throw new MQClientException(res.code, res.remark ?? "");
      const body = parseBody(res.body, "ConsumeStats") as Record<string, JsonValue>;
      consumeTps += Number(body["consumeTps"] ?? 0);
      for (const [key, value] of mqTable(res.body)) {
        progress.push({
          ...key,
          brokerOffset: numOf(value, "brokerOffset"),
          consumerOffset: numOf(value, "consumerOffset"),
          lastTimestamp: numOf(value, "lastTimestamp"),
        });
      }
    }
    return { progress, consumeTps };
  }

  async examineConsumerConnectionInfo(
    group: string,
  ): Promise<{ connections: ConnectionInfo[]; body: Record<string, JsonValue> }> {
    const route = await this.examineTopicRouteInfo(`${MixAll.RETRY_GROUP_TOPIC_PREFIX}${group}`);
    const bd = route.brokerDatas[Math.floor(Math.random() * route.brokerDatas.length)];
    const addr = bd ? selectBrokerAddr(bd.brokerAddrs) : undefined;
    if (!addr) throw new MQClientException(ResponseCode.CONSUMER_NOT_ONLINE, "Not found the consumer group connection");
    const res = await this.call(
      addr,
      createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST, {
        extFields: encodeHeader(GetConsumerConnectionListRequestHeader, { consumerGroup: group }),
      }),
    );
    const body = parseBody(res.body, "ConsumerConnection") as Record<string, JsonValue>;
    const connections = connectionsOf(body["connectionSet"]);
    if (connections.length === 0)
      throw new MQClientException(ResponseCode.CONSUMER_NOT_ONLINE, "Not found the consumer group connection");
    return { connections, body };
  }

  /** GET_CONSUMER_RUNNING_INFO through a broker of the group (its retry topic's route), relayed to the client. */
  async getConsumerRunningInfo(group: string, clientId: string, jstack: boolean): Promise<ConsumerRunningInfo | null> {
    const route = await this.examineTopicRouteInfo(`${MixAll.RETRY_GROUP_TOPIC_PREFIX}${group}`);
    for (const bd of route.brokerDatas) {
      const addr = selectBrokerAddr(bd.brokerAddrs);
      if (!addr) continue;
      const res = await this.remoting.invokeSync(
        addr,
        createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, {
          extFields: encodeHeader(GetConsumerRunningInfoRequestHeader, {
            consumerGroup: group,
            clientId,
            jstackEnable: jstack,
          }),
        }),
        this.timeoutMillis * 3,
      );
      if (res.code !== ResponseCode.SUCCESS) throw new MQClientException(res.code, res.remark ?? "");
      return res.body ? decodeConsumerRunningInfo(res.body) : null;
    }
    return null;
  }

  /** Have one client of the group consume a stored message now (the message named by its unique key). */
  async consumeMessageDirectly(
    group: string,
    clientId: string,
    topic: string,
    msgId: string,
  ): Promise<ConsumeMessageDirectlyResult> {
    const msg = await this.viewMessageByUniqKey(topic, msgId);
    const res = await this.call(
      msg.storeHost,
      createRequest(RequestCode.CONSUME_MESSAGE_DIRECTLY, {
        extFields: encodeHeader(ConsumeMessageDirectlyResultRequestHeader, {
          consumerGroup: group,
          clientId,
          msgId: msg.offsetMsgId,
        }),
      }),
    );
    return decodeConsumeMessageDirectlyResult(res.body ?? Buffer.alloc(0));
  }

  async examineProducerConnectionInfo(group: string, topic: string): Promise<ConnectionInfo[]> {
    const route = await this.examineTopicRouteInfo(topic);
    const bd = route.brokerDatas[Math.floor(Math.random() * route.brokerDatas.length)];
    const addr = bd ? selectBrokerAddr(bd.brokerAddrs) : undefined;
    if (!addr) return [];
    const res = await this.call(
      addr,
      createRequest(RequestCode.GET_PRODUCER_CONNECTION_LIST, {
        extFields: encodeHeader(GetProducerConnectionListRequestHeader, { producerGroup: group }),
      }),
    );
    return connectionsOf((parseBody(res.body, "ProducerConnection") as Record<string, JsonValue>)["connectionSet"]);
  }

  /** `attributes`: a 5.x change (`+message.type=FIFO,-k`, AttributeParser's map), sent only when given. */
  async createAndUpdateTopicConfig(
    brokerAddr: string,
    config: TopicConfig,
    attributes?: ReadonlyMap<string, string>,
  ): Promise<void> {
    await this.call(
      brokerAddr,
      createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
        extFields: encodeHeader(CreateTopicRequestHeader, {
          topic: config.topicName,
          defaultTopic: MixAll.AUTO_CREATE_TOPIC_KEY_TOPIC,
          readQueueNums: config.readQueueNums,
          writeQueueNums: config.writeQueueNums,
          perm: config.perm,
          topicFilterType: config.topicFilterType,
          topicSysFlag: config.topicSysFlag,
          order: config.order,
          ...(attributes ? { attributes: attributesToString(attributes) } : {}),
        }),
      }),
    );
  }

  async deleteTopicInBroker(brokerAddr: string, topic: string): Promise<void> {
    await this.call(
      brokerAddr,
      createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, {
        extFields: encodeHeader(DeleteTopicRequestHeader, { topic }),
      }),
    );
  }

  async deleteTopicInNameServer(namesrvAddr: string, topic: string, clusterName?: string): Promise<void> {
    const ext = encodeHeader(DeleteTopicFromNamesrvRequestHeader, { topic, ...(clusterName ? { clusterName } : {}) });
    await this.call(namesrvAddr, createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV, { extFields: ext }));
  }

  async getBrokerConfig(brokerAddr: string): Promise<string> {
    return (await this.call(brokerAddr, createRequest(RequestCode.GET_BROKER_CONFIG))).body?.toString("latin1") ?? "";
  }

  async updateBrokerConfig(brokerAddr: string, props: Map<string, string>): Promise<void> {
    const text = [...props].map(([k, v]) => `${k}=${v}\n`).join("");
    await this.call(brokerAddr, createRequest(RequestCode.UPDATE_BROKER_CONFIG, { body: Buffer.from(text, "utf8") }));
  }

  /** WIPE/ADD_WRITE_PERM_OF_BROKER on one name server; returns the number of topics changed. */
  async operateWritePerm(namesrvAddr: string, brokerName: string, op: "wipe" | "add"): Promise<number> {
    if (op === "wipe") {
      const extFields = encodeHeader(WipeWritePermOfBrokerRequestHeader, { brokerName });
      const res = await this.call(namesrvAddr, createRequest(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { extFields }));
      return decodeHeaderLeniently(WipeWritePermOfBrokerResponseHeader, res.extFields).wipeTopicCount ?? 0;
    }
    const extFields = encodeHeader(AddWritePermOfBrokerRequestHeader, { brokerName });
    const res = await this.call(namesrvAddr, createRequest(RequestCode.ADD_WRITE_PERM_OF_BROKER, { extFields }));
    return decodeHeaderLeniently(AddWritePermOfBrokerResponseHeader, res.extFields).addTopicCount ?? 0;
  }

  async getNameServerConfig(namesrvAddr: string): Promise<string> {
    return (await this.call(namesrvAddr, createRequest(RequestCode.GET_NAMESRV_CONFIG))).body?.toString("utf8") ?? "";
  }

  async putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    for (const addr of this.namesrvAddrList()) {
      const extFields = encodeHeader(PutKVConfigRequestHeader, { namespace, key, value });
      await this.call(addr, createRequest(RequestCode.PUT_KV_CONFIG, { extFields }));
    }
  }

  async deleteKVConfig(namespace: string, key: string): Promise<void> {
    for (const addr of this.namesrvAddrList()) {
      const extFields = encodeHeader(DeleteKVConfigRequestHeader, { namespace, key });
      await this.call(addr, createRequest(RequestCode.DELETE_KV_CONFIG, { extFields }));
    }
  }

  async createAndUpdateSubscriptionGroupConfig(brokerAddr: string, config: Record<string, JsonValue>): Promise<void> {
    await this.call(
      brokerAddr,
      createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, { body: Buffer.from(stringifyFastjson(config)) }),
    );
  }

  /** QUERY_MESSAGE by key on every broker set of the topic; keeps messages whose KEYS contain `key`. */
  queryMessageByKey(topic: string, key: string, maxNum: number, begin: number, end: number): Promise<MessageExt[]> {
    return this.mqAdminImpl.queryMessageByKey(topic, key, maxNum, begin, end);
  }

  /** VIEW_MESSAGE_BY_ID: the offset message id names the store host and the commit-log offset. */
  viewMessage(offsetMsgId: string): Promise<MessageExt> {
    return this.mqAdminImpl.viewMessage(offsetMsgId);
  }

  /** QUERY_MESSAGE with `_UNIQUE_KEY_QUERY`: the message whose UNIQ_KEY is `msgId` (newest store time wins). */
  viewMessageByUniqKey(topic: string, msgId: string): Promise<MessageExt> {
    return this.mqAdminImpl.viewMessageByUniqKey(topic, msgId);
  }

  /** DefaultMQPullConsumer.pull(mq, "*", offset, maxNums) as the tools use it. */
  pull(
    mq: MessageQueue,
    offset: number,
    maxNums: number,
    group = "TOOLS_CONSUMER",
  ): Promise<{ status: PullStatus; nextBeginOffset: number; messages: MessageExt[] }> {
    return this.mqAdminImpl.pull(mq, offset, maxNums, group);
  }

  /** One message at a queue offset; null if none. */
  pullOne(mq: MessageQueue, offset: number): Promise<MessageExt | null> {
    return this.mqAdminImpl.pullOne(mq, offset);
  }

  /** GET_MIN_OFFSET / GET_MAX_OFFSET / SEARCH_OFFSET_BY_TIMESTAMP of a queue. */
  queueOffset(kind: "min" | "max" | { timestamp: number }, mq: MessageQueue): Promise<number> {
    return this.mqAdminImpl.queueOffset(kind, mq);
  }

  /** The broker's topics but its system topics (and, unless `specialTopic`, its retry and DLQ topics). */
  getUserTopicConfig(brokerAddr: string, specialTopic: boolean): Promise<TopicConfigSerializeWrapper> {
    return this.maintenance.getUserTopicConfig(brokerAddr, specialTopic);
  }

  /** The broker's subscription groups but the system groups. */
  getUserSubscriptionGroup(brokerAddr: string): Promise<SubscriptionGroupWrapper> {
    return this.maintenance.getUserSubscriptionGroup(brokerAddr);
  }

  /** CLEAN_EXPIRED_CONSUMEQUEUE on one broker or on every broker of a cluster (all clusters when none named). */
  cleanExpiredConsumerQueue(target: { brokerAddr: string } | { cluster?: string }): Promise<boolean> {
    return this.maintenanceOn(RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE, target);
  }

  /** DELETE_EXPIRED_COMMITLOG on one broker or on every broker of a cluster (all clusters when none named). */
  deleteExpiredCommitLog(target: { brokerAddr: string } | { cluster?: string }): Promise<boolean> {
    return this.maintenanceOn(RequestCode.DELETE_EXPIRED_COMMITLOG, target);
  }

  /** CLEAN_UNUSED_TOPIC on one broker or on every broker of a cluster (all clusters when none named). */
  cleanUnusedTopic(target: { brokerAddr: string } | { cluster?: string }): Promise<boolean> {
    return this.maintenanceOn(RequestCode.CLEAN_UNUSED_TOPIC, target);
  }

  private maintenanceOn(
    code: Parameters<MQAdminMaintenance["maintenanceByAddr"]>[0],
    target: { brokerAddr: string } | { cluster?: string },
  ): Promise<boolean> {
    return "brokerAddr" in target
      ? this.maintenance.maintenanceByAddr(code, target.brokerAddr)
      : this.maintenance.maintenanceByCluster(code, target.cluster);
  }

  /** QUERY_CONSUME_QUEUE: `count` entries of a consume queue from `index` (and the group's subscription). */
  queryConsumeQueue(
    brokerAddr: string,
    topic: string,
    queueId: number,
    index: number,
    count: number,
    consumerGroup?: string,
  ): Promise<QueryConsumeQueueResponseBody> {
    return this.maintenance.queryConsumeQueue(brokerAddr, topic, queueId, index, count, consumerGroup);
  }

  /** GET_ALL_PRODUCER_INFO: producer group → the producers connected to the broker. */
  getAllProducerInfo(brokerAddr: string): Promise<Map<string, ProducerInfo[]>> {
    return this.maintenance.getAllProducerInfo(brokerAddr);
  }

  /** The readable queues of a topic (Java's fetchSubscribeMessageQueues), in route order. */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    const route = await this.examineTopicRouteInfo(topic);
    return route.queueDatas.flatMap((q) =>
      Array.from({ length: q.readQueueNums }, (_, queueId) => ({ topic, brokerName: q.brokerName, queueId })),
    );
  }

  /** QUERY_TOPIC_CONSUME_BY_WHO on one broker of the topic (Java asks the first with a master). */
  async queryTopicConsumeByWho(topic: string): Promise<string[]> {
    const route = await this.examineTopicRouteInfo(topic);
    for (const bd of route.brokerDatas) {
      const addr = selectBrokerAddr(bd.brokerAddrs);
      if (!addr) continue;
      const res = await this.call(
        addr,
        createRequest(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, {
          extFields: encodeHeader(QueryTopicConsumeByWhoRequestHeader, { topic }),
        }),
      );
      const body = parseBody(res.body, "GroupList") as Record<string, JsonValue>;
      const list = Array.isArray(body["groupList"]) ? body["groupList"].map(String) : [];
      // the client holds them in a HashSet
      return javaHashMapOrder(list);
    }
    return [];
  }

  /** Java's messageTrackDetail: for every group that consumes the topic, has it consumed `msg`? */
  messageTrackDetail(msg: MessageExt): Promise<MessageTrack[]> {
    return messageTrackDetail(this, msg);
  }

  /** INVOKE_BROKER_TO_RESET_OFFSET on every master of the topic; the offsets each broker set. */
  async resetOffsetByTimestamp(
    topic: string,
    group: string,
    timestamp: number,
    isForce: boolean,
  ): Promise<{ brokerName: string; queueId: number; topic: string; offset: number }[]> {
    const route = await this.examineTopicRouteInfo(topic);
    const out: { brokerName: string; queueId: number; topic: string; offset: number }[] = [];
    for (const bd of route.brokerDatas) {
      const addr = bd.brokerAddrs.get(MixAll.MASTER_ID);
      if (!addr) continue;
      const res = await this.call(
        addr,
        createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
          extFields: encodeHeader(ResetOffsetRequestHeader, { topic, group, timestamp, isForce }),
        }),
      );
      for (const [k, v] of mqTable(res.body)) out.push({ ...k, offset: Number(v) });
    }
    return out;
  }

  async deleteSubscriptionGroup(brokerAddr: string, groupName: string): Promise<void> {
    await this.call(
      brokerAddr,
      createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP, {
        extFields: encodeHeader(DeleteSubscriptionGroupGroupOnly, { groupName }),
      }),
    );
  }

  /**
   * UPDATE_AND_CREATE_ACL_CONFIG: create the account, or update it, in the broker's ACL file (the
   * broker needs aclEnable=true, and the request a valid signature or a white address).
   */
  createAndUpdatePlainAccessConfig(addr: string, config: PlainAccessConfig): Promise<void> {
    return this.acl.createAndUpdatePlainAccessConfig(addr, config);
  }

  /** DELETE_ACL_CONFIG: remove the account with this access key from the broker's ACL files. */
  deletePlainAccessConfig(addr: string, accessKey: string): Promise<void> {
    return this.acl.deletePlainAccessConfig(addr, accessKey);
  }

  /**
   * UPDATE_GLOBAL_WHITE_ADDRS_CONFIG: replace `globalWhiteRemoteAddresses` (comma-separated) of one
   * ACL file (`aclFileFullPath`; without it conf/plain_acl.yml, which a 4.9.8 broker refuses).
   */
  updateGlobalWhiteAddrConfig(addr: string, globalWhiteAddrs: string, aclFileFullPath?: string): Promise<void> {
    return this.acl.updateGlobalWhiteAddrConfig(addr, globalWhiteAddrs, aclFileFullPath);
  }

  /** GET_BROKER_CLUSTER_ACL_INFO: the broker's names and the DataVersion of each of its ACL files. */
  examineBrokerClusterAclVersionInfo(addr: string): Promise<ClusterAclVersionInfo> {
    return this.acl.examineBrokerClusterAclVersionInfo(addr);
  }

  shutdown(): Promise<void> {
    return this.remoting.shutdown();
  }
}

/** A `{ {MessageQueue}: value }` table from a body (GET_TOPIC_STATS_INFO, GET_CONSUME_STATS). */
/** A body's `offsetTable` keyed by MessageQueue objects (fastjson's non-standard object keys). */
export function mqTable(body: Buffer | null): [{ brokerName: string; queueId: number; topic: string }, JsonValue][] {
  const root = parseBody(body, "offsetTable") as Record<string, JsonValue>;
  const table = root["offsetTable"];
  const entries: [JsonValue, JsonValue][] = table instanceof Map ? [...table.entries()] : [];
  return entries.map(([k, v]) => {
    const key = k as Record<string, JsonValue>;
    return [{ brokerName: String(key["brokerName"]), queueId: Number(key["queueId"]), topic: String(key["topic"]) }, v];
  });
}
