/**
 * SEND_REPLY_MESSAGE (324) / SEND_REPLY_MESSAGE_V2 (325): a responder's reply is pushed to the
 * requesting client (REPLY_TO_CLIENT) with PUSH_REPLY_MESSAGE_TO_CLIENT (326) and, with
 * storeReplyMessageEnable, stored like any message. The push decides the answer, as in 4.9.8.
 */
import { formatHost, javaPropertiesString, MessageConst, string2messageProperties } from "@rocketmq-ts/common";
import {
  createRequest,
  createResponse,
  decodeHeader,
  encodeHeader,
  encodePartialHeader,
  ReplyMessageRequestHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeader,
  SendMessageResponseHeader,
  sendHeaderV1FromV2,
  SendMessageRequestHeaderV2,
  type RemotingCommand,
  type RequestContext,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { msgCheck } from "./SendMessageCheck.js";
import { innerMessage, notYetAccepting, regionFields, sendMessageBase } from "./SendMessageParts.js";

const PROPERTY_MESSAGE_REPLY_TO_CLIENT = "REPLY_TO_CLIENT";
const PROPERTY_PUSH_REPLY_TIME = "PUSH_REPLY_TIME";
const CALL_CLIENT_TIMEOUT = 10_000;

export function replyMessageProcessors(ctx: BrokerContext): ProcessorTable {
  const reply: RequestProcessor = (request, { connection }) => replyMessage(ctx, request, connection);
  return new Map([
    [RequestCode.SEND_REPLY_MESSAGE, reply],
    [RequestCode.SEND_REPLY_MESSAGE_V2, reply],
  ]);
}

async function replyMessage(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RequestContext["connection"],
): Promise<RemotingCommand> {
  const v2 = request.code === RequestCode.SEND_REPLY_MESSAGE_V2;
  const h = v2
    ? sendHeaderV1FromV2(decodeHeader(SendMessageRequestHeaderV2, request.extFields))
    : decodeHeader(SendMessageRequestHeader, request.extFields);
  const bc = ctx.brokerConfig;
  const region = regionFields(bc);
  const answer = (code: number, remark: string | null, fields: Record<string, string | number> = {}) =>
    createResponse(request, code, {
      remark,
      extFields: encodePartialHeader(SendMessageResponseHeader, { ...fields, ...region }),
    });
  const refused = notYetAccepting(bc);
  if (refused) return answer(refused.code, refused.remark);
  const checked = msgCheck(ctx, h, connection.remoteAddr);
  if ("code" in checked) return answer(checked.code, checked.remark);
  const queueId = h.queueId < 0 ? Math.floor(Math.random() * 99999999) % checked.topicConfig.writeQueueNums : h.queueId;
  const propertiesString = h.properties ?? "";
  const props = string2messageProperties(propertiesString);
  // stored as the responder wrote it (Java neither adds CLUSTER nor drops WAIT here)
  const msg = innerMessage(
    sendMessageBase(ctx, h, connection),
    h.topic,
    queueId,
    h.flag,
    request.body,
    propertiesString,
  );

  // push to the requester first: its answer decides ours
  let pushRemark: string | null = null;
  const senderId = props.get(PROPERTY_MESSAGE_REPLY_TO_CLIENT);
  const channel = senderId === undefined ? null : ctx.producerManager.findChannel(senderId);
  if (senderId === undefined) {
    pushRemark = `reply message properties[${PROPERTY_MESSAGE_REPLY_TO_CLIENT}] is null`;
    ctx.logger.warn(`${PROPERTY_MESSAGE_REPLY_TO_CLIENT} is null, can not reply message`);
  } else if (!channel) {
    pushRemark = `push reply message fail, channel of <${senderId}> not found.`;
    ctx.logger.warn(pushRemark);
  } else {
    props.set(PROPERTY_PUSH_REPLY_TIME, String(Date.now()));
    const push = createRequest(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, {
      extFields: encodeHeader(ReplyMessageRequestHeader, {
        producerGroup: h.producerGroup,
        topic: h.topic,
        defaultTopic: h.defaultTopic,
        defaultTopicQueueNums: h.defaultTopicQueueNums,
        queueId: h.queueId,
        sysFlag: h.sysFlag,
        bornTimestamp: h.bornTimestamp,
        flag: h.flag,
        properties: javaPropertiesString(props),
        ...(h.reconsumeTimes !== undefined ? { reconsumeTimes: h.reconsumeTimes } : {}),
        unitMode: h.unitMode ?? false,
        bornHost: connection.remoteAddr,
        storeHost: formatHost(ctx.storeHost),
        storeTimestamp: Date.now(),
      }),
      body: request.body,
    });
    try {
      const res = await ctx.invokeClient(channel, push, CALL_CLIENT_TIMEOUT);
      if (res.code !== ResponseCode.SUCCESS) {
        pushRemark = `push reply message to ${senderId}fail.`;
        ctx.logger.warn({ senderId, remark: res.remark }, "push reply message return fail");
      }
    } catch (err) {
      pushRemark = `push reply message to ${senderId}fail.`;
      ctx.logger.warn({ senderId, err: (err as Error).message }, "push reply message fail");
    }
  }

  // a delivered reply answers msgId "0" unless it is also stored (Java avoids a client decoding error)
  let fields: Record<string, string | number> = pushRemark === null ? { msgId: "0", queueId, queueOffset: 0 } : {};
  if (bc.storeReplyMessageEnable) {
    const result = await ctx.store.putMessages([msg], props.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== "false");
    const append = result.appendResult;
    const putOk =
      append && ["PUT_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"].includes(result.status);
    if (putOk) {
      countReply(ctx, msg.topic, append);
      fields = { msgId: append.msgId, queueId, queueOffset: append.logicsOffset };
    } else ctx.logger.warn({ status: result.status }, "store reply message failed");
  }
  if (pushRemark !== null) return answer(ResponseCode.SYSTEM_ERROR, pushRemark, fields);
  return answer(ResponseCode.SUCCESS, null, fields);
}

/** Java's reply stats: the topic's puts and bytes and the broker's puts (no queue stats). */
function countReply(ctx: BrokerContext, topic: string, append: { msgNum: number; wroteBytes: number }): void {
  ctx.brokerStatsManager.incTopicPutNums(topic, append.msgNum, 1);
  ctx.brokerStatsManager.incTopicPutSize(topic, append.wroteBytes);
  ctx.brokerStatsManager.incBrokerPutNums(append.msgNum);
}
