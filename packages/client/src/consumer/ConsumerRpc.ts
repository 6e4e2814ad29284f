/**
 * The offset calls both consumers make (Java's MQClientAPIImpl consumer part + RemoteBrokerOffsetStore):
 * committed-offset query/update and max/by-time offsets. Pulls are in PullAPIWrapper.
 */
import { MixAll } from "@rocketmq-ts/common";
import {
  ConsumerSendMsgBackRequestHeader,
  encodeHeader,
  GetMaxOffsetRequestHeader,
  OffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  UpdateConsumerOffsetRequestHeader,
  type ExtFields,
} from "@rocketmq-ts/remoting";
import { decodeHeaderLeniently, headerFields } from "../impl/headers.js";
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import { createOnewayRequest, createRequest } from "../impl/requests.js";
import type { MessageExt, MessageQueue } from "../message/Message.js";
import { MQBrokerException, MQClientException } from "../MQClientException.js";

/** Offset RPCs go to the master, or to whatever address of the set is present (remoting-protocol.md §7.5). */
export function offsetBrokerAddr(instance: MQClientInstance, mq: MessageQueue): string {
  const addr = instance.findBrokerAddrForOffset(mq.brokerName);
  if (!addr) throw new MQClientException(-1, `The broker[${mq.brokerName}] not exist`);
  return addr;
}

/** Committed offset of a group on the broker; −1 when it has none for the queue, −2 on errors. */
export async function queryConsumerOffset(
  instance: MQClientInstance,
  group: string,
  mq: MessageQueue,
): Promise<number> {
  const res = await instance.remoting.invokeSync(
    offsetBrokerAddr(instance, mq),
    createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
      extFields: encodeHeader(QueryConsumerOffsetRequestHeader, {
        consumerGroup: group,
        topic: mq.topic,
        queueId: mq.queueId,
        bname: mq.brokerName,
      }),
    }),
    instance.apiTimeout,
  );
  if (res.code === ResponseCode.QUERY_NOT_FOUND) return -1;
  if (res.code !== ResponseCode.SUCCESS) return -2;
  return decodeHeaderLeniently(OffsetResponseHeader, res.extFields).offset ?? -1;
}

/** Java puts the inherited `bname` before `commitOffset` (they share a HashMap bucket). */
const UpdateConsumerOffsetInJavaOrder = headerFields(UpdateConsumerOffsetRequestHeader, [
  "bname",
  "consumerGroup",
  "topic",
  "queueId",
  "commitOffset",
]);

export async function updateConsumerOffset(
  instance: MQClientInstance,
  group: string,
  mq: MessageQueue,
  offset: number,
  oneway: boolean,
): Promise<void> {
  const extFields = encodeHeader(UpdateConsumerOffsetInJavaOrder, {
    bname: mq.brokerName,
    consumerGroup: group,
    topic: mq.topic,
    queueId: mq.queueId,
    commitOffset: offset,
  });
  const addr = offsetBrokerAddr(instance, mq);
  if (oneway) {
    await instance.remoting.invokeOneway(
      addr,
      createOnewayRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { extFields }),
      instance.apiTimeout,
    );
  } else {
    await instance.remoting.invokeSync(
      addr,
      createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { extFields }),
      instance.apiTimeout,
    );
  }
}

/** GET_MAX_OFFSET / SEARCH_OFFSET_BY_TIMESTAMP: the `offset` the broker answers. */
async function queueOffsetRpc(
  instance: MQClientInstance,
  code: number,
  mq: MessageQueue,
  extFields: ExtFields,
): Promise<number> {
  const res = await instance.remoting.invokeSync(
    offsetBrokerAddr(instance, mq),
    createRequest(code, { extFields }),
    instance.apiTimeout,
  );
  if (res.code !== ResponseCode.SUCCESS) throw new MQBrokerException(res.code, res.remark ?? "");
  return decodeHeaderLeniently(OffsetResponseHeader, res.extFields).offset ?? 0;
}

function maxOffset(instance: MQClientInstance, mq: MessageQueue): Promise<number> {
  const header = { topic: mq.topic, queueId: mq.queueId, bname: mq.brokerName };
  return queueOffsetRpc(instance, RequestCode.GET_MAX_OFFSET, mq, encodeHeader(GetMaxOffsetRequestHeader, header));
}

function searchOffset(instance: MQClientInstance, mq: MessageQueue, timestamp: number): Promise<number> {
  const header = { topic: mq.topic, queueId: mq.queueId, timestamp, bname: mq.brokerName };
  return queueOffsetRpc(
    instance,
    RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
    mq,
    encodeHeader(SearchOffsetRequestHeader, header),
  );
}

/**
 * CONSUMER_SEND_MSG_BACK to the broker that stored the message: the broker re-sends it through the
 * group's retry topic (or its DLQ past maxReconsumeTimes; −1 means Java's default 16).
 */
export async function consumerSendMessageBack(
  instance: MQClientInstance,
  group: string,
  m: MessageExt,
  delayLevel: number,
  maxReconsumeTimes: number,
): Promise<boolean> {
  const addr = instance.findBrokerAddressInPublish(m.brokerName) ?? m.storeHost;
  const extFields = encodeHeader(ConsumerSendMsgBackRequestHeader, {
    offset: m.commitLogOffset,
    group,
    delayLevel,
    originMsgId: m.msgId,
    originTopic: m.topic,
    unitMode: false,
    maxReconsumeTimes: maxReconsumeTimes < 0 ? 16 : maxReconsumeTimes,
    bname: m.brokerName,
  });
  const res = await instance.remoting.invokeSync(
    addr,
    createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, { extFields }),
    5000,
  );
  return res.code === ResponseCode.SUCCESS;
}

export type ConsumeFromWhere = "CONSUME_FROM_LAST_OFFSET" | "CONSUME_FROM_FIRST_OFFSET" | "CONSUME_FROM_TIMESTAMP";

/**
 * Where a consumer starts a queue its group has no stored offset for (RebalancePushImpl.computePullFromWhere):
 * first → 0; timestamp → the offset at `consumeTimestamp`; last → the queue's max offset. Retry
 * topics start at 0 (last) or at their max offset (timestamp).
 */
export function offsetWhenNoneStored(
  instance: MQClientInstance,
  mq: MessageQueue,
  where: ConsumeFromWhere,
  consumeTimestamp: string,
): Promise<number> {
  const retry = mq.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX);
  switch (where) {
    case "CONSUME_FROM_FIRST_OFFSET":
      return Promise.resolve(0);
    case "CONSUME_FROM_TIMESTAMP":
      if (retry) return maxOffset(instance, mq);
      return searchOffset(instance, mq, parseConsumeTimestamp(consumeTimestamp));
    default:
      return retry ? Promise.resolve(0) : maxOffset(instance, mq);
  }
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** yyyyMMddHHmmss in local time (UtilAll.timeMillisToHumanString3); consumers default to now − 30 min. */
export function timestampString(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

function parseConsumeTimestamp(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m)
    throw new MQClientException(
      -1,
      `consumeTimestamp is invalid, the valid format is yyyyMMddHHmmss, but received ${s}`,
    );
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime();
}
