/**
 * Orderly POP bookkeeping (Java 5.3.3's ConsumerOrderInfoManager, OrderInfo and
 * ConsumerOrderInfoLockManager), persisted as `config/consumerOrderInfo.json`.
 *
 * Per `topic@group` and queue: the last orderly POP's offsets (first absolute, the rest as distance
 * from it), popTime, invisible time, which of them are acked (commit bits), per-offset next visible
 * times (CHANGE_MESSAGE_INVISIBLETIME), per-offset consumed counts (a message popped again counts
 * one more: its reconsume times) and the attemptId. A queue is blocked while one of its popped
 * messages is un-acked and still invisible; a request with the same attemptId is never blocked (a
 * client retrying one receive gets the same messages). When a queue's block ends, `onLockFree` is
 * called (Java notifies the POP long polling), if enableNotifyAfterPopOrderLockRelease.
 * Entries of deleted topics or groups, of queues beyond the read queue count, or unused for 24 h
 * are dropped when the file is written.
 */
import { entries, num, obj, optStr, arr } from "@rocketmq-ts/common";
import { appendQueueIdOrderCountInfo, appendQueueOffsetOrderCountInfo } from "@rocketmq-ts/common";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { ConfigManager } from "../config/ConfigManager.js";

const CLEAN_SPAN_FROM_LAST = 24 * 3600 * 1000;

export interface OrderInfo {
  popTime: number;
  /** i */
  invisibleTime: number | null;
  /** o: offsetList[0] absolute, offsetList[i > 0] distance from offsetList[0] */
  offsetList: number[];
  /** ot: queue offset → next visible time */
  offsetNextVisibleTime: Map<number, number> | null;
  /** oc: queue offset → consumed count */
  offsetConsumedCount: Map<number, number> | null;
  /** l */
  lastConsumeTimestamp: number;
  /** cm: bit i set = offset i acked */
  commitOffsetBit: number;
  /** a */
  attemptId: string | null;
}

/** The file as fastjson writes the bean (OrderInfo's JSONField names). */
interface OrderInfoJson {
  a?: string;
  cm: number;
  i?: number;
  l: number;
  o: number[];
  oc?: Map<number, number>;
  ot?: Map<number, number>;
  popTime: number;
}
type OrderTable = Map<string, Map<number, OrderInfo>>;

export interface ConsumerOrderInfoDeps {
  readonly now?: () => number;
  /** Does the topic exist, and with how many read queues (undefined: gone)? */
  readonly readQueueNums: (topic: string) => number | undefined;
  readonly groupExists: (group: string) => boolean;
  readonly notifyAfterLockRelease: () => boolean;
  /** A queue's block ended: wake its pollers. */
  readonly onLockFree: (topic: string, group: string, queueId: number) => void;
}

const queueOffsetAt = (list: readonly number[], i: number): number =>
  i === 0 ? (list[0] ?? 0) : (list[0] ?? 0) + (list[i] ?? 0);

const isNotAck = (info: OrderInfo, i: number): boolean => (BigInt(info.commitOffsetBit) & (1n << BigInt(i))) === 0n;

function buildOffsetList(queueOffsets: readonly number[]): number[] {
  const first = queueOffsets[0];
  if (first === undefined) return [];
  return queueOffsets.map((o, i) => (i === 0 ? o : o - first));
}

/** Java's OrderInfo.getNextOffset: the first un-acked offset, or past the last; -2 when empty. */
export function nextOffsetOf(info: OrderInfo): number {
  const n = info.offsetList.length;
  if (n === 0) return -2;
  for (let i = 0; i < n; i++) if (isNotAck(info, i)) return queueOffsetAt(info.offsetList, i);
  return queueOffsetAt(info.offsetList, n - 1) + 1;
}

export class ConsumerOrderInfoManager extends ConfigManager<
  OrderTable,
  { table: Map<string, Map<number, OrderInfoJson>> }
> {
  readonly table: OrderTable = new Map();
  private readonly timeouts = new Map<string, NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(
    storeRoot: string,
    logger: Logger,
    private readonly deps: ConsumerOrderInfoDeps,
  ) {
    super(storeRoot, "consumerOrderInfo.json", logger);
    this.now = deps.now ?? Date.now;
  }

  protected decode(json: JsonValue): OrderTable {
    const table: OrderTable = new Map();
    for (const [key, qs] of entries(obj(json, this.fileName)["table"], "table")) {
      const queues = new Map<number, OrderInfo>();
      for (const [q, v] of entries(qs, key)) {
        const o = obj(v, `${key}.${q}`);
        const mapOf = (m: JsonValue | undefined, what: string): Map<number, number> | null =>
          m === undefined || m === null ? null : new Map(entries(m, what).map(([k, x]) => [Number(k), num(x, what)]));
        queues.set(Number(q), {
          popTime: num(o["popTime"], "popTime", 0),
          invisibleTime: o["i"] === undefined || o["i"] === null ? null : num(o["i"], "i"),
          offsetList: o["o"] === undefined || o["o"] === null ? [] : arr(o["o"], "o").map((x) => num(x, "o")),
          offsetNextVisibleTime: mapOf(o["ot"], "ot"),
          offsetConsumedCount: mapOf(o["oc"], "oc"),
          lastConsumeTimestamp: num(o["l"], "l", 0),
          commitOffsetBit: num(o["cm"], "cm", 0),
          attemptId: optStr(o["a"], "a") ?? null,
        });
      }
      table.set(key, queues);
    }
    return table;
  }

  protected applyLoaded(loaded: OrderTable): void {
    for (const [key, qs] of loaded) this.table.set(key, qs);
    // recover the lock-free notifications
    for (const [key, qs] of this.table) {
      const [topic, group] = splitKey(key);
      if (topic === undefined || group === undefined) continue;
      for (const [queueId, info] of qs) this.scheduleLockFree(topic, group, queueId, info);
    }
  }

  protected encode(): { table: Map<string, Map<number, OrderInfoJson>> } {
    this.autoClean();
    const table = new Map<string, Map<number, OrderInfoJson>>();
    for (const [key, qs] of this.table) {
      const out = new Map<number, OrderInfoJson>();
      for (const [q, info] of qs) {
        out.set(q, {
          ...(info.attemptId !== null ? { a: info.attemptId } : {}),
          cm: info.commitOffsetBit,
          ...(info.invisibleTime !== null ? { i: info.invisibleTime } : {}),
          l: info.lastConsumeTimestamp,
          o: info.offsetList,
          ...(info.offsetConsumedCount ? { oc: info.offsetConsumedCount } : {}),
          ...(info.offsetNextVisibleTime ? { ot: info.offsetNextVisibleTime } : {}),
          popTime: info.popTime,
        });
      }
      table.set(key, out);
    }
    return { table };
  }

  shutdown(): void {
    for (const t of this.timeouts.values()) clearTimeout(t);
    this.timeouts.clear();
  }

  get(topic: string, group: string, queueId: number): OrderInfo | undefined {
    return this.table.get(buildKey(topic, group))?.get(queueId);
  }

  /**
   * An orderly POP took `queueOffsets` from the queue: the new OrderInfo replaces the old, counting
   * offsets popped again (unless the same attemptId). Returns orderCountInfo with the entries of
   * this queue appended (per offset with a count, then the queue's least count).
   */
  update(
    attemptId: string | null,
    topic: string,
    group: string,
    queueId: number,
    popTime: number,
    invisibleTime: number,
    queueOffsets: readonly number[],
    orderCountInfo: string,
  ): string {
    const key = buildKey(topic, group);
    let qs = this.table.get(key);
    if (!qs) this.table.set(key, (qs = new Map()));
    const old = qs.get(queueId);
    const info: OrderInfo = {
      popTime,
      invisibleTime,
      offsetList: buildOffsetList(queueOffsets),
      offsetNextVisibleTime: null,
      offsetConsumedCount: null,
      lastConsumeTimestamp: this.now(),
      commitOffsetBit: 0,
      attemptId,
    };
    if (old) info.offsetConsumedCount = mergeConsumedCount(info, old);
    qs.set(queueId, info);
    let out = orderCountInfo;
    let min = Number.MAX_SAFE_INTEGER;
    if (info.offsetConsumedCount) {
      for (const [offset, count] of [...info.offsetConsumedCount].sort((a, b) => a[0] - b[0])) {
        out = appendQueueOffsetOrderCountInfo(out, topic, queueId, offset, count);
        min = Math.min(min, count);
      }
      if (info.offsetConsumedCount.size !== info.offsetList.length) min = 0;
    } else min = 0;
    out = appendQueueIdOrderCountInfo(out, topic, queueId, min);
    this.scheduleLockFree(topic, group, queueId, info);
    return out;
  }

  /** Is the queue blocked for this request (an un-acked message still invisible)? */
  checkBlock(attemptId: string | null, topic: string, group: string, queueId: number, invisibleTime: number): boolean {
    const info = this.get(topic, group, queueId);
    if (!info || info.offsetList.length === 0) return false;
    if (info.attemptId !== null && info.attemptId === attemptId) return false;
    if (info.invisibleTime === null || info.invisibleTime <= 0) info.invisibleTime = invisibleTime;
    const now = this.now();
    for (let i = 0; i < info.offsetList.length; i++) {
      if (!isNotAck(info, i)) continue;
      const next =
        info.offsetNextVisibleTime?.get(queueOffsetAt(info.offsetList, i)) ?? info.popTime + info.invisibleTime;
      if (now < next) return true;
    }
    return false;
  }

  clearBlock(topic: string, group: string, queueId: number): void {
    this.table.get(buildKey(topic, group))?.delete(queueId);
  }

  /** Mark `queueOffset` acked; the new consumer offset, -1 illegal, -2 popTime differs (ignore). */
  commitAndNext(topic: string, group: string, queueId: number, queueOffset: number, popTime: number): number {
    const info = this.get(topic, group, queueId);
    if (!info) return queueOffset + 1;
    if (info.offsetList.length === 0) return -1;
    if (popTime !== info.popTime) return -2;
    let i = 0;
    for (; i < info.offsetList.length; i++) if (queueOffsetAt(info.offsetList, i) === queueOffset) break;
    if (i >= info.offsetList.length) return -1;
    info.commitOffsetBit = Number(BigInt(info.commitOffsetBit) | (1n << BigInt(i)));
    const next = nextOffsetOf(info);
    this.scheduleLockFree(topic, group, queueId, info);
    return next;
  }

  updateNextVisibleTime(
    topic: string,
    group: string,
    queueId: number,
    queueOffset: number,
    popTime: number,
    nextVisibleTime: number,
  ): void {
    const info = this.get(topic, group, queueId);
    if (!info || popTime !== info.popTime) return;
    info.offsetNextVisibleTime ??= new Map();
    info.offsetNextVisibleTime.set(queueOffset, nextVisibleTime);
    this.scheduleLockFree(topic, group, queueId, info);
  }

  /** When the queue stops being blocked (null: not blocked by invisibility). */
  lockFreeTimestamp(info: OrderInfo): number | null {
    if (info.offsetList.length === 0) return null;
    const now = this.now();
    for (let i = 0; i < info.offsetList.length; i++) {
      if (!isNotAck(info, i)) continue;
      if (info.invisibleTime === null || info.invisibleTime <= 0) return null;
      const next =
        info.offsetNextVisibleTime?.get(queueOffsetAt(info.offsetList, i)) ?? info.popTime + info.invisibleTime;
      if (now < next) return next;
    }
    return now;
  }

  private scheduleLockFree(topic: string, group: string, queueId: number, info: OrderInfo): void {
    if (!this.deps.notifyAfterLockRelease()) return;
    const at = this.lockFreeTimestamp(info);
    if (at === null) return;
    const key = `${buildKey(topic, group)}@${queueId}`;
    const old = this.timeouts.get(key);
    if (old) clearTimeout(old);
    const t = setTimeout(
      () => {
        this.timeouts.delete(key);
        if (this.deps.notifyAfterLockRelease()) this.deps.onLockFree(topic, group, queueId);
      },
      Math.max(0, at - this.now()),
    );
    t.unref();
    this.timeouts.set(key, t);
  }

  private autoClean(): void {
    const now = this.now();
    for (const [key, qs] of [...this.table]) {
      const [topic, group] = splitKey(key);
      if (topic === undefined || group === undefined) continue;
      const readQueueNums = this.deps.readQueueNums(topic);
      if (readQueueNums === undefined || !this.deps.groupExists(group) || qs.size === 0) {
        this.table.delete(key);
        continue;
      }
      for (const [q, info] of [...qs]) {
        if (q >= readQueueNums || now - info.lastConsumeTimestamp > CLEAN_SPAN_FROM_LAST) qs.delete(q);
      }
    }
  }
}

function buildKey(topic: string, group: string): string {
  return `${topic}@${group}`;
}

/** Java's key.split("@"): anything but two parts is skipped. */
function splitKey(key: string): [string | undefined, string | undefined] {
  const parts = key.split("@");
  return parts.length === 2 ? [parts[0], parts[1]] : [undefined, undefined];
}

/** Java's mergeOffsetConsumedCount: offsets popped again count one more (same attempt: unchanged). */
function mergeConsumedCount(info: OrderInfo, prev: OrderInfo): Map<number, number> {
  const prevCounts = prev.offsetConsumedCount ?? new Map<number, number>();
  if (prev.attemptId !== null && prev.attemptId === info.attemptId) return prevCounts;
  const prevOffsets = new Set(prev.offsetList.map((_, i) => queueOffsetAt(prev.offsetList, i)));
  const out = new Map<number, number>();
  for (let i = 0; i < info.offsetList.length; i++) {
    const offset = queueOffsetAt(info.offsetList, i);
    if (prevOffsets.has(offset)) out.set(offset, (prevCounts.get(offset) ?? 0) + 1);
  }
  return out;
}
