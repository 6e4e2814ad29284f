/**
 * The order in which Java iterates a HashMap or HashSet keyed by MessageQueue: the tools print such
 * collections (resetOffsetByTime's offset table, consumeMessage's queues) in that order.
 */
import { javaStringHashCode } from "@rocketmq-ts/remoting";

interface MessageQueueKey {
  topic: string;
  brokerName: string;
  queueId: number;
}

/** Java's MessageQueue.hashCode (brokerName, queueId, topic; prime 31). */
export function messageQueueHash(mq: MessageQueueKey): number {
  let h = 1;
  h = (Math.imul(31, h) + javaStringHashCode(mq.brokerName)) | 0;
  h = (Math.imul(31, h) + mq.queueId) | 0;
  h = (Math.imul(31, h) + javaStringHashCode(mq.topic)) | 0;
  return h;
}

/** Iteration order of a default java.util.HashMap holding `items` (bucket of the spread hash, then insertion). */
export function inMessageQueueHashOrder<T extends MessageQueueKey>(items: readonly T[]): T[] {
  let capacity = 16;
  while (items.length > capacity * 0.75) capacity *= 2;
  return items
    .map((item, index) => {
      const h = messageQueueHash(item);
      return { item, index, bucket: (h ^ (h >>> 16)) & (capacity - 1) };
    })
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((x) => x.item);
}
