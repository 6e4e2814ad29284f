/** SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320): Java 4.9.8's checks and answers. */
import {
  javaPropertiesString,
  MessageConst,
  MixAll,
  PermName,
  PROPERTY_SEPARATOR,
  string2messageProperties,
  type MessageInner,
  buildRecallHandle,
} from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  encodePartialHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeader,
  SendMessageResponseHeader,
  sendHeaderV1FromV2,
  SendMessageRequestHeaderV2,
  type RemotingCommand,
  type Connection,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import { join } from "node:path";
import {
  diskPartitionSpaceUsedPercent,
  SCHEDULE_TOPIC,
  type MessageStoreConfig,
  type PutMessageResult,
} from "@rocketmq-ts/store";
import type { BrokerStatsManager } from "../stats/BrokerStatsManager.js";
import type { BrokerContext } from "../BrokerContext.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { applyDelayLevel } from "../schedule/ScheduleMessageService.js";
import { getDLQTopic, RETRY_GROUP_TOPIC_PREFIX } from "../topic/TopicValidator.js";
import { msgCheck } from "./SendMessageCheck.js";
import { innerMessage, notYetAccepting, regionFields, sendMessageBase } from "./SendMessageParts.js";

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

/** Java's `String.format("%5.2f", ratio)`: two decimals, padded to five characters. */
function percent52(ratio: number): string {
  return ratio.toFixed(2).padStart(5);
}

/**
 * Java 4.9.8's SendMessageProcessor.diskUtil, the disk usage in the SERVICE_NOT_AVAILABLE remark:
 * `CL: %5.2f CQ: %5.2f INDEX: %5.2f` — the least used of the commit log's directories, then the
 * consume queues' and the index's directories under storePathRootDir (-1.00 for one that does not
 * exist yet).
 */
export function diskUtil(storeConfig: MessageStoreConfig, storePathPhysic: string): string {
  let physicRatio = 100;
  for (const path of storePathPhysic.trim().split(","))
    physicRatio = Math.min(physicRatio, diskPartitionSpaceUsedPercent(path));
  const logisRatio = diskPartitionSpaceUsedPercent(join(storeConfig.storePathRootDir, "consumequeue"));
  const indexRatio = diskPartitionSpaceUsedPercent(join(storeConfig.storePathRootDir, "index"));
  return `CL: ${percent52(physicRatio)} CQ: ${percent52(logisRatio)} INDEX: ${percent52(indexRatio)}`;
}

/**
 * Java 5.3.3's answers (SendMessageProcessor and EndTransactionProcessor alike) to a put the timer
 * hook refused (store/timer/TimerPutHook).
 */
export function timerPutRefusal(
  status: "WHEEL_TIMER_MSG_ILLEGAL" | "WHEEL_TIMER_FLOW_CONTROL" | "WHEEL_TIMER_NOT_ENABLE",
  storeConfig: MessageStoreConfig,
): { code: number; remark: string } {
  switch (status) {
    case "WHEEL_TIMER_MSG_ILLEGAL":
      return {
        code: ResponseCode.MESSAGE_ILLEGAL,
        remark: `timer message illegal, the delay time should not be bigger than the max delay ${storeConfig.timerMaxDelaySec * 1000}ms; or if set del msg, the delay time should be bigger than the current time`,
      };
    case "WHEEL_TIMER_FLOW_CONTROL": {
      const n = storeConfig.timerCongestNumEachSlot;
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: `timer message is under flow control, max num limit is ${n * 2} or the current value is greater than ${n} and less than ${n * 2}, trigger random flow control`,
      };
    }
    case "WHEEL_TIMER_NOT_ENABLE":
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: `accurate timer message is not enabled, timerWheelEnable is ${storeConfig.timerWheelEnable}`,
      };
  }
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
        remark: `the message is illegal, maybe msg body or properties length not matched. msg body length limit ${ctx.storeConfig.maxMessageSize}B, msg properties length limit 32KB.`,
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
    case "WHEEL_TIMER_MSG_ILLEGAL":
    case "WHEEL_TIMER_FLOW_CONTROL":
    case "WHEEL_TIMER_NOT_ENABLE":
      return timerPutRefusal(result.status, ctx.storeConfig);
    default:
      return { code: ResponseCode.SYSTEM_ERROR, remark: "UNKNOWN_ERROR" };
  }
}

export function sendMessageProcessors(ctx: BrokerContext): ProcessorTable {
  const send: RequestProcessor = (request, { connection }) => sendMessage(ctx, request, connection);
  return new Map([
    [RequestCode.SEND_MESSAGE, send],
    [RequestCode.SEND_MESSAGE_V2, send],
    [RequestCode.SEND_BATCH_MESSAGE, send],
  ]);
}

/** A send turned away: the answer's code and remark. */
interface SendRefusal {
  readonly code: number;
  readonly remark: string;
}

/** Where a send's message(s) go and the properties they carry, as the steps below decide. */
interface SendTarget {
  readonly topic: string;
  readonly queueId: number;
  readonly props: Map<string, string>;
}

/**
 * Java's BrokerFastFailure (a request that waited too long before being handled is turned away) and
 * the broker's start-accepting time.
 */
function fastFailure(ctx: BrokerContext): SendRefusal | null {
  const bc = ctx.brokerConfig;
  const waited = Math.round(ctx.eventLoopLag.currentLagMs());
  if (bc.brokerFastFailureEnable && waited > bc.waitTimeMillsInSendQueue)
    return {
      code: ResponseCode.SYSTEM_BUSY,
      remark: `[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: ${waited}ms, size of queue: 0`,
    };
  return notYetAccepting(bc);
}

/**
 * %RETRY%<group>: a message reconsumed as often as the group allows (the client's maxReconsumeTimes
 * from version 121 on, else the group's retryMaxTimes) goes to the group's DLQ, queue 0, undelayed.
 */
function deadLetterRedirect(
  ctx: BrokerContext,
  h: SendMessageRequestHeader,
  requestVersion: number,
  target: SendTarget,
): SendTarget | SendRefusal {
  if (!target.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return target;
  const group = target.topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
  const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(group);
  if (!groupConfig)
    return {
      code: ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      remark: `subscription group not exist, ${group}${MixAll.FAQ_URL_SUFFIX}`,
    };
  const maxReconsumeTimes =
    requestVersion >= 121 && h.maxReconsumeTimes !== undefined ? h.maxReconsumeTimes : groupConfig.retryMaxTimes;
  if ((h.reconsumeTimes ?? 0) < maxReconsumeTimes) return target;
  const topic = getDLQTopic(group);
  ctx.topicConfigManager.createTopicInSendMessageBackMethod(topic, 1, PermName.PERM_WRITE | PermName.PERM_READ, 0);
  target.props.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  return { topic, queueId: 0, props: target.props };
}

/** The message(s) a send stores (the stats count them under the first one's topic, as stored). */
interface SendMessages {
  readonly msgs: MessageInner[];
  /** A half message's UNIQ_KEY, answered as `transactionId` (what 5.x proxies record the transaction by). */
  readonly transactionId?: string;
}

/** SEND_BATCH_MESSAGE: each item with its own properties, then the batch's (the CLUSTER added). */
function batchMessages(
  ctx: BrokerContext,
  request: RemotingCommand,
  h: SendMessageRequestHeader,
  connection: Connection,
  target: SendTarget,
): SendMessages | SendRefusal {
  const illegal = (remark: string): SendRefusal => ({ code: ResponseCode.MESSAGE_ILLEGAL, remark });
  if (!request.body) return illegal("the batch message body is empty");
  if (target.props.has(MessageConst.PROPERTY_DELAY_TIME_LEVEL))
    return illegal("Batch message does not support delay message");
  if (target.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX))
    return illegal("Retry group topic does not support batch message");
  target.props.set(MessageConst.PROPERTY_CLUSTER, ctx.brokerConfig.brokerClusterName);
  const batchProps = javaPropertiesString(target.props);
  let items;
  try {
    items = decodeBatchBody(request.body);
  } catch (e) {
    return illegal(`the batch message body is illegal: ${(e as Error).message}`);
  }
  if (items.length === 0) return illegal("the batch message body is empty");
  const base = sendMessageBase(ctx, h, connection);
  const msgs = items.map((item) =>
    innerMessage(
      base,
      target.topic,
      target.queueId,
      item.flag,
      item.body,
      item.properties.length === 0 || item.properties.endsWith(PROPERTY_SEPARATOR)
        ? item.properties + batchProps
        : `${item.properties}${PROPERTY_SEPARATOR}${batchProps}`,
    ),
  );
  return { msgs };
}

/**
 * SEND_MESSAGE(_V2): the CLUSTER added, parked on its delay level (SCHEDULE_TOPIC_XXXX) when it has
 * one, or turned into a half message when TRAN_MSG says it is prepared.
 */
function singleMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  h: SendMessageRequestHeader,
  connection: Connection,
  target: SendTarget,
): SendMessages {
  const { props } = target;
  props.set(MessageConst.PROPERTY_CLUSTER, ctx.brokerConfig.brokerClusterName);
  const tranType = h.sysFlag & 0xc;
  const delayLevel = Number(props.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL));
  const delayed = (tranType === 0 || tranType === 0x8) && delayLevel > 0;
  // TRAN_MSG=true (Boolean.parseBoolean): a half message, unless it is a delayed retry
  const prepared =
    props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED)?.toLowerCase() === "true" &&
    !((h.reconsumeTimes ?? 0) > 0 && delayLevel > 0);
  // Java removes WAIT, serializes, then puts WAIT back: it re-enters the HashMap last in its bucket.
  // A plain message is stored without it; a delayed one (re-serialized by the commit log) and a
  // half message keep it, at that new position.
  const wait = props.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK);
  props.delete(MessageConst.PROPERTY_WAIT_STORE_MSG_OK);
  if ((delayed || prepared) && wait !== undefined) props.set(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, wait);
  const where = delayed
    ? applyDelayLevel(target.topic, target.queueId, props, ctx.scheduleMessageService.maxDelayLevel)
    : target;
  const msg = innerMessage(
    sendMessageBase(ctx, h, connection),
    where.topic,
    where.queueId,
    h.flag,
    request.body,
    javaPropertiesString(props),
  );
  if (!prepared) return { msgs: [msg] };
  const transactionId = props.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
  return {
    msgs: [ctx.transactionalMessageBridge.halfMessageOf(msg, props)],
    ...(transactionId !== undefined ? { transactionId } : {}),
  };
}

function refuse(ctx: BrokerContext, request: RemotingCommand, { code, remark }: SendRefusal): RemotingCommand {
  return createResponse(request, code, {
    remark,
    extFields: encodePartialHeader(SendMessageResponseHeader, regionFields(ctx.brokerConfig)),
  });
}

/**
 * Java's handlePutMessageResult stats of a stored send: the topic's puts and bytes, the broker's
 * puts, and for a delayed message (stored in SCHEDULE_TOPIC_XXXX) its delay queue's.
 */
export function countPut(
  stats: BrokerStatsManager,
  stored: Pick<MessageInner, "topic" | "queueId">,
  append: { msgNum: number; wroteBytes: number },
): void {
  if (stored.topic === SCHEDULE_TOPIC) {
    stats.incQueuePutNums(stored.topic, stored.queueId, append.msgNum, 1);
    stats.incQueuePutSize(stored.topic, stored.queueId, append.wroteBytes);
  }
  stats.incTopicPutNums(stored.topic, append.msgNum, 1);
  stats.incTopicPutSize(stored.topic, append.wroteBytes);
  stats.incBrokerPutNums(append.msgNum);
}

/**
 * 5.x attachRecallHandle: a timer message (rewritten by the store's put hook, TIMER_OUT_MS and
 * REAL_TOPIC set) not bound for a retry topic gets the handle RECALL_MESSAGE takes: Java's
 * Base64 URL encoding (padded) of "v1 <realTopic> <brokerName> <TIMER_OUT_MS + 1> <uniqKey>".
 */
export function recallHandleOf(ctx: BrokerContext, stored: MessageInner): { recallHandle?: string } {
  if (!stored.propertiesString.includes(MessageConst.PROPERTY_TIMER_OUT_MS)) return {};
  const props = string2messageProperties(stored.propertiesString);
  const timerOut = props.get(MessageConst.PROPERTY_TIMER_OUT_MS);
  const realTopic = props.get(MessageConst.PROPERTY_REAL_TOPIC);
  if (timerOut === undefined || realTopic === undefined || realTopic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return {};
  const uniqKey = props.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? "null";
  return {
    recallHandle: buildRecallHandle(realTopic, ctx.brokerConfig.brokerName, String(Number(timerOut) + 1), uniqKey),
  };
}

/**
 * The answer to a stored send: msgId (ids joined by commas for a batch), the queue chosen before any
 * DLQ or delay redirect, and the queue offset; the put is counted in the stats either way.
 */
function sendResponse(
  ctx: BrokerContext,
  request: RemotingCommand,
  result: PutMessageResult,
  stored: MessageInner,
  responseQueueId: number,
  transactionId: string | undefined,
): RemotingCommand {
  const { code, remark } = putStatusToResponse(result, ctx);
  const append = result.appendResult;
  if (
    append &&
    code !== ResponseCode.SYSTEM_ERROR &&
    code !== ResponseCode.MESSAGE_ILLEGAL &&
    code !== ResponseCode.SERVICE_NOT_AVAILABLE
  ) {
    countPut(ctx.brokerStatsManager, stored, append);
    return createResponse(request, code, {
      remark,
      extFields: encodeHeader(SendMessageResponseHeader, {
        msgId: append.msgId,
        queueId: responseQueueId,
        queueOffset: append.logicsOffset,
        // 5.x answers every send's UNIQ_KEY here; 4.9.8 none. A half message's is what a 5.x proxy needs.
        ...(transactionId !== undefined ? { transactionId } : {}),
        ...(request.code === RequestCode.SEND_BATCH_MESSAGE ? {} : recallHandleOf(ctx, stored)),
        ...regionFields(ctx.brokerConfig),
      }),
    });
  }
  return refuse(ctx, request, { code, remark: remark ?? "" });
}

/** The answer, or a promise of it when the put waits (for the disk or a slave). */
function sendMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: Connection,
): RemotingCommand | Promise<RemotingCommand> {
  const v2 = request.code === RequestCode.SEND_MESSAGE_V2 || request.code === RequestCode.SEND_BATCH_MESSAGE;
  const h = v2
    ? sendHeaderV1FromV2(decodeHeader(SendMessageRequestHeaderV2, request.extFields))
    : decodeHeader(SendMessageRequestHeader, request.extFields);
  const fastFailed = fastFailure(ctx);
  if (fastFailed) return refuse(ctx, request, fastFailed);
  const checked = msgCheck(ctx, h, connection.remoteAddr);
  if ("code" in checked) return refuse(ctx, request, checked);

  const queueId =
    h.queueId < 0 ? Math.floor(Math.random() * Math.max(1, checked.topicConfig.writeQueueNums)) : h.queueId;
  const target = deadLetterRedirect(ctx, h, request.version, {
    topic: h.topic,
    queueId,
    props: string2messageProperties(h.properties ?? ""),
  });
  if ("code" in target) return refuse(ctx, request, target);
  const waitStoreMsgOk = target.props.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== "false";
  if (
    target.props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) === "true" &&
    ctx.brokerConfig.rejectTransactionMessage
  )
    return refuse(ctx, request, {
      code: ResponseCode.NO_PERMISSION,
      remark: `the broker[${ctx.brokerConfig.brokerIP1}] sending transaction message is forbidden`,
    });
  const built =
    request.code === RequestCode.SEND_BATCH_MESSAGE
      ? batchMessages(ctx, request, h, connection, target)
      : singleMessage(ctx, request, h, connection, target);
  if ("code" in built) return refuse(ctx, request, built);

  // Java answers with the queue it chose before a DLQ or delay redirect
  const stored = built.msgs[0];
  if (!stored) return refuse(ctx, request, { code: ResponseCode.MESSAGE_ILLEGAL, remark: "no message to send" });
  const result = ctx.store.putMessages(built.msgs, waitStoreMsgOk);
  if (result instanceof Promise)
    return result.then((r) => sendResponse(ctx, request, r, stored, queueId, built.transactionId));
  return sendResponse(ctx, request, result, stored, queueId, built.transactionId);
}
