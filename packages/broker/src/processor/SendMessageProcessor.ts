/** SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320): Java 4.9.8's checks and answers. */
import { isWriteable, javaPropertiesString, MixAll, PermName, type TopicConfig } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeader,
  SendMessageResponseHeader,
  sendHeaderV2ToV1,
  type RemotingCommand,
  type RequestContext,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import {
  MessageConst,
  PROPERTY_SEPARATOR,
  string2messageProperties,
  type MessageInner,
  type PutMessageResult,
} from "@rocketmq-ts/store";
import type { BrokerContext } from "../BrokerContext.js";
import { bornHostOf } from "./bornHost.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { applyDelayLevel } from "../schedule/ScheduleMessageService.js";
import {
  getDLQTopic,
  isNotAllowedSendTopic,
  RETRY_GROUP_TOPIC_PREFIX,
  validateTopic,
} from "../topic/TopicValidator.js";

/** Items of a SEND_BATCH_MESSAGE body (client format: size, magic, crc, flag, body, properties). */
export function decodeBatchBody(body: Buffer): { flag: number; body: Buffer; properties: string }[] {
  const items: { flag: number; body: Buffer; properties: string }[] = [];
  let p = 0;
  while (p < body.length) {
    if (body.length - p < 20) throw new RangeError("truncated batch item");
    const total = body.readInt32BE(p);
    if (total < 22 || p + total > body.length) throw new RangeError(`bad batch item size ${total}`);
    const flag = body.readInt32BE(p + 12);
    const bodyLength = body.readInt32BE(p + 16);
    if (bodyLength < 0 || 20 + bodyLength + 2 > total) throw new RangeError(`bad batch item body length ${bodyLength}`);
    const itemBody = body.subarray(p + 20, p + 20 + bodyLength);
    const propsLength = body.readInt16BE(p + 20 + bodyLength);
    const propsStart = p + 22 + bodyLength;
    if (propsLength < 0 || propsStart + propsLength > p + total)
      throw new RangeError(`bad batch item properties length ${propsLength}`);
    items.push({ flag, body: itemBody, properties: body.toString("utf8", propsStart, propsStart + propsLength) });
    p += total;
  }
  return items;
}

function putStatusToResponse(result: PutMessageResult, ctx: BrokerContext): { code: number; remark: string | null } {
  switch (result.status) {
    case "PUT_OK":
      return { code: ResponseCode.SUCCESS, remark: null };
    case "FLUSH_DISK_TIMEOUT":
      return { code: ResponseCode.FLUSH_DISK_TIMEOUT, remark: null };
    case "FLUSH_SLAVE_TIMEOUT":
      return { code: ResponseCode.FLUSH_SLAVE_TIMEOUT, remark: null };
    case "SLAVE_NOT_AVAILABLE":
      return { code: ResponseCode.SLAVE_NOT_AVAILABLE, remark: null };
    case "CREATE_MAPEDFILE_FAILED":
      return { code: ResponseCode.SYSTEM_ERROR, remark: "create mapped file failed, server is busy or broken." };
    case "MESSAGE_ILLEGAL":
    case "PROPERTIES_SIZE_EXCEEDED":
      return {
        code: ResponseCode.MESSAGE_ILLEGAL,
        remark:
          "the message is illegal, maybe msg body or properties length not matched. msg body length limit 128k, msg properties length limit 32k.",
      };
    case "SERVICE_NOT_AVAILABLE":
      return {
        code: ResponseCode.SERVICE_NOT_AVAILABLE,
        remark: `service not available now. It may be caused by one of the following reasons: the broker's disk is full [${ctx.diskUsageSummary()}], messages are put to the slave, message store has been shut down, etc.`,
      };
    case "OS_PAGECACHE_BUSY":
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: "[PC_SYNCHRONIZED]broker busy, start flow control for a while",
      };
    default:
      return { code: ResponseCode.SYSTEM_ERROR, remark: "UNKNOWN_ERROR" };
  }
}

/** What a send header carries that msgCheck looks at. */
interface SendCheckHeader {
  topic: string;
  defaultTopic: string;
  defaultTopicQueueNums: number;
  queueId: number;
  unitMode?: boolean | undefined;
}

/**
 * Java's msgCheck for sends and replies: topic name, system topics, broker and topic permissions,
 * the topic (auto-created from defaultTopic, or as a retry topic) and the queue id.
 */
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

export function sendMessageProcessors(ctx: BrokerContext): ProcessorTable {
  const send: RequestProcessor = (request, { connection }) => sendMessage(ctx, request, connection);
  return new Map([
    [RequestCode.SEND_MESSAGE, send],
    [RequestCode.SEND_MESSAGE_V2, send],
    [RequestCode.SEND_BATCH_MESSAGE, send],
  ]);
}

async function sendMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RequestContext["connection"],
): Promise<RemotingCommand> {
  const v2 = request.code === RequestCode.SEND_MESSAGE_V2 || request.code === RequestCode.SEND_BATCH_MESSAGE;
  const h = decodeHeader(SendMessageRequestHeader, v2 ? sendHeaderV2ToV1(request.extFields) : request.extFields);
  const bc = ctx.brokerConfig;
  const region = { MSG_REGION: bc.regionId, TRACE_ON: String(bc.traceOn) };
  const fail = (code: number, remark: string): RemotingCommand =>
    createResponse(request, code, { remark, extFields: encodeHeader(SendMessageResponseHeader, region as never) });

  // Java's BrokerFastFailure: a request that waited too long before being handled is turned away
  const waited = Math.round(ctx.eventLoopLag.currentLagMs());
  if (bc.brokerFastFailureEnable && waited > bc.waitTimeMillsInSendQueue) {
    return fail(
      ResponseCode.SYSTEM_BUSY,
      `[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: ${waited}ms, size of queue: 0`,
    );
  }
  if (Date.now() < bc.startAcceptSendRequestTimeStamp) {
    return fail(
      ResponseCode.SYSTEM_ERROR,
      `broker unable to service, until ${new Date(bc.startAcceptSendRequestTimeStamp).toISOString()}`,
    );
  }
  const checked = msgCheck(ctx, h, connection.remoteAddr);
  if ("code" in checked) return fail(checked.code, checked.remark);
  const topicConfig = checked.topicConfig;

  let topic = h.topic;
  let queueId = h.queueId < 0 ? Math.floor(Math.random() * Math.max(1, topicConfig.writeQueueNums)) : h.queueId;
  // Java answers with the queue it chose here, even when the message is parked for a delay or goes to the DLQ
  const responseQueueId = queueId;
  const reconsumeTimes = h.reconsumeTimes ?? 0;
  const props = string2messageProperties(h.properties ?? "");

  // %RETRY%<group>: over the retry limit the message goes to the group's DLQ
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) {
    const group = topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
    const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(group);
    if (!groupConfig)
      return fail(
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group not exist, ${group}${MixAll.FAQ_URL_SUFFIX}`,
      );
    const maxReconsumeTimes =
      request.version >= 121 && h.maxReconsumeTimes !== undefined ? h.maxReconsumeTimes : groupConfig.retryMaxTimes;
    if (reconsumeTimes >= maxReconsumeTimes) {
      topic = getDLQTopic(group);
      queueId = 0;
      ctx.topicConfigManager.createTopicInSendMessageBackMethod(topic, 1, PermName.PERM_WRITE | PermName.PERM_READ, 0);
      props.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
    }
  }

  const waitValue = props.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK);
  if (props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) === "true" && bc.rejectTransactionMessage) {
    return fail(ResponseCode.NO_PERMISSION, `the broker[${bc.brokerIP1}] sending transaction message is forbidden`);
  }
  const bornHost = bornHostOf(connection);
  const storeHost = ctx.storeHost;
  let msgs: MessageInner[];
  if (request.code === RequestCode.SEND_BATCH_MESSAGE) {
    if (!request.body) return fail(ResponseCode.MESSAGE_ILLEGAL, "the batch message body is empty");
    if (props.has(MessageConst.PROPERTY_DELAY_TIME_LEVEL))
      return fail(ResponseCode.MESSAGE_ILLEGAL, "Batch message does not support delay message");
    if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX))
      return fail(ResponseCode.MESSAGE_ILLEGAL, "Retry group topic does not support batch message");
    props.set(MessageConst.PROPERTY_CLUSTER, bc.brokerClusterName);
    const batchProps = javaPropertiesString(props);
    let items;
    try {
      items = decodeBatchBody(request.body);
    } catch (e) {
      return fail(ResponseCode.MESSAGE_ILLEGAL, `the batch message body is illegal: ${(e as Error).message}`);
    }
    msgs = items.map((item) => ({
      topic,
      queueId,
      flag: item.flag,
      body: item.body,
      propertiesString:
        item.properties.length === 0 || item.properties.endsWith(PROPERTY_SEPARATOR)
          ? item.properties + batchProps
          : `${item.properties}${PROPERTY_SEPARATOR}${batchProps}`,
      sysFlag: h.sysFlag,
      bornTimestamp: h.bornTimestamp,
      bornHost,
      storeHost,
      reconsumeTimes,
      preparedTransactionOffset: 0,
    }));
    if (msgs.length === 0) return fail(ResponseCode.MESSAGE_ILLEGAL, "the batch message body is empty");
  } else {
    props.set(MessageConst.PROPERTY_CLUSTER, bc.brokerClusterName);
    const tranType = h.sysFlag & 0xc;
    const delayLevel = Number(props.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL));
    const delayed = (tranType === 0 || tranType === 0x8) && delayLevel > 0;
    // TRAN_MSG=true (Boolean.parseBoolean): a half message, unless it is a delayed retry
    const prepared =
      props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED)?.toLowerCase() === "true" &&
      !(reconsumeTimes > 0 && delayLevel > 0);
    // Java removes WAIT, serializes, then puts WAIT back: it re-enters the HashMap last in its bucket.
    // A plain message is stored without it; a delayed one (re-serialized by the commit log) and a
    // half message keep it, at that new position.
    const wait = props.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK);
    props.delete(MessageConst.PROPERTY_WAIT_STORE_MSG_OK);
    if ((delayed || prepared) && wait !== undefined) props.set(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, wait);
    if (delayed)
      ({ topic, queueId } = applyDelayLevel(topic, queueId, props, ctx.scheduleMessageService.maxDelayLevel));
    const msg: MessageInner = {
      topic,
      queueId,
      flag: h.flag,
      body: request.body,
      propertiesString: javaPropertiesString(props),
      sysFlag: h.sysFlag,
      bornTimestamp: h.bornTimestamp,
      bornHost,
      storeHost,
      reconsumeTimes,
      preparedTransactionOffset: 0,
    };
    msgs = [prepared ? ctx.transactionalMessageBridge.halfMessageOf(msg, props) : msg];
  }
  const started = Date.now();
  const result = await ctx.store.putMessages(msgs, waitValue !== "false");
  const { code, remark } = putStatusToResponse(result, ctx);
  const append = result.appendResult;
  if (
    append &&
    code !== ResponseCode.SYSTEM_ERROR &&
    code !== ResponseCode.MESSAGE_ILLEGAL &&
    code !== ResponseCode.SERVICE_NOT_AVAILABLE
  ) {
    ctx.stats.recordPut(topic, append.msgNum, append.wroteBytes, Date.now() - started);
    return createResponse(request, code, {
      remark,
      extFields: encodeHeader(SendMessageResponseHeader, {
        msgId: append.msgId,
        queueId: responseQueueId,
        queueOffset: append.logicsOffset,
        ...region,
      }),
    });
  }
  ctx.stats.recordPutFailed();
  return fail(code, remark ?? "");
}
