/**
 * Java's msgCheck (AbstractSendMessageProcessor), shared by sends and replies: the broker's write
 * permission (order topics only), topic name, system topics, the topic itself (auto-created from
 * defaultTopic, or as a retry topic) and the queue id. As Java 4.9.8, a topic's own permission is
 * not checked here: a read-only topic (perm 4) still takes direct sends; only the send-back path
 * (ConsumerSendMsgBackProcessor) refuses a topic without write permission.
 */
import { isWriteable, MixAll, PermName, topicConfigString, type TopicConfig } from "@rocketmq-ts/common";
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
  // A broker without write permission refuses sends to order topics only; other sends are still
  // stored (clients learn the permission from the route and stay away on their own).
  if (!isWriteable(bc.brokerPermission) && ctx.topicConfigManager.selectTopicConfig(h.topic)?.order === true)
    return { code: ResponseCode.NO_PERMISSION, remark: `the broker[${bc.brokerIP1}] sending message is forbidden` };
  const topicError = validateTopic(h.topic);
  if (topicError) return { code: ResponseCode.SYSTEM_ERROR, remark: topicError };
  if (isNotAllowedSendTopic(h.topic))
    return { code: ResponseCode.NO_PERMISSION, remark: `Sending message to topic[${h.topic}] is forbidden.` };
  let topicConfig = ctx.topicConfigManager.selectTopicConfig(h.topic);
  if (!topicConfig) {
    const topicSysFlag = h.unitMode ? (h.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? 0x2 : 0x1) : 0;
    // as the default topic allows; a retry topic the default topic does not cover gets one queue
    topicConfig =
      ctx.topicConfigManager.createTopicInSendMessageMethod(
        h.topic,
        h.defaultTopic,
        remoteAddr,
        h.defaultTopicQueueNums,
        topicSysFlag,
      ) ??
      (h.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)
        ? ctx.topicConfigManager.createTopicInSendMessageBackMethod(
            h.topic,
            1,
            PermName.PERM_WRITE | PermName.PERM_READ,
            topicSysFlag,
          )
        : null) ??
      undefined;
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
      remark: `request queueId[${h.queueId}] is illegal, ${topicConfigString(topicConfig)} Producer: ${remoteAddr}`,
    };
  return { topicConfig };
}
