/**
 * A stored message (MessageExt) as a v2 `Message` (Java's GrpcConverter.buildMessage).
 *
 * Java semantics kept: user properties = every property outside the system key set; tag = TAGS,
 * keys = KEYS split on spaces, message id = UNIQ_KEY (else the offset id), body digest MD5 in upper-case
 * hex, GZIP encoding when the compressed flag is set, type from the properties (TRAN_MSG →
 * TRANSACTION, DELAY / TIMER_DELIVER_MS / TIMER_DELAY_SEC → DELAY, __SHARDINGKEY → FIFO, else
 * NORMAL), born/store host and time, delivery timestamp (TIMER_DELAY_SEC → now + s, else
 * TIMER_DELIVER_MS), message group, receipt handle = POP_CK, queue id/offset, delivery attempt =
 * reconsumeTimes + 1, trace context, dead-letter origin when both DLQ properties exist.
 */
import { createHash } from "node:crypto";
import {
  createMessageId,
  formatHost,
  MessageConst,
  MessageSysFlag,
  SYSTEM_PROPERTY_KEYS,
  type MessageExt,
} from "@rocketmq-ts/common";
import { millisToTimestamp, type Message, type MessageType, type SystemProperties } from "./v2types.js";

export function buildMessageType(props: ReadonlyMap<string, string>): MessageType {
  if (props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) === "true") return "TRANSACTION";
  if (
    props.has(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ||
    props.has(MessageConst.PROPERTY_TIMER_DELIVER_MS) ||
    props.has(MessageConst.PROPERTY_TIMER_DELAY_SEC)
  )
    return "DELAY";
  if (props.has(MessageConst.PROPERTY_SHARDING_KEY)) return "FIFO";
  return "NORMAL";
}

const asNumber = (s: string | undefined): number | undefined =>
  s !== undefined && /^-?\d+$/.test(s.trim()) ? Number(s.trim()) : undefined;

export function buildMessage(msg: MessageExt, now: number): Message {
  const props = msg.properties;
  const user: Record<string, string> = {};
  for (const [k, v] of props) if (!SYSTEM_PROPERTY_KEYS.has(k)) user[k] = v;
  const body = msg.body ?? Buffer.alloc(0);
  const sys: SystemProperties = {
    message_id:
      props.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ??
      createMessageId(msg.storeHost, msg.commitLogOffset),
    body_digest: { type: "MD5", checksum: createHash("md5").update(body).digest("hex").toUpperCase() },
    body_encoding: (msg.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0 ? "GZIP" : "IDENTITY",
    message_type: buildMessageType(props),
    born_timestamp: millisToTimestamp(msg.bornTimestamp),
    born_host: props.get(MessageConst.PROPERTY_BORN_HOST) ?? formatHost(msg.bornHost),
    store_timestamp: millisToTimestamp(msg.storeTimestamp),
    store_host: formatHost(msg.storeHost),
    queue_id: msg.queueId,
    queue_offset: msg.queueOffset,
    delivery_attempt: msg.reconsumeTimes + 1,
  };
  const tag = props.get(MessageConst.PROPERTY_TAGS);
  if (tag !== undefined) sys.tag = tag;
  const keys = props.get(MessageConst.PROPERTY_KEYS);
  if (keys !== undefined) sys.keys = keys.split(MessageConst.KEY_SEPARATOR).filter((k) => k.length > 0);
  const delaySec = asNumber(props.get(MessageConst.PROPERTY_TIMER_DELAY_SEC));
  const deliverMs = asNumber(props.get(MessageConst.PROPERTY_TIMER_DELIVER_MS));
  if (delaySec !== undefined) sys.delivery_timestamp = millisToTimestamp(now + delaySec * 1000);
  else if (deliverMs !== undefined) sys.delivery_timestamp = millisToTimestamp(deliverMs);
  const group = props.get(MessageConst.PROPERTY_SHARDING_KEY);
  if (group !== undefined) sys.message_group = group;
  const handle = props.get(MessageConst.PROPERTY_POP_CK);
  if (handle !== undefined) sys.receipt_handle = handle;
  const trace = props.get(MessageConst.PROPERTY_TRACE_CONTEXT);
  if (trace !== undefined) sys.trace_context = trace;
  const dlqTopic = props.get(MessageConst.PROPERTY_DLQ_ORIGIN_TOPIC);
  const dlqId = props.get(MessageConst.PROPERTY_DLQ_ORIGIN_MESSAGE_ID);
  if (dlqTopic !== undefined && dlqId !== undefined) sys.dead_letter_queue = { topic: dlqTopic, message_id: dlqId };
  return { topic: { name: msg.topic }, user_properties: user, system_properties: sys, body };
}
