/**
 * One client's connection to the cluster (Java's MQClientInstance): name server and broker
 * connections, the route tables, the route/heartbeat/offset/rebalance timers and the requests
 * brokers send to clients. Producers and consumers register with it by group.
 */
import {
  decodeTopicRouteData,
  encodeCheckClientRequestBody,
  encodeHeartbeatData,
  isReadable,
  MixAll,
  type ConsumerData,
  type ConsumeMessageDirectlyResult,
  type ConsumerRunningInfo,
  type SubscriptionData,
  type TopicRouteData,
} from "@rocketmq-ts/common";
import {
  encodeHeader,
  GetConsumerListByGroupRequestHeader,
  GetRouteInfoRequestHeader,
  javaHashMapOrder,
  RemotingClient,
  RequestCode,
  ResponseCode,
  UnregisterClientRequestHeader,
  type RemotingCommand,
  type RPCHook,
} from "@rocketmq-ts/remoting";
import pino, { type Logger } from "pino";
import type { MessageExt, MessageQueue } from "../message/Message.js";
import { MQClientException } from "../MQClientException.js";
import { ClientRemotingProcessor } from "./ClientRemotingProcessor.js";
import { defaultInstanceName, localAddress } from "./clientId.js";
import { createRequest } from "./requests.js";
import { clientTlsOptions } from "./clientTls.js";
import { rpcHooksOf, type SessionCredentials } from "./rpcHooks.js";

export type ClientRemoting = Pick<
  RemotingClient,
  | "invokeSync"
  | "invokeAsync"
  | "invokeOneway"
  | "registerProcessor"
  | "registerRPCHook"
  | "updateNameServerAddressList"
  | "getNameServerAddressList"
  | "shutdown"
>;

export interface ClientConfig {
  namesrvAddr: string;
  clientIP?: string;
  instanceName?: string;
  pollNameServerInterval?: number;
  heartbeatBrokerInterval?: number;
  persistConsumerOffsetInterval?: number;
  mqClientApiTimeout?: number;
  /** Java's `useTLS`: connect with TLS (as `tls.client.*` say); default `-Dtls.enable` (false). */
  useTLS?: boolean;
  logger?: Logger;
  /** Runs before every request (Java's RPCHook); with `sessionCredentials` as well, this one runs first. */
  rpcHook?: RPCHook;
  /**
   * Sign every request with this access key and secret key (and security token, if any) for brokers
   * with plain ACL (`aclEnable=true`), as Java's `new AclClientRPCHook(new SessionCredentials(ak, sk))`.
   */
  sessionCredentials?: SessionCredentials;
  /** The remoting client to use instead of a new RemotingClient. */
  remotingClient?: ClientRemoting;
}

/** What the instance needs from a producer. */
export interface MQProducerInner {
  readonly groupName: string;
  publishTopics(): string[];
  updateTopicRoute(topic: string, route: TopicRouteData): void;
  /** Transactional producers: answer a broker's CHECK_TRANSACTION_STATE. */
  checkTransactionState?(
    brokerAddr: string,
    header: { commitLogOffset: number; tranStateTableOffset: number; transactionId?: string },
    body: Buffer,
  ): Promise<void>;
}

/** What the instance needs from a consumer. */
export interface MQConsumerInner {
  readonly groupName: string;
  consumerData(): ConsumerData;
  subscribeTopics(): string[];
  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void;
  doRebalance(): Promise<void>;
  persistConsumerOffset(): Promise<void>;
  resetOffset(topic: string, offsets: Map<string, number>): Promise<void>;
  /** GET_CONSUMER_RUNNING_INFO: what mqadmin consumerStatus shows. */
  consumerRunningInfo?(): ConsumerRunningInfo;
  /** CONSUME_MESSAGE_DIRECTLY: consume one message now and report the outcome. */
  consumeMessageDirectly?(msg: MessageExt, brokerName: string): Promise<ConsumeMessageDirectlyResult>;
}

export const CLIENT_INNER_PRODUCER_GROUP = "CLIENT_INNER_PRODUCER";
const REBALANCE_INTERVAL = 20_000;

export class MQClientInstance {
  readonly clientId: string;
  readonly remoting: ClientRemoting;
  readonly logger: Logger;
  readonly apiTimeout: number;
  readonly clientIP: string;
  private readonly producers = new Map<string, MQProducerInner>();
  private readonly consumers = new Map<string, MQConsumerInner>();
  readonly topicRouteTable = new Map<string, TopicRouteData>();
  /** brokerName → brokerId → address */
  readonly brokerAddrTable = new Map<string, Map<number, string>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private started = false;
  private rebalancing: Promise<void> | null = null;
  private rebalanceAgain = false;

  constructor(private readonly config: ClientConfig) {
    this.clientIP = config.clientIP ?? localAddress();
    this.clientId = `${this.clientIP}@${config.instanceName ?? defaultInstanceName()}`;
    this.logger = config.logger ?? pino({ level: "silent" });
    this.apiTimeout = config.mqClientApiTimeout ?? 3000;
    this.remoting =
      config.remotingClient ?? new RemotingClient({ logger: this.logger, ...clientTlsOptions(config.useTLS) });
    this.remoting.updateNameServerAddressList(config.namesrvAddr.split(";"));
    for (const hook of rpcHooksOf(config)) this.remoting.registerRPCHook(hook);
    new ClientRemotingProcessor(this).registerTo(this.remoting);
  }

  /** Pending request-reply calls: CORRELATION_ID → who waits for the reply. */
  readonly requestFutures = new Map<string, (reply: MessageExt) => void>();

  /**
   * Java's checkClientInBroker: each non-tag subscription goes to a broker of its topic as
   * CHECK_CLIENT_CONFIG; a refusal (no property filter, bad SQL) fails with the broker's code and remark.
   */
  async checkClientInBroker(group: string, subscriptions: readonly SubscriptionData[]): Promise<void> {
    for (const sub of subscriptions) {
      if (sub.expressionType === "TAG" || !sub.expressionType) continue;
      const route = this.topicRouteTable.get(sub.topic);
      const addr = route?.brokerDatas.flatMap((b) => [...b.brokerAddrs.values()])[0];
      if (!addr) continue;
      let res: RemotingCommand;
      try {
        res = await this.remoting.invokeSync(
          addr,
          createRequest(RequestCode.CHECK_CLIENT_CONFIG, {
            body: encodeCheckClientRequestBody(this.clientId, group, sub),
          }),
          this.apiTimeout,
        );
      } catch (e) {
        throw new MQClientException(
          -1,
          `Check client in broker error, maybe because you use ${sub.expressionType} to filter message, but server has not been upgraded to support!${(e as Error).message}`,
        );
      }
      if (res.code !== ResponseCode.SUCCESS) throw new MQClientException(res.code, res.remark ?? "");
    }
  }

  /** The producer of a group registered here (Java's selectProducer). */
  selectProducer(group: string): MQProducerInner | undefined {
    return this.producers.get(group);
  }

  /** The consumer of a group registered here (Java's selectConsumer). */
  selectConsumer(group: string): MQConsumerInner | undefined {
    return this.consumers.get(group);
  }

  registerProducer(p: MQProducerInner): void {
    registerOnce(this.producers, p, "producer");
  }
  registerConsumer(c: MQConsumerInner): void {
    registerOnce(this.consumers, c, "consumer");
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const every = (first: number, period: number, fn: () => Promise<void>): void => {
      const run = (): void => {
        fn().catch((e: unknown) => this.logger.warn({ err: e }, "scheduled task failed"));
      };
      const t = setTimeout(() => {
        run();
        const i = setInterval(run, period);
        i.unref();
        this.timers.push(i);
      }, first);
      t.unref();
      this.timers.push(t);
    };
    every(10, this.config.pollNameServerInterval ?? 30_000, async () => {
      await this.updateTopicRouteInfoFromNameServer();
    });
    every(1000, this.config.heartbeatBrokerInterval ?? 30_000, () => this.sendHeartbeatToAllBrokers());
    every(10_000, this.config.persistConsumerOffsetInterval ?? 5000, () => this.persistAllConsumerOffset());
    every(REBALANCE_INTERVAL, REBALANCE_INTERVAL, () => this.doRebalance());
  }

  async shutdown(): Promise<void> {
    this.started = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    await this.rebalancing?.catch((err: unknown) => this.logger.warn({ err }, "rebalance failed during shutdown"));
    await this.remoting.shutdown();
  }

  /** Unregister a group from every known broker (UNREGISTER_CLIENT), then forget it. */
  async unregister(producerGroup: string | null, consumerGroup: string | null): Promise<void> {
    if (producerGroup) this.producers.delete(producerGroup);
    if (consumerGroup) this.consumers.delete(consumerGroup);
    const extFields = encodeHeader(UnregisterClientRequestHeader, {
      clientID: this.clientId,
      ...(producerGroup ? { producerGroup } : {}),
      ...(consumerGroup ? { consumerGroup } : {}),
    });
    await Promise.all(
      this.allBrokerAddrs().map((addr) =>
        this.remoting
          .invokeSync(
            addr,
            createRequest(RequestCode.UNREGISTER_CLIENT, { extFields: { ...extFields } }),
            this.apiTimeout,
          )
          .catch((e: unknown) => this.logger.warn({ err: e, addr }, "unregister client failed")),
      ),
    );
  }

  private allBrokerAddrs(mastersOnly = false): string[] {
    const out: string[] = [];
    for (const addrs of this.brokerAddrTable.values()) {
      for (const [id, addr] of addrs) if (!mastersOnly || id === MixAll.MASTER_ID) out.push(addr);
    }
    return out;
  }

  /** Ask the name server for a topic's route; null when the topic has none. */
  async fetchTopicRoute(topic: string): Promise<TopicRouteData | null> {
    const res = await this.remoting.invokeSync(
      null,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, {
        extFields: encodeHeader(GetRouteInfoRequestHeader, { topic }),
      }),
      this.apiTimeout,
    );
    if (res.code === ResponseCode.TOPIC_NOT_EXIST) return null;
    if (res.code !== ResponseCode.SUCCESS) throw new MQClientException(res.code, res.remark ?? "");
    return decodeTopicRouteData(res.body);
  }

  /**
   * updateTopicRouteInfoFromNameServer as Java's callers see it: a failure (name server down, topic
   * unknown) is logged with what the route was wanted for and answered false, never thrown.
   */
  async tryUpdateTopicRouteInfoFromNameServer(
    topic: string,
    purpose: string,
    defaultQueueNums?: number,
  ): Promise<boolean> {
    try {
      return await this.updateTopicRouteInfoFromNameServer(topic, defaultQueueNums);
    } catch (err) {
      this.logger.warn({ err, topic }, `${purpose}: update topic route from name server failed`);
      return false;
    }
  }

  /**
   * Refresh one topic (or every used topic). For a producer's unknown topic the TBW102 route is
   * used with its queue counts capped at `defaultTopicQueueNums`, so the broker auto-creates it.
   */
  async updateTopicRouteInfoFromNameServer(topic?: string, defaultQueueNums?: number): Promise<boolean> {
    if (topic === undefined) {
      const topics = new Set<string>();
      for (const c of this.consumers.values()) for (const t of c.subscribeTopics()) topics.add(t);
      for (const p of this.producers.values()) for (const t of p.publishTopics()) topics.add(t);
      let any = false;
      for (const t of topics) {
        any = (await this.tryUpdateTopicRouteInfoFromNameServer(t, "periodic")) || any;
      }
      return any;
    }
    let route: TopicRouteData | null;
    if (defaultQueueNums !== undefined) {
      route = await this.fetchTopicRoute(MixAll.AUTO_CREATE_TOPIC_KEY_TOPIC);
      if (route) {
        for (const qd of route.queueDatas) {
          const n = Math.min(defaultQueueNums, qd.readQueueNums);
          qd.readQueueNums = n;
          qd.writeQueueNums = n;
        }
      }
    } else {
      route = await this.fetchTopicRoute(topic);
    }
    if (!route) return false;
    for (const bd of route.brokerDatas) this.brokerAddrTable.set(bd.brokerName, new Map(bd.brokerAddrs));
    this.topicRouteTable.set(topic, route);
    for (const p of this.producers.values()) p.updateTopicRoute(topic, route);
    const subscribe = topicRouteData2SubscribeInfo(topic, route);
    for (const c of this.consumers.values()) c.updateTopicSubscribeInfo(topic, subscribe);
    return true;
  }

  /** The master of a broker set (producers only ever write to masters). */
  findBrokerAddressInPublish(brokerName: string): string | undefined {
    return this.brokerAddrTable.get(brokerName)?.get(MixAll.MASTER_ID);
  }

  /** Java's findBrokerAddressInSubscribe: the wanted id, else id+1, else the lowest id present. */
  findBrokerAddressInSubscribe(brokerName: string, brokerId: number): { addr: string; slave: boolean } | undefined {
    const addrs = this.brokerAddrTable.get(brokerName);
    if (!addrs || addrs.size === 0) return undefined;
    let id = brokerId;
    let addr = addrs.get(id);
    if (addr === undefined && id !== MixAll.MASTER_ID) addr = addrs.get(++id);
    if (addr === undefined) {
      id = Math.min(...addrs.keys());
      addr = addrs.get(id);
    }
    return addr === undefined ? undefined : { addr, slave: id !== MixAll.MASTER_ID };
  }

  /** Any address of the broker set, master first (offset RPCs). */
  findBrokerAddrForOffset(brokerName: string): string | undefined {
    return this.findBrokerAddressInSubscribe(brokerName, MixAll.MASTER_ID)?.addr;
  }

  async sendHeartbeatToAllBrokers(): Promise<void> {
    const consumerDataSet = [...this.consumers.values()].map((c) => c.consumerData());
    if (consumerDataSet.length === 0 && this.producers.size === 0) return;
    // every Java client instance also runs its inner producer (send-back); tables iterate in hash order
    const producerDataSet = javaHashMapOrder([...this.producers.keys(), CLIENT_INNER_PRODUCER_GROUP]).map(
      (groupName) => ({ groupName }),
    );
    const body = encodeHeartbeatData({ clientID: this.clientId, consumerDataSet, producerDataSet });
    const targets = this.allBrokerAddrs(consumerDataSet.length === 0);
    await Promise.all(
      targets.map((addr) =>
        this.remoting
          .invokeSync(addr, createRequest(RequestCode.HEART_BEAT, { body }), this.apiTimeout)
          .then((res) => {
            if (res.code !== ResponseCode.SUCCESS) this.logger.warn({ addr, code: res.code }, "heartbeat refused");
          })
          .catch((e: unknown) => this.logger.warn({ err: e, addr }, "heartbeat failed")),
      ),
    );
  }

  async persistAllConsumerOffset(): Promise<void> {
    for (const c of this.consumers.values()) await c.persistConsumerOffset();
  }

  /** Rebalance every consumer; a request during a run schedules exactly one more run after it. */
  doRebalance(): Promise<void> {
    if (this.rebalancing) {
      this.rebalanceAgain = true;
      return this.rebalancing;
    }
    this.rebalancing = (async () => {
      try {
        do {
          this.rebalanceAgain = false;
          for (const c of this.consumers.values()) await c.doRebalance();
        } while (this.rebalanceAgain && this.started);
      } finally {
        this.rebalancing = null;
      }
    })();
    return this.rebalancing;
  }

  rebalanceImmediately(): void {
    setImmediate(() => {
      this.doRebalance().catch((e: unknown) => this.logger.warn({ err: e }, "rebalance failed"));
    });
  }

  /** Consumer ids of a group as the broker knows them (GET_CONSUMER_LIST_BY_GROUP). */
  async findConsumerIdList(topic: string, group: string): Promise<string[]> {
    const route = this.topicRouteTable.get(topic);
    const bd = route?.brokerDatas[Math.floor(Math.random() * route.brokerDatas.length)];
    const addr = bd ? this.findBrokerAddrForOffset(bd.brokerName) : undefined;
    if (!addr) return [];
    const res = await this.remoting.invokeSync(
      addr,
      createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, {
        extFields: encodeHeader(GetConsumerListByGroupRequestHeader, { consumerGroup: group }),
      }),
      this.apiTimeout,
    );
    if (res.code !== ResponseCode.SUCCESS || !res.body) return [];
    const parsed = JSON.parse(res.body.toString("utf8")) as { consumerIdList?: unknown };
    return Array.isArray(parsed.consumerIdList) ? parsed.consumerIdList.map(String) : [];
  }
}

/** Readable queues of a topic (consumers): every QueueData × 0..readQueueNums-1. */
export function topicRouteData2SubscribeInfo(topic: string, route: TopicRouteData): MessageQueue[] {
  const out: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if (!isReadable(qd.perm)) continue;
    for (let i = 0; i < qd.readQueueNums; i++) out.push({ topic, brokerName: qd.brokerName, queueId: i });
  }
  return out;
}

/** One producer or consumer per group in a client instance, as Java's MQClientInstance refuses a second. */
function registerOnce<T extends { groupName: string }>(table: Map<string, T>, member: T, kind: string): void {
  if (table.has(member.groupName))
    throw new MQClientException(
      -1,
      `The ${kind} group[${member.groupName}] has been created before, specify another name please.`,
    );
  table.set(member.groupName, member);
}
