/**
 * Java 5.3.3's PopReviveService: one per revive queue; only a master revives.
 *
 * Every reviveInterval a round (1) scans the revive queue from its progress + 1 in batches of 32:
 * checkpoints by key, acks setting the bits of their checkpoint (acks without one are skipped);
 * `endTime` is the latest deliver time seen, or now when nothing came for 3 s and the timer is not
 * behind. The scan ends when nothing came for 4 s, when endTime is 2 s past the first checkpoint's
 * revive time, or after reviveScanTime. (2) Checkpoints in revive-queue order whose revive time is
 * more than 2 s before endTime are revived: each un-acked message is read and written again to the
 * group's retry topic (queue 0, reconsume times + 1, 1ST_POP_TIME on its first retry; the retry topic
 * is created with 1 queue, perm 6, and the group's offset there starts at 0); a message that cannot
 * be written is checkpointed again alone (rePutTimes + 1, its invisible time stretched by
 * 10, 20, 30, 60 … s when already due). Checkpoints of deleted topics or groups are just passed.
 * (3) Progress (CID_RMQ_SYS_REVIVE_GROUP's offset on the revive queue) moves to the last revived
 * checkpoint. Rounds that revive nothing back off up to reviveMaxSlow intervals.
 *
 * Checkpoints and acks only reach the revive queue when due (TIMER_DELIVER_MS through the timer
 * wheel), so a checkpoint's revive is decided by the acks already there.
 */
import {
  buildPopRetryTopic,
  decodeRecordAt,
  javaPropertiesString,
  MessageConst,
  MixAll,
  newTopicConfig,
  parseNormalTopic,
  PopAckConstants,
  type MessageExt,
  type MessageInner,
} from "@rocketmq-ts/common";
import type { BrokerContext } from "../BrokerContext.js";
import {
  ackMergeKey,
  ackOffsetByIndex,
  buildCkMsg,
  ckMergeKey,
  decodeAckMsg,
  decodeCheckPoint,
  indexOfAck,
  isAcked,
  newCheckPoint,
  parseRePutTimes,
  reviveTime,
  setAcked,
  type PopCheckPoint,
} from "./PopCheckPoint.js";
import type { PopServices } from "./PopServices.js";

/** The revive loop's time: tests drive it with a fake clock whose sleep advances it. */
export interface ReviveClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realReviveClock: ReviveClock = {
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms).unref();
    }),
};

const CK_REWRITE_INTERVALS_S = [10, 20, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200];
const PUT_OK = new Set(["PUT_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"]);
const SECOND = PopAckConstants.SECOND;
const ACK_TIME_INTERVAL = PopAckConstants.ackTimeInterval;
/** Messages revived between two turns of the event loop (store puts may resolve synchronously). */
export const REVIVE_YIELD_EVERY = 256;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What one scan found (Java's ConsumeReviveObj). */
export interface ReviveScan {
  readonly map: Map<string, PopCheckPoint>;
  oldOffset: number;
  endTime: number;
}

export interface PopReviveOptions {
  readonly clock?: ReviveClock;
  /** Let the event loop's other callbacks run (default: the next setImmediate turn). */
  readonly yieldToLoop?: () => Promise<void>;
  /** Seconds the timer lags (see timerBehindSeconds; 0 when it does not). */
  readonly timerBehind: () => number;
}

/** What the revive reads of the timer (TimerMessageStore has it). */
export interface TimerLag {
  /** whole seconds the dequeue's read time is behind now */
  getDequeueBehind(): number;
  /** whole seconds old the message the enqueue read last is (0 when it read none for 2 s) */
  getEnqueueBehind(): number;
}

/**
 * Java's revive asks whether the timer lags in TIME (getDequeueBehind and getEnqueueBehind, whole
 * seconds), not in messages: a far-future timer message or an in-flight checkpoint is not a lag.
 */
export function timerBehindSeconds(timer: TimerLag | null | undefined): number {
  if (!timer) return 0;
  return Math.max(0, timer.getDequeueBehind()) + Math.max(0, timer.getEnqueueBehind());
}

export class PopReviveService {
  private readonly clock: ReviveClock;
  private readonly yieldToLoop: () => Promise<void>;
  /** messages revived since the last turn of the event loop */
  private sinceYield = 0;
  private shouldRunPopRevive = false;
  /** set by shutdown: ends the loop and any scan under way */
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** progress kept across rounds (Java's reviveOffset field) */
  private reviveOffset = -1;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly pop: PopServices,
    readonly queueId: number,
    private readonly options: PopReviveOptions,
  ) {
    this.clock = options.clock ?? realReviveClock;
    this.yieldToLoop = options.yieldToLoop ?? nextTurn;
  }

  setShouldRunPopRevive(should: boolean): void {
    this.shouldRunPopRevive = should;
  }

  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const loop = this.loop;
    this.loop = null;
    if (loop) await loop;
  }

  private async pause(ms: number): Promise<void> {
    // sleep in slices so a shutdown does not wait a whole interval
    const until = this.clock.now() + ms;
    while (!this.stopped && this.clock.now() < until) await this.clock.sleep(Math.min(100, until - this.clock.now()));
  }

  private async run(): Promise<void> {
    let slow = 1;
    const bc = this.ctx.brokerConfig;
    while (!this.stopped) {
      try {
        await this.pause(bc.reviveInterval);
        if (this.stopped || !this.shouldRunPopRevive || !this.ctx.storeConfig.timerWheelEnable) continue;
        const revived = await this.reviveRound();
        if (revived === 0) {
          await this.pause(slow * bc.reviveInterval);
          if (slow < bc.reviveMaxSlow) slow++;
        } else slow = 1;
      } catch (err) {
        this.ctx.logger.error({ err: (err as Error).message, reviveQueueId: this.queueId }, "revive error");
      }
    }
  }

  /** One round: scan, then revive what is due; returns how many checkpoints the scan found. */
  async reviveRound(): Promise<number> {
    const scan = await this.consumeReviveMessage();
    if (!this.shouldRunPopRevive) return 0;
    await this.mergeAndRevive(scan);
    return scan.map.size;
  }

  private get reviveTopic(): string {
    return this.pop.reviveTopic;
  }

  /** Up to 32 records of the revive queue from `offset` (null: nothing there). */
  private getReviveMessages(offset: number): MessageExt[] | null {
    const store = this.ctx.store;
    const result = store.getMessage(this.reviveTopic, this.queueId, offset, 32);
    if (result.status === "FOUND") {
      return result.messages.map((buf, i) => {
        const msg = decodeRecordAt(buf, 0);
        return { ...msg, queueOffset: result.msgQueueOffsets[i] ?? msg.queueOffset };
      });
    }
    const illegal = result.status !== "NO_MESSAGE_IN_QUEUE";
    const reachTail = result.status === "NO_MESSAGE_IN_QUEUE" || (illegal && offset === result.maxOffset);
    if (!reachTail && illegal && this.shouldRunPopRevive) {
      this.ctx.logger.error({ reviveQueueId: this.queueId, offset, status: result.status }, "revive OFFSET_ILLEGAL");
      this.ctx.consumerOffsetManager.commitOffset(
        PopAckConstants.REVIVE_GROUP,
        this.reviveTopic,
        this.queueId,
        result.nextBeginOffset - 1,
      );
    }
    return null;
  }

  /** Java's consumeReviveMessage: collect checkpoints and their acks. */
  async consumeReviveMessage(): Promise<ReviveScan> {
    const bc = this.ctx.brokerConfig;
    const map = new Map<string, PopCheckPoint>();
    const startScanTime = this.clock.now();
    let endTime = 0;
    const consumeOffset = this.ctx.consumerOffsetManager.queryOffset(
      PopAckConstants.REVIVE_GROUP,
      this.reviveTopic,
      this.queueId,
    );
    const oldOffset = Math.max(this.reviveOffset, consumeOffset);
    let offset = oldOffset + 1;
    let noMsgCount = 0;
    let firstRt = 0;
    while (!this.stopped && this.shouldRunPopRevive) {
      const messages = this.getReviveMessages(offset);
      if (!messages || messages.length === 0) {
        const now = this.clock.now();
        if (endTime !== 0 && now - endTime > 3 * SECOND && this.options.timerBehind() <= 0) endTime = now;
        if (endTime - firstRt > ACK_TIME_INTERVAL + SECOND) break;
        noMsgCount++;
        await this.clock.sleep(100);
        if (noMsgCount * 100 > 4 * SECOND) break;
        continue;
      }
      noMsgCount = 0;
      if (this.clock.now() - startScanTime > bc.reviveScanTime) break;
      // reading the queue is synchronous: a backlog would hold the loop for the whole scan
      await this.yieldToLoop();
      for (const msg of messages) {
        const tags = msg.properties.get(MessageConst.PROPERTY_TAGS);
        const raw = msg.body ? msg.body.toString("utf8") : "";
        if (tags === PopAckConstants.CK_TAG) {
          const ck = decodeCheckPoint(raw);
          if (ck) {
            ck.reviveOffset = msg.queueOffset;
            map.set(ckMergeKey(ck), ck);
            if (firstRt === 0) firstRt = reviveTime(ck);
          }
        } else if (tags === PopAckConstants.ACK_TAG || tags === PopAckConstants.BATCH_ACK_TAG) {
          const ack = decodeAckMsg(raw);
          const ck = ack ? map.get(ackMergeKey(ack, bc.brokerName)) : undefined;
          if (ack && ck) {
            for (const ackOffset of ack.ackOffsetList ?? [ack.ackOffset]) {
              const index = indexOfAck(ck, ackOffset);
              if (index > -1) ck.bitMap = setAcked(ck.bitMap, index);
              else this.ctx.logger.error({ ack, ck }, "invalid ack index");
            }
          }
        }
        const deliver = Number(msg.properties.get(MessageConst.PROPERTY_TIMER_DELIVER_MS) ?? "0");
        if (Number.isFinite(deliver) && deliver > endTime) endTime = deliver;
      }
      offset += messages.length;
    }
    return { map, oldOffset, endTime };
  }

  /** Java's mergeAndRevive: revive due checkpoints in order, then commit the progress. */
  async mergeAndRevive(scan: ReviveScan): Promise<void> {
    const sorted = [...scan.map.values()].sort((a, b) => a.reviveOffset - b.reviveOffset);
    let newOffset = scan.oldOffset;
    for (const ck of sorted) {
      if (!this.shouldRunPopRevive) break;
      if (scan.endTime - reviveTime(ck) <= ACK_TIME_INTERVAL + SECOND) break;
      const normalTopic = parseNormalTopic(ck.topic, ck.cid);
      if (
        this.ctx.topicConfigManager.selectTopicConfig(normalTopic) === undefined ||
        this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(ck.cid) === undefined
      ) {
        this.ctx.logger.warn(
          { reviveQueueId: this.queueId, topic: ck.topic, group: ck.cid },
          "revive: topic or group gone, skip",
        );
        newOffset = ck.reviveOffset;
        continue;
      }
      await this.reviveMsgFromCk(ck);
      newOffset = ck.reviveOffset;
    }
    if (newOffset > scan.oldOffset) {
      if (!this.shouldRunPopRevive) return;
      this.ctx.consumerOffsetManager.commitOffset(
        PopAckConstants.REVIVE_GROUP,
        this.reviveTopic,
        this.queueId,
        newOffset,
      );
    }
    this.reviveOffset = newOffset;
  }

  private async reviveMsgFromCk(ck: PopCheckPoint): Promise<void> {
    for (let j = 0; j < ck.num; j++) {
      if (isAcked(ck.bitMap, j)) continue;
      if (++this.sinceYield >= REVIVE_YIELD_EVERY) {
        this.sinceYield = 0;
        await this.yieldToLoop();
      }
      const msgOffset = ackOffsetByIndex(ck, j);
      const result = this.ctx.store.getMessage(ck.topic, ck.queueId, msgOffset, 1);
      const record = result.status === "FOUND" ? result.messages[0] : undefined;
      if (!record) {
        // gone from the local store: nothing to retry (Java's needRetry=false)
        this.ctx.logger.info(
          { topic: ck.topic, queueId: ck.queueId, offset: msgOffset },
          "revive: can not get biz msg",
        );
        continue;
      }
      const ok = await this.reviveRetry(ck, decodeRecordAt(record, 0));
      if (!ok) await this.rePutCk(ck, msgOffset);
    }
  }

  /** Write one un-acked message to the group's retry topic. */
  private async reviveRetry(ck: PopCheckPoint, msg: MessageExt): Promise<boolean> {
    const bc = this.ctx.brokerConfig;
    const topic = ck.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)
      ? ck.topic
      : buildPopRetryTopic(ck.topic, ck.cid, bc.enableRetryTopicV2);
    const props = new Map(msg.properties);
    if (msg.reconsumeTimes === 0 || !props.has(MessageConst.PROPERTY_FIRST_POP_TIME))
      props.set(MessageConst.PROPERTY_FIRST_POP_TIME, String(ck.popTime));
    const inner: MessageInner = {
      topic,
      queueId: 0,
      flag: msg.flag,
      body: msg.body ? Buffer.from(msg.body) : null,
      propertiesString: javaPropertiesString(props),
      sysFlag: msg.sysFlag,
      bornTimestamp: msg.bornTimestamp,
      bornHost: this.ctx.storeHost,
      storeHost: this.ctx.storeHost,
      reconsumeTimes: msg.reconsumeTimes + 1,
      preparedTransactionOffset: 0,
    };
    this.addRetryTopicIfNotExist(topic, ck.cid);
    try {
      const result = await this.ctx.store.putMessages([inner]);
      if (!PUT_OK.has(result.status)) {
        this.ctx.logger.error({ reviveQueueId: this.queueId, status: result.status, topic }, "revive error");
        return false;
      }
      const stats = this.ctx.brokerStatsManager;
      stats.incBrokerPutNums(1);
      stats.incTopicPutNums(topic);
      if (result.appendResult) stats.incTopicPutSize(topic, result.appendResult.wroteBytes);
      return true;
    } catch (err) {
      this.ctx.logger.error({ err: (err as Error).message, topic }, "revive error");
      return false;
    }
  }

  /** The retry topic of a POP group: 1 queue, perm 6; the group starts reading it at 0. */
  addRetryTopicIfNotExist(topic: string, group: string): void {
    const tcm = this.ctx.topicConfigManager;
    if (tcm.selectTopicConfig(topic)) return;
    tcm.updateTopicConfig(
      newTopicConfig(topic, {
        readQueueNums: PopAckConstants.retryQueueNum,
        writeQueueNums: PopAckConstants.retryQueueNum,
        perm: 6,
      }),
    );
    if (this.ctx.consumerOffsetManager.queryOffset(group, topic, 0) < 0)
      this.ctx.consumerOffsetManager.commitOffset(group, topic, 0, 0);
  }

  /** A message that could not be revived: a checkpoint of its own, tried again later. */
  private async rePutCk(old: PopCheckPoint, msgOffset: number): Promise<void> {
    const rePutTimes = parseRePutTimes(old);
    if (rePutTimes >= CK_REWRITE_INTERVALS_S.length && this.ctx.brokerConfig.skipWhenCKRePutReachMaxTimes) {
      this.ctx.logger.warn({ topic: old.topic, group: old.cid, rePutTimes }, "rePut CK reach max times, drop it");
      return;
    }
    const ck = newCheckPoint({
      topic: old.topic,
      cid: old.cid,
      num: 1,
      popTime: old.popTime,
      invisibleTime: old.invisibleTime,
      startOffset: msgOffset,
      queueId: old.queueId,
      brokerName: old.brokerName,
      queueOffsetDiff: [0],
      rePutTimes: String(rePutTimes + 1),
    });
    if (reviveTime(old) <= this.clock.now()) {
      const index = Math.min(rePutTimes, CK_REWRITE_INTERVALS_S.length - 1);
      ck.invisibleTime = old.invisibleTime + (CK_REWRITE_INTERVALS_S[index] ?? 0) * 1000;
    }
    await this.ctx.store.putMessages([buildCkMsg(this.pop.reviveOrigin(), ck, this.queueId)]);
  }
}
