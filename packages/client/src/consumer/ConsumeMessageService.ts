/**
 * What the push consumer's two consume services share (Java's ConsumeMessageService): the
 * listener types, the bound on listener calls running at once (Java's consume thread pool) and
 * what a service needs from its consumer.
 */
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import type { MessageExt, MessageQueue } from "../message/Message.js";
import type { ConsumerStatsManager } from "./ConsumerStatsManager.js";
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
}

/** A counting semaphore: waiters are served first-come first-served. */
export class ConsumeSlots {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async acquire(): Promise<void> {
    if (this.inFlight < this.max) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}
