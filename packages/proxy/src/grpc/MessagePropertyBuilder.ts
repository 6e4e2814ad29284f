/**
 * How Java's SendMessageActivity turns a v2 `Message` into the properties, sysFlag and checks of a
 * remoting send (buildMessageProperty, buildSysFlag, validateMessageBodySize, fillDelayMessageProperty).
 * Pure: the clock and the peer address come in as arguments.
 *
 * Properties: user properties (system keys, control characters, count and total size refused),
 * TAGS (validated), KEYS joined by a space, UNIQ_KEY = message_id (required), TRAN_MSG=true and
 * CHECK_IMMUNITY_TIME_IN_SECONDS for transactions, TIMER_DELIVER_MS for a delivery timestamp (≤ now +
 * maxDelayTimeMills), RECONSUME_TIME = delivery_attempt, PGROUP = the topic, __SHARDINGKEY = the
 * message group, TRACE_CONTEXT, __BORNHOST (else the peer), BORN_TIMESTAMP.
 */
import { MessageConst, MessageSysFlag, SYSTEM_PROPERTY_KEYS } from "@rocketmq-ts/common";
import type { ProxyConfig } from "../config/ProxyConfig.js";
import { Code } from "./Code.js";
import { containControlCharacter, validateTag } from "./GrpcValidator.js";
import { GrpcProxyException } from "./ResponseBuilder.js";
import { durationToMillis, timestampToMillis, type Message } from "./v2types.js";

const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8");
const isBlank = (s: string): boolean => s.trim().length === 0;

export function buildSysFlag(message: Message): number {
  let sysFlag = 0;
  if (message.system_properties?.body_encoding === "GZIP") sysFlag |= MessageSysFlag.COMPRESSED_FLAG;
  if (message.system_properties?.message_type === "TRANSACTION") sysFlag |= MessageSysFlag.TRANSACTION_PREPARED_TYPE;
  return sysFlag;
}

export function validateMessageBodySize(body: Buffer | undefined, config: ProxyConfig): void {
  const size = body?.length ?? 0;
  if (config.enableMessageBodyEmptyCheck && size === 0)
    throw new GrpcProxyException(Code.MESSAGE_BODY_EMPTY, "message body cannot be empty");
  const max = config.maxMessageSize;
  if (max > 0 && size > max)
    throw new GrpcProxyException(Code.MESSAGE_BODY_TOO_LARGE, `message body cannot exceed the max ${max}`);
}

function validateMessageKey(key: string): void {
  if (key.length === 0) return;
  if (isBlank(key))
    throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_KEY, "key cannot be the char sequence of whitespace");
  if (containControlCharacter(key))
    throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_KEY, "key cannot contain control character");
}

function validateMessageGroup(group: string, config: ProxyConfig): void {
  if (group.length === 0) return;
  if (isBlank(group))
    throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_GROUP, "message group cannot be the char sequence of whitespace");
  const max = config.maxMessageGroupSize;
  if (max <= 0) return;
  if (utf8Length(group) >= max)
    throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_GROUP, `message group exceed the max size ${max}`);
  if (containControlCharacter(group))
    throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_GROUP, "message group cannot contain control character");
}

export function buildMessageProperties(
  message: Message,
  producerGroup: string,
  config: ProxyConfig,
  peerAddress: string,
  now: number,
): Map<string, string> {
  const sys = message.system_properties ?? {};
  const user = message.user_properties ?? {};
  const userEntries = Object.entries(user);
  if (userEntries.length > config.userPropertyMaxNum)
    throw new GrpcProxyException(
      Code.MESSAGE_PROPERTIES_TOO_LARGE,
      `too many user properties, max is ${config.userPropertyMaxNum}`,
    );
  let userPropertySize = 0;
  const props = new Map<string, string>();
  for (const [k, v] of userEntries) {
    if (SYSTEM_PROPERTY_KEYS.has(k))
      throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_PROPERTY_KEY, `property is used by system: ${k}`);
    if (containControlCharacter(k))
      throw new GrpcProxyException(
        Code.ILLEGAL_MESSAGE_PROPERTY_KEY,
        "the key of property cannot contain control character",
      );
    if (containControlCharacter(v))
      throw new GrpcProxyException(
        Code.ILLEGAL_MESSAGE_PROPERTY_KEY,
        "the value of property cannot contain control character",
      );
    userPropertySize += utf8Length(k) + utf8Length(v);
    props.set(k, v);
  }
  const tag = sys.tag ?? "";
  validateTag(tag);
  props.set(MessageConst.PROPERTY_TAGS, tag);
  userPropertySize += utf8Length(tag);
  const keys = sys.keys ?? [];
  for (const key of keys) {
    validateMessageKey(key);
    userPropertySize += utf8Length(key);
  }
  if (keys.length > 0) props.set(MessageConst.PROPERTY_KEYS, keys.join(MessageConst.KEY_SEPARATOR));
  if (userPropertySize > config.maxUserPropertySize)
    throw new GrpcProxyException(
      Code.MESSAGE_PROPERTIES_TOO_LARGE,
      `the total size of user property is too large, max is ${config.maxUserPropertySize}`,
    );
  const messageId = sys.message_id ?? "";
  if (isBlank(messageId)) throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_ID, "message id cannot be empty");
  props.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, messageId);
  if (sys.message_type === "TRANSACTION") {
    props.set(MessageConst.PROPERTY_TRANSACTION_PREPARED, "true");
    if (sys.orphaned_transaction_recovery_duration !== undefined) {
      const seconds = Math.floor(durationToMillis(sys.orphaned_transaction_recovery_duration) / 1000);
      const max = config.maxTransactionRecoverySecond;
      if (max > 0 && seconds > max)
        throw new GrpcProxyException(
          Code.BAD_REQUEST,
          `the max transaction recovery time of message is too large, max is ${max}`,
        );
      props.set(MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS, String(seconds));
    }
  }
  if (sys.delivery_timestamp !== undefined) {
    const deliverMs = timestampToMillis(sys.delivery_timestamp);
    const maxDelay = config.maxDelayTimeMills;
    if (maxDelay > 0 && deliverMs - now > maxDelay)
      throw new GrpcProxyException(
        Code.ILLEGAL_DELIVERY_TIME,
        `the max delay time of message is too large, max is ${maxDelay}`,
      );
    props.set(MessageConst.PROPERTY_TIMER_DELIVER_MS, String(deliverMs));
  }
  props.set(MessageConst.PROPERTY_RECONSUME_TIME, String(sys.delivery_attempt ?? 0));
  props.set(MessageConst.PROPERTY_PRODUCER_GROUP, producerGroup);
  const group = sys.message_group ?? "";
  if (group.length > 0) {
    validateMessageGroup(group, config);
    props.set(MessageConst.PROPERTY_SHARDING_KEY, group);
  }
  const trace = sys.trace_context ?? "";
  if (trace.length > 0) props.set(MessageConst.PROPERTY_TRACE_CONTEXT, trace);
  let bornHost = sys.born_host ?? "";
  if (isBlank(bornHost)) bornHost = peerAddress;
  if (!isBlank(bornHost)) props.set(MessageConst.PROPERTY_BORN_HOST, bornHost);
  if (sys.born_timestamp !== undefined)
    props.set(MessageConst.PROPERTY_BORN_TIMESTAMP, String(timestampToMillis(sys.born_timestamp)));
  return props;
}
