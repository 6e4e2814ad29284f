/**
 * Java's DefaultMQPushConsumer (concurrent listener, clustering or broadcasting): rebalance on a
 * timer and on NOTIFY_CONSUMER_IDS_CHANGED, one long-polling PULL per assigned queue, flow
 * control, committed offsets (broker-side for clustering, in memory for broadcasting), failed
 * messages sent back for retry.
 */
import {
  buildSubscriptionData,
  ConsumerRunningInfoProps,
  MessageConst,
  MixAll,
  type ConsumerData,
  type ConsumeMessageDirectlyResult,
  type ConsumerRunningInfo,
  type SubscriptionData,
} from "@rocketmq-ts/common";
import {
  CURRENT_VERSION,
  javaHashMapOrder,
  javaStringHashCode,
  RequestCode,
  ResponseCode,
  versionDesc,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { createRequest } from "../impl/requests.js";
import { MQClientInstance, type ClientConfig, type MQConsumerInner } from "../impl/MQClientInstance.js";
import { compareMessageQueue, mqKey, type MessageExt, type MessageQueue } from "../message/Message.js";
import { MQClientException } from "../MQClientException.js";
import { allocateMessageQueueAveragely } from "./AllocateMessageQueueAveragely.js";
import { pulledMessagesFor } from "./decodeMessages.js";
import { ProcessQueue } from "./ProcessQueue.js";
import { ConsumerStatsManager } from "./ConsumerStatsManager.js";
import {
  offsetWhenNoneStored,
  PullSysFlag,
  pullMessage,
  queryConsumerOffset,
  timestampString,
  updateConsumerOffset,
  type ConsumeFromWhere,
} from "./ConsumerRpc.js";
import { LocalFileOffsetStore } from "./LocalFileOffsetStore.js";
import { subscriptionOf, type MessageSelector } from "./MessageSelector.js";
import { lockBatch, unlockBatch } from "./RebalanceLock.js";

export type MessageModel = "CLUSTERING" | "BROADCASTING";
export type ConsumeConcurrentlyStatus = "CONSUME_SUCCESS" | "RECONSUME_LATER";

export interface ConsumeConcurrentlyContext {
  messageQueue: MessageQueue;
  /** 0: the broker picks (3 + reconsumeTimes); −1: straight to the DLQ; >0: this delay level. */
  delayLevelWhenNextConsume: number;
}

export type MessageListenerConcurrently = (
  msgs: MessageExt[],
  context: ConsumeConcurrentlyContext,
) => ConsumeConcurrentlyStatus | Promise<ConsumeConcurrentlyStatus>;

export type { ConsumeFromWhere };
export { timestampString };

export type ConsumeOrderlyStatus = "SUCCESS" | "SUSPEND_CURRENT_QUEUE_A_MOMENT";

export interface ConsumeOrderlyContext {
  messageQueue: MessageQueue;
  /** How long the queue pauses after SUSPEND_CURRENT_QUEUE_A_MOMENT (ms). */
  suspendCurrentQueueTimeMillis: number;
}

/** Called for one queue at a time, in queue order; the queue is locked on the broker for this client. */
export type MessageListenerOrderly = (
  msgs: MessageExt[],
  context: ConsumeOrderlyContext,
) => ConsumeOrderlyStatus | Promise<ConsumeOrderlyStatus>;

export interface PushConsumerConfig extends ClientConfig {
  consumerGroup: string;
  messageModel?: MessageModel;
  consumeFromWhere?: ConsumeFromWhere;
  /** yyyyMMddHHmmss; default half an hour ago. */
  consumeTimestamp?: string;
  pullBatchSize?: number;
  pullThresholdForQueue?: number;
  pullThresholdSizeForQueue?: number;
  consumeConcurrentlyMaxSpan?: number;
  /** Listener calls running at once (Java's consumeThreadMax). */
  consumeThreadMax?: number;
  consumeMessageBatchMaxSize?: number;
  maxReconsumeTimes?: number;
  pullInterval?: number;
  /** Orderly: pause after SUSPEND_CURRENT_QUEUE_A_MOMENT (Java 1000). */
  suspendCurrentQueueTimeMillis?: number;
}

const PULL_TIME_DELAY_WHEN_EXCEPTION = 1000;
const PULL_TIME_DELAY_WHEN_FLOW_CONTROL = 50;
const BROKER_SUSPEND_MAX_TIME_MILLIS = 15_000;
const CONSUMER_TIMEOUT_WHEN_SUSPEND = 30_000;
/** Orderly: re-lock period, and how long a lock counts without a successful re-lock (Java defaults). */
const REBALANCE_LOCK_INTERVAL = 20_000;
const REBALANCE_LOCK_MAX_LIVE_TIME = 30_000;

interface Assigned {
  mq: MessageQueue;
  pq: ProcessQueue;
  nextOffset: number;
  brokerId: number;
  /** Orderly: broker lock held, when it was last granted, and whether a drain loop runs. */
  locked: boolean;
  lastLockTimestamp: number;
  previouslyLocked: boolean;
  draining: boolean;
}

export class DefaultMQPushConsumer implements MQConsumerInner {
  readonly groupName: string;
  readonly instance: MQClientInstance;
  private readonly cfg: Required<Omit<PushConsumerConfig, keyof ClientConfig | "consumeTimestamp">> & {
    consumeTimestamp: string;
  };
  private readonly subscriptions = new Map<string, SubscriptionData>();
  private readonly topicSubscribeInfo = new Map<string, MessageQueue[]>();
  private readonly assigned = new Map<string, Assigned>();
  private readonly offsets = new Map<string, number>();
  private listener: MessageListenerConcurrently | null = null;
  private orderlyListener: MessageListenerOrderly | null = null;
  private lockTimer: NodeJS.Timeout | null = null;
  /** Broadcasting: offsets live in a local file. */
  private localOffsetStore: LocalFileOffsetStore | null = null;
  private running = false;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pullTimers = new Set<NodeJS.Timeout>();
  readonly stats = new ConsumerStatsManager();
  private startTimestamp = 0;

  constructor(config: PushConsumerConfig) {
    this.groupName = config.consumerGroup;
    this.cfg = {
      consumerGroup: config.consumerGroup,
      messageModel: config.messageModel ?? "CLUSTERING",
      consumeFromWhere: config.consumeFromWhere ?? "CONSUME_FROM_LAST_OFFSET",
      consumeTimestamp: config.consumeTimestamp ?? timestampString(Date.now() - 30 * 60_000),
      pullBatchSize: config.pullBatchSize ?? 32,
      pullThresholdForQueue: config.pullThresholdForQueue ?? 1000,
      pullThresholdSizeForQueue: config.pullThresholdSizeForQueue ?? 100,
      consumeConcurrentlyMaxSpan: config.consumeConcurrentlyMaxSpan ?? 2000,
      consumeThreadMax: config.consumeThreadMax ?? 20,
      consumeMessageBatchMaxSize: config.consumeMessageBatchMaxSize ?? 1,
      maxReconsumeTimes: config.maxReconsumeTimes ?? -1,
      pullInterval: config.pullInterval ?? 0,
      suspendCurrentQueueTimeMillis: config.suspendCurrentQueueTimeMillis ?? 1000,
    };
    this.instance = new MQClientInstance(config);
  }

  get clientId(): string {
    return this.instance.clientId;
  }

  /** Subscribe with a TAG expression (`*`, `TagA || TagB`) or a selector (`MessageSelector.bySql("a > 5")`). */
  subscribe(topic: string, selector: string | MessageSelector = "*"): void {
    this.subscriptions.set(topic, subscriptionOf(topic, selector));
  }

  registerMessageListener(listener: MessageListenerConcurrently): void {
    this.listener = listener;
    this.orderlyListener = null;
  }

  /** Orderly consumption: queues locked on the broker, each consumed serially in offset order. */
  registerMessageListenerOrderly(listener: MessageListenerOrderly): void {
    this.orderlyListener = listener;
    this.listener = null;
  }

  private get orderly(): boolean {
    return this.orderlyListener !== null;
  }

  /** Orderly clustering locks its queues on the broker (broadcasting does not). */
  private get locking(): boolean {
    return this.orderly && this.cfg.messageModel === "CLUSTERING";
  }

  async start(): Promise<void> {
    if (!this.listener && !this.orderlyListener) throw new MQClientException(-1, "messageListener is null");
    if (this.subscriptions.size === 0) throw new MQClientException(-1, "subscription is empty");
    if (this.cfg.messageModel === "CLUSTERING") {
      const retry = MixAll.RETRY_GROUP_TOPIC_PREFIX + this.groupName;
      this.subscriptions.set(retry, buildSubscriptionData(retry, "*", javaStringHashCode));
    }
    this.instance.registerConsumer(this);
    if (this.cfg.messageModel === "BROADCASTING") {
      this.localOffsetStore = new LocalFileOffsetStore(this.clientId, this.groupName);
      for (const [key, offset] of this.localOffsetStore.load()) this.offsets.set(key, offset);
    }
    this.running = true;
    this.startTimestamp = Date.now();
    this.instance.start();
    for (const topic of this.subscriptions.keys()) {
      await this.instance.updateTopicRouteInfoFromNameServer(topic).catch(() => false);
    }
    // Java's checkClientInBroker: a broker must accept every non-tag subscription before we start
    try {
      await this.instance.checkClientInBroker(this.groupName, [...this.subscriptions.values()]);
    } catch (e) {
      await this.shutdown();
      throw e;
    }
    await this.instance.sendHeartbeatToAllBrokers();
    this.instance.rebalanceImmediately();
    if (this.locking) {
      const relock = (): void => {
        this.lockAll().catch((e: unknown) => this.instance.logger.warn({ err: e }, "lockAll failed"));
      };
      this.lockTimer = setTimeout(() => {
        relock();
        this.lockTimer = setInterval(relock, REBALANCE_LOCK_INTERVAL);
      }, 1000);
    }
  }

  /**
   * CONSUME_MESSAGE_DIRECTLY (mqadmin queryMsgByUniqueKey -g -d): run the listener on one stored
   * message now, outside the queues, and report how it went (Java's ConsumeMessageDirectlyResult).
   */
  async consumeMessageDirectly(msg: MessageExt, brokerName: string): Promise<ConsumeMessageDirectlyResult> {
    this.resetRetryTopic(msg);
    const mq = { topic: msg.topic, brokerName, queueId: msg.queueId };
    const begin = Date.now();
    const result: ConsumeMessageDirectlyResult = {
      order: this.orderly,
      autoCommit: true,
      consumeResult: "CR_RETURN_NULL",
      spentTimeMills: 0,
    };
    try {
      if (this.orderlyListener) {
        const status = await this.orderlyListener([msg], {
          messageQueue: mq,
          suspendCurrentQueueTimeMillis: this.cfg.suspendCurrentQueueTimeMillis,
        });
        if (status) result.consumeResult = status === "SUCCESS" ? "CR_SUCCESS" : "CR_LATER";
      } else if (this.listener) {
        const status = await this.listener([msg], { messageQueue: mq, delayLevelWhenNextConsume: 0 });
        if (status) result.consumeResult = status === "CONSUME_SUCCESS" ? "CR_SUCCESS" : "CR_LATER";
      }
    } catch (e) {
      result.consumeResult = "CR_THROW_EXCEPTION";
      result.remark = String(e instanceof Error ? `${e.name}: ${e.message}` : e);
    }
    result.spentTimeMills = Date.now() - begin;
    return result;
  }

  /** What GET_CONSUMER_RUNNING_INFO reports: settings, subscriptions, queues in flight, statistics. */
  consumerRunningInfo(): ConsumerRunningInfo {
    const c = this.cfg;
    const props = new Map<string, string>([
      ["pullThresholdForTopic", "-1"],
      ["pullBatchSize", String(c.pullBatchSize)],
      ["consumeMessageBatchMaxSize", String(c.consumeMessageBatchMaxSize)],
      ["consumeFromWhere", c.consumeFromWhere],
      ["pullThresholdForQueue", String(c.pullThresholdForQueue)],
      [
        ConsumerRunningInfoProps.PROP_NAMESERVER_ADDR,
        `${this.instance.remoting.getNameServerAddressList().join(";")};`,
      ],
      ["maxReconsumeTimes", String(c.maxReconsumeTimes)],
      [ConsumerRunningInfoProps.PROP_CONSUME_ORDERLY, String(this.orderly)],
      ["pullInterval", String(c.pullInterval)],
      ["suspendCurrentQueueTimeMillis", String(c.suspendCurrentQueueTimeMillis)],
      [ConsumerRunningInfoProps.PROP_CONSUMER_START_TIMESTAMP, String(this.startTimestamp)],
      [ConsumerRunningInfoProps.PROP_CONSUME_TYPE, "CONSUME_PASSIVELY"],
      [ConsumerRunningInfoProps.PROP_CLIENT_VERSION, versionDesc(CURRENT_VERSION)],
      ["consumeConcurrentlyMaxSpan", String(c.consumeConcurrentlyMaxSpan)],
      ["pullThresholdSizeForQueue", String(c.pullThresholdSizeForQueue)],
      ["messageModel", c.messageModel],
      ["allocateMessageQueueStrategy", "AllocateMessageQueueAveragely"],
      ["consumerGroup", this.groupName],
    ]);
    const now = Date.now();
    const mqTable: ConsumerRunningInfo["mqTable"] = [...this.assigned.values()].map((a) => [
      { topic: a.mq.topic, brokerName: a.mq.brokerName, queueId: a.mq.queueId },
      {
        commitOffset: this.offsets.get(mqKey(a.mq)) ?? 0,
        cachedMsgMinOffset: a.pq.msgCount > 0 ? a.pq.minCachedOffset() : 0,
        cachedMsgMaxOffset: a.pq.msgCount > 0 ? a.pq.maxCachedOffset() : 0,
        cachedMsgCount: a.pq.msgCount,
        cachedMsgSizeInMiB: Math.floor(a.pq.msgSize / (1024 * 1024)),
        transactionMsgMinOffset: 0,
        transactionMsgMaxOffset: 0,
        transactionMsgCount: 0,
        locked: this.orderly ? a.locked : true,
        tryUnlockTimes: 0,
        lastLockTimestamp: this.orderly ? a.lastLockTimestamp : a.pq.lastConsumeTimestamp,
        droped: a.pq.dropped,
        lastPullTimestamp: a.pq.lastPullTimestamp,
        lastConsumeTimestamp: a.pq.lastConsumeTimestamp,
      },
    ]);
    const statusTable = new Map([...this.subscriptions.keys()].map((t) => [t, this.stats.consumeStatus(t, now)]));
    return { properties: props, subscriptionSet: [...this.subscriptions.values()], mqTable, statusTable };
  }

  /** Stop pulling, persist offsets synchronously, unregister, close. */
  async shutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.pullTimers) clearTimeout(t);
    if (this.lockTimer) clearTimeout(this.lockTimer);
    for (const a of this.assigned.values()) a.pq.dropped = true;
    await this.persistConsumerOffset(false);
    if (this.locking) await this.unlockAll();
    await this.instance.unregister(null, this.groupName);
    await this.instance.shutdown();
  }

  // ---- MQConsumerInner ----

  subscribeTopics(): string[] {
    return [...this.subscriptions.keys()];
  }

  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void {
    if (this.subscriptions.has(topic)) this.topicSubscribeInfo.set(topic, mqs);
  }

  consumerData(): ConsumerData {
    return {
      groupName: this.groupName,
      consumeType: "CONSUME_PASSIVELY",
      messageModel: this.cfg.messageModel,
      consumeFromWhere: this.cfg.consumeFromWhere,
      subscriptionDataSet: javaHashMapOrder([...this.subscriptions.keys()]).flatMap((t) => {
        const sub = this.subscriptions.get(t);
        return sub ? [sub] : [];
      }),
      unitMode: false,
    };
  }

  async doRebalance(): Promise<void> {
    if (!this.running) return;
    for (const topic of this.subscriptions.keys()) {
      try {
        await this.rebalanceByTopic(topic);
      } catch (e) {
        this.instance.logger.warn({ err: e, topic }, "rebalance failed");
      }
    }
  }

  async persistConsumerOffset(oneway = true): Promise<void> {
    if (this.localOffsetStore) {
      const entries = [...this.assigned.values()]
        .map(({ mq }) => ({ mq, offset: this.offsets.get(mqKey(mq)) ?? -1 }))
        .filter((e) => e.offset >= 0);
      try {
        this.localOffsetStore.persist(entries);
      } catch (e) {
        this.instance.logger.warn({ err: e, path: this.localOffsetStore.storePath }, "persist local offsets failed");
      }
      return;
    }
    for (const { mq } of this.assigned.values()) {
      const offset = this.offsets.get(mqKey(mq));
      if (offset === undefined || offset < 0) continue;
      await this.updateConsumeOffsetToBroker(mq, offset, oneway).catch((e: unknown) =>
        this.instance.logger.warn({ err: e, mq }, "persist consumer offset failed"),
      );
    }
  }

  async resetOffset(topic: string, offsets: Map<string, number>): Promise<void> {
    // Java: drop the queues, store the new offsets, let the next rebalance pick them up again
    for (const [key, a] of this.assigned) {
      if (a.mq.topic !== topic || !offsets.has(key)) continue;
      a.pq.dropped = true;
      this.assigned.delete(key);
      const offset = offsets.get(key) ?? 0;
      this.offsets.set(key, offset);
      await this.updateConsumeOffsetToBroker(a.mq, offset, false).catch(() => undefined);
    }
    this.instance.rebalanceImmediately();
  }

  // ---- rebalance ----

  private async rebalanceByTopic(topic: string): Promise<void> {
    // a group's %RETRY% topic is created by our own first heartbeat: look it up now rather than
    // waiting for the 30 s route poll (Java waits)
    if (!this.topicSubscribeInfo.has(topic))
      await this.instance.updateTopicRouteInfoFromNameServer(topic).catch(() => false);
    const mqSet = this.topicSubscribeInfo.get(topic);
    if (!mqSet) return;
    let mine: MessageQueue[];
    if (this.cfg.messageModel === "BROADCASTING") {
      mine = mqSet;
    } else {
      const cids = (await this.instance.findConsumerIdList(topic, this.groupName)).sort();
      if (cids.length === 0) return;
      const mqAll = [...mqSet].sort(compareMessageQueue);
      mine = allocateMessageQueueAveragely(this.clientId, mqAll, cids);
    }
    const wanted = new Set(mine.map(mqKey));
    let changed = false;
    for (const [key, a] of this.assigned) {
      if (a.mq.topic !== topic || wanted.has(key)) continue;
      a.pq.dropped = true;
      this.assigned.delete(key);
      changed = true;
      const offset = this.offsets.get(key);
      if (offset !== undefined && offset >= 0 && this.cfg.messageModel === "CLUSTERING")
        await this.updateConsumeOffsetToBroker(a.mq, offset, !this.locking).catch(() => undefined);
      this.offsets.delete(key);
      if (this.locking)
        await unlockBatch(this.instance, this.groupName, a.mq.brokerName, [a.mq], true).catch(() => undefined);
    }
    for (const mq of mine) {
      const key = mqKey(mq);
      if (this.assigned.has(key)) continue;
      // orderly: only queues this client could lock
      if (this.locking) {
        const granted = await lockBatch(this.instance, this.groupName, mq.brokerName, [mq]).catch(
          () => new Set<string>(),
        );
        if (!granted.has(key)) continue;
      }
      const next = await this.computePullFromWhere(mq).catch((e: unknown) => {
        this.instance.logger.warn({ err: e, mq }, "compute pull offset failed");
        return -1;
      });
      if (next < 0 || !this.running) continue;
      const a: Assigned = {
        mq,
        pq: new ProcessQueue(),
        nextOffset: next,
        brokerId: MixAll.MASTER_ID,
        locked: this.locking,
        lastLockTimestamp: Date.now(),
        previouslyLocked: this.locking,
        draining: false,
      };
      this.assigned.set(key, a);
      this.offsets.set(key, next);
      changed = true;
      this.executePull(a, 0);
    }
    if (changed) {
      const sub = this.subscriptions.get(topic);
      if (sub) sub.subVersion = Date.now();
      await this.instance.sendHeartbeatToAllBrokers();
    }
  }

  private async computePullFromWhere(mq: MessageQueue): Promise<number> {
    const key = mqKey(mq);
    if (this.cfg.messageModel === "BROADCASTING") {
      const local = this.offsets.get(key);
      if (local !== undefined && local >= 0) return local;
    } else {
      const stored = await this.fetchConsumeOffsetFromBroker(mq);
      if (stored >= 0) return stored;
      if (stored !== -1) return -1;
    }
    return offsetWhenNoneStored(this.instance, mq, this.cfg.consumeFromWhere, this.cfg.consumeTimestamp);
  }

  private fetchConsumeOffsetFromBroker(mq: MessageQueue): Promise<number> {
    return queryConsumerOffset(this.instance, this.groupName, mq);
  }

  private updateConsumeOffsetToBroker(mq: MessageQueue, offset: number, oneway: boolean): Promise<void> {
    return updateConsumerOffset(this.instance, this.groupName, mq, offset, oneway);
  }

  // ---- pulling ----

  private executePull(a: Assigned, delay: number): void {
    if (!this.running || a.pq.dropped) return;
    const t = setTimeout(() => {
      this.pullTimers.delete(t);
      this.pullMessage(a).catch((e: unknown) => {
        this.instance.logger.warn({ err: e, mq: a.mq }, "pull failed");
        this.executePull(a, PULL_TIME_DELAY_WHEN_EXCEPTION);
      });
    }, delay);
    this.pullTimers.add(t);
  }

  private async pullMessage(a: Assigned): Promise<void> {
    const { pq, mq } = a;
    if (!this.running || pq.dropped) return;
    pq.lastPullTimestamp = Date.now();
    if (this.locking) {
      if (!this.lockValid(a)) {
        this.executePull(a, PULL_TIME_DELAY_WHEN_EXCEPTION);
        return;
      }
      if (!a.previouslyLocked) {
        // first pull after a (re)lock: continue from what the broker has committed
        const stored = await this.fetchConsumeOffsetFromBroker(mq);
        if (stored >= 0) a.nextOffset = stored;
        a.previouslyLocked = true;
      }
    }
    if (
      pq.msgCount > this.cfg.pullThresholdForQueue ||
      pq.msgSize > this.cfg.pullThresholdSizeForQueue * 1024 * 1024 ||
      (!this.orderly && pq.maxSpan() > this.cfg.consumeConcurrentlyMaxSpan)
    ) {
      this.executePull(a, PULL_TIME_DELAY_WHEN_FLOW_CONTROL);
      return;
    }
    const sub = this.subscriptions.get(mq.topic);
    if (!sub) {
      this.executePull(a, PULL_TIME_DELAY_WHEN_EXCEPTION);
      return;
    }
    const commitOffset = this.cfg.messageModel === "CLUSTERING" ? (this.offsets.get(mqKey(mq)) ?? 0) : 0;
    const pullStarted = Date.now();
    const res = await pullMessage(this.instance, {
      group: this.groupName,
      mq,
      offset: a.nextOffset,
      maxNums: this.cfg.pullBatchSize,
      sysFlag: PullSysFlag.SUSPEND | (commitOffset > 0 ? PullSysFlag.COMMIT_OFFSET : 0),
      commitOffset,
      suspendTimeoutMillis: BROKER_SUSPEND_MAX_TIME_MILLIS,
      timeoutMillis: CONSUMER_TIMEOUT_WHEN_SUSPEND,
      sub,
      brokerId: a.brokerId,
    });
    this.stats.incPullRT(mq.topic, Date.now() - pullStarted);
    this.onPullResponse(a, sub, res);
  }

  private onPullResponse(a: Assigned, sub: SubscriptionData, res: RemotingCommand): void {
    // a queue dropped by a rebalance or a reset while its long poll was out: forget the answer
    if (a.pq.dropped || !this.running) return;
    const ext = res.extFields ?? {};
    const next = Number(ext["nextBeginOffset"] ?? a.nextOffset);
    a.brokerId = Number(ext["suggestWhichBrokerId"] ?? MixAll.MASTER_ID);
    switch (res.code) {
      case ResponseCode.SUCCESS: {
        a.nextOffset = next;
        const msgs = pulledMessagesFor(res.body, a.mq.brokerName, sub);
        this.stats.incPullTPS(a.mq.topic, msgs.length);
        for (const m of msgs) this.resetRetryTopic(m);
        if (msgs.length === 0) {
          if (a.pq.msgCount === 0) this.offsets.set(mqKey(a.mq), next);
        } else {
          a.pq.putMessage(msgs);
          this.submitConsume(a, msgs);
        }
        this.executePull(a, this.cfg.pullInterval);
        return;
      }
      case ResponseCode.PULL_NOT_FOUND:
      case ResponseCode.PULL_RETRY_IMMEDIATELY:
        a.nextOffset = next;
        if (a.pq.msgCount === 0 && res.code === ResponseCode.PULL_NOT_FOUND) this.offsets.set(mqKey(a.mq), next);
        this.executePull(a, this.cfg.pullInterval);
        return;
      case ResponseCode.PULL_OFFSET_MOVED:
        // Java: drop the queue, store the corrected offset, let the rebalance re-add it
        this.instance.logger.warn({ mq: a.mq, from: a.nextOffset, to: next }, "pull offset illegal, corrected");
        a.nextOffset = next;
        this.offsets.set(mqKey(a.mq), next);
        this.executePull(a, this.cfg.pullInterval);
        return;
      default:
        this.instance.logger.warn({ mq: a.mq, code: res.code, remark: res.remark }, "pull refused");
        this.executePull(a, PULL_TIME_DELAY_WHEN_EXCEPTION);
    }
  }

  /** A message consumed from %RETRY%<group> shows its original topic (Java's resetRetryAndNamespace). */
  private resetRetryTopic(m: MessageExt): void {
    const origin = m.properties.get(MessageConst.PROPERTY_RETRY_TOPIC);
    if (origin && m.topic === MixAll.RETRY_GROUP_TOPIC_PREFIX + this.groupName) m.topic = origin;
  }

  // ---- consuming ----

  private submitConsume(a: Assigned, msgs: MessageExt[]): void {
    if (this.orderly) {
      void this.drainOrderly(a);
      return;
    }
    const size = Math.max(1, this.cfg.consumeMessageBatchMaxSize);
    for (let i = 0; i < msgs.length; i += size) {
      void this.consume(a, msgs.slice(i, i + size));
    }
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.cfg.consumeThreadMax) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private async consume(a: Assigned, msgs: MessageExt[]): Promise<void> {
    await this.acquire();
    try {
      if (a.pq.dropped || !this.listener) return;
      const ctx: ConsumeConcurrentlyContext = { messageQueue: a.mq, delayLevelWhenNextConsume: 0 };
      let status: ConsumeConcurrentlyStatus;
      const now = String(Date.now());
      for (const m of msgs) m.properties.set(MessageConst.PROPERTY_CONSUME_START_TIMESTAMP, now);
      const consumeStarted = Date.now();
      try {
        status = await this.listener(msgs, ctx);
      } catch (e) {
        this.instance.logger.warn({ err: e, mq: a.mq }, "consumeMessage exception");
        status = "RECONSUME_LATER";
      }
      this.stats.incConsumeRT(a.mq.topic, Date.now() - consumeStarted);
      if (status === "RECONSUME_LATER") this.stats.incConsumeFailedTPS(a.mq.topic, msgs.length);
      else this.stats.incConsumeOKTPS(a.mq.topic, msgs.length);
      if (a.pq.dropped) return;
      if (status === "RECONSUME_LATER") {
        if (this.cfg.messageModel === "BROADCASTING") {
          this.instance.logger.warn(
            { mq: a.mq, count: msgs.length },
            "BROADCASTING, the message consume failed, drop it",
          );
        } else {
          const failed: MessageExt[] = [];
          for (const m of msgs) {
            const ok = await this.sendMessageBack(m, ctx.delayLevelWhenNextConsume).catch(() => false);
            if (!ok) {
              m.reconsumeTimes++;
              failed.push(m);
            }
          }
          if (failed.length > 0) {
            // keep them in the cache (offset cannot pass them) and try again in 5 s
            const rest = msgs.filter((m) => !failed.includes(m));
            this.commit(a, rest);
            const t = setTimeout(() => {
              this.pullTimers.delete(t);
              void this.consume(a, failed);
            }, 5000);
            this.pullTimers.add(t);
            return;
          }
        }
      }
      this.commit(a, msgs);
    } finally {
      this.release();
    }
  }

  private lockValid(a: Assigned): boolean {
    return a.locked && Date.now() - a.lastLockTimestamp <= REBALANCE_LOCK_MAX_LIVE_TIME;
  }

  /**
   * Orderly: one loop per queue takes the oldest cached messages, hands them to the listener and
   * commits them; SUSPEND retries the same messages after a pause. Stops when the queue is empty,
   * dropped or its lock lapsed (the next pull restarts it).
   */
  private async drainOrderly(a: Assigned): Promise<void> {
    const listener = this.orderlyListener;
    if (a.draining || !listener) return;
    a.draining = true;
    try {
      while (this.running && !a.pq.dropped && (!this.locking || this.lockValid(a))) {
        const msgs = a.pq.peekMessages(Math.max(1, this.cfg.consumeMessageBatchMaxSize));
        if (msgs.length === 0) return;
        const ctx: ConsumeOrderlyContext = {
          messageQueue: a.mq,
          suspendCurrentQueueTimeMillis: this.cfg.suspendCurrentQueueTimeMillis,
        };
        await this.acquire();
        let status: ConsumeOrderlyStatus;
        const consumeStarted = Date.now();
        try {
          status = await listener(msgs, ctx);
        } catch (e) {
          this.instance.logger.warn({ err: e, mq: a.mq }, "consumeMessage exception");
          status = "SUSPEND_CURRENT_QUEUE_A_MOMENT";
        } finally {
          this.release();
        }
        this.stats.incConsumeRT(a.mq.topic, Date.now() - consumeStarted);
        if (status === "SUCCESS") this.stats.incConsumeOKTPS(a.mq.topic, msgs.length);
        else this.stats.incConsumeFailedTPS(a.mq.topic, msgs.length);
        if (a.pq.dropped) return;
        if (status === "SUCCESS") {
          this.commit(a, msgs);
        } else {
          for (const m of msgs) m.reconsumeTimes++;
          await new Promise((r) => setTimeout(r, ctx.suspendCurrentQueueTimeMillis));
        }
      }
    } finally {
      a.draining = false;
    }
  }

  /** Orderly: renew the broker locks of every assigned queue; queues not granted stop consuming. */
  private async lockAll(): Promise<void> {
    const byBroker = new Map<string, Assigned[]>();
    for (const a of this.assigned.values()) {
      const list = byBroker.get(a.mq.brokerName) ?? [];
      list.push(a);
      byBroker.set(a.mq.brokerName, list);
    }
    for (const [brokerName, list] of byBroker) {
      const granted = await lockBatch(
        this.instance,
        this.groupName,
        brokerName,
        list.map((a) => a.mq),
      ).catch(() => new Set<string>());
      const now = Date.now();
      for (const a of list) {
        if (granted.has(mqKey(a.mq))) {
          if (!a.locked) a.previouslyLocked = false;
          a.locked = true;
          a.lastLockTimestamp = now;
          if (a.pq.msgCount > 0) void this.drainOrderly(a);
        } else {
          a.locked = false;
        }
      }
    }
  }

  private async unlockAll(): Promise<void> {
    const byBroker = new Map<string, MessageQueue[]>();
    for (const a of this.assigned.values())
      byBroker.set(a.mq.brokerName, [...(byBroker.get(a.mq.brokerName) ?? []), a.mq]);
    for (const [brokerName, mqs] of byBroker)
      await unlockBatch(this.instance, this.groupName, brokerName, mqs, false).catch(() => undefined);
  }

  private commit(a: Assigned, msgs: MessageExt[]): void {
    const offset = a.pq.removeMessage(msgs);
    if (offset < 0 || a.pq.dropped) return;
    const key = mqKey(a.mq);
    if (offset > (this.offsets.get(key) ?? -1)) this.offsets.set(key, offset);
  }

  /** CONSUMER_SEND_MSG_BACK to the broker that stored the message. */
  private async sendMessageBack(m: MessageExt, delayLevel: number): Promise<boolean> {
    const addr = this.instance.findBrokerAddressInPublish(m.brokerName) ?? m.storeHost;
    const extFields: Record<string, string> = {
      offset: String(m.commitLogOffset),
      group: this.groupName,
      delayLevel: String(delayLevel),
      originMsgId: m.msgId,
      originTopic: m.topic,
      unitMode: "false",
      maxReconsumeTimes: String(this.cfg.maxReconsumeTimes < 0 ? 16 : this.cfg.maxReconsumeTimes),
      bname: m.brokerName,
    };
    const res = await this.instance.remoting.invokeSync(
      addr,
      createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, { extFields }),
      5000,
    );
    return res.code === ResponseCode.SUCCESS;
  }

  /** Committed offsets this consumer holds (for tests and tools). */
  currentOffsets(): Map<string, number> {
    return new Map(this.offsets);
  }

  assignedQueues(): MessageQueue[] {
    return [...this.assigned.values()].map((a) => a.mq);
  }
}
