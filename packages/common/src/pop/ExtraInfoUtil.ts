/**
 * The POP bookkeeping strings (Java 5.3.3's ExtraInfoUtil), pure.
 *
 * - extraInfo (the POP_CK property / an ack's `extraInfo`): space-separated
 *   `ckQueueOffset popTime invisibleTime reviveQid topicType brokerName queueId [queueOffset]`, where
 *   topicType is "0" normal, "1" retry V1 (`%RETRY%group_topic`), "2" retry V2 (`%RETRY%group+topic`).
 * - POP response headers, entries joined by `;`: startOffsetInfo `<t> <queueId> <startOffset>`,
 *   msgOffsetInfo `<t> <queueId> <o1>,<o2>,…`, orderCountInfo `<t> <queueId> <count>` or
 *   `<t> qo<queueId>%<queueOffset> <count>`. Parsed into maps keyed `<t>@<second field>`.
 *
 * Java's getters throw IllegalArgumentException on a short array and NumberFormatException on a bad
 * number; here both are a PopInfoError (the broker answers it as Java's processors do).
 */
import { MixAll } from "../protocol/constants.js";
import { buildPopRetryTopicV1, buildPopRetryTopicV2, isPopRetryTopicV2, POP_ORDER_REVIVE_QUEUE } from "./KeyBuilder.js";

export const NORMAL_TOPIC = "0";
export const RETRY_TOPIC = "1";
export const RETRY_TOPIC_V2 = "2";
const QUEUE_OFFSET = "qo";
const SEP = " ";

export class PopInfoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IllegalArgumentException";
  }
}

/** A decimal as Java's Long.parseLong / Integer.parseInt read it, else a PopInfoError. */
function parseDecimal(s: string | undefined, what: string): number {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) throw new PopInfoError(`For input string: "${s ?? ""}" (${what})`);
  return Number(s);
}

function field(parts: readonly string[], index: number, what: string): string {
  const v = parts[index];
  if (v === undefined) throw new PopInfoError(`${what} fail, extraInfoStrs length ${parts.length}`);
  return v;
}

/** The topic type of a topic name: "2" retry V2, "1" retry V1 (any `%RETRY%` topic), else "0". */
export function topicTypeOf(topic: string): string {
  if (isPopRetryTopicV2(topic)) return RETRY_TOPIC_V2;
  if (topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)) return RETRY_TOPIC;
  return NORMAL_TOPIC;
}

/** The fields of an extraInfo, decoded. */
export interface ExtraInfo {
  readonly ckQueueOffset: number;
  readonly popTime: number;
  readonly invisibleTime: number;
  readonly reviveQid: number;
  /** "0" normal, "1" retry V1, "2" retry V2. */
  readonly topicType: string;
  readonly brokerName: string;
  readonly queueId: number;
  /** The message's own queue offset (the 8th field), when present. */
  readonly queueOffset?: number;
}

export function splitExtraInfo(extraInfo: string | null | undefined): string[] {
  if (extraInfo === null || extraInfo === undefined) throw new PopInfoError("split extraInfo is null");
  return extraInfo.split(SEP);
}

/** Decode the 7 (or 8) fields; fewer, or a bad number, is a PopInfoError. */
export function parseExtraInfo(extraInfo: string | null | undefined): ExtraInfo {
  const p = splitExtraInfo(extraInfo);
  const queueOffset = p.length >= 8 ? parseDecimal(p[7], "queueOffset") : undefined;
  return {
    ckQueueOffset: parseDecimal(field(p, 0, "getCkQueueOffset"), "ckQueueOffset"),
    popTime: parseDecimal(field(p, 1, "getPopTime"), "popTime"),
    invisibleTime: parseDecimal(field(p, 2, "getInvisibleTime"), "invisibleTime"),
    reviveQid: parseDecimal(field(p, 3, "getReviveQid"), "reviveQid"),
    topicType: field(p, 4, "getRetry"),
    brokerName: field(p, 5, "getBrokerName"),
    queueId: parseDecimal(field(p, 6, "getQueueId"), "queueId"),
    ...(queueOffset !== undefined ? { queueOffset } : {}),
  };
}

export function isOrderExtraInfo(info: Pick<ExtraInfo, "reviveQid">): boolean {
  return info.reviveQid === POP_ORDER_REVIVE_QUEUE;
}

/** The topic an ack or change applies to: the retry topic named by the type, else `topic`. */
export function realTopicOf(topic: string, group: string, topicType: string): string {
  if (topicType === RETRY_TOPIC) return buildPopRetryTopicV1(topic, group);
  if (topicType === RETRY_TOPIC_V2) return buildPopRetryTopicV2(topic, group);
  return topic;
}

/** As realTopicOf, but an unknown type is an error (Java's getRealTopic(topic, cid, retry)). */
export function realTopicOfStrict(topic: string, group: string, topicType: string): string {
  if (topicType !== NORMAL_TOPIC && topicType !== RETRY_TOPIC && topicType !== RETRY_TOPIC_V2)
    throw new PopInfoError("getRetry fail, format is wrong");
  return realTopicOf(topic, group, topicType);
}

/** The extraInfo of a popped message; `topic` is the topic it was read from (it decides the type). */
export function buildExtraInfo(
  ckQueueOffset: number,
  popTime: number,
  invisibleTime: number,
  reviveQid: number,
  topic: string,
  brokerName: string,
  queueId: number,
  msgQueueOffset?: number,
): string {
  const head = [ckQueueOffset, popTime, invisibleTime, reviveQid, topicTypeOf(topic), brokerName, queueId].join(SEP);
  return msgQueueOffset === undefined ? head : `${head}${SEP}${msgQueueOffset}`;
}

/** Appends `<t> <queueId> <startOffset>` to a startOffsetInfo ("" for the first). */
export function appendStartOffsetInfo(info: string, topic: string, queueId: number, startOffset: number): string {
  return `${info}${info.length > 0 ? ";" : ""}${topicTypeOf(topic)}${SEP}${queueId}${SEP}${startOffset}`;
}

export function appendMsgOffsetInfo(info: string, topic: string, queueId: number, offsets: readonly number[]): string {
  return `${info}${info.length > 0 ? ";" : ""}${topicTypeOf(topic)}${SEP}${queueId}${SEP}${offsets.join(",")}`;
}

/** `<t> <queueId> <count>` (the least count of a queue in an orderly POP). */
export function appendQueueIdOrderCountInfo(info: string, topic: string, queueId: number, count: number): string {
  return `${info}${info.length > 0 ? ";" : ""}${topicTypeOf(topic)}${SEP}${queueId}${SEP}${count}`;
}

/** `<t> qo<queueId>%<queueOffset> <count>` (one message of an orderly POP). */
export function appendQueueOffsetOrderCountInfo(
  info: string,
  topic: string,
  queueId: number,
  queueOffset: number,
  count: number,
): string {
  return `${info}${info.length > 0 ? ";" : ""}${topicTypeOf(topic)}${SEP}${queueOffsetKeyValueKey(queueId, queueOffset)}${SEP}${count}`;
}

/** `qo<queueId>%<queueOffset>`. */
export function queueOffsetKeyValueKey(queueId: number, queueOffset: number): string {
  return `${QUEUE_OFFSET}${queueId}%${queueOffset}`;
}

/** `<t>@<queueId>`: the key of startOffsetInfo and msgOffsetInfo maps. */
export function startOffsetInfoMapKey(topic: string, queueId: number): string {
  return `${topicTypeOf(topic)}@${queueId}`;
}

/** `<t>@qo<queueId>%<queueOffset>`: the per-message key of an orderCountInfo map. */
export function queueOffsetMapKey(topic: string, queueId: number, queueOffset: number): string {
  return `${topicTypeOf(topic)}@${queueOffsetKeyValueKey(queueId, queueOffset)}`;
}

function parseEntries<T>(
  info: string | null | undefined,
  what: string,
  value: (raw: string) => T,
): Map<string, T> | null {
  if (info === null || info === undefined || info.length === 0) return null;
  const out = new Map<string, T>();
  for (const one of info.split(";")) {
    const split = one.split(SEP);
    if (split.length !== 3) throw new PopInfoError(`parse ${what} error, ${info}`);
    const key = `${split[0]}@${split[1]}`;
    if (out.has(key)) throw new PopInfoError(`parse ${what} error, duplicate, ${info}`);
    out.set(key, value(split[2] ?? ""));
  }
  return out;
}

export function parseStartOffsetInfo(info: string | null | undefined): Map<string, number> | null {
  return parseEntries(info, "startOffsetInfo", (raw) => parseDecimal(raw, "startOffset"));
}

export function parseMsgOffsetInfo(info: string | null | undefined): Map<string, number[]> | null {
  return parseEntries(info, "msgOffsetMap", (raw) => raw.split(",").map((o) => parseDecimal(o, "msgOffset")));
}

export function parseOrderCountInfo(info: string | null | undefined): Map<string, number> | null {
  return parseEntries(info, "orderCountInfo", (raw) => parseDecimal(raw, "orderCount"));
}
