/**
 * Java's ConsumeMessageOrderlyService: one loop per queue hands the oldest cached messages to the
 * listener and commits them; SUSPEND_CURRENT_QUEUE_A_MOMENT (or a throw) retries the same messages
 * after a pause. A loop stops when its queue is empty, dropped, or (clustering) its broker lock
 * lapsed; the next pull or re-lock starts it again.
 */
import type { ConsumeMessageDirectlyResult } from "@rocketmq-ts/common";
import type { MessageExt } from "../message/Message.js";
import {
  consumeDirectly,
  type ConsumeMessageService,
  type ConsumeOrderlyContext,
  type ConsumeOrderlyStatus,
  type ConsumeServiceOwner,
  type MessageListenerOrderly,
} from "./ConsumeMessageService.js";
import { lockValid, type PullRequest } from "./PullRequest.js";

export class ConsumeMessageOrderlyService implements ConsumeMessageService {
  constructor(
    private readonly owner: ConsumeServiceOwner,
    private readonly listener: MessageListenerOrderly,
  ) {}

  /** The messages are already in the process queue: make sure its loop runs. */
  submitConsumeRequest(_msgs: MessageExt[], req: PullRequest): void {
    void this.drain(req);
  }

  consumeMessageDirectly(msg: MessageExt, brokerName: string): Promise<ConsumeMessageDirectlyResult> {
    const messageQueue = { topic: msg.topic, brokerName, queueId: msg.queueId };
    const { suspendCurrentQueueTimeMillis } = this.owner.settings;
    return consumeDirectly(true, async () => {
      const status = await this.listener([msg], { messageQueue, suspendCurrentQueueTimeMillis });
      return status ? (status === "SUCCESS" ? "CR_SUCCESS" : "CR_LATER") : undefined;
    });
  }

  private async drain(req: PullRequest): Promise<void> {
    const { owner } = this;
    const { stats, instance, settings } = owner;
    if (req.draining) return;
    req.draining = true;
    try {
      while (owner.isRunning() && !req.pq.dropped && (!owner.isLocking() || lockValid(req))) {
        const msgs = req.pq.peekMessages(Math.max(1, settings.consumeMessageBatchMaxSize));
        if (msgs.length === 0) return;
        const ctx: ConsumeOrderlyContext = {
          messageQueue: req.mq,
          suspendCurrentQueueTimeMillis: settings.suspendCurrentQueueTimeMillis,
        };
        await owner.slots.acquire();
        let status: ConsumeOrderlyStatus;
        const consumeStarted = Date.now();
        try {
          status = await this.listener(msgs, ctx);
        } catch (e) {
          instance.logger.warn({ err: e, mq: req.mq }, "consumeMessage exception");
          status = "SUSPEND_CURRENT_QUEUE_A_MOMENT";
        } finally {
          owner.slots.release();
        }
        stats.incConsumeRT(req.mq.topic, Date.now() - consumeStarted);
        if (status === "SUCCESS") stats.incConsumeOKTPS(req.mq.topic, msgs.length);
        else stats.incConsumeFailedTPS(req.mq.topic, msgs.length);
        if (req.pq.dropped) return;
        if (status === "SUCCESS") {
          owner.commit(req, msgs);
        } else {
          for (const m of msgs) m.reconsumeTimes++;
          await new Promise((r) => setTimeout(r, ctx.suspendCurrentQueueTimeMillis));
        }
      }
    } finally {
      req.draining = false;
    }
  }
}
