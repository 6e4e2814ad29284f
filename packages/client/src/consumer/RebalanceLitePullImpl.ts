/**
 * Java's RebalanceLitePullImpl: a lite pull consumer in subscribe mode gets its queues by
 * rebalance; giving one up or taking one on is the consumer's own drop / add.
 */
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import { mqKey, type MessageQueue } from "../message/Message.js";
import { RebalanceImpl } from "./RebalanceImpl.js";

/** What the rebalance uses of its lite pull consumer. */
export interface RebalanceLitePullHost<Q> {
  /** Stop pulling a queue (it is already out of processQueueTable). */
  dropQueue(key: string, q: Q): void;
  /** Start pulling a queue: the consumer puts it into processQueueTable once it knows its offset. */
  addQueue(mq: MessageQueue): Promise<void>;
}

export class RebalanceLitePullImpl<Q extends { readonly mq: MessageQueue }> extends RebalanceImpl<Q> {
  constructor(
    instance: MQClientInstance,
    consumerGroup: string,
    private readonly host: RebalanceLitePullHost<Q>,
  ) {
    super(instance, consumerGroup, "CLUSTERING");
  }

  protected removeUnnecessaryMessageQueue(key: string, q: Q): Promise<void> {
    this.host.dropQueue(key, q);
    return Promise.resolve();
  }

  protected async addMessageQueue(mq: MessageQueue): Promise<boolean> {
    await this.host.addQueue(mq);
    return this.processQueueTable.has(mqKey(mq));
  }

  protected messageQueueChanged(): Promise<void> {
    return Promise.resolve();
  }
}
