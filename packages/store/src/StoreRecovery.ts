/**
 * Recovery at load (Java's DefaultMessageStore.recover, store-ha-config.md §5.3/5.4): the consume queues first (each to
 * its last valid entry), then the commit log — normally after a clean shutdown, abnormally (re-
 * dispatching from the checkpoint's safe time) after a crash — then the consume queues are cut back
 * to the commit log's valid end (or dropped with an empty commit log) and their minimum offsets
 * corrected, and the queue-offset table is rebuilt from them.
 */
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
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
  dispatchRecovered(buf: Buffer, pos: number, size: number): void;
}

/**
 * Run one step of load/recovery and log how long it took (`phase`, `ms`): restart time is
 * O(what these steps read), and the log shows which one grew.
 */
export function timedPhase<T>(logger: Logger, phase: string, step: () => T, detail?: (result: T) => object): T {
  const started = performance.now();
  const result = step();
  const ms = Math.round(performance.now() - started);
  logger.info({ phase, ms, ...detail?.(result) }, `${phase} done in ${ms} ms`);
  return result;
}

export function recoverStore(ctx: StoreRecoveryContext, lastExitOK: boolean): void {
  const { config, commitLog, consumeQueueTable, checkpoint, logger } = ctx;
  const maxPhyOffsetOfConsumeQueue = timedPhase(
    logger,
    "recoverConsumeQueue",
    () => {
      // Java starts from -1: an empty set of queues never asks for a truncation
      let max = -1;
      for (const cq of consumeQueueTable.all()) cq.willNeedForRecovery();
      for (const cq of consumeQueueTable.all()) {
        cq.recover();
        max = Math.max(max, cq.maxPhysicOffset);
      }
      return max;
    },
    (max) => ({ maxPhyOffsetOfConsumeQueue: max }),
  );
  const checkCRC = config.checkCRCOnRecover;
  const processOffset = lastExitOK
    ? timedPhase(
        logger,
        "recoverCommitLogNormally",
        () => commitLog.recoverNormally(checkCRC),
        (end) => ({ processOffset: end, checkCRC }),
      )
    : timedPhase(
        logger,
        "recoverCommitLogAbnormally",
        () => {
          const safe =
            config.messageIndexEnable && config.messageIndexSafe
              ? checkpoint.getMinTimestampIndex()
              : checkpoint.getMinTimestamp();
          return commitLog.recoverAbnormally(checkCRC, safe, (buf, pos, size) => ctx.dispatchRecovered(buf, pos, size));
        },
        (end) => ({ processOffset: end, checkCRC }),
      );
  timedPhase(logger, "truncateConsumeQueue", () => {
    if (commitLog.isEmpty()) {
      logger.warn("The commitlog files are deleted, and delete the consume queue files");
      consumeQueueTable.destroyAll();
    } else if (maxPhyOffsetOfConsumeQueue >= processOffset) {
      logger.warn(
        { maxPhyOffsetOfConsumeQueue, processOffset },
        "maxPhyOffsetOfConsumeQueue >= processOffset, truncate dirty logic files",
      );
      for (const cq of consumeQueueTable.all()) cq.truncateDirtyLogicFiles(processOffset);
    }
  });
  timedPhase(logger, "recoverTopicQueueTable", () => {
    const minPhy = commitLog.getMinOffset();
    for (const cq of consumeQueueTable.all()) cq.correctMinOffset(minPhy);
    recoverTopicQueueTable(commitLog, consumeQueueTable.all());
  });
}

/** Rebuild `<topic>-<queueId>` → next queue offset from the consume queues. */
export function recoverTopicQueueTable(commitLog: CommitLogStore, consumeQueues: Iterable<ConsumeQueue>): void {
  commitLog.topicQueueTable.clear();
  for (const cq of consumeQueues) commitLog.topicQueueTable.set(`${cq.topic}-${cq.queueId}`, cq.getMaxOffsetInQueue());
}
