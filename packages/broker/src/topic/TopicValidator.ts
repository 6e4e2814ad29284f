import { javaHashMapOrder } from "@rocketmq-ts/remoting";

/** Topic names and Java's system-topic rules (TopicValidator). */
export const TopicValidator = {
  AUTO_CREATE_TOPIC_KEY_TOPIC: "TBW102",
  RMQ_SYS_SCHEDULE_TOPIC: "SCHEDULE_TOPIC_XXXX",
  RMQ_SYS_BENCHMARK_TOPIC: "BenchmarkTest",
  RMQ_SYS_TRANS_HALF_TOPIC: "RMQ_SYS_TRANS_HALF_TOPIC",
  RMQ_SYS_TRACE_TOPIC: "RMQ_SYS_TRACE_TOPIC",
  RMQ_SYS_TRANS_OP_HALF_TOPIC: "RMQ_SYS_TRANS_OP_HALF_TOPIC",
  RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: "TRANS_CHECK_MAX_TIME_TOPIC",
  RMQ_SYS_SELF_TEST_TOPIC: "SELF_TEST_TOPIC",
  RMQ_SYS_OFFSET_MOVED_EVENT: "OFFSET_MOVED_EVENT",
} as const;

const SYSTEM_TOPICS = new Set<string>(Object.values(TopicValidator));

/**
 * Java's TopicValidator.getSystemTopicSet on a running broker: the reserved names above, then those
 * the broker's TopicConfigManager added at boot (`bootSystemTopics`, in creation order), in the
 * iteration order of Java's HashSet (what GET_SYSTEM_TOPIC_LIST_FROM_BROKER answers).
 */
export function systemTopicSet(bootSystemTopics: Iterable<string>): string[] {
  return javaHashMapOrder([...new Set([...SYSTEM_TOPICS, ...bootSystemTopics])]);
}

/** One of the reserved topic names above, or a name with the `rmq_sys_` prefix. */
export function isSystemTopicName(topic: string): boolean {
  return SYSTEM_TOPICS.has(topic) || topic.startsWith("rmq_sys_");
}

const NOT_ALLOWED_SEND = new Set<string>([
  TopicValidator.RMQ_SYS_SCHEDULE_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
  TopicValidator.RMQ_SYS_SELF_TEST_TOPIC,
  TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
]);

const VALID_CHARS = /^[%|a-zA-Z0-9_-]+$/;
export const TOPIC_MAX_LENGTH = 127;

/** Java's validateTopic remark, or null when the name is fine. */
export function validateTopic(topic: string | undefined): string | null {
  if (!topic || topic.trim() === "") return "The specified topic is blank.";
  if (!VALID_CHARS.test(topic))
    return `The specified topic[${topic}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`;
  if (topic.length > TOPIC_MAX_LENGTH)
    return `The specified topic is longer than topic max length ${TOPIC_MAX_LENGTH}.`;
  return null;
}

export function isNotAllowedSendTopic(topic: string): boolean {
  return NOT_ALLOWED_SEND.has(topic);
}

export const RETRY_GROUP_TOPIC_PREFIX = "%RETRY%";
export const DLQ_GROUP_TOPIC_PREFIX = "%DLQ%";

export function getRetryTopic(group: string): string {
  return `${RETRY_GROUP_TOPIC_PREFIX}${group}`;
}

export function getDLQTopic(group: string): string {
  return `${DLQ_GROUP_TOPIC_PREFIX}${group}`;
}
