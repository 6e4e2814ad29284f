/**
 * Recovery at load (Java's DefaultMessageStore.recover, store-ha-config.md §5.3/5.4): the consume queues first (each to
 * its last valid entry), then the commit log — normally after a clean shutdown, abnormally (re-
 * dispatching from the checkpoint's safe time) after a crash — then the consume queues are cut back
 * to the commit log's valid end (or dropped with an empty commit log) and their minimum offsets
 * corrected, and the queue-offset table is rebuilt from them.
 */
import type { Logger } from "pino";
import type { MessageExt } from "@rocketmq-ts/common";
import type { CommitLogStore } from "./CommitLogStore.js";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import type { ConsumeQueue } from "./ConsumeQueue.js";
import type { ConsumeQueueTable } from "./ConsumeQueueTable.js";
import type { StoreCheckpoint } from "./StoreCheckpoint.js";

export interface StoreRecoveryContext {
  config: MessageStoreConfig;
  commitLog: CommitLogStore;
  consumeQueueTable: ConsumeQueueTable;
  checkpoint: StoreCheckpoint;
  logger: Logger;
  /** Abnormal recovery hands every valid record here (the reput service rebuilds queues and index). */
  dispatchRecovered(msg: MessageExt, size: number): void;
}

export function recoverStore(ctx: StoreRecoveryContext, lastExitOK: boolean): void {
  const { config, commitLog, consumeQueueTable, checkpoint, logger } = ctx;
  let maxPhyOffsetOfConsumeQueue = 0;
  for (const cq of consumeQueueTable.all()) cq.willNeedForRecovery();
  for (const cq of consumeQueueTable.all()) {
    cq.recover();
    maxPhyOffsetOfConsumeQueue = Math.max(maxPhyOffsetOfConsumeQueue, cq.maxPhysicOffset);
  }
  const checkCRC = config.checkCRCOnRecover;
  let processOffset: number;
  if (lastExitOK) {
    processOffset = commitLog.recoverNormally(checkCRC);
  } else {
    const safe =
      config.messageIndexEnable && config.messageIndexSafe
        ? checkpoint.getMinTimestampIndex()
        : checkpoint.getMinTimestamp();
    processOffset = commitLog.recoverAbnormally(checkCRC, safe, (msg, size) => ctx.dispatchRecovered(msg, size));
  }
  if (commitLog.isEmpty()) {
    consumeQueueTable.destroyAll();
  } else if (maxPhyOffsetOfConsumeQueue >= processOffset) {
    logger.warn(
      { maxPhyOffsetOfConsumeQueue, processOffset },
      "maxPhyOffsetOfConsumeQueue >= processOffset, truncate consume queues",
    );
    for (const cq of consumeQueueTable.all()) cq.truncateDirtyLogicFiles(processOffset);
  }
  const minPhy = commitLog.getMinOffset();
  for (const cq of consumeQueueTable.all()) cq.correctMinOffset(minPhy);
  recoverTopicQueueTable(commitLog, consumeQueueTable.all());
}

/** Rebuild `<topic>-<queueId>` → next queue offset from the consume queues. */
export function recoverTopicQueueTable(commitLog: CommitLogStore, consumeQueues: Iterable<ConsumeQueue>): void {
  commitLog.topicQueueTable.clear();
  for (const cq of consumeQueues) commitLog.topicQueueTable.set(`${cq.topic}-${cq.queueId}`, cq.getMaxOffsetInQueue());
}
