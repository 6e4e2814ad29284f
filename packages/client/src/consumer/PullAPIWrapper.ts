/**
 * Java's PullAPIWrapper: one PULL_MESSAGE to the broker of a queue (the master, or the node the
 * last answer suggested), and the answer turned into a pull result — status, next offset, the
 * suggested broker id — whose records `processPullResult` decodes and filters by tag.
 */
import { MixAll, type SubscriptionData } from "@rocketmq-ts/common";
import {
  encodeHeader,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { decodeHeaderLeniently } from "../impl/headers.js";
import type { MQClientInstance } from "../impl/MQClientInstance.js";
import { createRequest } from "../impl/requests.js";
import type { MessageExt, MessageQueue } from "../message/Message.js";
import { MQClientException } from "../MQClientException.js";
import { pulledMessagesFor } from "./decodeMessages.js";

/** PullSysFlag bits. */
export const PullSysFlag = {
  COMMIT_OFFSET: 0x1,
  SUSPEND: 0x2,
  SUBSCRIPTION: 0x4,
  CLASS_FILTER: 0x8,
  LITE_PULL: 0x10,
} as const;

/** What one pull asks for (Java's pullKernelImpl arguments). */
export interface PullKernelArgs {
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
export async function pullKernelImpl(instance: MQClientInstance, req: PullKernelArgs): Promise<RemotingCommand> {
  const target = instance.findBrokerAddressInSubscribe(req.mq.brokerName, req.brokerId ?? MixAll.MASTER_ID);
  if (!target) {
    await instance.tryUpdateTopicRouteInfoFromNameServer(req.mq.topic, "pull");
    throw new MQClientException(-1, `The broker[${req.mq.brokerName}] not exist`);
  }
  const sysFlag = target.slave ? req.sysFlag & ~PullSysFlag.COMMIT_OFFSET : req.sysFlag;
  const extFields = encodeHeader(PullMessageRequestHeader, {
    consumerGroup: req.group,
    topic: req.mq.topic,
    queueId: req.mq.queueId,
    queueOffset: req.offset,
    maxMsgNums: req.maxNums,
    sysFlag,
    commitOffset: req.commitOffset,
    suspendTimeoutMillis: req.suspendTimeoutMillis,
    ...((sysFlag & PullSysFlag.SUBSCRIPTION) !== 0 ? { subscription: req.sub.subString } : {}),
    subVersion: req.sub.subVersion,
    expressionType: req.sub.expressionType,
    bname: req.mq.brokerName,
  });
  return instance.remoting.invokeAsync(
    target.addr,
    createRequest(RequestCode.PULL_MESSAGE, { extFields }),
    req.timeoutMillis,
  );
}

export type PullStatus = "FOUND" | "NO_NEW_MSG" | "NO_MATCHED_MSG" | "OFFSET_ILLEGAL";

const PULL_STATUS = new Map<number, PullStatus>([
  [ResponseCode.SUCCESS, "FOUND"],
  [ResponseCode.PULL_NOT_FOUND, "NO_NEW_MSG"],
  [ResponseCode.PULL_RETRY_IMMEDIATELY, "NO_MATCHED_MSG"],
  [ResponseCode.PULL_OFFSET_MOVED, "OFFSET_ILLEGAL"],
]);

/**
 * A PULL_MESSAGE answer (Java's PullResultExt). Header fields are undefined when the answer lacks
 * them (a refusal carries none); callers keep their own value then.
 */
export interface PullResult {
  /** null: the broker refused the pull; `responseCode` and `remark` say why. */
  readonly pullStatus: PullStatus | null;
  readonly responseCode: number;
  readonly remark: string | null;
  readonly nextBeginOffset: number | undefined;
  readonly minOffset: number | undefined;
  readonly maxOffset: number | undefined;
  readonly suggestWhichBrokerId: number | undefined;
  /** The records as the broker sent them (FOUND). */
  readonly messageBinary: Buffer | null;
}

export function pullResultOf(res: RemotingCommand): PullResult {
  const h = decodeHeaderLeniently(PullMessageResponseHeader, res.extFields);
  return {
    pullStatus: PULL_STATUS.get(res.code) ?? null,
    responseCode: res.code,
    remark: res.remark,
    nextBeginOffset: h.nextBeginOffset,
    minOffset: h.minOffset,
    maxOffset: h.maxOffset,
    suggestWhichBrokerId: h.suggestWhichBrokerId,
    messageBinary: res.body,
  };
}

/**
 * The messages of a FOUND result the subscription accepts: the broker filtered by tag hash code,
 * the client checks the tag itself (Java's processPullResult). Empty for any other status.
 */
export function processPullResult(
  result: PullResult,
  mq: MessageQueue,
  sub: { tagsSet: readonly string[] },
): MessageExt[] {
  if (result.pullStatus !== "FOUND") return [];
  return pulledMessagesFor(result.messageBinary, mq.brokerName, sub);
}
