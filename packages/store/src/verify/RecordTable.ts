/**
 * Every commit-log record the verifier's scan found, in commit-log order, with what the consume
 * queue and index checks compare against: physical offset, size, topic/queue, queue offset, the
 * tags code dispatch would write, and the hashes of the record's index keys. Kept in typed arrays
 * (a 1 GiB commit log holds about a million records), looked up by physical offset with a binary
 * search.
 */
import { MessageConst, MessageSysFlag, transactionType, getsConsumeQueueEntry } from "@rocketmq-ts/common";
import type { DispatchRequest } from "../DispatchRequest.js";
import { SCHEDULE_TOPIC } from "../DispatchRequest.js";
import { topicKeyHash } from "../index/IndexFile.js";

/** Record flags. */
export const RecordFlag = {
  /** The body's CRC does not match BODYCRC. */
  CORRUPT: 1,
  /** A consume-queue entry points at it. */
  IN_CONSUME_QUEUE: 2,
  /** An index entry points at it. */
  IN_INDEX: 4,
  /** Its tags code depends on the broker's messageDelayLevel (SCHEDULE_TOPIC_XXXX). */
  SCHEDULED: 8,
  /** A ROLLBACK record: never indexed. */
  NOT_INDEXED: 16,
} as const;

const INITIAL_CAPACITY = 1024;

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}

export class RecordTable {
  count = 0;
  /** Sum of the record sizes. */
  bytes = 0;
  offsets = new Float64Array(INITIAL_CAPACITY);
  sizes = new Int32Array(INITIAL_CAPACITY);
  /** Queue id (see `topicOf` / `queueIdOf`), -1 for a PREPARED/ROLLBACK record (no consume-queue entry). */
  queues = new Int32Array(INITIAL_CAPACITY);
  queueOffsets = new Float64Array(INITIAL_CAPACITY);
  tagsCodes = new Float64Array(INITIAL_CAPACITY);
  flags = new Uint8Array(INITIAL_CAPACITY);
  /** Hashes of record i's index keys: keyHashes[keyStart[i] .. keyStart[i + 1]). */
  keyStart = new Int32Array(INITIAL_CAPACITY + 1);
  keyHashes = new Int32Array(INITIAL_CAPACITY);
  private keyCount = 0;

  private readonly queueTopics: string[] = [];
  private readonly queueIds: number[] = [];
  private readonly queueIndex = new Map<string, Map<number, number>>();

  /** Number of distinct topic/queue pairs seen. */
  get queueCount(): number {
    return this.queueTopics.length;
  }

  topicOf(queue: number): string {
    return this.queueTopics[queue] as string;
  }

  queueIdOf(queue: number): number {
    return this.queueIds[queue] as number;
  }

  /** Id of a topic/queue pair, created on first use. */
  queue(topic: string, queueId: number): number {
    let byId = this.queueIndex.get(topic);
    if (!byId) {
      byId = new Map();
      this.queueIndex.set(topic, byId);
    }
    let id = byId.get(queueId);
    if (id === undefined) {
      id = this.queueTopics.length;
      this.queueTopics.push(topic);
      this.queueIds.push(queueId);
      byId.set(queueId, id);
    }
    return id;
  }

  /** Id of a topic/queue pair, -1 when no record has it. */
  findQueue(topic: string, queueId: number): number {
    return this.queueIndex.get(topic)?.get(queueId) ?? -1;
  }

  /** Add a record (in physical-offset order) from its dispatch request; returns its number. */
  add(req: DispatchRequest, corrupt: boolean): number {
    const i = this.count;
    if (i === this.offsets.length) this.growRecords(i * 2);
    this.offsets[i] = req.commitLogOffset;
    this.sizes[i] = req.msgSize;
    this.queues[i] = getsConsumeQueueEntry(req.sysFlag) ? this.queue(req.topic, req.queueId) : -1;
    this.queueOffsets[i] = req.consumeQueueOffset;
    this.tagsCodes[i] = req.tagsCode;
    let flags = corrupt ? RecordFlag.CORRUPT : 0;
    if (req.topic === SCHEDULE_TOPIC) flags |= RecordFlag.SCHEDULED;
    if (transactionType(req.sysFlag) === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) flags |= RecordFlag.NOT_INDEXED;
    this.flags[i] = flags;
    this.keyStart[i] = this.keyCount;
    if (req.uniqKey) this.pushKey(topicKeyHash(req.topic, req.uniqKey));
    const keys = req.keys;
    if (keys) {
      if (!keys.includes(MessageConst.KEY_SEPARATOR)) this.pushKey(topicKeyHash(req.topic, keys));
      else
        for (const key of keys.split(MessageConst.KEY_SEPARATOR))
          if (key.length > 0) this.pushKey(topicKeyHash(req.topic, key));
    }
    this.keyStart[i + 1] = this.keyCount;
    this.count++;
    this.bytes += req.msgSize;
    return i;
  }

  /** Number of the record at exactly `offset`, or -1. */
  find(offset: number): number {
    const offsets = this.offsets;
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = offsets[mid] as number;
      if (v < offset) lo = mid + 1;
      else if (v > offset) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Number of the first record at or after `offset` (count when none). */
  firstAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.offsets[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether record i has an index key with this hash. */
  hasKeyHash(i: number, hash: number): boolean {
    const end = this.keyStart[i + 1] as number;
    for (let k = this.keyStart[i] as number; k < end; k++) if (this.keyHashes[k] === hash) return true;
    return false;
  }

  keyCountOf(i: number): number {
    return (this.keyStart[i + 1] as number) - (this.keyStart[i] as number);
  }

  private pushKey(hash: number): void {
    if (this.keyCount === this.keyHashes.length) this.keyHashes = grow(this.keyHashes, this.keyCount * 2);
    this.keyHashes[this.keyCount++] = hash;
  }

  private growRecords(capacity: number): void {
    this.offsets = grow(this.offsets, capacity);
    this.sizes = grow(this.sizes, capacity);
    this.queues = grow(this.queues, capacity);
    this.queueOffsets = grow(this.queueOffsets, capacity);
    this.tagsCodes = grow(this.tagsCodes, capacity);
    this.flags = grow(this.flags, capacity);
    this.keyStart = grow(this.keyStart, capacity + 1);
  }
}
