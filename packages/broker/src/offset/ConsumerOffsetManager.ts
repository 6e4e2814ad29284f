/** Committed consumer offsets, `topic@group` → queueId → offset (consumerOffset.json). */
import { entries, num, obj } from "@rocketmq-ts/common";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { ConfigManager } from "../config/ConfigManager.js";

export const TOPIC_GROUP_SEPARATOR = "@";

/** `topic@group` → queueId → offset */
type OffsetTable = Map<string, Map<number, number>>;

export class ConsumerOffsetManager extends ConfigManager<OffsetTable, { offsetTable: OffsetTable }> {
  readonly offsetTable: OffsetTable = new Map();

  constructor(storeRoot: string, logger: Logger) {
    super(storeRoot, "consumerOffset.json", logger);
  }

  protected decode(json: JsonValue): OffsetTable {
    return new Map(
      entries(obj(json, this.fileName)["offsetTable"], "offsetTable").map(
        ([key, queues]) => [key, new Map(entries(queues, key).map(([q, off]) => [Number(q), num(off, key)]))] as const,
      ),
    );
  }

  protected applyLoaded(loaded: OffsetTable): void {
    for (const [key, queues] of loaded) this.offsetTable.set(key, queues);
  }

  protected encode(): { offsetTable: OffsetTable } {
    return { offsetTable: this.offsetTable };
  }

  /** Slave: merge the master's offsets (its entries win, slave-only keys stay) and persist. */
  syncFromMaster(json: JsonValue): void {
    this.applyLoaded(this.decode(json));
    this.persist();
  }

  commitOffset(group: string, topic: string, queueId: number, offset: number): void {
    const key = `${topic}${TOPIC_GROUP_SEPARATOR}${group}`;
    let queues = this.offsetTable.get(key);
    if (!queues) this.offsetTable.set(key, (queues = new Map()));
    queues.set(queueId, offset);
  }

  /** Committed offset, or -1 when none. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.offsetTable.get(`${topic}${TOPIC_GROUP_SEPARATOR}${group}`)?.get(queueId) ?? -1;
  }

  /** Groups that committed offsets for `topic`. */
  whichGroupByTopic(topic: string): Set<string> {
    const groups = new Set<string>();
    for (const key of this.offsetTable.keys()) {
      const [t, g] = key.split(TOPIC_GROUP_SEPARATOR);
      if (t === topic && g !== undefined) groups.add(g);
    }
    return groups;
  }

  /** Topics `group` committed offsets for. */
  whichTopicByConsumer(group: string): Set<string> {
    const topics = new Set<string>();
    for (const key of this.offsetTable.keys()) {
      const [t, g] = key.split(TOPIC_GROUP_SEPARATOR);
      if (g === group && t !== undefined) topics.add(t);
    }
    return topics;
  }
}
