/**
 * Flushing the consume queues (Java's FlushConsumeQueueService): every flushIntervalConsumeQueue a
 * round flushes queues with flushConsumeQueueLeastPages dirty pages; every
 * flushConsumeQueueThoroughInterval it flushes everything and then the checkpoint, with the logics
 * time read before the queues were flushed (so the checkpoint never claims more than is on disk).
 */
import type { Logger } from "pino";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import type { ConsumeQueue } from "./ConsumeQueue.js";
import type { StoreCheckpoint } from "./StoreCheckpoint.js";

export interface FlushConsumeQueueServiceOptions {
  config: MessageStoreConfig;
  consumeQueues(): Iterable<ConsumeQueue>;
  checkpoint(): StoreCheckpoint;
  logger: Logger;
}

export class FlushConsumeQueueService {
  private lastThoroughTimestamp = 0;

  constructor(private readonly options: FlushConsumeQueueServiceOptions) {}

  /** The store starts: the first thorough round comes one thorough interval from now. */
  start(): void {
    this.lastThoroughTimestamp = Date.now();
  }

  /** One periodic round. */
  run(): Promise<void> {
    const c = this.options.config;
    const thorough = Date.now() - this.lastThoroughTimestamp >= c.flushConsumeQueueThoroughInterval;
    if (thorough) this.lastThoroughTimestamp = Date.now();
    return this.flush(thorough ? 0 : c.flushConsumeQueueLeastPages, thorough);
  }

  /** Flush every queue with at least `leastPages` dirty pages; `thorough` also flushes the checkpoint. */
  async flush(leastPages: number, thorough: boolean): Promise<void> {
    const checkpoint = this.options.checkpoint();
    const logicsMsgTimestamp = checkpoint.logicsMsgTimestamp;
    try {
      for (const cq of this.options.consumeQueues()) await cq.flush(leastPages);
      if (thorough) {
        checkpoint.logicsMsgTimestamp = logicsMsgTimestamp;
        await checkpoint.flush();
      }
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message }, "consume queue flush failed");
    }
  }
}
