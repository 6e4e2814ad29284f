/** LockBatchRequestBody / UnlockBatchRequestBody: {"clientId","consumerGroup","mqSet":[MessageQueue]}. */
import { stringifyFastjson, type JsonValue } from "@rocketmq-ts/remoting";
import type { MessageQueue } from "../message/Message.js";

export function encodeQueueSetBody(clientId: string, consumerGroup: string, mqs: MessageQueue[]): Buffer {
  const mqSet = mqs.map((mq) => ({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic }));
  return Buffer.from(stringifyFastjson({ clientId, consumerGroup, mqSet } as unknown as JsonValue), "utf8");
}
