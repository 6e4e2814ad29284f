/**
 * The checks POP_MESSAGE, NOTIFICATION and POLLING_INFO share (Java 5.3.3 repeats them in each
 * processor, in this order, after the broker-readable check): topic exists and is readable, queueId
 * below the read queue count, group exists (auto-created when autoCreateSubscriptionGroup) and may
 * consume. And the checks ACK_MESSAGE and CHANGE_MESSAGE_INVISIBLETIME share (`checkAckTarget`).
 */
import { isReadable, suggestTodoV5, type TopicConfig } from "@rocketmq-ts/common";
import { ResponseCode } from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import type { SubscriptionGroupConfig } from "../subscription/SubscriptionGroupManager.js";

/** Java 5.x FAQUrl.suggestTodo(…): every FAQ url is this page. */
export const FAQ_SUFFIX = suggestTodoV5();

export interface PopRefusal {
  readonly code: number;
  readonly remark: string;
}

export interface PopTarget {
  readonly topicConfig: TopicConfig;
  readonly groupConfig: SubscriptionGroupConfig;
}

export const refusal = (code: number, remark: string): PopRefusal => ({ code, remark });

/** Java prints a channel's remote address as InetSocketAddress.toString: `/ip:port`. */
export const javaRemoteAddress = (remoteAddr: string): string => `/${remoteAddr}`;

/** The topic and group checks, after the broker's own (each processor words that one itself). */
export function checkPopTarget(
  ctx: BrokerContext,
  h: { readonly topic: string; readonly queueId: number; readonly consumerGroup: string },
  remoteAddr: string,
): PopTarget | PopRefusal {
  const topicConfig = ctx.topicConfigManager.selectTopicConfig(h.topic);
  if (!topicConfig)
    return refusal(ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please! ${FAQ_SUFFIX}`);
  if (!isReadable(topicConfig.perm))
    return refusal(ResponseCode.NO_PERMISSION, `the topic[${h.topic}] peeking message is forbidden`);
  if (h.queueId >= topicConfig.readQueueNums)
    return refusal(
      ResponseCode.INVALID_PARAMETER,
      `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${javaRemoteAddress(remoteAddr)}]`,
    );
  const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.consumerGroup);
  if (!groupConfig)
    return refusal(
      ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      `subscription group [${h.consumerGroup}] does not exist, ${FAQ_SUFFIX}`,
    );
  if (!groupConfig.consumeEnable)
    return refusal(ResponseCode.NO_PERMISSION, `subscription group no permission, ${h.consumerGroup}`);
  return { topicConfig, groupConfig };
}

/** The queue an ack or invisible-time change names, with its offset range. */
export interface AckTarget {
  readonly topicConfig: TopicConfig;
  readonly minOffset: number;
  readonly maxOffset: number;
}

/**
 * ACK_MESSAGE's and CHANGE_MESSAGE_INVISIBLETIME's first checks (Java repeats them in both): the
 * topic exists and the queueId is one of its read queues; each then checks the offset against the
 * range its own way.
 */
export function checkAckTarget(
  ctx: BrokerContext,
  h: { readonly topic: string; readonly queueId: number },
  remoteAddr: string,
): AckTarget | PopRefusal {
  const topicConfig = ctx.topicConfigManager.selectTopicConfig(h.topic);
  if (!topicConfig)
    return refusal(ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please! ${FAQ_SUFFIX}`);
  if (h.queueId >= topicConfig.readQueueNums || h.queueId < 0)
    return refusal(
      ResponseCode.MESSAGE_ILLEGAL,
      `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${javaRemoteAddress(remoteAddr)}]`,
    );
  return {
    topicConfig,
    minOffset: ctx.store.getMinOffsetInQueue(h.topic, h.queueId),
    maxOffset: ctx.store.getMaxOffsetInQueue(h.topic, h.queueId),
  };
}
