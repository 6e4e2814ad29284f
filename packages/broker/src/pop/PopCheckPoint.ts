/**
 * The records of the revive log (Java 5.3.3's store/pop PopCheckPoint, AckMsg, BatchAckMsg) and the
 * messages that carry them.
 *
 * A checkpoint (tag `ck`) says "these messages of topic/queue were popped at pt, invisible for it";
 * an ack (`ack`, or `bAck` for several offsets) marks one of them consumed. Both are ordinary
 * messages of `rmq_sys_REVIVE_LOG_<cluster>` queue reviveQid with a JSON body written as fastjson
 * writes these beans (keys sorted, nulls left out, the checkpoint's `reviveTime` getter included),
 * and TIMER_DELIVER_MS so the timer wheel only lets them into the revive queue when due: the
 * checkpoint 1 s before its revive time, an ack at the revive time.
 *
 * Parsing is lenient as fastjson's: unknown keys are ignored, Java's long alternate names accepted.
 */
import {
  javaPropertiesString,
  MessageConst,
  PopAckConstants,
  type ExtraInfo,
  type HostAddress,
  type MessageInner,
} from "@rocketmq-ts/common";
import { isJsonObject, parseFastjson, stringifyFastjson, type JsonObject, type JsonValue } from "@rocketmq-ts/remoting";

export interface PopCheckPoint {
  startOffset: number;
  popTime: number;
  invisibleTime: number;
  /** bit i set: the i-th message is acked */
  bitMap: number;
  num: number;
  queueId: number;
  /** the topic read (a retry topic for retried messages) */
  topic: string;
  cid: string;
  /** the checkpoint's own offset in its revive queue (set when the revive service reads it) */
  reviveOffset: number;
  /** queue offset − startOffset of each message, in pop order */
  queueOffsetDiff: number[];
  brokerName: string | null;
  rePutTimes: string | null;
}

export interface AckMsg {
  ackOffset: number;
  startOffset: number;
  consumerGroup: string;
  topic: string;
  queueId: number;
  popTime: number;
  brokerName: string | null;
  /** BatchAckMsg's offsets; absent for a single ack */
  ackOffsetList?: number[];
}

/**
 * The ack of the message at `h.offset` against the checkpoint its receipt handle's extra info names
 * (what ACK_MESSAGE writes, and CHANGE_MESSAGE_INVISIBLETIME for the checkpoint it replaces).
 */
export function ackOfExtraInfo(
  h: { readonly offset: number; readonly consumerGroup: string; readonly topic: string; readonly queueId: number },
  info: Pick<ExtraInfo, "ckQueueOffset" | "popTime" | "brokerName">,
): AckMsg {
  return {
    ackOffset: h.offset,
    startOffset: info.ckQueueOffset,
    consumerGroup: h.consumerGroup,
    topic: h.topic,
    queueId: h.queueId,
    popTime: info.popTime,
    brokerName: info.brokerName,
  };
}

export const reviveTime = (ck: Pick<PopCheckPoint, "popTime" | "invisibleTime">): number =>
  ck.popTime + ck.invisibleTime;

/** Position of `ackOffset` in the checkpoint (-1: not one of its messages). */
export function indexOfAck(ck: PopCheckPoint, ackOffset: number): number {
  if (ackOffset < ck.startOffset) return -1;
  if (ck.queueOffsetDiff.length === 0) {
    return ackOffset - ck.startOffset < ck.num ? ackOffset - ck.startOffset : -1;
  }
  return ck.queueOffsetDiff.indexOf(ackOffset - ck.startOffset);
}

export function ackOffsetByIndex(ck: PopCheckPoint, index: number): number {
  if (ck.queueOffsetDiff.length === 0) return ck.startOffset + index;
  return ck.startOffset + (ck.queueOffsetDiff[index] ?? 0);
}

export function parseRePutTimes(ck: PopCheckPoint): number {
  if (ck.rePutTimes === null) return 0;
  return /^[+-]?\d+$/.test(ck.rePutTimes) ? Number(ck.rePutTimes) : 127;
}

export const isAcked = (bitMap: number, index: number): boolean => (bitMap & (1 << index)) !== 0;
export const setAcked = (bitMap: number, index: number): number => bitMap | (1 << index);

/** The key a checkpoint and its acks share in the revive scan. */
export function ckMergeKey(ck: PopCheckPoint): string {
  return `${ck.topic}${ck.cid}${ck.queueId}${ck.startOffset}${ck.popTime}${ck.brokerName ?? "null"}`;
}

export function ackMergeKey(ack: AckMsg, defaultBrokerName: string): string {
  const bn = ack.brokerName && ack.brokerName.trim() !== "" ? ack.brokerName : defaultBrokerName;
  return `${ack.topic}${ack.consumerGroup}${ack.queueId}${ack.startOffset}${ack.popTime}${bn}`;
}

export function newCheckPoint(init: Partial<PopCheckPoint> & Pick<PopCheckPoint, "topic" | "cid">): PopCheckPoint {
  return {
    startOffset: 0,
    popTime: 0,
    invisibleTime: 0,
    bitMap: 0,
    num: 0,
    queueId: 0,
    reviveOffset: 0,
    queueOffsetDiff: [],
    brokerName: null,
    rePutTimes: null,
    ...init,
  };
}

export function encodeCheckPoint(ck: PopCheckPoint): string {
  return stringifyFastjson({
    bm: ck.bitMap,
    bn: ck.brokerName ?? undefined,
    c: ck.cid,
    d: ck.queueOffsetDiff,
    it: ck.invisibleTime,
    n: ck.num,
    pt: ck.popTime,
    q: ck.queueId,
    reviveTime: reviveTime(ck),
    ro: ck.reviveOffset,
    rp: ck.rePutTimes ?? undefined,
    so: ck.startOffset,
    t: ck.topic,
  });
}

export function encodeAckMsg(ack: AckMsg): string {
  return stringifyFastjson({
    ao: ack.ackOffset,
    aol: ack.ackOffsetList,
    bn: ack.brokerName ?? undefined,
    c: ack.consumerGroup,
    pt: ack.popTime,
    q: ack.queueId,
    so: ack.startOffset,
    t: ack.topic,
  });
}

function field(o: JsonObject, short: string, long?: string): JsonValue | undefined {
  const v = o[short];
  return v !== undefined ? v : long !== undefined ? o[long] : undefined;
}

function long(v: JsonValue | undefined): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && /^[+-]?\d+$/.test(v)) return Number(v);
  return 0;
}

function text(v: JsonValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === "string" ? v : String(v);
}

function parseObject(raw: string): JsonObject | null {
  try {
    const json = parseFastjson(raw);
    return isJsonObject(json) ? json : null;
  } catch {
    return null;
  }
}

/** A checkpoint from its JSON; null when the body is no JSON object or lacks topic or group. */
export function decodeCheckPoint(raw: string): PopCheckPoint | null {
  const o = parseObject(raw);
  if (!o) return null;
  const topic = text(field(o, "t", "topic"));
  const cid = text(field(o, "c", "cid"));
  if (topic === null || cid === null) return null;
  const d = field(o, "d", "queueOffsetDiff");
  return {
    startOffset: long(field(o, "so", "startOffset")),
    popTime: long(field(o, "pt", "popTime")),
    invisibleTime: long(field(o, "it", "invisibleTime")),
    bitMap: long(field(o, "bm", "bitMap")) | 0,
    num: long(field(o, "n", "num")),
    queueId: long(field(o, "q", "queueId")),
    topic,
    cid,
    reviveOffset: long(field(o, "ro", "reviveOffset")),
    queueOffsetDiff: Array.isArray(d) ? d.map((x) => long(x)) : [],
    brokerName: text(field(o, "bn", "brokerName")),
    rePutTimes: text(field(o, "rp", "rePutTimes")),
  };
}

/** An ack or batch ack from its JSON; null when the body is no JSON object. */
export function decodeAckMsg(raw: string): AckMsg | null {
  const o = parseObject(raw);
  if (!o) return null;
  const list = field(o, "aol", "ackOffsetList");
  return {
    ackOffset: long(field(o, "ao", "ackOffset")),
    startOffset: long(field(o, "so", "startOffset")),
    consumerGroup: text(field(o, "c", "consumerGroup")) ?? "",
    topic: text(field(o, "t", "topic")) ?? "",
    queueId: long(field(o, "q", "queueId")),
    popTime: long(field(o, "pt", "popTime")),
    brokerName: text(field(o, "bn", "brokerName")),
    ...(Array.isArray(list) ? { ackOffsetList: list.map((x) => long(x)) } : {}),
  };
}

const SPLIT = PopAckConstants.SPLIT;

export function ckUniqueId(ck: PopCheckPoint): string {
  return [
    ck.topic,
    ck.queueId,
    ck.startOffset,
    ck.cid,
    ck.popTime,
    ck.brokerName ?? "null",
    PopAckConstants.CK_TAG,
  ].join(SPLIT);
}

export function ackUniqueId(ack: AckMsg): string {
  return [
    ack.topic,
    ack.queueId,
    ack.ackOffset,
    ack.consumerGroup,
    ack.popTime,
    ack.brokerName ?? "null",
    PopAckConstants.ACK_TAG,
  ].join(SPLIT);
}

export interface ReviveMessageOrigin {
  readonly reviveTopic: string;
  readonly storeHost: HostAddress;
  readonly now: number;
}

function reviveMessage(
  origin: ReviveMessageOrigin,
  reviveQid: number,
  tags: string,
  body: string,
  deliverTimeMs: number,
  uniqKey: string,
): MessageInner {
  const props = new Map<string, string>([
    [MessageConst.PROPERTY_TAGS, tags],
    [MessageConst.PROPERTY_TIMER_DELIVER_MS, String(deliverTimeMs)],
    [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, uniqKey],
  ]);
  return {
    topic: origin.reviveTopic,
    queueId: reviveQid,
    flag: 0,
    body: Buffer.from(body, "utf8"),
    propertiesString: javaPropertiesString(props),
    sysFlag: 0,
    bornTimestamp: origin.now,
    bornHost: origin.storeHost,
    storeHost: origin.storeHost,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}

/** Java's buildCkMsg: delivered ackTimeInterval (1 s) before the revive time. */
export function buildCkMsg(origin: ReviveMessageOrigin, ck: PopCheckPoint, reviveQid: number): MessageInner {
  return reviveMessage(
    origin,
    reviveQid,
    PopAckConstants.CK_TAG,
    encodeCheckPoint(ck),
    reviveTime(ck) - PopAckConstants.ackTimeInterval,
    ckUniqueId(ck),
  );
}

/** An ack (or batch ack, when it has ackOffsetList) delivered at the popped messages' revive time. */
export function buildAckMsg(
  origin: ReviveMessageOrigin,
  ack: AckMsg,
  reviveQid: number,
  deliverTimeMs: number,
): MessageInner {
  const batch = ack.ackOffsetList !== undefined;
  return reviveMessage(
    origin,
    reviveQid,
    batch ? PopAckConstants.BATCH_ACK_TAG : PopAckConstants.ACK_TAG,
    encodeAckMsg(ack),
    deliverTimeMs,
    // as Java: a batch ack's UNIQ_KEY is overwritten by the single-ack form
    ackUniqueId(ack),
  );
}
