/**
 * Admin calls to name servers and brokers (Java's DefaultMQAdminExt, the part mqadmin uses). Every
 * method is one or a few requests; bodies are decoded into typed values.
 */
import {
  decodeClusterInfo,
  decodeConsumeMessageDirectlyResult,
  decodeConsumerRunningInfo,
  decodeKVTable,
  decodeMessageId,
  formatHost,
  decodeTopicList,
  decodeTopicRouteData,
  MixAll,
  parseBody,
  type ClusterInfo,
  type ConsumeMessageDirectlyResult,
  type ConsumerRunningInfo,
  type TopicConfig,
  type TopicRouteData,
} from "@rocketmq-ts/common";
import {
  javaHashMapOrder,
  RemotingClient,
  RequestCode,
  ResponseCode,
  stringifyFastjson,
  type JsonMap,
  type JsonValue,
  type RemotingCommand,
  type RPCHook,
} from "@rocketmq-ts/remoting";
import { createRequest } from "./impl/requests.js";
import type { Logger } from "pino";
import { decodePulledMessages } from "./consumer/decodeMessages.js";
import type { MessageExt, MessageQueue } from "./message/Message.js";
import type { ClientRemoting } from "./impl/MQClientInstance.js";
import { MQClientException } from "./MQClientException.js";

export interface MQAdminClientOptions {
  namesrvAddr: string;
  /** Per-call timeout (mqadmin uses 5000 ms). */
  timeoutMillis?: number;
  logger?: Logger;
  rpcHook?: RPCHook;
  /** The remoting client to use instead of a new RemotingClient. */
  remotingClient?: ClientRemoting;
}

export interface QueueStats {
  brokerName: string;
  queueId: number;
  topic: string;
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface ConsumeQueueProgress {
  brokerName: string;
  queueId: number;
  topic: string;
  brokerOffset: number;
  consumerOffset: number;
  lastTimestamp: number;
}

/** Java's MessageTrack (printed through its toString). */
export interface MessageTrack {
  consumerGroup: string;
  trackType: "CONSUMED" | "CONSUMED_BUT_FILTERED" | "PULL" | "NOT_CONSUME_YET" | "NOT_ONLINE" | "UNKNOWN";
  exceptionDesc: string | null;
}

export function messageTrackToString(t: MessageTrack): string {
  return `MessageTrack [consumerGroup=${t.consumerGroup}, trackType=${t.trackType}, exceptionDesc=${t.exceptionDesc ?? "null"}]`;
}

export interface ConnectionInfo {
  clientId: string;
  clientAddr: string;
  language: string;
  version: number;
}

export type PullStatus = "FOUND" | "NO_NEW_MSG" | "NO_MATCHED_MSG" | "OFFSET_ILLEGAL";
const PULL_STATUS = new Map<number, PullStatus>([
  [ResponseCode.SUCCESS, "FOUND"],
  [ResponseCode.PULL_NOT_FOUND, "NO_NEW_MSG"],
  [ResponseCode.PULL_RETRY_IMMEDIATELY, "NO_MATCHED_MSG"],
  [ResponseCode.PULL_OFFSET_MOVED, "OFFSET_ILLEGAL"],
]);

export class MQAdminClient {
  readonly remoting: ClientRemoting;
  private readonly timeout: number;

  constructor(options: MQAdminClientOptions) {
    this.remoting =
      options.remotingClient ?? new RemotingClient({ ...(options.logger ? { logger: options.logger } : {}) });
    this.remoting.updateNameServerAddressList(options.namesrvAddr.split(";"));
    if (options.rpcHook) this.remoting.registerRPCHook(options.rpcHook);
    this.timeout = options.timeoutMillis ?? 5000;
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
    const res = await this.remoting.invokeSync(addr, request, this.timeout);
    if (!accept.includes(res.code)) throw new MQClientException(res.code, res.remark ?? "");
    return res;
  }

  async examineBrokerClusterInfo(): Promise<ClusterInfo> {
    return decodeClusterInfo((await this.call(null, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO))).body);
  }

  async examineTopicRouteInfo(topic: string): Promise<TopicRouteData> {
    const res = await this.remoting.invokeSync(
      null,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic } }),
      this.timeout,
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

  async examineTopicStats(topic: string): Promise<QueueStats[]> {
    const route = await this.examineTopicRouteInfo(topic);
    const out: QueueStats[] = [];
    for (const bd of route.brokerDatas) {
      const addr = selectBrokerAddr(bd.brokerAddrs);
      if (!addr) continue;
      const res = await this.call(addr, createRequest(RequestCode.GET_TOPIC_STATS_INFO, { extFields: { topic } }));
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
      const ext: Record<string, string> = { consumerGroup: group };
      if (topic) ext["topic"] = topic;
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
      createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST, { extFields: { consumerGroup: group } }),
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
          extFields: { clientId, jstackEnable: String(jstack), consumerGroup: group },
        }),
        this.timeout * 3,
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
        extFields: { consumerGroup: group, clientId, msgId: msg.offsetMsgId },
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
      createRequest(RequestCode.GET_PRODUCER_CONNECTION_LIST, { extFields: { producerGroup: group } }),
    );
    return connectionsOf((parseBody(res.body, "ProducerConnection") as Record<string, JsonValue>)["connectionSet"]);
  }

  async createAndUpdateTopicConfig(brokerAddr: string, config: TopicConfig): Promise<void> {
    await this.call(
      brokerAddr,
      createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
        extFields: {
          topic: config.topicName,
          defaultTopic: MixAll.AUTO_CREATE_TOPIC_KEY_TOPIC,
          readQueueNums: String(config.readQueueNums),
          writeQueueNums: String(config.writeQueueNums),
          perm: String(config.perm),
          topicFilterType: config.topicFilterType,
          topicSysFlag: String(config.topicSysFlag),
          order: String(config.order),
        },
      }),
    );
  }

  async deleteTopicInBroker(brokerAddr: string, topic: string): Promise<void> {
    await this.call(brokerAddr, createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, { extFields: { topic } }));
  }

  async deleteTopicInNameServer(namesrvAddr: string, topic: string, clusterName?: string): Promise<void> {
    const ext: Record<string, string> = { topic };
    if (clusterName) ext["clusterName"] = clusterName;
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
    const code = op === "wipe" ? RequestCode.WIPE_WRITE_PERM_OF_BROKER : RequestCode.ADD_WRITE_PERM_OF_BROKER;
    const res = await this.call(namesrvAddr, createRequest(code, { extFields: { brokerName } }));
    return Number(res.extFields?.[op === "wipe" ? "wipeTopicCount" : "addTopicCount"] ?? 0);
  }

  async getNameServerConfig(namesrvAddr: string): Promise<string> {
    return (await this.call(namesrvAddr, createRequest(RequestCode.GET_NAMESRV_CONFIG))).body?.toString("utf8") ?? "";
  }

  async putKVConfig(namespace: string, key: string, value: string): Promise<void> {
    for (const addr of this.namesrvAddrList()) {
      await this.call(addr, createRequest(RequestCode.PUT_KV_CONFIG, { extFields: { namespace, key, value } }));
    }
  }

  async deleteKVConfig(namespace: string, key: string): Promise<void> {
    for (const addr of this.namesrvAddrList()) {
      await this.call(addr, createRequest(RequestCode.DELETE_KV_CONFIG, { extFields: { namespace, key } }));
    }
  }

  async createAndUpdateSubscriptionGroupConfig(brokerAddr: string, config: Record<string, JsonValue>): Promise<void> {
    await this.call(
      brokerAddr,
      createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, { body: Buffer.from(stringifyFastjson(config)) }),
    );
  }

  /** QUERY_MESSAGE by key on every broker set of the topic; keeps messages whose KEYS contain `key`. */
  async queryMessageByKey(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<MessageExt[]> {
    const ext = { topic, key, maxNum: String(maxNum), beginTimestamp: String(begin), endTimestamp: String(end) };
    const out = (await this.queryMessageOnEveryBroker(topic, ext)).filter((m) =>
      (m.keys ?? "").split(" ").includes(key),
    );
    if (out.length === 0)
      throw new MQClientException(ResponseCode.NO_MESSAGE, `query message by key finished, but no message.`);
    return out;
  }

  /** VIEW_MESSAGE_BY_ID: the offset message id names the store host and the commit-log offset. */
  async viewMessage(offsetMsgId: string): Promise<MessageExt> {
    const { storeHost, commitLogOffset } = decodeMessageId(offsetMsgId);
    const res = await this.call(
      formatHost(storeHost),
      createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { extFields: { offset: String(commitLogOffset) } }),
    );
    const msg = res.body ? decodePulledMessages(res.body, "")[0] : undefined;
    if (!msg) throw new MQClientException(ResponseCode.SYSTEM_ERROR, "the message body is empty");
    return msg;
  }

  /** QUERY_MESSAGE with `_UNIQUE_KEY_QUERY`: the message whose UNIQ_KEY is `msgId` (newest store time wins). */
  async viewMessageByUniqKey(topic: string, msgId: string): Promise<MessageExt> {
    const ext = {
      _UNIQUE_KEY_QUERY: "true",
      beginTimestamp: "0",
      topic,
      maxNum: "32",
      endTimestamp: "9223372036854775807",
      key: msgId,
    };
    const found = (await this.queryMessageOnEveryBroker(topic, ext)).filter((m) => m.msgId === msgId);
    const newest = found.sort((a, b) => b.storeTimestamp - a.storeTimestamp)[0];
    if (!newest) throw new MQClientException(ResponseCode.NO_MESSAGE, "query message by key finished, but no message.");
    return newest;
  }

  /** QUERY_MESSAGE on one address of every broker set of the topic; the records they answer with. */
  private async queryMessageOnEveryBroker(topic: string, extFields: Record<string, string>): Promise<MessageExt[]> {
    const route = await this.examineTopicRouteInfo(topic);
    const out: MessageExt[] = [];
    for (const bd of route.brokerDatas) {
      const addr = selectBrokerAddr(bd.brokerAddrs);
      if (!addr) continue;
      const res = await this.remoting.invokeSync(
        addr,
        createRequest(RequestCode.QUERY_MESSAGE, { extFields: { ...extFields } }),
        15_000,
      );
      if (res.code === ResponseCode.SUCCESS && res.body) out.push(...decodePulledMessages(res.body, bd.brokerName));
    }
    return out;
  }

  private async brokerAddrOf(mq: { topic: string; brokerName: string }): Promise<string> {
    const route = await this.examineTopicRouteInfo(mq.topic);
    const bd = route.brokerDatas.find((b) => b.brokerName === mq.brokerName);
    const addr = bd ? selectBrokerAddr(bd.brokerAddrs) : undefined;
    if (!addr) throw new MQClientException(-1, `The broker[${mq.brokerName}] not exist`);
    return addr;
  }

  /**
   * DefaultMQPullConsumer.pull(mq, "*", offset, maxNums) as the tools use it: status FOUND /
   * NO_NEW_MSG / NO_MATCHED_MSG / OFFSET_ILLEGAL, the next offset and the messages.
   */
  async pull(
    mq: MessageQueue,
    offset: number,
    maxNums: number,
    group = "TOOLS_CONSUMER",
  ): Promise<{ status: PullStatus; nextBeginOffset: number; messages: MessageExt[] }> {
    const res = await this.remoting.invokeSync(
      await this.brokerAddrOf(mq),
      createRequest(RequestCode.PULL_MESSAGE, {
        extFields: {
          consumerGroup: group,
          topic: mq.topic,
          queueId: String(mq.queueId),
          queueOffset: String(offset),
          maxMsgNums: String(maxNums),
          sysFlag: "4",
          commitOffset: "0",
          suspendTimeoutMillis: "20000",
          subscription: "*",
          subVersion: "0",
          expressionType: "TAG",
          bname: mq.brokerName,
        },
      }),
      this.timeout,
    );
    const nextBeginOffset = Number(res.extFields?.["nextBeginOffset"] ?? offset);
    const status = PULL_STATUS.get(res.code);
    if (!status) throw new MQClientException(res.code, res.remark ?? "");
    const messages = status === "FOUND" && res.body ? decodePulledMessages(res.body, mq.brokerName) : [];
    // as Java's PullAPIWrapper: the queue's range travels with every pulled message
    for (const m of messages) {
      m.properties.set("MIN_OFFSET", String(res.extFields?.["minOffset"] ?? 0));
      m.properties.set("MAX_OFFSET", String(res.extFields?.["maxOffset"] ?? 0));
    }
    return { status, nextBeginOffset, messages };
  }

  /** One message at a queue offset (what DefaultMQPullConsumer.pull(mq, "*", offset, 1) fetches); null if none. */
  async pullOne(mq: MessageQueue, offset: number): Promise<MessageExt | null> {
    const r = await this.pull(mq, offset, 1).catch(() => null);
    return r?.messages[0] ?? null;
  }

  /** GET_MIN_OFFSET / GET_MAX_OFFSET / SEARCH_OFFSET_BY_TIMESTAMP of a queue. */
  async queueOffset(kind: "min" | "max" | { timestamp: number }, mq: MessageQueue): Promise<number> {
    const code =
      kind === "min"
        ? RequestCode.GET_MIN_OFFSET
        : kind === "max"
          ? RequestCode.GET_MAX_OFFSET
          : RequestCode.SEARCH_OFFSET_BY_TIMESTAMP;
    const extFields: Record<string, string> = { topic: mq.topic, queueId: String(mq.queueId) };
    if (typeof kind === "object") extFields["timestamp"] = String(kind.timestamp);
    const res = await this.call(await this.brokerAddrOf(mq), createRequest(code, { extFields }));
    return Number(res.extFields?.["offset"] ?? 0);
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
        createRequest(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { extFields: { topic } }),
      );
      const body = parseBody(res.body, "GroupList") as Record<string, JsonValue>;
      const list = Array.isArray(body["groupList"]) ? body["groupList"].map(String) : [];
      // the client holds them in a HashSet
      return javaHashMapOrder(list);
    }
    return [];
  }

  /** Java's messageTrackDetail: for every group that consumes the topic, has it consumed `msg`? */
  async messageTrackDetail(msg: MessageExt): Promise<MessageTrack[]> {
    const out: MessageTrack[] = [];
    // cluster info is fetched once, and only if some group consumes passively
    let info: ClusterInfo | undefined;
    for (const group of await this.queryTopicConsumeByWho(msg.topic)) {
      const track: MessageTrack = { consumerGroup: group, trackType: "UNKNOWN", exceptionDesc: null };
      out.push(track);
      let connection: Record<string, JsonValue>;
      try {
        connection = (await this.examineConsumerConnectionInfo(group)).body;
      } catch (e) {
        if (e instanceof MQClientException) {
          if (e.responseCode === ResponseCode.CONSUMER_NOT_ONLINE) track.trackType = "NOT_ONLINE";
          track.exceptionDesc = `CODE:${e.responseCode} DESC:${e.errorMessage}`;
        } else {
          track.exceptionDesc = String(e);
        }
        continue;
      }
      if (connection["consumeType"] === "CONSUME_ACTIVELY") {
        track.trackType = "PULL";
        continue;
      }
      const { progress } = await this.examineConsumeStats(group);
      const storeHost = msg.storeHost;
      info ??= await this.examineBrokerClusterInfo();
      const masters = info;
      const consumed = progress.some(
        (p) =>
          p.topic === msg.topic &&
          p.queueId === msg.queueId &&
          masters.brokerAddrTable.get(p.brokerName)?.brokerAddrs.get(MixAll.MASTER_ID) === storeHost &&
          p.consumerOffset > msg.queueOffset,
      );
      track.trackType = consumed ? "CONSUMED" : "NOT_CONSUME_YET";
      if (consumed) {
        const subs = connection["subscriptionTable"];
        const sub =
          subs instanceof Map
            ? (subs as JsonMap).get(msg.topic)
            : subs && typeof subs === "object" && !Array.isArray(subs)
              ? (subs as Record<string, JsonValue>)[msg.topic]
              : undefined;
        const tags =
          sub && typeof sub === "object" && !Array.isArray(sub)
            ? (sub as Record<string, JsonValue>)["tagsSet"]
            : undefined;
        const set = Array.isArray(tags) ? tags.map(String) : [];
        if (sub && set.length > 0 && !set.includes("*") && !(msg.tags !== undefined && set.includes(msg.tags)))
          track.trackType = "CONSUMED_BUT_FILTERED";
      }
    }
    return out;
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
          extFields: { topic, group, timestamp: String(timestamp), isForce: String(isForce) },
        }),
      );
      for (const [k, v] of mqTable(res.body)) out.push({ ...k, offset: Number(v) });
    }
    return out;
  }

  async deleteSubscriptionGroup(brokerAddr: string, groupName: string): Promise<void> {
    await this.call(brokerAddr, createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP, { extFields: { groupName } }));
  }

  shutdown(): Promise<void> {
    return this.remoting.shutdown();
  }
}

/** BrokerData.selectBrokerAddr: the master, else any address. */
export function selectBrokerAddr(addrs: Map<number, string>): string | undefined {
  return addrs.get(0) ?? [...addrs.values()][Math.floor(Math.random() * addrs.size)];
}

function numOf(v: JsonValue | undefined, key: string): number {
  const o = v as Record<string, JsonValue> | undefined;
  return Number(o?.[key] ?? 0);
}

/** A `{ {MessageQueue}: value }` table from a body (GET_TOPIC_STATS_INFO, GET_CONSUME_STATS). */
/** A body's `offsetTable` keyed by MessageQueue objects (fastjson's non-standard object keys). */
export function mqTable(body: Buffer | null): [{ brokerName: string; queueId: number; topic: string }, JsonValue][] {
  const root = parseBody(body, "offsetTable") as Record<string, JsonValue>;
  const table = root["offsetTable"];
  const entries: [JsonValue, JsonValue][] = table instanceof Map ? ([...(table as JsonMap).entries()] as never) : [];
  return entries.map(([k, v]) => {
    const key = k as Record<string, JsonValue>;
    return [{ brokerName: String(key["brokerName"]), queueId: Number(key["queueId"]), topic: String(key["topic"]) }, v];
  });
}

function connectionsOf(v: JsonValue | undefined): ConnectionInfo[] {
  return (Array.isArray(v) ? v : []).map((c) => {
    const o = c as Record<string, JsonValue>;
    return {
      clientId: String(o["clientId"]),
      clientAddr: String(o["clientAddr"]),
      language: String(o["language"]),
      version: Number(o["version"]),
    };
  });
}
