/** CONSUMER_SEND_MSG_BACK (36): a message the consumer failed goes to %RETRY%<group> after a delay, or to %DLQ%<group>. */
import {
  isWriteable,
  javaPropertiesString,
  messageInnerFrom,
  MixAll,
  PermName,
  createMessageId,
  MessageConst,
  string2messageProperties,
} from "@rocketmq-ts/common";
import {
  ConsumerSendMsgBackRequestHeader,
  createResponse,
  decodeHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { SCHEDULE_TOPIC } from "@rocketmq-ts/store";
import type { BrokerContext } from "../BrokerContext.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { applyDelayLevel } from "../schedule/ScheduleMessageService.js";
import { getDLQTopic, getRetryTopic } from "../topic/TopicValidator.js";

const DLQ_NUMS_PER_GROUP = 1;

export function consumerSendMsgBackProcessors(ctx: BrokerContext): ProcessorTable {
  return new Map([[RequestCode.CONSUMER_SEND_MSG_BACK, (request) => consumerSendMsgBack(ctx, request)]]);
}

async function consumerSendMsgBack(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeHeader(ConsumerSendMsgBackRequestHeader, request.extFields);
  const fail = (code: number, remark: string): RemotingCommand => createResponse(request, code, { remark });
  const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.group);
  if (!groupConfig)
    return fail(
      ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      `subscription group not exist, ${h.group} ${MixAll.FAQ_URL_SUFFIX.trim()}`,
    );
  if (!isWriteable(ctx.brokerConfig.brokerPermission)) {
    return fail(ResponseCode.NO_PERMISSION, `the broker[${ctx.brokerConfig.brokerIP1}] sending message is forbidden`);
  }
  if (groupConfig.retryQueueNums <= 0) return createResponse(request, ResponseCode.SUCCESS);

  let topic = getRetryTopic(h.group);
  let queueId = Math.floor(Math.random() * 99999999) % groupConfig.retryQueueNums;
  const retryConfig = ctx.topicConfigManager.createTopicInSendMessageBackMethod(
    topic,
    groupConfig.retryQueueNums,
    PermName.PERM_WRITE | PermName.PERM_READ,
    h.unitMode ? 0x2 : 0,
  );
  if (!isWriteable(retryConfig.perm))
    return fail(ResponseCode.NO_PERMISSION, `the topic[${topic}] sending message is forbidden`);
  const msg = ctx.store.lookMessageByOffset(h.offset);
  if (!msg) return fail(ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${h.offset}`);

  const props = string2messageProperties(msg.propertiesString);
  if (!props.has(MessageConst.PROPERTY_RETRY_TOPIC)) props.set(MessageConst.PROPERTY_RETRY_TOPIC, msg.topic);
  props.set(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, "false");
  let delayLevel = h.delayLevel;
  const maxReconsumeTimes =
    request.version >= 121 && h.maxReconsumeTimes !== undefined ? h.maxReconsumeTimes : groupConfig.retryMaxTimes;
  if (msg.reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) {
    topic = getDLQTopic(h.group);
    queueId = Math.floor(Math.random() * 99999999) % DLQ_NUMS_PER_GROUP;
    ctx.topicConfigManager.createTopicInSendMessageBackMethod(
      topic,
      DLQ_NUMS_PER_GROUP,
      PermName.PERM_WRITE | PermName.PERM_READ,
      0,
    );
    props.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, "0");
  } else {
    if (delayLevel === 0) delayLevel = 3 + msg.reconsumeTimes;
    props.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(delayLevel));
  }
  if (!props.get(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID)) {
    props.set(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID, createMessageId(msg.storeHost, msg.commitLogOffset));
  }
  ({ topic, queueId } = applyDelayLevel(topic, queueId, props, ctx.scheduleMessageService.maxDelayLevel));
  const result = await ctx.store.putMessages(
    [
      messageInnerFrom(msg, {
        topic,
        queueId,
        body: msg.body ? Buffer.from(msg.body) : null,
        propertiesString: javaPropertiesString(props),
        reconsumeTimes: msg.reconsumeTimes + 1,
      }),
    ],
    false,
  );
  if (result.status !== "PUT_OK") return fail(ResponseCode.SYSTEM_ERROR, result.status);
  const stats = ctx.brokerStatsManager;
  const wroteBytes = result.appendResult?.wroteBytes ?? 0;
  // a retry parked on its delay level counts as a put to SCHEDULE_TOPIC_XXXX, one message at a time
  if (topic === SCHEDULE_TOPIC) {
    stats.incTopicPutNums(topic);
    stats.incTopicPutSize(topic, wroteBytes);
    stats.incQueuePutNums(topic, queueId);
    stats.incQueuePutSize(topic, queueId, wroteBytes);
  }
  stats.incSendBackNums(h.group, props.get(MessageConst.PROPERTY_RETRY_TOPIC) ?? msg.topic);
  return createResponse(request, ResponseCode.SUCCESS);
}
