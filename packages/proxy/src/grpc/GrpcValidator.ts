/**
 * Java's GrpcValidator (+ client Validators.checkTopic/checkGroup, TopicValidator.isSystemTopic,
 * MixAll.isSysConsumerGroup): the same checks, codes and texts.
 */
import type { TopicMessageType } from "@rocketmq-ts/common";
import { Code } from "./Code.js";
import { GrpcProxyException } from "./ResponseBuilder.js";
import type { Resource } from "./v2types.js";

const VALID_NAME = /^[%|a-zA-Z0-9_-]+$/;
const TOPIC_MAX_LENGTH = 127;
const CHARACTER_MAX_LENGTH = 255;
const SYSTEM_TOPICS = new Set([
  "TBW102",
  "SCHEDULE_TOPIC_XXXX",
  "BenchmarkTest",
  "RMQ_SYS_TRANS_HALF_TOPIC",
  "RMQ_SYS_TRACE_TOPIC",
  "RMQ_SYS_TRANS_OP_HALF_TOPIC",
  "TRANS_CHECK_MAX_TIME_TOPIC",
  "SELF_TEST_TOPIC",
  "OFFSET_MOVED_EVENT",
  "CHECKPOINT_TOPIC",
]);

const isBlank = (s: string): boolean => s.trim().length === 0;

export function isSystemTopic(topic: string): boolean {
  return SYSTEM_TOPICS.has(topic) || topic.startsWith("rmq_sys_");
}

export function validateTopic(topic: Resource | string | undefined): void {
  const name = typeof topic === "string" ? topic : (topic?.name ?? "");
  if (isBlank(name)) throw new GrpcProxyException(Code.ILLEGAL_TOPIC, "The specified topic is blank");
  if (name.length > TOPIC_MAX_LENGTH)
    throw new GrpcProxyException(
      Code.ILLEGAL_TOPIC,
      `The specified topic is longer than topic max length ${TOPIC_MAX_LENGTH}.`,
    );
  if (!VALID_NAME.test(name))
    throw new GrpcProxyException(
      Code.ILLEGAL_TOPIC,
      `The specified topic[${name}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`,
    );
  if (isSystemTopic(name)) throw new GrpcProxyException(Code.ILLEGAL_TOPIC, "cannot access system topic");
}

export function validateConsumerGroup(group: Resource | string | undefined): void {
  const name = typeof group === "string" ? group : (group?.name ?? "");
  if (isBlank(name)) throw new GrpcProxyException(Code.ILLEGAL_CONSUMER_GROUP, "the specified group is blank");
  if (name.length > CHARACTER_MAX_LENGTH)
    throw new GrpcProxyException(
      Code.ILLEGAL_CONSUMER_GROUP,
      "the specified group is longer than group max length 255.",
    );
  if (!VALID_NAME.test(name))
    throw new GrpcProxyException(
      Code.ILLEGAL_CONSUMER_GROUP,
      `the specified group[${name}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`,
    );
  if (name.startsWith("CID_RMQ_SYS_"))
    throw new GrpcProxyException(Code.ILLEGAL_CONSUMER_GROUP, "cannot use system consumer group");
}

export function validateTopicAndConsumerGroup(topic: Resource | undefined, group: Resource | undefined): void {
  validateTopic(topic);
  validateConsumerGroup(group);
}

export function validateInvisibleTime(invisibleTime: number, minInvisibleTime: number, maxInvisibleTime: number): void {
  if (invisibleTime < minInvisibleTime)
    throw new GrpcProxyException(
      Code.ILLEGAL_INVISIBLE_TIME,
      `the invisibleTime is too small. min is ${minInvisibleTime}`,
    );
  if (maxInvisibleTime <= 0) return;
  if (invisibleTime > maxInvisibleTime)
    throw new GrpcProxyException(
      Code.ILLEGAL_INVISIBLE_TIME,
      `the invisibleTime is too large. max is ${maxInvisibleTime}`,
    );
}

/** Guava CharMatcher.javaIsoControl: U+0000–U+001F and U+007F–U+009F. */
export function containControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

export function validateTag(tag: string | undefined): void {
  if (tag === undefined || tag.length === 0) return;
  if (isBlank(tag))
    throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_TAG, "tag cannot be the char sequence of whitespace");
  if (tag.includes("|")) throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_TAG, "tag cannot contain '|'");
  if (containControlCharacter(tag))
    throw new GrpcProxyException(Code.ILLEGAL_MESSAGE_TAG, "tag cannot contain control character");
}

/**
 * Java's DefaultTopicMessageTypeValidator: the topic's type must be the message's, or MIXED; a
 * message of no known type is refused too.
 */
export function validateTopicMessageType(expected: TopicMessageType, actual: TopicMessageType): void {
  if (actual === "UNSPECIFIED" || (actual !== expected && expected !== "MIXED")) {
    throw new GrpcProxyException(
      Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE,
      `TopicMessageType validate failed, the expected type is ${expected}, but actual type is ${actual}`,
    );
  }
}

/**
 * Java's FilterAPI.build refusals (ILLEGAL_FILTER_EXPRESSION with its text): an SQL filter needs an
 * expression; a TAG expression made of nothing but `||` separators splits into nothing.
 */
export function validateFilterExpression(type: string | undefined, expression: string | undefined): void {
  const exp = expression ?? "";
  if (type === "SQL") {
    if (exp.length === 0)
      throw new GrpcProxyException(Code.ILLEGAL_FILTER_EXPRESSION, "Expression can't be null! SQL92");
    return;
  }
  if (exp.length === 0 || exp === "*") return;
  // String.split drops trailing empty strings: "||||" gives no item at all
  if (exp.split("||").every((part) => part.length === 0))
    throw new GrpcProxyException(Code.ILLEGAL_FILTER_EXPRESSION, "subString split error");
}
