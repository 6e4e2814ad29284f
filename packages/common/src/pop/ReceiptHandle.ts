/**
 * The receipt handle of a POP-consumed message (Java 5.3.3's common/consumer/ReceiptHandle): the
 * broker's extraInfo plus the commit-log offset the proxy appends, nine space-separated fields
 * `startOffset retrieveTime invisibleTime reviveQueueId topicType brokerName queueId offset commitLogOffset`.
 * Decoding needs at least eight; a missing ninth is -1. The handle is expired once
 * retrieveTime + invisibleTime ≤ now.
 */
import { PopInfoError } from "./ExtraInfoUtil.js";

export interface ReceiptHandle {
  readonly startOffset: number;
  readonly retrieveTime: number;
  readonly invisibleTime: number;
  readonly reviveQueueId: number;
  readonly topicType: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly offset: number;
  /** -1 when the handle has no ninth field. */
  readonly commitLogOffset: number;
}

function num(raw: string | undefined): number {
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) throw new PopInfoError(`For input string: "${raw ?? ""}"`);
  return Number(raw);
}

export function encodeReceiptHandle(h: ReceiptHandle): string {
  return [
    h.startOffset,
    h.retrieveTime,
    h.invisibleTime,
    h.reviveQueueId,
    h.topicType,
    h.brokerName,
    h.queueId,
    h.offset,
    h.commitLogOffset,
  ].join(" ");
}

export function decodeReceiptHandle(handle: string): ReceiptHandle {
  const d = handle.split(" ");
  if (d.length < 8) throw new PopInfoError(`Parse failed, dataList size ${d.length}`);
  return {
    startOffset: num(d[0]),
    retrieveTime: num(d[1]),
    invisibleTime: num(d[2]),
    reviveQueueId: num(d[3]),
    topicType: d[4] ?? "",
    brokerName: d[5] ?? "",
    queueId: num(d[6]),
    offset: num(d[7]),
    commitLogOffset: d.length >= 9 ? num(d[8]) : -1,
  };
}

export function nextVisibleTime(h: Pick<ReceiptHandle, "retrieveTime" | "invisibleTime">): number {
  return h.retrieveTime + h.invisibleTime;
}

export function isReceiptHandleExpired(h: Pick<ReceiptHandle, "retrieveTime" | "invisibleTime">, now: number): boolean {
  return nextVisibleTime(h) <= now;
}
