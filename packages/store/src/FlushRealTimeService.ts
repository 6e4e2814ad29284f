/**
 * ASYNC_FLUSH of the commit log (Java's FlushRealTimeService, store-ha-config.md §6.1): every flushIntervalCommitLog a
 * round flushes once flushCommitLogLeastPages pages are dirty, and everything every
 * flushCommitLogThoroughInterval. A slave flushes this way whatever its flush type. The checkpoint's
 * physic time follows.
 */
import type { Logger } from "pino";
import type { CommitLogStore } from "./CommitLogStore.js";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import type { StoreCheckpoint } from "./StoreCheckpoint.js";

export interface FlushRealTimeServiceOptions {
  config: MessageStoreConfig;
  commitLog: CommitLogStore;
  checkpoint(): StoreCheckpoint;
  logger: Logger;
}

export class FlushRealTimeService {
  /** A round still waiting for its fdatasync: the next tick skips. */
  private flushing = false;
  private lastFlushTimestamp = 0;

  constructor(private readonly options: FlushRealTimeServiceOptions) {}

  /** One round: least pages normally, everything every thorough interval. */
  async run(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    const { config, commitLog, logger } = this.options;
    try {
      const now = Date.now();
      let leastPages = config.flushCommitLogLeastPages;
      if (now >= this.lastFlushTimestamp + config.flushCommitLogThoroughInterval) {
        this.lastFlushTimestamp = now;
        leastPages = 0;
      }
      await commitLog.flush(leastPages);
      this.options.checkpoint().commitLogFlushed(commitLog.lastStoreTimestamp);
    } catch (err) {
      logger.error({ err: (err as Error).message }, "commit log flush failed");
    } finally {
      this.flushing = false;
    }
  }
}
