/**
 * Java's RebalanceImpl: which queues of each subscribed topic this client holds. Clustering
 * consumers split a topic's queues with the others of the group (AllocateMessageQueueAveragely
 * over the sorted consumer ids the broker knows); broadcasting consumers take every queue. The
 * push and lite-pull variants say what holding or giving up a queue means.
 */
import type { SubscriptionData } from "@rocketmq-ts/common";
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import { compareMessageQueue, mqKey, type MessageQueue } from "../message/Message.js";
import { allocateMessageQueueAveragely } from "./AllocateMessageQueueAveragely.js";
import type { MessageModel } from "./ConsumeMessageService.js";

export abstract class RebalanceImpl<Q extends { readonly mq: MessageQueue }> {
  /** topic → subscription (Java's subscriptionInner). */
  readonly subscriptionInner = new Map<string, SubscriptionData>();
  /** topic → its readable queues, from the route. */
  readonly topicSubscribeInfoTable = new Map<string, MessageQueue[]>();
  /** mqKey → the queue this client holds. */
  readonly processQueueTable = new Map<string, Q>();

  constructor(
    protected readonly instance: MQClientInstance,
    protected readonly consumerGroup: string,
    protected readonly messageModel: MessageModel,
  ) {}

  updateTopicSubscribeInfo(topic: string, mqs: MessageQueue[]): void {
    if (this.subscriptionInner.has(topic)) this.topicSubscribeInfoTable.set(topic, mqs);
  }

  /** Rebalance every subscribed topic; a topic that fails is logged and the others go on. */
  async doRebalance(): Promise<void> {
    for (const topic of this.subscriptionInner.keys()) {
      try {
        await this.rebalanceByTopic(topic);
      } catch (e) {
        this.instance.logger.warn({ err: e, topic }, "rebalance failed");
      }
    }
  }

  private async rebalanceByTopic(topic: string): Promise<void> {
    const mqSet = await this.topicQueues(topic);
    if (!mqSet) return;
    const mine = await this.allocate(topic, mqSet);
    if (!mine) return;
    const wanted = new Set(mine.map(mqKey));
    let changed = false;
    for (const [key, q] of this.processQueueTable) {
      if (q.mq.topic !== topic || wanted.has(key)) continue;
      this.processQueueTable.delete(key);
      changed = true;
      await this.removeUnnecessaryMessageQueue(key, q);
    }
    for (const mq of mine) {
      if (this.processQueueTable.has(mqKey(mq))) continue;
      if (await this.addMessageQueue(mq)) changed = true;
    }
    if (changed) await this.messageQueueChanged(topic);
  }

  /** The queues this client should hold; null when the group's consumers are not known yet. */
  private async allocate(topic: string, mqSet: MessageQueue[]): Promise<MessageQueue[] | null> {
    if (this.messageModel === "BROADCASTING") return mqSet;
    const cids = (await this.instance.findConsumerIdList(topic, this.consumerGroup)).sort();
    if (cids.length === 0) return null;
    return allocateMessageQueueAveragely(this.instance.clientId, [...mqSet].sort(compareMessageQueue), cids);
  }

  /** The topic's queues as the route gives them; undefined while its route is unknown. */
  protected topicQueues(topic: string): Promise<MessageQueue[] | undefined> {
    return Promise.resolve(this.topicSubscribeInfoTable.get(topic));
  }

  /** A queue now allocated to another client (already out of processQueueTable): stop using it. */
  protected abstract removeUnnecessaryMessageQueue(key: string, q: Q): Promise<void>;

  /** Start using a newly allocated queue; true when it was added to processQueueTable. */
  protected abstract addMessageQueue(mq: MessageQueue): Promise<boolean>;

  /** Some queue of the topic was added or removed. */
  protected abstract messageQueueChanged(topic: string): Promise<void>;
}
