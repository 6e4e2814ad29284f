/**
 * The broker calls both consumers make (Java's MQClientAPIImpl consumer part + RemoteBrokerOffsetStore):
 * committed-offset query/update, max/min/by-time offsets, and the PULL_MESSAGE request.
 */
import { MixAll, type SubscriptionData } from "@rocketmq-ts/common";
import { RequestCode, ResponseCode, type RemotingCommand } from "@rocketmq-ts/remoting";
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import { createOnewayRequest, createRequest } from "../impl/requests.js";
import type { MessageQueue } from "../message/Message.js";
import { MQBrokerException, MQClientException } from "../MQClientException.js";

/** PullSysFlag bits. */
export const PullSysFlag = {
  COMMIT_OFFSET: 0x1,
  SUSPEND: 0x2,
  SUBSCRIPTION: 0x4,
  CLASS_FILTER: 0x8,
  LITE_PULL: 0x10,
} as const;

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
      extFields: { consumerGroup: group, topic: mq.topic, queueId: String(mq.queueId), bname: mq.brokerName },
    }),
    instance.apiTimeout,
  );
  if (res.code === ResponseCode.QUERY_NOT_FOUND) return -1;
  if (res.code !== ResponseCode.SUCCESS) return -2;
  return Number(res.extFields?.["offset"] ?? -1);
}

export async function updateConsumerOffset(
  instance: MQClientInstance,
  group: string,
  mq: MessageQueue,
  offset: number,
  oneway: boolean,
): Promise<void> {
  // Java puts the inherited `bname` before `commitOffset` (they share a HashMap bucket)
  const extFields = {
    bname: mq.brokerName,
    consumerGroup: group,
    topic: mq.topic,
    queueId: String(mq.queueId),
    commitOffset: String(offset),
  };
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

/** GET_MAX_OFFSET / GET_MIN_OFFSET / SEARCH_OFFSET_BY_TIMESTAMP. */
export async function queueOffsetRpc(
  instance: MQClientInstance,
  code: number,
  mq: MessageQueue,
  extra: Record<string, string> = {},
): Promise<number> {
  const res = await instance.remoting.invokeSync(
    offsetBrokerAddr(instance, mq),
    createRequest(code, {
      extFields: { topic: mq.topic, queueId: String(mq.queueId), ...extra, bname: mq.brokerName },
    }),
    instance.apiTimeout,
  );
  if (res.code !== ResponseCode.SUCCESS) throw new MQBrokerException(res.code, res.remark ?? "");
  return Number(res.extFields?.["offset"] ?? 0);
}

export interface PullRequest {
  group: string;
  mq: MessageQueue;
  offset: number;
  maxNums: number;
  sysFlag: number;
  commitOffset: number;
  suspendTimeoutMillis: number;
  timeoutMillis: number;
  sub: SubscriptionData;
  /** Broker id the last answer suggested (Java's pullFromWhichNodeTable). */
  brokerId: number;
}

/** One async PULL_MESSAGE to the broker findBrokerAddressInSubscribe picks (COMMIT bit cleared for slaves). */
export async function pullMessage(instance: MQClientInstance, req: PullRequest): Promise<RemotingCommand> {
  const target = instance.findBrokerAddressInSubscribe(req.mq.brokerName, req.brokerId ?? MixAll.MASTER_ID);
  if (!target) {
    await instance.updateTopicRouteInfoFromNameServer(req.mq.topic).catch(() => false);
    throw new MQClientException(-1, `The broker[${req.mq.brokerName}] not exist`);
  }
  const sysFlag = target.slave ? req.sysFlag & ~PullSysFlag.COMMIT_OFFSET : req.sysFlag;
  // insertion order = Java's header field order (it decides HashMap ties)
  const extFields: Record<string, string> = {
    consumerGroup: req.group,
    topic: req.mq.topic,
    queueId: String(req.mq.queueId),
    queueOffset: String(req.offset),
    maxMsgNums: String(req.maxNums),
    sysFlag: String(sysFlag),
    commitOffset: String(req.commitOffset),
    suspendTimeoutMillis: String(req.suspendTimeoutMillis),
  };
  if ((sysFlag & PullSysFlag.SUBSCRIPTION) !== 0) extFields["subscription"] = req.sub.subString;
  extFields["subVersion"] = String(req.sub.subVersion);
  extFields["expressionType"] = req.sub.expressionType;
  extFields["bname"] = req.mq.brokerName;
  return instance.remoting.invokeAsync(
    target.addr,
    createRequest(RequestCode.PULL_MESSAGE, { extFields }),
    req.timeoutMillis,
  );
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
      if (retry) return queueOffsetRpc(instance, RequestCode.GET_MAX_OFFSET, mq);
      return queueOffsetRpc(instance, RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, mq, {
        timestamp: String(parseConsumeTimestamp(consumeTimestamp)),
      });
    default:
      return retry ? Promise.resolve(0) : queueOffsetRpc(instance, RequestCode.GET_MAX_OFFSET, mq);
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
