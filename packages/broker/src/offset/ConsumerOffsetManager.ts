/** Committed consumer offsets, `topic@group` → queueId → offset (consumerOffset.json). */
import { join } from "node:path";
import { entries, num, obj } from "@rocketmq-ts/common";
import type { JsonValue } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { ConfigFile } from "../ConfigFile.js";

export const TOPIC_GROUP_SEPARATOR = "@";

export class ConsumerOffsetManager {
  readonly offsetTable = new Map<string, Map<number, number>>();
  private readonly file: ConfigFile;

  constructor(storeRoot: string, logger: Logger) {
    this.file = new ConfigFile(join(storeRoot, "config", "consumerOffset.json"), logger);
  }

  private static decode(json: JsonValue): (readonly [string, Map<number, number>])[] {
    return entries(obj(json, "consumerOffset.json")["offsetTable"], "offsetTable").map(
      ([key, queues]) => [key, new Map(entries(queues, key).map(([q, off]) => [Number(q), num(off, key)]))] as const,
    );
  }

  load(): void {
    const loaded = this.file.load(ConsumerOffsetManager.decode);
    for (const [key, queues] of loaded ?? []) this.offsetTable.set(key, queues);
  }

  /** Slave: merge the master's offsets (its entries win, slave-only keys stay) and persist. */
  syncFromMaster(json: JsonValue): void {
    for (const [key, queues] of ConsumerOffsetManager.decode(json)) this.offsetTable.set(key, queues);
    this.persist();
  }

  persist(): void {
    this.file.persist({ offsetTable: this.offsetTable });
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
}
