/**
 * Consume-queue and index cleanup (Java's CleanConsumeQueueService): once commit-log files were
 * deleted, the consume-queue files and index files that only point below the commit log's new minimum
 * go too, and each queue's minimum offset moves to its first entry still in the commit log.
 */
import type { CommitLogStore } from "./CommitLogStore.js";
import type { ConsumeQueue } from "./ConsumeQueue.js";
import type { IndexService } from "./index/IndexService.js";

export class CleanConsumeQueueService {
  /** The commit log's minimum at the last round that cleaned. */
  private lastPhysicalMinOffset = 0;

  constructor(
    private readonly commitLog: CommitLogStore,
    private readonly consumeQueues: () => Iterable<ConsumeQueue>,
    private readonly indexService: IndexService,
  ) {}

  /** One round: nothing to do unless the commit log's minimum moved since the last. */
  deleteExpiredFiles(): void {
    const minOffset = this.commitLog.getMinOffset();
    if (minOffset <= this.lastPhysicalMinOffset) return;
    this.lastPhysicalMinOffset = minOffset;
    for (const cq of this.consumeQueues()) cq.deleteExpiredFile(minOffset);
    this.indexService.deleteExpiredFile(minOffset);
  }
}
