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
  versionDesc,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { MQClientInstance, type ClientConfig, type MQConsumerInner } from "../impl/MQClientInstance.js";
import type { MessageExt, MessageQueue } from "../message/Message.js";
import { MQClientException } from "../MQClientException.js";
import { ConsumeMessageConcurrentlyService } from "./ConsumeMessageConcurrentlyService.js";
import { ConsumeMessageOrderlyService } from "./ConsumeMessageOrderlyService.js";
import {
  ConsumeSlots,
  type ConsumeMessageService,
  type ConsumeServiceOwner,
  type MessageListenerConcurrently,
  type MessageListenerOrderly,
  type MessageModel,
} from "./ConsumeMessageService.js";
import { ConsumerStatsManager } from "./ConsumerStatsManager.js";
import { offsetWhenNoneStored, timestampString, type ConsumeFromWhere } from "./ConsumerRpc.js";
import { LocalFileOffsetStore } from "./LocalFileOffsetStore.js";
import { subscriptionOf, type MessageSelector } from "./MessageSelector.js";
import { OffsetStore } from "./OffsetStore.js";
import { processPullResult, pullKernelImpl, pullResultOf, PullSysFlag } from "./PullAPIWrapper.js";
import { lockValid, type PullRequest } from "./PullRequest.js";
import { RebalancePushImpl } from "./RebalancePushImpl.js";

export type {
  ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
  ConsumeOrderlyContext,
  ConsumeOrderlyStatus,
  MessageListenerConcurrently,
  MessageListenerOrderly,
  MessageModel,
} from "./ConsumeMessageService.js";
export type { ConsumeFromWhere };
export { timestampString };

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
/** Orderly: how often the broker locks are renewed (Java's rocketmq.client.rebalance.lockInterval). */
const REBALANCE_LOCK_INTERVAL = 20_000;

export class DefaultMQPushConsumer implements MQConsumerInner {
  readonly groupName: string;
  /** %RETRY%<group>: messages from it show their original topic. */
  private readonly retryTopic: string;
  readonly instance: MQClientInstance;
  private readonly cfg: Required<Omit<PushConsumerConfig, keyof ClientConfig | "consumeTimestamp">> & {
    consumeTimestamp: string;
  };
  private readonly rebalanceImpl: RebalancePushImpl;
  private readonly offsetStore: OffsetStore;
  private listener: MessageListenerConcurrently | null = null;
  private orderlyListener: MessageListenerOrderly | null = null;
  private consumeMessageService: ConsumeMessageService | null = null;
  private lockTimer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly pullTimers = new Set<NodeJS.Timeout>();
  readonly stats = new ConsumerStatsManager();
  private startTimestamp = 0;
  /** What the consume services use of this consumer. */
  private readonly serviceOwner: ConsumeServiceOwner;

  constructor(config: PushConsumerConfig) {
    this.groupName = config.consumerGroup;
    this.retryTopic = MixAll.RETRY_GROUP_TOPIC_PREFIX + config.consumerGroup;
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
    this.offsetStore = new OffsetStore(this.instance, this.groupName);
    this.rebalanceImpl = new RebalancePushImpl(this.instance, this.groupName, this.cfg.messageModel, {
      isRunning: () => this.running,
      isLocking: () => this.locking,
      offsetStore: this.offsetStore,
      computePullFromWhere: (mq) => this.computePullFromWhere(mq),
      dispatchPullRequest: (req) => this.executePull(req, 0),
      consumeLockedQueue: (req) => this.consumeMessageService?.submitConsumeRequest([], req),
    });
    this.serviceOwner = {
      groupName: this.groupName,
      instance: this.instance,
      stats: this.stats,
      settings: this.cfg,
      slots: new ConsumeSlots(this.cfg.consumeThreadMax),
      isRunning: () => this.running,
      isLocking: () => this.locking,
      commit: (req, msgs) => this.commit(req, msgs),
      schedule: (fn, delay) => {
        const t = setTimeout(() => {
          this.pullTimers.delete(t);
          fn();
        }, delay);
        this.pullTimers.add(t);
      },
    };
  }

  get clientId(): string {
    return this.instance.clientId;
  }

  private get subscriptions(): Map<string, SubscriptionData> {
    return this.rebalanceImpl.subscriptionInner;
  }

  private get assigned(): Map<string, PullRequest> {
    return this.rebalanceImpl.processQueueTable;
  }

  /** Subscribe with a TAG expression (`*`, `TagA || TagB`) or a selector (`MessageSelector.bySql("a > 5")`). */
  subscribe(topic: string, selector: string | MessageSelector = "*"): void {
    this.subscriptions.set(topic, subscriptionOf(topic, selector));
  }

  registerMessageListener(listener: MessageListenerConcurrently): void {
    this.listener = listener;
    this.orderlyListener = null;
    this.consumeMessageService = new ConsumeMessageConcurrentlyService(this.serviceOwner, listener);
  }

  /** Orderly consumption: queues locked on the broker, each consumed serially in offset order. */
  registerMessageListenerOrderly(listener: MessageListenerOrderly): void {
    this.orderlyListener = listener;
    this.listener = null;
    this.consumeMessageService = new ConsumeMessageOrderlyService(this.serviceOwner, listener);
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
      this.offsetStore.loadLocalFile(new LocalFileOffsetStore(this.clientId, this.groupName));
    }
    this.running = true;
    this.startTimestamp = Date.now();
    this.instance.start();
    for (const topic of this.subscriptions.keys()) {
      await this.instance.tryUpdateTopicRouteInfoFromNameServer(topic, "start");
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
        this.rebalanceImpl.lockAll().catch((e: unknown) => this.instance.logger.warn({ err: e }, "lockAll failed"));
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
    const service = this.consumeMessageService;
    if (service) return service.consumeMessageDirectly(msg, brokerName);
    return { order: false, autoCommit: true, consumeResult: "CR_RETURN_NULL", spentTimeMills: 0 };
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
        commitOffset: this.offsetStore.readOffset(a.mq) ?? 0,
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
    if (this.locking) await this.rebalanceImpl.unlockAll();
    await this.instance.unregister(null, this.groupName);
    await this.instance.shutdown();
  }

  // ---- MQConsumerInner ----

  subscribeTopics(): string[] {
    return [...this.subscriptions.keys()];
  }

  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void {
    this.rebalanceImpl.updateTopicSubscribeInfo(topic, mqs);
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
    await this.rebalanceImpl.doRebalance();
  }

  async persistConsumerOffset(oneway = true): Promise<void> {
    await this.offsetStore.persistAll(this.assignedQueues(), oneway);
  }

  async resetOffset(topic: string, offsets: Map<string, number>): Promise<void> {
    // Java: drop the queues, store the new offsets, let the next rebalance pick them up again
    for (const [key, a] of this.assigned) {
      if (a.mq.topic !== topic || !offsets.has(key)) continue;
      a.pq.dropped = true;
      this.assigned.delete(key);
      const offset = offsets.get(key) ?? 0;
      this.offsetStore.updateOffset(a.mq, offset);
      await this.offsetStore.updateConsumeOffsetToBroker(a.mq, offset, false).catch((err: unknown) => {
        this.instance.logger.warn({ err, mq: a.mq, offset }, "reset offset: store on the broker failed");
      });
    }
    this.instance.rebalanceImmediately();
  }

  // ---- offsets ----

  private async computePullFromWhere(mq: MessageQueue): Promise<number> {
    if (this.cfg.messageModel === "BROADCASTING") {
      const local = this.offsetStore.readOffset(mq);
      if (local !== undefined && local >= 0) return local;
    } else {
      const stored = await this.offsetStore.fetchConsumeOffsetFromBroker(mq);
      if (stored >= 0) return stored;
      if (stored !== -1) return -1;
    }
    return offsetWhenNoneStored(this.instance, mq, this.cfg.consumeFromWhere, this.cfg.consumeTimestamp);
  }

  /** Consumed messages leave the process queue; the offset to commit only moves forward. */
  private commit(a: PullRequest, msgs: MessageExt[]): void {
    const offset = a.pq.removeMessage(msgs);
    if (offset < 0 || a.pq.dropped) return;
    this.offsetStore.updateOffset(a.mq, offset, true);
  }

  // ---- pulling (Java's DefaultMQPushConsumerImpl.pullMessage and its PullCallback) ----

  /**
   * Pull `a` again after `delay` ms; at once (the next turn of the event loop) for 0, as Java's
   * executePullRequestImmediately: a 0 ms timer waits a whole millisecond, which capped a drain at
   * a queue's pull batch per millisecond and round trip.
   */
  private executePull(a: PullRequest, delay: number): void {
    if (!this.running || a.pq.dropped) return;
    if (delay <= 0) {
      setImmediate(this.pullNow, a);
      return;
    }
    const t = setTimeout(() => {
      this.pullTimers.delete(t);
      this.pullNow(a);
    }, delay);
    this.pullTimers.add(t);
  }

  private readonly pullNow = (a: PullRequest): void => {
    this.pullMessage(a).catch((e: unknown) => {
      this.instance.logger.warn({ err: e, mq: a.mq }, "pull failed");
      this.executePull(a, PULL_TIME_DELAY_WHEN_EXCEPTION);
    });
  };

  private async pullMessage(a: PullRequest): Promise<void> {
    const { pq, mq } = a;
    if (!this.running || pq.dropped) return;
    pq.lastPullTimestamp = Date.now();
    if (this.locking) {
      if (!lockValid(a)) {
        this.executePull(a, PULL_TIME_DELAY_WHEN_EXCEPTION);
        return;
      }
      if (!a.previouslyLocked) {
        // first pull after a (re)lock: continue from what the broker has committed
        const stored = await this.offsetStore.fetchConsumeOffsetFromBroker(mq);
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
    const commitOffset = this.cfg.messageModel === "CLUSTERING" ? (this.offsetStore.readOffset(mq) ?? 0) : 0;
    const pullStarted = Date.now();
    const res = await pullKernelImpl(this.instance, {
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
    this.onPullResult(a, sub, res);
  }

  private onPullResult(a: PullRequest, sub: SubscriptionData, res: RemotingCommand): void {
    // a queue dropped by a rebalance or a reset while its long poll was out: forget the answer
    if (a.pq.dropped || !this.running) return;
    const result = pullResultOf(res);
    const next = result.nextBeginOffset ?? a.nextOffset;
    a.brokerId = result.suggestWhichBrokerId ?? MixAll.MASTER_ID;
    switch (result.pullStatus) {
      case "FOUND": {
        a.nextOffset = next;
        const msgs = processPullResult(result, a.mq, sub);
        this.stats.incPullTPS(a.mq.topic, msgs.length);
        for (const m of msgs) this.resetRetryTopic(m);
        if (msgs.length === 0) {
          if (a.pq.msgCount === 0) this.offsetStore.updateOffset(a.mq, next);
        } else {
          a.pq.putMessage(msgs);
          this.consumeMessageService?.submitConsumeRequest(msgs, a);
        }
        this.executePull(a, this.cfg.pullInterval);
        return;
      }
      case "NO_NEW_MSG":
      case "NO_MATCHED_MSG":
        a.nextOffset = next;
        if (a.pq.msgCount === 0 && result.pullStatus === "NO_NEW_MSG") this.offsetStore.updateOffset(a.mq, next);
        this.executePull(a, this.cfg.pullInterval);
        return;
      case "OFFSET_ILLEGAL":
        // Java: drop the queue, store the corrected offset, let the rebalance re-add it
        this.instance.logger.warn({ mq: a.mq, from: a.nextOffset, to: next }, "pull offset illegal, corrected");
        a.nextOffset = next;
        this.offsetStore.updateOffset(a.mq, next);
        this.executePull(a, this.cfg.pullInterval);
        return;
      default:
        this.instance.logger.warn({ mq: a.mq, code: result.responseCode, remark: result.remark }, "pull refused");
        this.executePull(a, PULL_TIME_DELAY_WHEN_EXCEPTION);
    }
  }

  /** A message consumed from %RETRY%<group> shows its original topic (Java's resetRetryAndNamespace). */
  private resetRetryTopic(m: MessageExt): void {
    if (m.topic !== this.retryTopic) return; // before reading the properties: most messages are not retries
    const origin = m.properties.get(MessageConst.PROPERTY_RETRY_TOPIC);
    if (origin) m.topic = origin;
  }

  /** Committed offsets this consumer holds (for tests and tools). */
  currentOffsets(): Map<string, number> {
    return this.offsetStore.snapshot();
  }

  assignedQueues(): MessageQueue[] {
    return [...this.assigned.values()].map((a) => a.mq);
  }
}
