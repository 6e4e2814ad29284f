/** LOCK_BATCH_MQ / UNLOCK_BATCH_MQ for orderly consumption (Java's RebalanceImpl.lock/unlock). */
import { encodeQueueSetBody } from "./queueSetBody.js";
import { RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import { createOnewayRequest, createRequest } from "../impl/requests.js";
import { mqKey, type MessageQueue } from "../message/Message.js";

/** Lock queues of one broker set; resolves with the keys (mqKey) the broker granted. */
export async function lockBatch(
  instance: MQClientInstance,
  group: string,
  brokerName: string,
  mqs: MessageQueue[],
): Promise<Set<string>> {
  const addr = instance.findBrokerAddressInPublish(brokerName);
  if (!addr || mqs.length === 0) return new Set();
  const body = encodeQueueSetBody(instance.clientId, group, mqs);
  const res = await instance.remoting.invokeSync(addr, createRequest(RequestCode.LOCK_BATCH_MQ, { body }), 1000);
  if (res.code !== ResponseCode.SUCCESS || !res.body) return new Set();
  const parsed = JSON.parse(res.body.toString("utf8")) as { lockOKMQSet?: MessageQueue[] };
  return new Set((parsed.lockOKMQSet ?? []).map(mqKey));
}

export async function unlockBatch(
  instance: MQClientInstance,
  group: string,
  brokerName: string,
  mqs: MessageQueue[],
  oneway: boolean,
): Promise<void> {
  const addr = instance.findBrokerAddressInPublish(brokerName);
  if (!addr || mqs.length === 0) return;
  const body = encodeQueueSetBody(instance.clientId, group, mqs);
  if (oneway) {
    await instance.remoting.invokeOneway(addr, createOnewayRequest(RequestCode.UNLOCK_BATCH_MQ, { body }), 1000);
  } else {
    await instance.remoting.invokeSync(addr, createRequest(RequestCode.UNLOCK_BATCH_MQ, { body }), 1000);
  }
}
