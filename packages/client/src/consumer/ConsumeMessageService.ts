/**
 * What the push consumer's two consume services share (Java's ConsumeMessageService): the
 * listener types, the bound on listener calls running at once (Java's consume thread pool) and
 * what a service needs from its consumer.
 */
import { MessageConst, type ConsumeMessageDirectlyResult } from "@rocketmq-ts/common";
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import type { MessageExt, MessageQueue } from "../message/Message.js";
import type { ConsumerStatsManager } from "./ConsumerStatsManager.js";
import { PulledMessage } from "./PulledMessage.js";
import type { PullRequest } from "./PullRequest.js";

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

/** The consumer settings the services read. */
export interface ConsumeSettings {
  readonly messageModel: MessageModel;
  readonly consumeMessageBatchMaxSize: number;
  readonly maxReconsumeTimes: number;
  readonly suspendCurrentQueueTimeMillis: number;
}

/** What a consume service uses of its push consumer (Java passes DefaultMQPushConsumerImpl). */
export interface ConsumeServiceOwner {
  readonly groupName: string;
  readonly instance: MQClientInstance;
  readonly stats: ConsumerStatsManager;
  readonly settings: ConsumeSettings;
  /** At most consumeThreadMax listener calls at once, shared by the consumer's queues. */
  readonly slots: ConsumeSlots;
  isRunning(): boolean;
  /** Orderly clustering locks its queues on the broker. */
  isLocking(): boolean;
  /** Consumed messages leave the process queue; the committable offset moves forward. */
  commit(req: PullRequest, msgs: MessageExt[]): void;
  /** Run later on a timer the consumer cancels at shutdown. */
  schedule(fn: () => void, delayMillis: number): void;
}

export interface ConsumeMessageService {
  /** Hand messages just pulled for a queue (and put in its process queue) to the listener. */
  submitConsumeRequest(msgs: MessageExt[], req: PullRequest): void;
  /**
   * CONSUME_MESSAGE_DIRECTLY (mqadmin queryMsgByUniqueKey -g -d): run the listener on one stored
   * message now, outside the queues, and report how it went.
   */
  consumeMessageDirectly(msg: MessageExt, brokerName: string): Promise<ConsumeMessageDirectlyResult>;
}

type DirectConsumeResult = ConsumeMessageDirectlyResult["consumeResult"];

/**
 * Java's ConsumeMessageDirectlyResult of one listener call: its outcome (CR_RETURN_NULL when the
 * listener returned nothing), a throw as CR_THROW_EXCEPTION with the error as remark, the time spent.
 */
/** Java's MessageAccessor.setConsumeStartTimeStamp (a pulled message keeps it until its properties are read). */
export function setConsumeStartTime(m: MessageExt, millis: string): void {
  if (m instanceof PulledMessage) m.setConsumeStartTime(millis);
  else m.properties.set(MessageConst.PROPERTY_CONSUME_START_TIMESTAMP, millis);
}

export async function consumeDirectly(
  order: boolean,
  consume: () => Promise<DirectConsumeResult | undefined>,
): Promise<ConsumeMessageDirectlyResult> {
  const begin = Date.now();
  const result: ConsumeMessageDirectlyResult = {
    order,
    autoCommit: true,
    consumeResult: "CR_RETURN_NULL",
    spentTimeMills: 0,
  };
  try {
    const outcome = await consume();
    if (outcome) result.consumeResult = outcome;
  } catch (e) {
    result.consumeResult = "CR_THROW_EXCEPTION";
    result.remark = String(e instanceof Error ? `${e.name}: ${e.message}` : e);
  }
  result.spentTimeMills = Date.now() - begin;
  return result;
}

/** A counting semaphore: waiters are served first-come first-served. */
export class ConsumeSlots {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async acquire(): Promise<void> {
    if (this.tryAcquire()) return;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** A slot now, or false (none is free, so nobody waits ahead of the caller either). */
  tryAcquire(): boolean {
    if (this.inFlight >= this.max) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}
