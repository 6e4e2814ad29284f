/**
 * Back-checks of unresolved half messages (store-ha-config.md §10.2), 4.9.8's algorithm: per half
 * queue, learn the done offsets from the op queue, walk the halves from the internal group's
 * offset, discard those checked transactionCheckMax times (or older than fileReservedTime), stop at
 * fresh ones, renew the rest (TRANSACTION_CHECK_TIMES + 1) and ask a producer of the group to check
 * them; then move both offsets forward.
 */
import {
  CheckTransactionStateRequestHeader,
  createOnewayRequest,
  encodeHeader,
  RequestCode,
} from "@rocketmq-ts/remoting";
import {
  encodeRecord,
  javaPropertiesString,
  LoggerName,
  messageInnerFrom,
  type MessageExt,
  MessageConst,
  namedLogger,
} from "@rocketmq-ts/common";
import type { Logger } from "pino";
import type { BrokerContext } from "../BrokerContext.js";
import {
  HALF_TOPIC,
  OP_TOPIC,
  REMOVETAG,
  type PullResult,
  type StoredMessage,
  type TransactionalMessageBridge,
} from "./TransactionalMessageBridge.js";

/** Java's limits: time per queue, retries on a missing half, halves read per step. */
const MAX_PROCESS_TIME_LIMIT = 60_000;
const MAX_RETRY_COUNT_WHEN_HALF_NULL = 1;
const OP_PULL_NUMS = 32;
const YIELD_EVERY = 100;

function parseLong(s: string | undefined): number {
  if (s === undefined || !/^-?\d+$/.test(s.trim())) return -1;
  return Number(s.trim());
}

export class TransactionalMessageService {
  private transactionLog: Logger | undefined;

  /** Java's RocketmqTransaction logger (transaction.log). */
  private get log(): Logger {
    return (this.transactionLog ??= namedLogger(this.ctx.logger, LoggerName.TRANSACTION));
  }

  constructor(
    private readonly ctx: BrokerContext,
    private readonly bridge: TransactionalMessageBridge,
  ) {}

  /** One check round over every half queue. */
  async check(transactionTimeout: number, transactionCheckMax: number): Promise<void> {
    try {
      const queues = this.bridge.fetchMessageQueues();
      if (queues.length === 0) {
        this.log.warn({ topic: HALF_TOPIC }, "The queue of topic is empty");
        return;
      }
      for (const queueId of queues) await this.checkQueue(queueId, transactionTimeout, transactionCheckMax);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, "Check error");
    }
  }

  private async checkQueue(queueId: number, transactionTimeout: number, transactionCheckMax: number): Promise<void> {
    const b = this.bridge;
    const startTime = Date.now();
    const halfOffset = b.fetchConsumeOffset(HALF_TOPIC, queueId);
    const opOffset = b.fetchConsumeOffset(OP_TOPIC, queueId);
    if (halfOffset < 0 || opOffset < 0) {
      this.log.error({ queueId, halfOffset, opOffset }, "illegal offset read, skip this queue");
      return;
    }
    const doneOpOffset: number[] = [];
    const removeMap = new Map<number, number>();
    let pullResult = this.fillOpRemoveMap(removeMap, queueId, opOffset, halfOffset, doneOpOffset);
    let getMessageNullCount = 1;
    let newOffset = halfOffset;
    let i = halfOffset;
    for (let steps = 1; ; steps++) {
      if (Date.now() - startTime > MAX_PROCESS_TIME_LIMIT) break;
      // the store answers synchronously: let sends, pulls and timers in now and then
      if (steps % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      const removedOp = removeMap.get(i);
      if (removedOp !== undefined) {
        removeMap.delete(i);
        doneOpOffset.push(removedOp);
      } else {
        const got = b.getMessage(HALF_TOPIC, queueId, i, 1);
        const msg = got.messages[0];
        if (!msg) {
          if (getMessageNullCount++ > MAX_RETRY_COUNT_WHEN_HALF_NULL) break;
          if (got.status === "NO_NEW_MSG") break;
          i = got.nextBeginOffset;
          newOffset = i;
          continue;
        }
        const half = msg as StoredMessage;
        if (this.needDiscard(half, transactionCheckMax) || this.needSkip(half)) {
          await this.resolveDiscardMsg(half);
          newOffset = ++i;
          continue;
        }
        if (half.storeTimestamp >= startTime) break; // stored during this round: next round
        const sinceBorn = Date.now() - half.bornTimestamp;
        let checkImmunityTime = transactionTimeout;
        const immunity = half.properties.get(MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS);
        if (immunity !== undefined) {
          const seconds = parseLong(immunity);
          checkImmunityTime = seconds === -1 ? transactionTimeout : seconds * 1000;
          if (sinceBorn < checkImmunityTime && (await this.checkPrepareQueueOffset(removeMap, doneOpOffset, half))) {
            newOffset = ++i;
            continue;
          }
        } else if (sinceBorn >= 0 && sinceBorn < checkImmunityTime) {
          break; // too young: the producer may still end it
        }
        const opMsgs = pullResult.messages;
        const last = opMsgs[opMsgs.length - 1];
        const isNeedCheck =
          (opMsgs.length === 0 && sinceBorn > checkImmunityTime) ||
          (last !== undefined && last.bornTimestamp - startTime > transactionTimeout) ||
          sinceBorn <= -1;
        if (!isNeedCheck) {
          pullResult = this.fillOpRemoveMap(removeMap, queueId, pullResult.nextBeginOffset, halfOffset, doneOpOffset);
          // nothing more in the op queue and not yet due: the next round decides (Java spins here)
          if (pullResult.messages.length === 0 && !removeMap.has(i) && sinceBorn <= checkImmunityTime) break;
          continue;
        }
        const renewed = await this.putBackHalfMsgQueue(half);
        // Java retries the same half at once (spinning until its time limit while the store refuses,
        // e.g. disk full): stop this queue's round instead, the next round tries again
        if (!renewed) break;
        this.sendCheckMessage(renewed);
      }
      newOffset = ++i;
    }
    if (newOffset !== halfOffset) b.updateConsumeOffset(HALF_TOPIC, queueId, newOffset);
    const newOpOffset = calculateOpOffset(doneOpOffset, opOffset);
    if (newOpOffset !== opOffset) b.updateConsumeOffset(OP_TOPIC, queueId, newOpOffset);
  }

  /** Read up to 32 op records from `from`: halves at or above `miniOffset` go to removeMap, older ones are done. */
  private fillOpRemoveMap(
    removeMap: Map<number, number>,
    queueId: number,
    from: number,
    miniOffset: number,
    doneOpOffset: number[],
  ): PullResult {
    const result = this.bridge.getMessage(OP_TOPIC, queueId, from, OP_PULL_NUMS);
    if (result.status === "OFFSET_ILLEGAL" || result.status === "NO_MATCHED_MSG") {
      this.bridge.updateConsumeOffset(OP_TOPIC, queueId, result.nextBeginOffset);
      return result;
    }
    for (const op of result.messages) {
      const halfOffset = parseLong(op.body?.toString("utf8"));
      if (op.properties.get(MessageConst.PROPERTY_TAGS) !== REMOVETAG) {
        this.log.error({ opOffset: op.queueOffset }, "Found a illegal tag in opMessageExt");
        continue;
      }
      if (halfOffset < miniOffset) doneOpOffset.push(op.queueOffset);
      else removeMap.set(halfOffset, op.queueOffset);
    }
    return result;
  }

  /** Checked too often: count this check (TRANSACTION_CHECK_TIMES) or say it is to be discarded. */
  private needDiscard(msg: MessageExt, transactionCheckMax: number): boolean {
    const times = msg.properties.get(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES);
    let checkTime = 1;
    if (times !== undefined) {
      checkTime = Number.parseInt(times, 10);
      if (Number.isNaN(checkTime)) checkTime = -1;
      if (checkTime >= transactionCheckMax) return true;
      checkTime++;
    }
    msg.properties.set(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES, String(checkTime));
    return false;
  }

  /** Older than the commit log keeps files: never checked again. */
  private needSkip(msg: MessageExt): boolean {
    return Date.now() - msg.bornTimestamp > this.ctx.storeConfig.fileReservedTime * 3600 * 1000;
  }

  private async checkPrepareQueueOffset(
    removeMap: Map<number, number>,
    doneOpOffset: number[],
    msg: StoredMessage,
  ): Promise<boolean> {
    const prepared = msg.properties.get(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET);
    if (prepared !== undefined) {
      const offset = parseLong(prepared);
      if (offset === -1) return false;
      const op = removeMap.get(offset);
      if (op !== undefined) {
        removeMap.delete(offset);
        doneOpOffset.push(op);
        return true;
      }
    }
    const result = await this.bridge.putMessage(this.bridge.renewImmunityHalfMessage(msg));
    return result.status === "PUT_OK";
  }

  /** Re-append the half for the next round; the renewed copy's offsets are what the producer is told. */
  private async putBackHalfMsgQueue(msg: StoredMessage): Promise<StoredMessage | null> {
    const result = await this.bridge.putMessage(this.bridge.renewHalfMessage(msg));
    const append = result.appendResult;
    if (result.status !== "PUT_OK" || !append) {
      this.log.error({ msgId: msg.msgId }, "PutBackToHalfQueueReturnResult write failed");
      return null;
    }
    return { ...msg, queueOffset: append.logicsOffset, commitLogOffset: append.wroteOffset, msgId: append.msgId };
  }

  /**
   * CHECK_TRANSACTION_STATE (oneway) to one live producer of the group; the body is the half
   * re-encoded with its real topic/queue, and WAIT=false as Java's shared property map has by then.
   */
  sendCheckMessage(msg: StoredMessage): void {
    const uniqKey = msg.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    const extFields = encodeHeader(CheckTransactionStateRequestHeader, {
      commitLogOffset: msg.commitLogOffset,
      offsetMsgId: msg.msgId,
      ...(uniqKey !== undefined ? { msgId: uniqKey, transactionId: uniqKey } : {}),
      tranStateTableOffset: msg.queueOffset,
    });
    const props = new Map(msg.properties);
    props.set(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, "false");
    const body = encodeRecord(
      {
        ...msg,
        topic: msg.properties.get(MessageConst.PROPERTY_REAL_TOPIC) ?? msg.topic,
        queueId: Number(msg.properties.get(MessageConst.PROPERTY_REAL_QUEUE_ID) ?? msg.queueId),
        propertiesString: javaPropertiesString(props),
      },
      msg.queueOffset,
      msg.commitLogOffset,
      msg.storeTimestamp,
    );
    const group = msg.properties.get(MessageConst.PROPERTY_PRODUCER_GROUP) ?? "";
    const connection = this.ctx.producerManager.getAvailableChannel(group);
    if (!connection) {
      this.log.warn({ group }, "Check transaction failed, channel is null");
      return;
    }
    const request = createOnewayRequest(RequestCode.CHECK_TRANSACTION_STATE, { extFields, body });
    this.ctx.invokeClientOneway(connection, request).catch((err: Error) => {
      this.log.error({ group, err: err.message }, "Check transaction failed because invoke producer exception");
    });
  }

  /** Checked transactionCheckMax times: moved to TRANS_CHECK_MAX_TIME_TOPIC and never checked again. */
  private async resolveDiscardMsg(msg: StoredMessage): Promise<void> {
    this.log.error(
      { msgId: msg.msgId, queueOffset: msg.queueOffset },
      "MsgExt has been checked too many times, so discard it by moving it to system topic TRANS_CHECK_MAXTIME_TOPIC",
    );
    const target = this.bridge.discardTarget();
    const result = await this.bridge.putMessage(
      messageInnerFrom(msg, { ...target, propertiesString: javaPropertiesString(msg.properties) }),
    );
    if (result.status !== "PUT_OK")
      this.log.error(
        { msgId: msg.msgId },
        "Put checked-too-many-time half message to TRANS_CHECK_MAXTIME_TOPIC failed",
      );
  }
}

/** The op offset moves over the contiguous run of done op records. */
export function calculateOpOffset(doneOffset: number[], oldOffset: number): number {
  let newOffset = oldOffset;
  for (const o of [...doneOffset].sort((a, b) => a - b)) {
    if (o === newOffset) newOffset++;
    else if (o > newOffset) break;
  }
  return newOffset;
}
