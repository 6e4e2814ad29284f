/** Request-reply helpers (Java's MessageUtil and the request properties). */
import { MessageConst } from "@rocketmq-ts/common";
import { MQClientException } from "../MQClientException.js";
import { Message, type MessageExt } from "./Message.js";

export const PROPERTY_CORRELATION_ID = "CORRELATION_ID";
export const PROPERTY_MESSAGE_REPLY_TO_CLIENT = "REPLY_TO_CLIENT";
export const PROPERTY_MESSAGE_TTL = "TTL";
export const PROPERTY_MESSAGE_TYPE = "MSG_TYPE";
export const REPLY_MESSAGE_FLAG = "reply";
/** Java's ClientErrorCode.CREATE_REPLY_MESSAGE_EXCEPTION. */
const CREATE_REPLY_MESSAGE_EXCEPTION = 10007;

/** The reply to a request message: `<cluster>_REPLY_TOPIC`, carrying the request's correlation id, requester and TTL. */
export function createReplyMessage(request: MessageExt, body: Buffer): Message {
  const cluster = request.properties.get(MessageConst.PROPERTY_CLUSTER);
  if (cluster === undefined)
    throw new MQClientException(
      CREATE_REPLY_MESSAGE_EXCEPTION,
      `create reply message fail, requestMessage error, property[${MessageConst.PROPERTY_CLUSTER}] is null.`,
    );
  const reply = new Message(`${cluster}_REPLY_TOPIC`, body);
  // Java's reply is built with new Message(): no WAIT property
  reply.properties.delete(MessageConst.PROPERTY_WAIT_STORE_MSG_OK);
  reply.properties.set(PROPERTY_MESSAGE_TYPE, REPLY_MESSAGE_FLAG);
  for (const key of [PROPERTY_CORRELATION_ID, PROPERTY_MESSAGE_REPLY_TO_CLIENT, PROPERTY_MESSAGE_TTL]) {
    const v = request.properties.get(key);
    if (v !== undefined) reply.properties.set(key, v);
  }
  return reply;
}
