/**
 * Java's RebalancePushImpl: a queue given up stores its offset on the broker (clustering) and, for
 * orderly consumption, is unlocked; a new queue is locked first (orderly), starts at the group's
 * committed offset (or where consumeFromWhere says) and gets its first pull. The orderly broker
 * locks are renewed by `lockAll`.
 */
import { MixAll } from "@rocketmq-ts/common";
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import { mqKey, type MessageQueue } from "../message/Message.js";
import type { MessageModel } from "./ConsumeMessageService.js";
import type { OffsetStore } from "./OffsetStore.js";
import { ProcessQueue } from "./ProcessQueue.js";
import type { PullRequest } from "./PullRequest.js";
import { lockBatch, unlockBatch } from "./RebalanceLock.js";
import { RebalanceImpl } from "./RebalanceImpl.js";

/** What the rebalance uses of its push consumer. */
export interface RebalancePushHost {
  isRunning(): boolean;
  /** Orderly clustering: queues are locked on the broker. */
  isLocking(): boolean;
  readonly offsetStore: OffsetStore;
  computePullFromWhere(mq: MessageQueue): Promise<number>;
  /** Start pulling a queue now. */
  dispatchPullRequest(req: PullRequest): void;
  /** Orderly: a queue's lock is back and messages wait in it. */
  consumeLockedQueue(req: PullRequest): void;
}

export class RebalancePushImpl extends RebalanceImpl<PullRequest> {
  constructor(
    instance: MQClientInstance,
    consumerGroup: string,
    messageModel: MessageModel,
    private readonly host: RebalancePushHost,
  ) {
    super(instance, consumerGroup, messageModel);
  }

  /**
   * A group's %RETRY% topic is created by our own first heartbeat: look its route up now rather
   * than waiting for the 30 s route poll (Java waits).
   */
  protected override async topicQueues(topic: string): Promise<MessageQueue[] | undefined> {
    if (!this.topicSubscribeInfoTable.has(topic)) {
      await this.instance.tryUpdateTopicRouteInfoFromNameServer(topic, "rebalance");
    }
    return this.topicSubscribeInfoTable.get(topic);
  }

  protected async removeUnnecessaryMessageQueue(_key: string, req: PullRequest): Promise<void> {
    const { host, instance } = this;
    req.pq.dropped = true;
    const offset = host.offsetStore.readOffset(req.mq);
    if (offset !== undefined && offset >= 0 && this.messageModel === "CLUSTERING") {
      await host.offsetStore.updateConsumeOffsetToBroker(req.mq, offset, !host.isLocking()).catch((err: unknown) => {
        instance.logger.warn({ err, mq: req.mq, offset }, "rebalance: store offset of a removed queue failed");
      });
    }
    host.offsetStore.removeOffset(req.mq);
    if (host.isLocking()) {
      await unlockBatch(instance, this.consumerGroup, req.mq.brokerName, [req.mq], true).catch((err: unknown) => {
        instance.logger.warn({ err, mq: req.mq }, "rebalance: unlock of a removed queue failed");
      });
    }
  }

  protected async addMessageQueue(mq: MessageQueue): Promise<boolean> {
    const { host, instance } = this;
    const key = mqKey(mq);
    // orderly: only queues this client could lock
    if (host.isLocking()) {
      const granted = await lockBatch(instance, this.consumerGroup, mq.brokerName, [mq]).catch((err: unknown) => {
        instance.logger.warn({ err, mq }, "rebalance: lock of a new queue failed");
        return new Set<string>();
      });
      if (!granted.has(key)) return false;
    }
    const next = await host.computePullFromWhere(mq).catch((e: unknown) => {
      instance.logger.warn({ err: e, mq }, "compute pull offset failed");
      return -1;
    });
    if (next < 0 || !host.isRunning()) return false;
    const req: PullRequest = {
      mq,
      pq: new ProcessQueue(),
      nextOffset: next,
      brokerId: MixAll.MASTER_ID,
      locked: host.isLocking(),
      lastLockTimestamp: Date.now(),
      previouslyLocked: host.isLocking(),
      draining: false,
    };
    this.processQueueTable.set(key, req);
    host.offsetStore.updateOffset(mq, next);
    host.dispatchPullRequest(req);
    return true;
  }

  /** The subscription's version moves on and the brokers hear of it at once. */
  protected async messageQueueChanged(topic: string): Promise<void> {
    const sub = this.subscriptionInner.get(topic);
    if (sub) sub.subVersion = Date.now();
    await this.instance.sendHeartbeatToAllBrokers();
  }

  /** Orderly: renew the broker locks of every held queue; queues not granted stop consuming. */
  async lockAll(): Promise<void> {
    const byBroker = new Map<string, PullRequest[]>();
    for (const req of this.processQueueTable.values()) {
      const list = byBroker.get(req.mq.brokerName) ?? [];
      list.push(req);
      byBroker.set(req.mq.brokerName, list);
    }
    for (const [brokerName, list] of byBroker) {
      const granted = await lockBatch(
        this.instance,
        this.consumerGroup,
        brokerName,
        list.map((req) => req.mq),
      ).catch((err: unknown) => {
        this.instance.logger.warn({ err, brokerName }, "lockBatchMQ failed");
        return new Set<string>();
      });
      const now = Date.now();
      for (const req of list) {
        if (granted.has(mqKey(req.mq))) {
          if (!req.locked) req.previouslyLocked = false;
          req.locked = true;
          req.lastLockTimestamp = now;
          if (req.pq.msgCount > 0) this.host.consumeLockedQueue(req);
        } else {
          req.locked = false;
        }
      }
    }
  }

  /** Orderly: release every held queue's lock (shutdown). */
  async unlockAll(): Promise<void> {
    const byBroker = new Map<string, MessageQueue[]>();
    for (const req of this.processQueueTable.values())
      byBroker.set(req.mq.brokerName, [...(byBroker.get(req.mq.brokerName) ?? []), req.mq]);
    for (const [brokerName, mqs] of byBroker) {
      await unlockBatch(this.instance, this.consumerGroup, brokerName, mqs, false).catch((err: unknown) => {
        this.instance.logger.warn({ err, brokerName }, "unlockBatchMQ failed");
      });
    }
  }
}
