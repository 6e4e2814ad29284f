/**
 * Java's DefaultLitePullConsumer: `subscribe` (queues allocated by rebalance) or `assign` (fixed
 * queues), background long-polling pulls into a bounded buffer, `poll()` to take a batch, offsets
 * committed automatically every 5 s or with `commitSync()`, `seek()` to move a queue.
 * Pulls carry the subscription (sysFlag SUBSCRIPTION|LITE_PULL|SUSPEND) and the heartbeat says
 * CONSUME_ACTIVELY.
 */
import { buildSubscriptionData, MixAll, type ConsumerData, type SubscriptionData } from "@rocketmq-ts/common";
import { javaStringHashCode } from "@rocketmq-ts/remoting";
import { MQClientInstance, type ClientConfig, type MQConsumerInner } from "../impl/MQClientInstance.js";
import { compareMessageQueue, mqKey, type MessageExt, type MessageQueue } from "../message/Message.js";
import { MQClientException } from "../MQClientException.js";
import {
  offsetWhenNoneStored,
  queryConsumerOffset,
  timestampString,
  updateConsumerOffset,
  type ConsumeFromWhere,
} from "./ConsumerRpc.js";
import { processPullResult, pullKernelImpl, pullResultOf, PullSysFlag } from "./PullAPIWrapper.js";
import { RebalanceLitePullImpl } from "./RebalanceLitePullImpl.js";

export interface LitePullConsumerConfig extends ClientConfig {
  consumerGroup: string;
  consumeFromWhere?: ConsumeFromWhere;
  /** yyyyMMddHHmmss for CONSUME_FROM_TIMESTAMP; default half an hour ago. */
  consumeTimestamp?: string;
  pullBatchSize?: number;
  autoCommit?: boolean;
  autoCommitIntervalMillis?: number;
  pollTimeoutMillis?: number;
  pullThresholdForAll?: number;
  pullThresholdForQueue?: number;
}

const BROKER_SUSPEND_MAX_TIME_MILLIS = 20_000;
const CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND = 30_000;
const DELAY_FLOW_CONTROL = 50;
const DELAY_PAUSED = 1000;
const DELAY_EXCEPTION = 3000;

interface QueueState {
  mq: MessageQueue;
  /** Next offset to pull. */
  pullOffset: number;
  /** Offset after the last message handed out by poll (what a commit stores). */
  consumeOffset: number;
  buffered: number;
  dropped: boolean;
  paused: boolean;
  /** Bumped by seek: answers of pulls issued before it are ignored. */
  seekVersion: number;
  /** The pull scheduled for this queue (an immediate when due at once: a 0 ms timer waits 1 ms). */
  timer: NodeJS.Timeout | NodeJS.Immediate | null;
}

function cancelPull(st: QueueState): void {
  if (st.timer === null) return;
  if ("refresh" in st.timer) clearTimeout(st.timer);
  else clearImmediate(st.timer);
  st.timer = null;
}

interface ConsumeRequest {
  state: QueueState;
  msgs: MessageExt[];
  seekVersion: number;
}

export class DefaultLitePullConsumer implements MQConsumerInner {
  readonly groupName: string;
  readonly instance: MQClientInstance;
  private readonly cfg: Required<Omit<LitePullConsumerConfig, keyof ClientConfig>>;
  private readonly rebalanceImpl: RebalanceLitePullImpl<QueueState>;
  private readonly buffer: ConsumeRequest[] = [];
  /** Messages in `buffer` (the pullThresholdForAll check runs on every pull). */
  private bufferedTotal = 0;
  private readonly waiters: (() => void)[] = [];
  private mode: "NONE" | "SUBSCRIBE" | "ASSIGN" = "NONE";
  private running = false;
  private lastAutoCommit = Date.now();
  /** Queues assigned before start(). */
  private pendingAssign: MessageQueue[] = [];

  constructor(config: LitePullConsumerConfig) {
    this.groupName = config.consumerGroup;
    this.cfg = {
      consumerGroup: config.consumerGroup,
      consumeFromWhere: config.consumeFromWhere ?? "CONSUME_FROM_LAST_OFFSET",
      consumeTimestamp: config.consumeTimestamp ?? timestampString(Date.now() - 30 * 60_000),
      pullBatchSize: config.pullBatchSize ?? 10,
      autoCommit: config.autoCommit ?? true,
      autoCommitIntervalMillis: config.autoCommitIntervalMillis ?? 5000,
      pollTimeoutMillis: config.pollTimeoutMillis ?? 5000,
      pullThresholdForAll: config.pullThresholdForAll ?? 10_000,
      pullThresholdForQueue: config.pullThresholdForQueue ?? 1000,
    };
    this.instance = new MQClientInstance(config);
    this.rebalanceImpl = new RebalanceLitePullImpl(this.instance, this.groupName, {
      dropQueue: (key, st) => this.dropQueue(key, st),
      addQueue: (mq) => this.addQueue(mq),
    });
  }

  get clientId(): string {
    return this.instance.clientId;
  }

  private get subscriptions(): Map<string, SubscriptionData> {
    return this.rebalanceImpl.subscriptionInner;
  }

  /**
   * mqKey → the broker id the last answer for the queue suggested (a slave while the master is
   * busy or gone), as Java's PullAPIWrapper keeps it: the next pull of the queue goes there.
   */
  private readonly pullFromWhichNode = new Map<string, number>();

  /** mqKey → the queue being pulled (assigned, or allocated by rebalance). */
  private get queues(): Map<string, QueueState> {
    return this.rebalanceImpl.processQueueTable;
  }

  subscribe(topic: string, subExpression = "*"): void {
    if (this.mode === "ASSIGN") throw new MQClientException(-1, "Subscribe and assign are mutually exclusive.");
    this.mode = "SUBSCRIBE";
    this.subscriptions.set(topic, buildSubscriptionData(topic, subExpression, javaStringHashCode));
  }

  /** Consume exactly these queues (no rebalance). */
  assign(mqs: MessageQueue[]): void {
    if (this.mode === "SUBSCRIBE") throw new MQClientException(-1, "Subscribe and assign are mutually exclusive.");
    this.mode = "ASSIGN";
    for (const mq of mqs) {
      if (!this.subscriptions.has(mq.topic))
        this.subscriptions.set(mq.topic, buildSubscriptionData(mq.topic, "*", javaStringHashCode));
    }
    const wanted = new Set(mqs.map(mqKey));
    for (const [key, st] of this.queues) if (!wanted.has(key)) this.dropQueue(key, st);
    if (this.running) for (const mq of mqs) void this.addQueue(mq);
    else this.pendingAssign = mqs;
  }

  async start(): Promise<void> {
    if (this.mode === "NONE") throw new MQClientException(-1, "subscription is empty");
    this.instance.registerConsumer(this);
    this.running = true;
    this.instance.start();
    for (const topic of this.subscriptions.keys()) {
      await this.instance.tryUpdateTopicRouteInfoFromNameServer(topic, "start");
    }
    await this.instance.sendHeartbeatToAllBrokers();
    if (this.mode === "SUBSCRIBE") this.instance.rebalanceImmediately();
    else for (const mq of this.pendingAssign) await this.addQueue(mq);
  }

  async shutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const [key, st] of this.queues) this.dropQueue(key, st, false);
    if (this.cfg.autoCommit)
      await this.commitSync().catch((err: unknown) => this.instance.logger.warn({ err }, "shutdown: commit failed"));
    for (const w of this.waiters.splice(0)) w();
    await this.instance.unregister(null, this.groupName);
    await this.instance.shutdown();
  }

  /** Queues a topic has (readable ones), for `assign`. */
  async fetchMessageQueues(topic: string): Promise<MessageQueue[]> {
    await this.instance.tryUpdateTopicRouteInfoFromNameServer(topic, "fetchMessageQueues");
    const route = this.instance.topicRouteTable.get(topic) ?? (await this.instance.fetchTopicRoute(topic));
    if (!route) throw new MQClientException(-1, `Can not find Message Queue for this topic, ${topic}`);
    const out: MessageQueue[] = [];
    for (const qd of route.queueDatas)
      for (let i = 0; i < qd.readQueueNums; i++) out.push({ topic, brokerName: qd.brokerName, queueId: i });
    return out.sort(compareMessageQueue);
  }

  /** Take the next pulled batch (waits up to `timeout` ms); auto-commits on the way when enabled. */
  async poll(timeout = this.cfg.pollTimeoutMillis): Promise<MessageExt[]> {
    if (!this.running) throw new MQClientException(-1, "The consumer not running, please start it first.");
    if (this.cfg.autoCommit && Date.now() - this.lastAutoCommit >= this.cfg.autoCommitIntervalMillis) {
      this.lastAutoCommit = Date.now();
      await this.commitSync().catch((e: unknown) => this.instance.logger.warn({ err: e }, "auto commit failed"));
    }
    const deadline = Date.now() + timeout;
    for (;;) {
      const req = this.buffer.shift();
      if (req) {
        const st = req.state;
        st.buffered -= req.msgs.length;
        this.bufferedTotal -= req.msgs.length;
        if (st.dropped || req.seekVersion !== st.seekVersion) continue;
        const last = req.msgs[req.msgs.length - 1];
        if (last) st.consumeOffset = last.queueOffset + 1;
        return req.msgs;
      }
      const left = deadline - Date.now();
      if (left <= 0 || !this.running) return [];
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Store the polled position of every queue on the broker. */
  async commitSync(): Promise<void> {
    for (const st of this.queues.values()) {
      if (st.consumeOffset >= 0)
        await updateConsumerOffset(this.instance, this.groupName, st.mq, st.consumeOffset, false);
    }
  }

  /** The offset the broker has stored for a queue (−1: none). */
  committed(mq: MessageQueue): Promise<number> {
    return queryConsumerOffset(this.instance, this.groupName, mq);
  }

  /** Continue a queue from `offset`: buffered messages of the queue are discarded. */
  seek(mq: MessageQueue, offset: number): void {
    const st = this.queues.get(mqKey(mq));
    if (!st) throw new MQClientException(-1, "The message queue is not in assigned list, may be rebalancing");
    st.seekVersion++;
    st.pullOffset = offset;
    st.consumeOffset = offset;
    this.schedulePull(st, 0);
  }

  pause(mqs: MessageQueue[]): void {
    for (const mq of mqs) {
      const st = this.queues.get(mqKey(mq));
      if (st) st.paused = true;
    }
  }

  resume(mqs: MessageQueue[]): void {
    for (const mq of mqs) {
      const st = this.queues.get(mqKey(mq));
      if (st) st.paused = false;
    }
  }

  assignment(): MessageQueue[] {
    return [...this.queues.values()].map((s) => s.mq);
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
      consumeType: "CONSUME_ACTIVELY",
      messageModel: "CLUSTERING",
      consumeFromWhere: this.cfg.consumeFromWhere,
      subscriptionDataSet: this.mode === "SUBSCRIBE" ? [...this.subscriptions.values()] : [],
      unitMode: false,
    };
  }

  async doRebalance(): Promise<void> {
    if (!this.running || this.mode !== "SUBSCRIBE") return;
    await this.rebalanceImpl.doRebalance();
  }

  async persistConsumerOffset(): Promise<void> {
    // offsets are stored by commitSync / auto-commit in poll
  }

  async resetOffset(_topic: string, offsets: Map<string, number>): Promise<void> {
    for (const [key, offset] of offsets) {
      const st = this.queues.get(key);
      if (st) this.seek(st.mq, offset);
    }
  }

  // ---- queues and pulling ----

  private async addQueue(mq: MessageQueue): Promise<void> {
    const key = mqKey(mq);
    if (this.queues.has(key)) return;
    const offset = await this.computePullFromWhere(mq).catch((err: unknown) => {
      this.instance.logger.warn({ err, mq }, "compute pull offset failed");
      return -1;
    });
    if (offset < 0 || !this.running || this.queues.has(key)) return;
    const st: QueueState = {
      mq,
      pullOffset: offset,
      consumeOffset: offset,
      buffered: 0,
      dropped: false,
      paused: false,
      seekVersion: 0,
      timer: null,
    };
    this.queues.set(key, st);
    this.schedulePull(st, 0);
  }

  private dropQueue(key: string, st: QueueState, commit = true): void {
    st.dropped = true;
    cancelPull(st);
    this.queues.delete(key);
    if (commit && this.cfg.autoCommit && st.consumeOffset >= 0)
      void updateConsumerOffset(this.instance, this.groupName, st.mq, st.consumeOffset, true).catch((err: unknown) => {
        this.instance.logger.warn({ err, mq: st.mq }, "commit of a dropped queue failed");
      });
  }

  private async computePullFromWhere(mq: MessageQueue): Promise<number> {
    const stored = await queryConsumerOffset(this.instance, this.groupName, mq);
    if (stored >= 0) return stored;
    if (stored !== -1) return -1;
    return offsetWhenNoneStored(this.instance, mq, this.cfg.consumeFromWhere, this.cfg.consumeTimestamp);
  }

  private schedulePull(st: QueueState, delay: number): void {
    cancelPull(st);
    const run = (): void => {
      st.timer = null;
      this.pull(st).catch((e: unknown) => {
        this.instance.logger.warn({ err: e, mq: st.mq }, "lite pull failed");
        if (!st.dropped) this.schedulePull(st, DELAY_EXCEPTION);
      });
    };
    st.timer = delay > 0 ? setTimeout(run, delay) : setImmediate(run);
  }

  private async pull(st: QueueState): Promise<void> {
    if (!this.running || st.dropped) return;
    if (st.paused) return this.schedulePull(st, DELAY_PAUSED);
    if (this.bufferedTotal > this.cfg.pullThresholdForAll || st.buffered > this.cfg.pullThresholdForQueue)
      return this.schedulePull(st, DELAY_FLOW_CONTROL);
    const sub = this.subscriptions.get(st.mq.topic);
    if (!sub) return this.schedulePull(st, DELAY_EXCEPTION);
    const version = st.seekVersion;
    const res = await pullKernelImpl(this.instance, {
      group: this.groupName,
      mq: st.mq,
      offset: st.pullOffset,
      maxNums: this.cfg.pullBatchSize,
      sysFlag: PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION | PullSysFlag.LITE_PULL,
      commitOffset: 0,
      suspendTimeoutMillis: BROKER_SUSPEND_MAX_TIME_MILLIS,
      timeoutMillis: CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND,
      // the subscription travels with the pull; Java sends subVersion 0 for TAG expressions
      sub: sub.expressionType === "TAG" ? { ...sub, subVersion: 0 } : sub,
      brokerId: this.pullFromWhichNode.get(mqKey(st.mq)) ?? MixAll.MASTER_ID,
    });
    if (st.dropped || version !== st.seekVersion) return;
    const result = pullResultOf(res);
    if (result.suggestWhichBrokerId !== undefined)
      this.pullFromWhichNode.set(mqKey(st.mq), result.suggestWhichBrokerId);
    const next = result.nextBeginOffset ?? st.pullOffset;
    switch (result.pullStatus) {
      case "FOUND": {
        const msgs = processPullResult(result, st.mq, sub);
        st.pullOffset = next;
        if (msgs.length > 0) {
          st.buffered += msgs.length;
          this.bufferedTotal += msgs.length;
          this.buffer.push({ state: st, msgs, seekVersion: version });
          this.waiters.shift()?.();
        }
        return this.schedulePull(st, 0);
      }
      case "NO_NEW_MSG":
      case "NO_MATCHED_MSG":
      case "OFFSET_ILLEGAL":
        st.pullOffset = next;
        return this.schedulePull(st, 0);
      default:
        this.instance.logger.warn({ mq: st.mq, code: result.responseCode, remark: result.remark }, "lite pull refused");
        return this.schedulePull(st, DELAY_EXCEPTION);
    }
  }
}
