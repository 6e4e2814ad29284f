/**
 * Commit-log dispatchers (Java's CommitLogDispatcher): each stored message is handed, in order, to
 * the consume-queue builder and the index builder. A failed write marks the store unwriteable
 * (RunningFlags) instead of throwing: the commit log already holds the message. A write refused by a
 * full disk (`isDiskFullError`) is the exception: it is thrown, having written nothing, so that the
 * reput service stops at that message and dispatches it again once there is room (a flag would
 * keep the store unwriteable for good, which Java's does until a restart).
 */
import { getsConsumeQueueEntry } from "@rocketmq-ts/common";
import type { Logger } from "pino";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import type { ConsumeQueue } from "./ConsumeQueue.js";
import { isDiskFullError } from "./DiskFull.js";
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
      if (isDiskFullError(err)) throw err;
      this.options.runningFlags.makeIndexFileError();
      this.options.logger.error({ err: (err as Error).message }, "build index failed");
    }
  }
}
