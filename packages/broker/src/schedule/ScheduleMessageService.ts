/**
 * Delay levels (Java ScheduleMessageService): messages parked in SCHEDULE_TOPIC_XXXX queue level−1 are
 * put back into their real topic/queue when due. Progress per level is kept in delayOffset.json.
 */
import {
  entries,
  javaPropertiesString,
  messageInnerFrom,
  num,
  obj,
  MessageConst,
  string2messageProperties,
  type MessageExt,
} from "@rocketmq-ts/common";
import { parseDelayLevels, SCHEDULE_TOPIC, type DefaultMessageStore } from "@rocketmq-ts/store";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { ConfigManager } from "../config/ConfigManager.js";
import type { BrokerStatsManager } from "../stats/BrokerStatsManager.js";

/** The group delayed deliveries are counted under (Java's MixAll.SCHEDULE_CONSUMER_GROUP). */
export const SCHEDULE_CONSUMER_GROUP = "SCHEDULE_CONSUMER";

const TRANS_HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC";

export function delayLevelToQueueId(level: number): number {
  return level - 1;
}

/**
 * Java's delay rewrite for a put (CommitLog.asyncPutMessage): a message with DELAY > 0 goes to
 * SCHEDULE_TOPIC_XXXX queue level−1 with REAL_TOPIC/REAL_QID; the level is capped at the max.
 */
export function applyDelayLevel(
  topic: string,
  queueId: number,
  props: Map<string, string>,
  maxDelayLevel: number,
): { topic: string; queueId: number; props: Map<string, string> } {
  const level = Number.parseInt(props.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? "0", 10);
  if (!(level > 0)) return { topic, queueId, props };
  const capped = Math.min(level, maxDelayLevel);
  if (capped !== level) props.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(capped));
  props.set(MessageConst.PROPERTY_REAL_TOPIC, topic);
  props.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(queueId));
  return { topic: SCHEDULE_TOPIC, queueId: delayLevelToQueueId(capped), props };
}

/** delay level → offset in its SCHEDULE_TOPIC_XXXX queue */
type DelayOffsetTable = Map<number, number>;

export class ScheduleMessageService extends ConfigManager<DelayOffsetTable, { offsetTable: DelayOffsetTable }> {
  readonly delayLevelTable: Map<number, number>;
  readonly offsetTable: DelayOffsetTable = new Map();
  readonly maxDelayLevel: number;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private persistTimer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(
    private readonly store: DefaultMessageStore,
    delayLevels: string,
    storeRoot: string,
    private readonly flushDelayOffsetInterval: number,
    private readonly logger: Logger,
    /** where a delivery is counted (null: enableScheduleMessageStats=false) */
    private readonly brokerStatsManager: BrokerStatsManager | null = null,
  ) {
    super(storeRoot, "delayOffset.json", logger);
    this.delayLevelTable = parseDelayLevels(delayLevels);
    this.maxDelayLevel = Math.max(0, ...this.delayLevelTable.keys());
  }

  protected decode(json: JsonValue): DelayOffsetTable {
    return new Map(
      entries(obj(json, this.fileName)["offsetTable"], "offsetTable").map(
        ([level, off]) => [Number(level), num(off, level)] as const,
      ),
    );
  }

  protected applyLoaded(loaded: DelayOffsetTable): void {
    for (const [level, offset] of loaded) this.offsetTable.set(level, offset);
  }

  /** Levels in ascending order, as Java's table iterates them. */
  protected encode(): { offsetTable: DelayOffsetTable } {
    return { offsetTable: new Map([...this.offsetTable].sort((a, b) => a[0] - b[0])) };
  }

  /** Clamp stored offsets into the queues' current range (Java does this at load). */
  private correctOffsets(): void {
    for (const [level, offset] of this.offsetTable) {
      const queueId = delayLevelToQueueId(level);
      const min = Math.max(0, this.store.getMinOffsetInQueue(SCHEDULE_TOPIC, queueId));
      const max = this.store.getMaxOffsetInQueue(SCHEDULE_TOPIC, queueId);
      this.offsetTable.set(level, Math.min(Math.max(offset, min), max));
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.correctOffsets();
    for (const level of this.delayLevelTable.keys()) this.schedule(level, 1000);
    this.persistTimer = setInterval(() => this.persist(), this.flushDelayOffsetInterval);
    this.persistTimer.unref();
  }

  shutdown(): void {
    this.started = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.persistTimer) clearInterval(this.persistTimer);
    this.persist();
  }

  private schedule(level: number, delayMs: number): void {
    if (!this.started) return;
    const t = setTimeout(() => void this.deliverLevel(level), delayMs);
    t.unref();
    this.timers.set(level, t);
  }

  /** Deliver every due message of a level; come back in 100 ms for the first one not yet due. */
  private async deliverLevel(level: number): Promise<void> {
    const queueId = delayLevelToQueueId(level);
    const levelDelay = this.delayLevelTable.get(level) ?? 1000;
    let offset = this.offsetTable.get(level) ?? 0;
    try {
      const cq = this.store.findConsumeQueue(SCHEDULE_TOPIC, queueId);
      const max = cq.getMaxOffsetInQueue();
      while (offset < max) {
        const entry = cq.getEntry(offset);
        if (!entry) {
          offset = cq.rollNextFile(offset);
          continue;
        }
        const now = Date.now();
        // a deliver time further out than one level delay means a skewed clock: deliver now
        const deliverTime = entry.tagsCode > now + levelDelay ? now : entry.tagsCode;
        if (deliverTime > now) {
          this.offsetTable.set(level, offset);
          this.schedule(level, Math.min(100, deliverTime - now));
          return;
        }
        const msg = this.store.lookMessageByOffset(entry.offset);
        if (msg && !(await this.deliver(msg, level))) {
          this.offsetTable.set(level, offset);
          this.schedule(level, 100);
          return;
        }
        offset++;
        this.offsetTable.set(level, offset);
      }
      this.schedule(level, 100);
    } catch (err) {
      this.logger.error({ level, err: (err as Error).message }, "ScheduleMessageService, executeOnTimeup exception");
      this.schedule(level, 10_000);
    }
  }

  /** Re-put a due message into its real topic (Java messageTimeup): true when stored or dropped. */
  private async deliver(msg: MessageExt, level: number): Promise<boolean> {
    const props = string2messageProperties(msg.propertiesString);
    const realTopic = props.get(MessageConst.PROPERTY_REAL_TOPIC);
    const realQueue = Number(props.get(MessageConst.PROPERTY_REAL_QUEUE_ID));
    if (!realTopic || !Number.isInteger(realQueue) || realTopic === TRANS_HALF_TOPIC) {
      this.logger.error(
        { offset: msg.commitLogOffset, realTopic },
        "[BUG] the real topic of message is not valid, discard",
      );
      return true;
    }
    // Java serializes the properties before it clears DELAY, so the stored copy keeps them
    const result = await this.store.putMessages(
      [
        messageInnerFrom(msg, {
          topic: realTopic,
          queueId: realQueue,
          body: msg.body ? Buffer.from(msg.body) : null,
          propertiesString: javaPropertiesString(props),
        }),
      ],
      false,
    );
    if (result.status === "PUT_OK") {
      if (result.appendResult) this.countDelivery(level, realTopic, result.appendResult);
      return true;
    }
    this.logger.error(
      { status: result.status, topic: realTopic },
      "ScheduleMessageService, a message time up, but reput it failed",
    );
    return false;
  }

  /** Java's PutResultProcess.onSuccess: a delivery is a get of the schedule queue and a put to the real topic. */
  private countDelivery(level: number, topic: string, append: { msgNum: number; wroteBytes: number }): void {
    const stats = this.brokerStatsManager;
    if (!stats) return;
    const queueId = delayLevelToQueueId(level);
    stats.incQueueGetNums(SCHEDULE_CONSUMER_GROUP, SCHEDULE_TOPIC, queueId, append.msgNum);
    stats.incQueueGetSize(SCHEDULE_CONSUMER_GROUP, SCHEDULE_TOPIC, queueId, append.wroteBytes);
    stats.incGroupGetNums(SCHEDULE_CONSUMER_GROUP, SCHEDULE_TOPIC, append.msgNum);
    stats.incGroupGetSize(SCHEDULE_CONSUMER_GROUP, SCHEDULE_TOPIC, append.wroteBytes);
    stats.incTopicPutNums(topic, append.msgNum, 1);
    stats.incTopicPutSize(topic, append.wroteBytes);
    stats.incBrokerPutNums(append.msgNum);
  }
}
