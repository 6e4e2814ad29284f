/**
 * Java's ConsumeMessageConcurrentlyService: pulled messages go to the listener in batches of
 * consumeMessageBatchMaxSize, any number at once (bounded by the consumer's slots). A batch the
 * listener wants again (RECONSUME_LATER, or a throw) is sent back to the broker for a retry
 * (clustering) or dropped (broadcasting); one that cannot be sent back is kept and retried here
 * after 5 s.
 */
import { MessageConst, type ConsumeMessageDirectlyResult } from "@rocketmq-ts/common";
import type { MessageExt } from "../message/Message.js";
import {
  consumeDirectly,
  type ConsumeConcurrentlyContext,
  type ConsumeConcurrentlyStatus,
  type ConsumeMessageService,
  type ConsumeServiceOwner,
  type MessageListenerConcurrently,
} from "./ConsumeMessageService.js";
import { consumerSendMessageBack } from "./ConsumerRpc.js";
import type { PullRequest } from "./PullRequest.js";

const RETRY_CONSUME_LATER_MILLIS = 5000;

export class ConsumeMessageConcurrentlyService implements ConsumeMessageService {
  constructor(
    private readonly owner: ConsumeServiceOwner,
    private readonly listener: MessageListenerConcurrently,
  ) {}

  submitConsumeRequest(msgs: MessageExt[], req: PullRequest): void {
    const size = Math.max(1, this.owner.settings.consumeMessageBatchMaxSize);
    for (let i = 0; i < msgs.length; i += size) {
      void this.consume(req, msgs.slice(i, i + size));
    }
  }

  consumeMessageDirectly(msg: MessageExt, brokerName: string): Promise<ConsumeMessageDirectlyResult> {
    const messageQueue = { topic: msg.topic, brokerName, queueId: msg.queueId };
    return consumeDirectly(false, async () => {
      const status = await this.listener([msg], { messageQueue, delayLevelWhenNextConsume: 0 });
      return status ? (status === "CONSUME_SUCCESS" ? "CR_SUCCESS" : "CR_LATER") : undefined;
    });
  }

  private async consume(req: PullRequest, msgs: MessageExt[]): Promise<void> {
    const { owner } = this;
    const { stats, instance } = owner;
    await owner.slots.acquire();
    try {
      if (req.pq.dropped) return;
      const ctx: ConsumeConcurrentlyContext = { messageQueue: req.mq, delayLevelWhenNextConsume: 0 };
      let status: ConsumeConcurrentlyStatus;
      const now = String(Date.now());
      for (const m of msgs) m.properties.set(MessageConst.PROPERTY_CONSUME_START_TIMESTAMP, now);
      const consumeStarted = Date.now();
      try {
        status = await this.listener(msgs, ctx);
      } catch (e) {
        instance.logger.warn({ err: e, mq: req.mq }, "consumeMessage exception");
        status = "RECONSUME_LATER";
      }
      stats.incConsumeRT(req.mq.topic, Date.now() - consumeStarted);
      if (status === "RECONSUME_LATER") stats.incConsumeFailedTPS(req.mq.topic, msgs.length);
      else stats.incConsumeOKTPS(req.mq.topic, msgs.length);
      if (req.pq.dropped) return;
      if (status === "RECONSUME_LATER") {
        if (owner.settings.messageModel === "BROADCASTING") {
          instance.logger.warn({ mq: req.mq, count: msgs.length }, "BROADCASTING, the message consume failed, drop it");
        } else {
          const failed: MessageExt[] = [];
          for (const m of msgs) {
            if (!(await this.sendMessageBack(m, ctx.delayLevelWhenNextConsume))) {
              m.reconsumeTimes++;
              failed.push(m);
            }
          }
          if (failed.length > 0) {
            // keep them in the cache (the offset cannot pass them) and consume them again later
            owner.commit(
              req,
              msgs.filter((m) => !failed.includes(m)),
            );
            owner.schedule(() => void this.consume(req, failed), RETRY_CONSUME_LATER_MILLIS);
            return;
          }
        }
      }
      owner.commit(req, msgs);
    } finally {
      owner.slots.release();
    }
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
