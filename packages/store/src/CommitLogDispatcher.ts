/**
 * Commit-log dispatchers (Java's CommitLogDispatcher): each stored message is handed, in order, to
 * the consume-queue builder and the index builder. A failed write marks the store unwriteable
 * (RunningFlags) instead of throwing: the commit log already holds the message.
 */
import { getsConsumeQueueEntry } from "@rocketmq-ts/common";
import type { Logger } from "pino";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import type { ConsumeQueue } from "./ConsumeQueue.js";
import type { DispatchRequest } from "./DispatchRequest.js";
import type { IndexService } from "./index/IndexService.js";
import type { RunningFlags } from "./RunningFlags.js";
import type { StoreCheckpoint } from "./StoreCheckpoint.js";

export interface CommitLogDispatcher {
  dispatch(req: DispatchRequest): void;
}

/** Appends the message's entry to its consume queue (not for transaction halves and rollbacks). */
export class CommitLogDispatcherBuildConsumeQueue implements CommitLogDispatcher {
  constructor(
    private readonly options: {
      findConsumeQueue(topic: string, queueId: number): ConsumeQueue;
      /** The store's checkpoint (opened at load): its logics time follows the queues. */
      checkpoint(): StoreCheckpoint;
      runningFlags: RunningFlags;
      logger: Logger;
    },
  ) {}

  dispatch(req: DispatchRequest): void {
    if (!getsConsumeQueueEntry(req.sysFlag)) return;
    const { findConsumeQueue, checkpoint, runningFlags, logger } = this.options;
    const cq = findConsumeQueue(req.topic, req.queueId);
    if (!cq.putMessagePositionInfo(req.commitLogOffset, req.msgSize, req.tagsCode, req.consumeQueueOffset)) {
      runningFlags.makeLogicsQueueError();
      logger.error(
        { topic: req.topic, queueId: req.queueId },
        "[BUG]put commit log position info to consume queue failed",
      );
    } else {
      checkpoint().logicsMsgTimestamp = req.storeTimestamp;
    }
  }
}

/** Adds the message's keys to the index files, when messageIndexEnable. */
export class CommitLogDispatcherBuildIndex implements CommitLogDispatcher {
  constructor(
    private readonly options: {
      config: Pick<MessageStoreConfig, "messageIndexEnable">;
      indexService: IndexService;
      runningFlags: RunningFlags;
      logger: Logger;
    },
  ) {}

  dispatch(req: DispatchRequest): void {
    if (!this.options.config.messageIndexEnable) return;
    try {
      this.options.indexService.buildIndex(req);
    } catch (err) {
      this.options.runningFlags.makeIndexFileError();
      this.options.logger.error({ err: (err as Error).message }, "build index failed");
    }
  }
}
