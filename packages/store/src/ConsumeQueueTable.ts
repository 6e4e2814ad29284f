/**
 * Every consume queue of the store by topic and queue id (Java's consumeQueueTable), created on first
 * use under consumequeue/<topic>/<queueId>.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { consumeQueueFileSize, type MessageStoreConfig } from "./config/MessageStoreConfig.js";
import { ConsumeQueue } from "./ConsumeQueue.js";

export class ConsumeQueueTable {
  private readonly table = new Map<string, Map<number, ConsumeQueue>>();

  constructor(
    private readonly storeRoot: string,
    private readonly config: MessageStoreConfig,
  ) {}

  /** Open the queues found on disk (directories whose name is not a queue id are skipped). */
  load(): void {
    const dir = join(this.storeRoot, "consumequeue");
    if (!existsSync(dir)) return;
    for (const topic of readdirSync(dir)) {
      for (const qid of readdirSync(join(dir, topic))) {
        const queueId = Number(qid);
        if (!Number.isInteger(queueId)) continue;
        this.findConsumeQueue(topic, queueId).load();
      }
    }
  }

  /** The queue, created (empty, no file yet) if it does not exist. */
  findConsumeQueue(topic: string, queueId: number): ConsumeQueue {
    let byQueue = this.table.get(topic);
    if (!byQueue) this.table.set(topic, (byQueue = new Map()));
    let cq = byQueue.get(queueId);
    if (!cq) {
      cq = new ConsumeQueue(topic, queueId, this.storeRoot, consumeQueueFileSize(this.config));
      byQueue.set(queueId, cq);
    }
    return cq;
  }

  /** The queue if it exists. */
  get(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.table.get(topic)?.get(queueId);
  }

  *all(): Iterable<ConsumeQueue> {
    for (const byQueue of this.table.values()) yield* byQueue.values();
  }

  /** Every topic with its queues by id (a snapshot: callers may remove while iterating). */
  byTopic(): [string, Map<number, ConsumeQueue>][] {
    return [...this.table];
  }

  /** Forget one queue (its files are the caller's to destroy); a topic left without queues goes too. */
  remove(topic: string, queueId: number): void {
    const byQueue = this.table.get(topic);
    if (!byQueue) return;
    byQueue.delete(queueId);
    if (byQueue.size === 0) this.table.delete(topic);
  }

  /** Forget a topic and all its queues. */
  removeTopic(topic: string): void {
    this.table.delete(topic);
  }

  /** Delete every queue's files and forget them (the commit log they pointed into is gone). */
  destroyAll(): void {
    for (const cq of this.all()) cq.destroy();
    this.table.clear();
  }
}
