/**
 * The POP machinery of one broker (what Java 5.3.3 hangs on BrokerController and
 * PopMessageProcessor): the revive topic, queue locks, the checkpoint offset queues, the long
 * polling of POP and of NOTIFICATION requests, the orderly bookkeeping and one revive service per
 * revive queue. Processors reach it as `ctx.popServices`.
 */
import { buildClusterReviveTopic, newTopicConfig, PermName, string2messageProperties } from "@rocketmq-ts/common";
import type { PutMessageResult } from "@rocketmq-ts/store";
import type { BrokerContext } from "../BrokerContext.js";
import { PopLongPollingService, type PopRequest } from "../longpolling/PopLongPollingService.js";
import { ConsumerOrderInfoManager } from "../offset/ConsumerOrderInfoManager.js";
import { PopBufferMergeService } from "./PopBufferMergeService.js";
import { buildCkMsg, type PopCheckPoint, type ReviveMessageOrigin } from "./PopCheckPoint.js";
import { PopReviveService, type ReviveClock } from "./PopReviveService.js";
import { QueueLockManager } from "./QueueLockManager.js";

export interface PopServicesOptions {
  /** Clock, random and sleeps (tests pass fakes). */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly reviveClock?: ReviveClock;
  /** Re-run a parked POP_MESSAGE / NOTIFICATION request (the processors' wake-ups). */
  readonly wakeUpPop: (req: PopRequest) => void;
  readonly wakeUpNotification: (req: PopRequest) => void;
  /** How far behind the timer wheel is (0 when it is not; Java's getDequeueBehind/getEnqueueBehind). */
  readonly timerBehind?: () => number;
}

export class PopServices {
  readonly reviveTopic: string;
  readonly queueLockManager = new QueueLockManager();
  readonly bufferMergeService: PopBufferMergeService;
  readonly popLongPolling: PopLongPollingService;
  readonly notificationLongPolling: PopLongPollingService;
  readonly consumerOrderInfoManager: ConsumerOrderInfoManager;
  readonly reviveServices: PopReviveService[];
  readonly now: () => number;
  readonly random: () => number;
  private ckMessageNumber = 0;

  constructor(
    private readonly ctx: BrokerContext,
    options: PopServicesOptions,
  ) {
    const bc = ctx.brokerConfig;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.reviveTopic = buildClusterReviveTopic(bc.brokerClusterName);
    this.bufferMergeService = new PopBufferMergeService({
      lockManager: this.queueLockManager,
      putCk: (ck, reviveQid) => this.putCk(ck, reviveQid),
      commitOffset: (group, topic, queueId, offset) =>
        ctx.consumerOffsetManager.commitOffset(group, topic, queueId, offset),
      logger: ctx.logger,
      maxQueueSize: () => bc.popCkOffsetMaxQueueSize,
    });
    const polling = {
      now: this.now,
      popPollingSize: () => bc.popPollingSize,
      maxPopPollingSize: () => bc.maxPopPollingSize,
      forceNotifyInterval: () => bc.popLongPollingForceNotifyInterval,
    };
    this.popLongPolling = new PopLongPollingService({ ...polling, wakeUp: options.wakeUpPop });
    this.notificationLongPolling = new PopLongPollingService({ ...polling, wakeUp: options.wakeUpNotification });
    this.consumerOrderInfoManager = new ConsumerOrderInfoManager(ctx.storeConfig.storePathRootDir, ctx.logger, {
      now: this.now,
      readQueueNums: (topic) => ctx.topicConfigManager.selectTopicConfig(topic)?.readQueueNums,
      groupExists: (group) => ctx.subscriptionGroupManager.subscriptionGroupTable.has(group),
      notifyAfterLockRelease: () => bc.enableNotifyAfterPopOrderLockRelease,
      onLockFree: (topic, group, queueId) => this.notifyLongPollingRequestIfNeed(topic, group, queueId),
    });
    this.reviveServices = [];
    for (let q = 0; q < bc.reviveQueueNum; q++) {
      this.reviveServices.push(
        new PopReviveService(ctx, this, q, {
          ...(options.reviveClock ? { clock: options.reviveClock } : {}),
          timerBehind: options.timerBehind ?? ((): number => 0),
        }),
      );
    }
  }

  /** Java's TopicConfigManager creates the revive topic (reviveQueueNum queues) at start-up. */
  createReviveTopic(): void {
    const tcm = this.ctx.topicConfigManager;
    tcm.systemTopics.add(this.reviveTopic);
    if (tcm.selectTopicConfig(this.reviveTopic)) return;
    const n = this.ctx.brokerConfig.reviveQueueNum;
    tcm.updateTopicConfig(
      newTopicConfig(this.reviveTopic, {
        readQueueNums: n,
        writeQueueNums: n,
        perm: PermName.PERM_READ | PermName.PERM_WRITE,
      }),
    );
  }

  load(): void {
    this.consumerOrderInfoManager.load();
  }

  persist(): void {
    this.consumerOrderInfoManager.persist();
  }

  /** Long polling and the offset commits; revive only where `shouldRevive` (the master). */
  start(shouldRevive: boolean): void {
    this.createReviveTopic();
    this.popLongPolling.start();
    this.notificationLongPolling.start();
    this.bufferMergeService.start();
    for (const s of this.reviveServices) {
      s.setShouldRunPopRevive(shouldRevive);
      s.start();
    }
  }

  /** A role change: only a master revives. */
  setShouldRevive(shouldRevive: boolean): void {
    for (const s of this.reviveServices) s.setShouldRunPopRevive(shouldRevive);
  }

  async shutdown(): Promise<void> {
    this.popLongPolling.shutdown();
    this.notificationLongPolling.shutdown();
    await Promise.all(this.reviveServices.map((s) => s.shutdown()));
    this.bufferMergeService.shutdown();
    this.consumerOrderInfoManager.shutdown();
  }

  /** reviveQid of the next non-orderly POP: round robin over the revive queues. */
  nextReviveQid(): number {
    return Math.abs(this.ckMessageNumber++ % this.ctx.brokerConfig.reviveQueueNum);
  }

  reviveOrigin(): ReviveMessageOrigin {
    return { reviveTopic: this.reviveTopic, storeHost: this.ctx.storeHost, now: this.now() };
  }

  putCk(ck: PopCheckPoint, reviveQid: number): PutMessageResult | Promise<PutMessageResult> {
    return this.ctx.store.putMessages([buildCkMsg(this.reviveOrigin(), ck, reviveQid)]);
  }

  /**
   * A message was dispatched (the reput's arrival listener): wake POP and NOTIFICATION pollers.
   * Nothing parked, nothing to do; the properties are parsed only if a parked filter reads them.
   */
  notifyMessageArriving(
    topic: string,
    queueId: number,
    offset: number,
    tagsCode: number | null,
    propertiesString: string | null,
  ): void {
    if (this.popLongPolling.totalPolling === 0 && this.notificationLongPolling.totalPolling === 0) return;
    let parsed: Map<string, string> | undefined;
    const props =
      propertiesString === null
        ? null
        : (): Map<string, string> => (parsed ??= string2messageProperties(propertiesString));
    this.popLongPolling.notifyMessageArrivingWithRetryTopic(topic, queueId, offset, tagsCode, props);
    this.notificationLongPolling.notifyMessageArrivingWithRetryTopic(topic, queueId, offset, tagsCode, props);
  }

  /** Java's notifyLongPollingRequestIfNeed: an orderly queue's block ended with messages left. */
  notifyLongPollingRequestIfNeed(topic: string, group: string, queueId: number): void {
    const lockKey = `${topic}@${group}@${queueId}`;
    const offset = Math.max(
      this.bufferMergeService.getLatestOffset(lockKey),
      this.ctx.consumerOffsetManager.queryOffset(group, topic, queueId),
    );
    if (this.ctx.store.getMaxOffsetInQueue(topic, queueId) <= offset) return;
    if (!this.popLongPolling.notifyGroup(topic, -1, group, false, null, null))
      this.popLongPolling.notifyGroup(topic, queueId, group, false, null, null);
    this.notificationLongPolling.notifyMessageArrivingWithRetryTopic(topic, queueId);
  }

  /** Java's PopMessageProcessor.notifyMessageArriving(topic, queueId, cid). */
  notifyGroupArriving(topic: string, queueId: number, group: string): void {
    this.popLongPolling.notifyGroup(topic, queueId, group, true, null, null);
  }
}
