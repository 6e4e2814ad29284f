/**
 * Java's ConsumeMessageConcurrentlyService: pulled messages go to the listener in batches of
 * consumeMessageBatchMaxSize, any number at once (bounded by the consumer's slots). A batch the
 * listener wants again (RECONSUME_LATER, or a throw) is sent back to the broker for a retry
 * (clustering) or dropped (broadcasting); one that cannot be sent back is kept and retried here
 * after 5 s.
 */
import type { ConsumeMessageDirectlyResult } from "@rocketmq-ts/common";
import type { MessageExt } from "../message/Message.js";
import {
  consumeDirectly,
  type ConsumeConcurrentlyContext,
  type ConsumeConcurrentlyStatus,
  type ConsumeMessageService,
  type ConsumeServiceOwner,
  type MessageListenerConcurrently,
  setConsumeStartTime,
} from "./ConsumeMessageService.js";
import { consumerSendMessageBack } from "./ConsumerRpc.js";
import type { PullRequest } from "./PullRequest.js";

const RETRY_CONSUME_LATER_MILLIS = 5000;

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

export class ConsumeMessageConcurrentlyService implements ConsumeMessageService {
  constructor(
    private readonly owner: ConsumeServiceOwner,
    private readonly listener: MessageListenerConcurrently,
  ) {}

  /**
   * Batches run after the caller has sent the queue's next pull (one microtask for the whole answer),
   * each as soon as it gets one of the consumer's slots. A listener that answers at once (not with a
   * promise) costs no promise per batch.
   */
  submitConsumeRequest(msgs: MessageExt[], req: PullRequest): void {
    queueMicrotask(() => {
      const size = Math.max(1, this.owner.settings.consumeMessageBatchMaxSize);
      for (let i = 0; i < msgs.length; i += size) {
        const batch = size === 1 ? [msgs[i] as MessageExt] : msgs.slice(i, i + size);
        if (this.owner.slots.tryAcquire()) this.consume(req, batch);
        else void this.owner.slots.acquire().then(() => this.consume(req, batch));
      }
    });
  }

  consumeMessageDirectly(msg: MessageExt, brokerName: string): Promise<ConsumeMessageDirectlyResult> {
    const messageQueue = { topic: msg.topic, brokerName, queueId: msg.queueId };
    return consumeDirectly(false, async () => {
      const status = await this.listener([msg], { messageQueue, delayLevelWhenNextConsume: 0 });
      return status ? (status === "CONSUME_SUCCESS" ? "CR_SUCCESS" : "CR_LATER") : undefined;
    });
  }

  /** Run the listener on a batch; the caller holds a slot, given back once the batch is settled. */
  private consume(req: PullRequest, msgs: MessageExt[]): void {
    if (req.pq.dropped) {
      this.owner.slots.release();
      return;
    }
    const ctx: ConsumeConcurrentlyContext = { messageQueue: req.mq, delayLevelWhenNextConsume: 0 };
    const now = Date.now();
    const startTime = String(now);
    for (const m of msgs) setConsumeStartTime(m, startTime);
    let status: ConsumeConcurrentlyStatus | Promise<ConsumeConcurrentlyStatus>;
    try {
      status = this.listener(msgs, ctx);
    } catch (e) {
      this.listenerFailed(req, e);
      status = "RECONSUME_LATER";
    }
    if (!isPromiseLike(status)) {
      try {
        this.consumed(req, msgs, ctx, now, status);
      } catch (err) {
        this.owner.instance.logger.warn({ err, mq: req.mq }, "commit failed");
      }
    } else
      Promise.resolve(status)
        .then(
          (s) => this.consumed(req, msgs, ctx, now, s),
          (e: unknown) => {
            this.listenerFailed(req, e);
            this.consumed(req, msgs, ctx, now, "RECONSUME_LATER");
          },
        )
        .catch((err: unknown) => this.owner.instance.logger.warn({ err, mq: req.mq }, "commit failed"));
  }

  private listenerFailed(req: PullRequest, err: unknown): void {
    this.owner.instance.logger.warn({ err, mq: req.mq }, "consumeMessage exception");
  }

  /** The listener's answer for a batch: statistics, then commit, or send back what it wants again. */
  private consumed(
    req: PullRequest,
    msgs: MessageExt[],
    ctx: ConsumeConcurrentlyContext,
    startedAt: number,
    status: ConsumeConcurrentlyStatus,
  ): void {
    const { owner } = this;
    let sendingBack = false;
    try {
      const now = Date.now();
      owner.stats.incConsumed(req.mq.topic, now - startedAt, msgs.length, status !== "RECONSUME_LATER", now);
      if (req.pq.dropped) return;
      if (status === "RECONSUME_LATER") {
        if (owner.settings.messageModel !== "BROADCASTING") {
          sendingBack = true;
          this.sendBack(req, msgs, ctx)
            .catch((err: unknown) => owner.instance.logger.warn({ err, mq: req.mq }, "send back failed"))
            .finally(() => owner.slots.release());
          return;
        }
        owner.instance.logger.warn(
          { mq: req.mq, count: msgs.length },
          "BROADCASTING, the message consume failed, drop it",
        );
      }
      owner.commit(req, msgs);
    } finally {
      // the slot goes back however the batch ended (a send-back gives it back when done)
      if (!sendingBack) owner.slots.release();
    }
  }

  /**
   * Clustering: each message the listener wants again goes back to the broker as a retry; those that
   * cannot stay in the cache (the offset cannot pass them) and are consumed here again later.
   */
  private async sendBack(req: PullRequest, msgs: MessageExt[], ctx: ConsumeConcurrentlyContext): Promise<void> {
    const { owner } = this;
    const failed: MessageExt[] = [];
    for (const m of msgs) {
      if (!(await this.sendMessageBack(m, ctx.delayLevelWhenNextConsume))) {
        m.reconsumeTimes++;
        failed.push(m);
      }
    }
    if (failed.length === 0) {
      owner.commit(req, msgs);
      return;
    }
    owner.commit(
      req,
      msgs.filter((m) => !failed.includes(m)),
    );
    owner.schedule(() => void this.retryLater(req, failed), RETRY_CONSUME_LATER_MILLIS);
  }

  private async retryLater(req: PullRequest, msgs: MessageExt[]): Promise<void> {
    await this.owner.slots.acquire();
    this.consume(req, msgs);
  }

  /** CONSUMER_SEND_MSG_BACK; false when the broker refused it or could not be reached. */
  private async sendMessageBack(m: MessageExt, delayLevel: number): Promise<boolean> {
    const { owner } = this;
    try {
      return await consumerSendMessageBack(
        owner.instance,
        owner.groupName,
        m,
        delayLevel,
        owner.settings.maxReconsumeTimes,
      );
    } catch (err) {
      owner.instance.logger.warn({ err, msgId: m.msgId }, "send message back failed, consume it again later");
      return false;
    }
  }
}
