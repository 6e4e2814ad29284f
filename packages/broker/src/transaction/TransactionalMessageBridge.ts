/**
 * The store side of transactional messages (store-ha-config.md §10): half messages in
 * RMQ_SYS_TRANS_HALF_TOPIC, op ("done") records in RMQ_SYS_TRANS_OP_HALF_TOPIC, both read with the
 * internal group CID_RMQ_SYS_TRANS whose offsets live in consumerOffset.json — all as 4.9.8 writes
 * them.
 */
import {
  javaPropertiesString,
  messageInnerFrom,
  MixAll,
  PermName,
  createMessageId,
  decodeRecordAt,
  type MessageExt,
  type MessageInner,
  MessageConst,
  MessageSysFlag,
} from "@rocketmq-ts/common";
import type { PutMessageResult } from "@rocketmq-ts/store";
import type { BrokerContext } from "../BrokerContext.js";
import { TopicValidator } from "../topic/TopicValidator.js";

export const HALF_TOPIC = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
export const OP_TOPIC = TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC;
export const CHECK_MAX_TIME_TOPIC = TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC;
/** Tag of an op record: the half message at the offset in its body is done. */
export const REMOVETAG = "d";
const TRANSACTION_TYPE_MASK = MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;

/** Java's MessageSysFlag.resetTransactionValue. */
export function resetTransactionValue(sysFlag: number, type: number): number {
  return (sysFlag & ~TRANSACTION_TYPE_MASK) | type;
}

export type PullStatus = "FOUND" | "NO_NEW_MSG" | "NO_MATCHED_MSG" | "OFFSET_ILLEGAL";

export interface PullResult {
  status: PullStatus;
  nextBeginOffset: number;
  messages: MessageExt[];
}

/** A stored message with its offsetMsgId. */
export type StoredMessage = MessageExt & { msgId: string };

export class TransactionalMessageBridge {
  constructor(private readonly ctx: BrokerContext) {}

  private get group(): string {
    return MixAll.CID_SYS_RMQ_TRANS;
  }

  /**
   * The half record of a transactional send: the real topic/queue go into REAL_TOPIC / REAL_QID,
   * the transaction bits are cleared (so it gets a consume-queue entry), queue 0 of the half topic.
   */
  halfMessageOf(msg: MessageInner, props: Map<string, string>): MessageInner {
    props.set(MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
    props.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
    return {
      ...msg,
      topic: HALF_TOPIC,
      queueId: 0,
      sysFlag: resetTransactionValue(msg.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE),
      propertiesString: javaPropertiesString(props),
    };
  }

  /** Half queues to check (the topic is created on first use, 1 queue, as Java). */
  fetchMessageQueues(): number[] {
    const config =
      this.ctx.topicConfigManager.selectTopicConfig(HALF_TOPIC) ??
      this.ctx.topicConfigManager.createTopicInSendMessageBackMethod(
        HALF_TOPIC,
        1,
        PermName.PERM_WRITE | PermName.PERM_READ,
        0,
      );
    return config ? Array.from({ length: config.readQueueNums }, (_, i) => i) : [];
  }

  fetchConsumeOffset(topic: string, queueId: number): number {
    const offset = this.ctx.consumerOffsetManager.queryOffset(this.group, topic, queueId);
    // Java's store creates a missing queue on this lookup: its min offset is then 0
    return offset === -1 ? Math.max(0, this.ctx.store.getMinOffsetInQueue(topic, queueId)) : offset;
  }

  updateConsumeOffset(topic: string, queueId: number, offset: number): void {
    this.ctx.consumerOffsetManager.commitOffset(this.group, topic, queueId, offset);
  }

  /** Java's bridge getMessage: store statuses folded into a client-style pull status. */
  getMessage(topic: string, queueId: number, offset: number, nums: number): PullResult {
    const r = this.ctx.store.getMessage(topic, queueId, offset, nums);
    let status: PullStatus;
    switch (r.status) {
      case "FOUND": {
        status = "FOUND";
        const stats = this.ctx.brokerStatsManager;
        stats.incGroupGetNums(this.group, topic, r.messages.length);
        stats.incGroupGetSize(this.group, topic, r.bufferTotalSize);
        stats.incBrokerGetNums(r.messages.length);
        break;
      }
      case "NO_MATCHED_MESSAGE":
        status = "NO_MATCHED_MSG";
        break;
      case "NO_MESSAGE_IN_QUEUE":
      case "OFFSET_OVERFLOW_ONE":
        status = "NO_NEW_MSG";
        break;
      default:
        status = "OFFSET_ILLEGAL";
    }
    const messages = status === "FOUND" ? r.messages.map((buf) => this.decode(buf)) : [];
    return { status, nextBeginOffset: r.nextBeginOffset, messages };
  }

  private decode(buf: Buffer): StoredMessage {
    const msg = decodeRecordAt(buf, 0, true);
    return Object.assign(msg, { msgId: createMessageId(msg.storeHost, msg.commitLogOffset) });
  }

  lookMessageByOffset(commitLogOffset: number): StoredMessage | null {
    const raw = this.ctx.store.selectOneMessageByOffset(commitLogOffset);
    if (!raw) return null;
    try {
      return this.decode(raw);
    } catch {
      return null;
    }
  }

  async putMessage(msg: MessageInner, wait = false): Promise<PutMessageResult> {
    return this.ctx.store.putMessages([msg], wait);
  }

  /**
   * A copy of a half message for the next check round: same properties (plus what the caller
   * changed), flag and reconsume times reset as Java's renewHalfMessageInner does.
   */
  renewHalfMessage(msg: MessageExt): MessageInner {
    return messageInnerFrom(msg, {
      flag: 0,
      propertiesString: javaPropertiesString(msg.properties),
      reconsumeTimes: 0,
    });
  }

  /** A renewed copy remembering the original half offset (CHECK_IMMUNITY_TIME_IN_SECONDS messages). */
  renewImmunityHalfMessage(msg: MessageExt): MessageInner {
    const props = new Map(msg.properties);
    if (!props.has(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET))
      props.set(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET, String(msg.queueOffset));
    return { ...this.renewHalfMessage(msg), propertiesString: javaPropertiesString(props) };
  }

  /**
   * The op record marking a half message done: tag `d`, body = its queue offset. Only TAGS and
   * WAIT=true are in the stored properties (Java sets the UNIQ_KEY after serializing them).
   */
  async putOpMessage(half: MessageExt): Promise<boolean> {
    const props = new Map([
      [MessageConst.PROPERTY_TAGS, REMOVETAG],
      [MessageConst.PROPERTY_WAIT_STORE_MSG_OK, "true"],
    ]);
    const now = Date.now();
    const result = await this.putMessage({
      topic: OP_TOPIC,
      queueId: half.queueId,
      flag: 0,
      body: Buffer.from(String(half.queueOffset), "utf8"),
      propertiesString: javaPropertiesString(props),
      sysFlag: 0,
      bornTimestamp: now,
      bornHost: this.ctx.storeHost,
      storeHost: this.ctx.storeHost,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    });
    return result.status === "PUT_OK";
  }

  /** TRANS_CHECK_MAX_TIME_TOPIC (1 queue, created on demand) for halves checked too often. */
  discardTarget(): { topic: string; queueId: number } {
    if (!this.ctx.topicConfigManager.selectTopicConfig(CHECK_MAX_TIME_TOPIC))
      this.ctx.topicConfigManager.createTopicInSendMessageBackMethod(
        CHECK_MAX_TIME_TOPIC,
        1,
        PermName.PERM_READ | PermName.PERM_WRITE,
        0,
      );
    return { topic: CHECK_MAX_TIME_TOPIC, queueId: 0 };
  }
}
