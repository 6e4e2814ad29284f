/**
 * The consume-queue clean-ups an administrator asks for (Java's DefaultMessageStore
 * cleanExpiredConsumerQueue and cleanUnusedTopic, mqadmin cleanExpiredCQ / cleanUnusedTopic): whole
 * queues go — files deleted, the queue forgotten, its next queue offset dropped from the commit log's
 * topicQueueTable — unlike the periodic CleanConsumeQueueService, which trims leading files.
 */
import type { Logger } from "pino";
import type { CommitLogStore } from "./CommitLogStore.js";
import type { ConsumeQueueTable } from "./ConsumeQueueTable.js";
import { SCHEDULE_TOPIC } from "./DispatchRequest.js";

/** Kept by both clean-ups whatever the topic table says (Java's TopicValidator names). */
const TRANS_OP_HALF_TOPIC = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
/** Light message queues (MixAll.LMQ_PREFIX) are not in the topic table and are never cleaned here. */
const LMQ_PREFIX = "%LMQ%";

export interface ConsumeQueueCleanupContext {
  consumeQueueTable: ConsumeQueueTable;
  commitLog: CommitLogStore;
  logger: Logger;
}

function forgetQueue(ctx: ConsumeQueueCleanupContext, topic: string, queueId: number): void {
  ctx.commitLog.topicQueueTable.delete(`${topic}-${queueId}`);
}

/**
 * Destroy the queues (of every topic but the schedule topic) whose last entry points below the commit
 * log's first offset: all their messages are gone. A queue without entries is left alone (it may
 * just have been created). Returns how many queues were destroyed.
 */
export function cleanExpiredConsumerQueue(ctx: ConsumeQueueCleanupContext): number {
  const minCommitLogOffset = ctx.commitLog.getMinOffset();
  let destroyed = 0;
  for (const [topic, queues] of ctx.consumeQueueTable.byTopic()) {
    if (topic === SCHEDULE_TOPIC) continue;
    for (const [queueId, cq] of [...queues]) {
      const maxCLOffsetInConsumeQueue = cq.getLastOffset();
      if (maxCLOffsetInConsumeQueue === -1) {
        ctx.logger.warn(
          { topic, queueId, maxPhysicOffset: cq.maxPhysicOffset, minLogicOffset: cq.minLogicOffset },
          "maybe ConsumeQueue was created just now",
        );
      } else if (maxCLOffsetInConsumeQueue < minCommitLogOffset) {
        ctx.logger.info(
          { topic, queueId, minCommitLogOffset, maxCLOffsetInConsumeQueue },
          "cleanExpiredConsumerQueue: consumer queue destroyed",
        );
        forgetQueue(ctx, topic, queueId);
        cq.destroy();
        ctx.consumeQueueTable.remove(topic, queueId);
        destroyed++;
      }
    }
    if (queues.size === 0) ctx.logger.info({ topic }, "cleanExpiredConsumerQueue: topic destroyed");
  }
  return destroyed;
}

/**
 * Destroy every queue of the topics not in `topics` (the broker's topic table), except the schedule
 * topic, the transaction op topic and light message queues. Returns how many topics were destroyed.
 */
export function cleanUnusedTopic(ctx: ConsumeQueueCleanupContext, topics: ReadonlySet<string>): number {
  let destroyed = 0;
  for (const [topic, queues] of ctx.consumeQueueTable.byTopic()) {
    if (topics.has(topic) || topic === SCHEDULE_TOPIC || topic === TRANS_OP_HALF_TOPIC || topic.startsWith(LMQ_PREFIX))
      continue;
    for (const [queueId, cq] of queues) {
      cq.destroy();
      ctx.logger.info({ topic, queueId }, "cleanUnusedTopic: ConsumeQueue cleaned");
      forgetQueue(ctx, topic, queueId);
    }
    ctx.consumeQueueTable.removeTopic(topic);
    ctx.logger.info({ topic }, "cleanUnusedTopic: topic destroyed");
    destroyed++;
  }
  return destroyed;
}
