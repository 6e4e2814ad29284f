/**
 * Java's msgCheck (AbstractSendMessageProcessor), shared by sends and replies: topic name, system
 * topics, broker and topic permissions, the topic itself (auto-created from defaultTopic, or as a
 * retry topic) and the queue id.
 */
import { isWriteable, MixAll, PermName, type TopicConfig } from "@rocketmq-ts/common";
import { ResponseCode } from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import { isNotAllowedSendTopic, RETRY_GROUP_TOPIC_PREFIX, validateTopic } from "../topic/TopicValidator.js";

/** What a send header carries that msgCheck looks at. */
interface SendCheckHeader {
  topic: string;
  defaultTopic: string;
  defaultTopicQueueNums: number;
  queueId: number;
  unitMode?: boolean | undefined;
}

/** The send's topic config, created if needed, or the answer refusing the send. */
export function msgCheck(
  ctx: BrokerContext,
  h: SendCheckHeader,
  remoteAddr: string,
): { topicConfig: TopicConfig } | { code: number; remark: string } {
  const bc = ctx.brokerConfig;
  const topicError = validateTopic(h.topic);
  if (topicError) return { code: ResponseCode.SYSTEM_ERROR, remark: topicError };
  if (isNotAllowedSendTopic(h.topic))
    return { code: ResponseCode.NO_PERMISSION, remark: `Sending message to topic[${h.topic}] is forbidden.` };
  if (!isWriteable(bc.brokerPermission))
    return { code: ResponseCode.NO_PERMISSION, remark: `the broker[${bc.brokerIP1}] sending message is forbidden` };
  let topicConfig = ctx.topicConfigManager.selectTopicConfig(h.topic);
  if (!topicConfig) {
    const topicSysFlag = h.unitMode ? (h.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? 0x2 : 0x1) : 0;
    topicConfig =
      (h.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)
        ? ctx.topicConfigManager.createTopicInSendMessageBackMethod(
            h.topic,
            1,
            PermName.PERM_WRITE | PermName.PERM_READ,
            topicSysFlag,
          )
        : ctx.topicConfigManager.createTopicInSendMessageMethod(
            h.topic,
            h.defaultTopic,
            remoteAddr,
            h.defaultTopicQueueNums,
            topicSysFlag,
          )) ?? undefined;
    if (!topicConfig)
      return {
        code: ResponseCode.TOPIC_NOT_EXIST,
        remark: `topic[${h.topic}] not exist, apply first please!${MixAll.FAQ_URL_SUFFIX}`,
      };
  }
  const maxQueue = Math.max(topicConfig.writeQueueNums, topicConfig.readQueueNums);
  if (h.queueId >= maxQueue)
    return {
      code: ResponseCode.SYSTEM_ERROR,
      remark: `request queueId[${h.queueId}] is illegal, ${JSON.stringify(topicConfig)} Producer: ${remoteAddr}`,
    };
  if (!isWriteable(topicConfig.perm))
    return { code: ResponseCode.NO_PERMISSION, remark: `the topic[${h.topic}] sending message is forbidden` };
  return { topicConfig };
}
