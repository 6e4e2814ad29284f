/**
 * POP naming (Java 5.3.3's KeyBuilder and PopAckConstants): the per-group retry topics of POP
 * consumers, the revive topic and group, the checkpoint/ack tags, and the `topic@group@queueId` key
 * that polling, queue locks and offset queues share.
 *
 * Retry topic V1 is `%RETRY%<group>_<topic>`, V2 (enableRetryTopicV2) `%RETRY%<group>+<topic>`.
 * Parsing a V2 name splits on `+` and gives up (returns the input) unless there are exactly two parts.
 */
import { MixAll } from "../protocol/constants.js";

/** The revive queue id an orderly POP answers with (orderly POP writes no checkpoint). */
export const POP_ORDER_REVIVE_QUEUE = 999;

export const PopAckConstants = {
  /** A checkpoint is delivered to its revive queue this long before it is due. */
  ackTimeInterval: 1000,
  SECOND: 1000,
  /** Queues of an auto-created POP retry topic. */
  retryQueueNum: 1,
  REVIVE_GROUP: "CID_RMQ_SYS_REVIVE_GROUP",
  LOCAL_HOST: "127.0.0.1",
  REVIVE_TOPIC: "rmq_sys_REVIVE_LOG_",
  CK_TAG: "ck",
  ACK_TAG: "ack",
  BATCH_ACK_TAG: "bAck",
  SPLIT: "@",
} as const;

/** `rmq_sys_REVIVE_LOG_<cluster>`. */
export function buildClusterReviveTopic(clusterName: string): string {
  return PopAckConstants.REVIVE_TOPIC + clusterName;
}

export function isStartWithRevivePrefix(topic: string | null | undefined): boolean {
  return typeof topic === "string" && topic.startsWith(PopAckConstants.REVIVE_TOPIC);
}

export function buildPopRetryTopicV1(topic: string, group: string): string {
  return `${MixAll.RETRY_GROUP_TOPIC_PREFIX}${group}_${topic}`;
}

export function buildPopRetryTopicV2(topic: string, group: string): string {
  return `${MixAll.RETRY_GROUP_TOPIC_PREFIX}${group}+${topic}`;
}

/** The retry topic a POP consumer group reads for `topic` (V2 when enableRetryTopicV2). */
export function buildPopRetryTopic(topic: string, group: string, enableRetryV2 = false): string {
  return enableRetryV2 ? buildPopRetryTopicV2(topic, group) : buildPopRetryTopicV1(topic, group);
}

export function isPopRetryTopicV2(topic: string): boolean {
  return topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX) && topic.includes("+");
}

/** The normal topic behind a retry topic of `group` (the input when it is no retry topic). */
export function parseNormalTopic(topic: string, group: string): string {
  if (!topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)) return topic;
  const v2 = `${MixAll.RETRY_GROUP_TOPIC_PREFIX}${group}+`;
  if (topic.startsWith(v2)) return topic.substring(v2.length);
  return topic.substring(`${MixAll.RETRY_GROUP_TOPIC_PREFIX}${group}_`.length);
}

/** `topic@group@queueId`: long polling, queue locks and the POP offset queues are keyed so. */
export function buildPollingKey(topic: string, group: string, queueId: number): string {
  return `${topic}${PopAckConstants.SPLIT}${group}${PopAckConstants.SPLIT}${queueId}`;
}
