/**
 * RECALL_MESSAGE (370, 5.x): withdraw a timer message before it is due. The recall handle the SEND
 * answer carried (SendMessageProcessor.recallHandleOf) names the real topic, the broker, the slot
 * time + 1 and the unique key; the broker puts a delete marker into the same slot — a message to the
 * real topic with TIMER_DEL_UNIQKEY = `<topic>+<unique key>` and TIMER_DELIVER_MS = that time, which the
 * store's timer hook parks like any timer message and TimerMessageStore turns into "skip that key"
 * when the slot is read. Java 5.3.3's checks, codes and remarks, in its order.
 */
import {
  decodeRecallHandle,
  isWriteable,
  javaPropertiesString,
  MessageConst,
  type MessageInner,
  type RecallHandle,
} from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  encodePartialHeader,
  RecallMessageRequestHeader,
  RecallMessageResponseHeader,
  RequestCode,
  ResponseCode,
  type Connection,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { buildDeleteKey } from "@rocketmq-ts/store";
import type { BrokerContext } from "../BrokerContext.js";
import { bornHostOf } from "./bornHost.js";
import type { ProcessorTable } from "./ProcessorTable.js";

const RECALL_MESSAGE_TAG = "_RECALL_TAG_";

/** NumberUtils.toLong(str, -1). */
function toLong(s: string): number {
  return /^[+-]?\d{1,19}$/.test(s) ? Number(s) : -1;
}

export function recallMessageProcessors(ctx: BrokerContext): ProcessorTable {
  return new Map([[RequestCode.RECALL_MESSAGE, (request, { connection }) => recallMessage(ctx, request, connection)]]);
}

async function recallMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: Connection,
): Promise<RemotingCommand> {
  const bc = ctx.brokerConfig;
  const answer = (code: number, remark: string | null, msgId?: string): RemotingCommand =>
    createResponse(request, code, {
      remark,
      extFields: {
        ...encodePartialHeader(RecallMessageResponseHeader, msgId === undefined ? {} : { msgId }),
        MSG_REGION: bc.regionId,
      },
    });
  const h = decodeHeader(RecallMessageRequestHeader, request.extFields);
  if (!bc.recallMessageEnable) return answer(ResponseCode.NO_PERMISSION, "recall failed, operation is forbidden");
  if (ctx.storeConfig.brokerRole === "SLAVE")
    return answer(ResponseCode.SLAVE_NOT_AVAILABLE, "recall failed, broker service not available");
  if (Date.now() < bc.startAcceptSendRequestTimeStamp)
    return answer(ResponseCode.SERVICE_NOT_AVAILABLE, "recall failed, broker service not available");
  if (!isWriteable(bc.brokerPermission) && !bc.allowRecallWhenBrokerNotWriteable)
    return answer(ResponseCode.SERVICE_NOT_AVAILABLE, "recall failed, broker service not available");
  if (!ctx.topicConfigManager.selectTopicConfig(h.topic))
    return answer(ResponseCode.TOPIC_NOT_EXIST, `recall failed, the topic[${h.topic}] not exist`);
  const handle = decodeRecallHandle(h.recallHandle);
  if (!handle) return answer(ResponseCode.ILLEGAL_OPERATION, "recall handle is invalid");
  if (h.topic !== handle.topic) return answer(ResponseCode.ILLEGAL_OPERATION, "recall failed, topic not match");
  if (bc.brokerName !== handle.brokerName)
    return answer(ResponseCode.ILLEGAL_OPERATION, "recall failed, broker service not available");
  const timeLeft = toLong(handle.timestampStr) - Date.now();
  if (timeLeft <= 0 || timeLeft >= ctx.storeConfig.timerMaxDelaySec * 1000)
    return answer(ResponseCode.ILLEGAL_OPERATION, "recall failed, timestamp invalid");

  const marker = recallMarker(ctx, h, handle, connection);
  const result = await ctx.store.putMessages([marker]);
  switch (result.status) {
    case "PUT_OK":
    case "FLUSH_DISK_TIMEOUT":
    case "FLUSH_SLAVE_TIMEOUT":
    case "SLAVE_NOT_AVAILABLE": {
      const append = result.appendResult;
      if (result.status === "PUT_OK" && append) {
        // counted under the topic it was stored in: the timer topic
        ctx.brokerStatsManager.incTopicPutNums(marker.topic, append.msgNum, 1);
        ctx.brokerStatsManager.incTopicPutSize(marker.topic, append.wroteBytes);
        ctx.brokerStatsManager.incBrokerPutNums(append.msgNum);
      }
      return answer(ResponseCode.SUCCESS, null, handle.messageId);
    }
    default:
      return answer(ResponseCode.SYSTEM_ERROR, "recall failed, execute error");
  }
}

/** Java's buildMessage: the delete marker, body "0", tag _RECALL_TAG_, queue 0 of the real topic. */
function recallMarker(
  ctx: BrokerContext,
  h: RecallMessageRequestHeader,
  handle: RecallHandle,
  connection: Connection,
): MessageInner {
  const now = Date.now();
  const props = new Map<string, string>([
    [MessageConst.PROPERTY_TAGS, RECALL_MESSAGE_TAG],
    [MessageConst.PROPERTY_TIMER_DEL_UNIQKEY, buildDeleteKey(handle.topic, handle.messageId)],
    [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, handle.messageId],
    [MessageConst.PROPERTY_TIMER_DELIVER_MS, handle.timestampStr],
    [MessageConst.PROPERTY_BORN_TIMESTAMP, String(now)],
    [MessageConst.PROPERTY_TRACE_CONTEXT, ""],
  ]);
  if (h.producerGroup !== undefined) props.set(MessageConst.PROPERTY_PRODUCER_GROUP, h.producerGroup);
  return {
    topic: handle.topic,
    queueId: 0,
    flag: 0,
    body: Buffer.from("0"),
    propertiesString: javaPropertiesString(props),
    sysFlag: 0,
    bornTimestamp: now,
    bornHost: bornHostOf(connection),
    storeHost: ctx.storeHost,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}
