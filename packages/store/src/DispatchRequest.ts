/**
 * What the commit log hands its dispatchers for every stored message (Java's DispatchRequest), and
 * how it is built: from a record read back from the commit log, or from a message this store has
 * just appended (every field is known, nothing is decoded).
 */
import { javaStringHashCode } from "@rocketmq-ts/remoting";
import { getProperty, MessageConst, type MessageInner, type RecordHead } from "@rocketmq-ts/common";
import { parseDelayLevels } from "./config/MessageStoreConfig.js";

export const SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";

export interface DispatchRequest {
  topic: string;
  queueId: number;
  commitLogOffset: number;
  msgSize: number;
  tagsCode: number;
  storeTimestamp: number;
  consumeQueueOffset: number;
  keys: string | undefined;
  uniqKey: string | undefined;
  sysFlag: number;
  /** The record's properties string (long polling evaluates SQL92 subscriptions on it). */
  propertiesString: string;
}

/** messageDelayLevel parsed: level → delay in ms, and the highest level (Java's maxDelayLevel). */
export interface DelayLevels {
  readonly delayMs: ReadonlyMap<number, number>;
  readonly maxLevel: number;
}

/** DelayLevels of a messageDelayLevel string ("1s 5s 10s 30s 1m ..."). */
export function delayLevelsOf(messageDelayLevel: string): DelayLevels {
  const delayMs = parseDelayLevels(messageDelayLevel);
  return { delayMs, maxLevel: Math.max(0, ...delayMs.keys()) };
}

/** The request for a record read from the commit log (reput, abnormal recovery), from its fields read in place. */
export function dispatchRequestOfRecord(head: RecordHead, size: number, delayLevels: DelayLevels): DispatchRequest {
  const props = head.propertiesString;
  return dispatchRequest(
    head.topic,
    head.queueId,
    head.commitLogOffset,
    size,
    head.storeTimestamp,
    head.queueOffset,
    head.sysFlag,
    (name) => getProperty(props, name),
    props,
    delayLevels,
  );
}

/** The request for a message this store has just appended at `commitLogOffset`. */
export function dispatchRequestOfAppended(
  msg: MessageInner,
  commitLogOffset: number,
  size: number,
  storeTimestamp: number,
  consumeQueueOffset: number,
  delayLevels: DelayLevels,
): DispatchRequest {
  return dispatchRequest(
    msg.topic,
    msg.queueId,
    commitLogOffset,
    size,
    storeTimestamp,
    consumeQueueOffset,
    msg.sysFlag,
    (name) => getProperty(msg.propertiesString, name),
    msg.propertiesString,
    delayLevels,
  );
}

function dispatchRequest(
  topic: string,
  queueId: number,
  commitLogOffset: number,
  msgSize: number,
  storeTimestamp: number,
  consumeQueueOffset: number,
  sysFlag: number,
  prop: (name: string) => string | undefined,
  propertiesString: string,
  delayLevels: DelayLevels,
): DispatchRequest {
  return {
    topic,
    queueId,
    commitLogOffset,
    msgSize,
    tagsCode: tagsCodeOf(topic, storeTimestamp, prop, delayLevels),
    storeTimestamp,
    consumeQueueOffset,
    keys: prop(MessageConst.PROPERTY_KEYS),
    uniqKey: prop(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
    sysFlag,
    propertiesString,
  };
}

/**
 * The consume-queue tags code: the hash code of TAGS (0 without), except for a delayed message parked
 * in SCHEDULE_TOPIC_XXXX, whose code is the time it is due (store time + its level's delay; the level
 * capped at the highest one).
 */
function tagsCodeOf(
  topic: string,
  storeTimestamp: number,
  prop: (name: string) => string | undefined,
  delayLevels: DelayLevels,
): number {
  let tagsCode = 0;
  const tags = prop(MessageConst.PROPERTY_TAGS);
  if (tags) tagsCode = javaStringHashCode(tags);
  const delay = topic === SCHEDULE_TOPIC ? prop(MessageConst.PROPERTY_DELAY_TIME_LEVEL) : undefined;
  if (topic === SCHEDULE_TOPIC && delay !== undefined) {
    let level = Number.parseInt(delay, 10);
    if (level > delayLevels.maxLevel) level = delayLevels.maxLevel;
    if (level > 0) tagsCode = storeTimestamp + (delayLevels.delayMs.get(level) ?? 1000);
  }
  return tagsCode;
}
