/**
 * What a put waits for once its records are appended (Java's CommitLog.submitFlushRequest and
 * submitReplicaRequest): under SYNC_FLUSH the group commit that puts them on disk, under SYNC_MASTER a
 * slave acknowledging them (store-ha-config.md §6.2, §8.4). A message whose WAIT property is "false" waits for neither;
 * the group commit is still woken so it is flushed soon.
 */
import { getProperty, MessageConst, type MessageInner } from "@rocketmq-ts/common";
import type { AppendMessageResult, CommitLogStore, PutMessageResult, PutMessageStatus } from "./CommitLogStore.js";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import { GroupCommitService } from "./GroupCommitService.js";
import type { HAService } from "./ha/HAService.js";
import type { StoreCheckpoint } from "./StoreCheckpoint.js";

export interface PutMessageWaiterOptions {
  config: MessageStoreConfig;
  commitLog: CommitLogStore;
  /** The store's checkpoint (opened at load): its physic time follows each group commit. */
  checkpoint(): StoreCheckpoint;
  haService: HAService;
}

export class PutMessageWaiter {
  private readonly config: MessageStoreConfig;
  /** SYNC_FLUSH only. */
  private readonly groupCommit: GroupCommitService | null;
  private readonly haService: HAService;

  constructor(options: PutMessageWaiterOptions) {
    const { config, commitLog, checkpoint } = options;
    this.config = config;
    this.haService = options.haService;
    this.groupCommit =
      config.flushDiskType === "SYNC_FLUSH"
        ? new GroupCommitService(commitLog, config.syncFlushTimeout, () => {
            checkpoint().commitLogFlushed(commitLog.lastStoreTimestamp);
          })
        : null;
  }

  shutdown(): void {
    this.groupCommit?.shutdown();
  }

  /**
   * Resolve `result` (a PUT_OK append of `first` and the rest of its batch) once the flush policy and
   * the replication policy are satisfied, or with FLUSH_DISK_TIMEOUT / SLAVE_NOT_AVAILABLE /
   * FLUSH_SLAVE_TIMEOUT. `waitStoreMsgOK` overrides the WAIT property. Nothing to wait for: `result`
   * itself, not a promise (the ASYNC_FLUSH put path stays free of extra promise hops).
   */
  waitFor(
    result: PutMessageResult,
    append: AppendMessageResult,
    first: MessageInner,
    waitStoreMsgOK?: boolean,
  ): PutMessageResult | Promise<PutMessageResult> {
    const syncMaster = this.config.brokerRole === "SYNC_MASTER";
    if (!this.groupCommit && !syncMaster) return result; // nothing to wait for
    const wait =
      waitStoreMsgOK ?? getProperty(first.propertiesString, MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== "false";
    const nextOffset = append.wroteOffset + append.wroteBytes;
    if (!wait) {
      // as Java's wakeup of the group commit: flushed soon, but nobody waits for it
      if (this.groupCommit) void this.groupCommit.submit(nextOffset);
      return result;
    }
    if (!syncMaster && this.groupCommit) return this.waitForFlush(this.groupCommit, nextOffset, result, append);
    return this.waitForFlushAndSlave(nextOffset, result, append);
  }

  /** SYNC_FLUSH alone: one promise instead of a Promise.all per put. */
  private async waitForFlush(
    groupCommit: GroupCommitService,
    nextOffset: number,
    result: PutMessageResult,
    append: AppendMessageResult,
  ): Promise<PutMessageResult> {
    const flushed = await groupCommit.submit(nextOffset);
    return flushed ? result : { status: "FLUSH_DISK_TIMEOUT", appendResult: append };
  }

  private async waitForFlushAndSlave(
    nextOffset: number,
    result: PutMessageResult,
    append: AppendMessageResult,
  ): Promise<PutMessageResult> {
    const [flushed, replicated] = await Promise.all([
      this.groupCommit ? this.groupCommit.submit(nextOffset) : true,
      this.replicate(nextOffset),
    ]);
    // both failed: the replication status wins, as Java
    if (replicated !== "PUT_OK") return { status: replicated, appendResult: append };
    if (!flushed) return { status: "FLUSH_DISK_TIMEOUT", appendResult: append };
    return result;
  }

  /** SYNC_MASTER: wait for a slave to hold everything below `nextOffset` (store-ha-config.md §8.4). */
  private async replicate(nextOffset: number): Promise<PutMessageStatus> {
    if (!this.haService.isSlaveOK(nextOffset)) return "SLAVE_NOT_AVAILABLE";
    return (await this.haService.waitForSlave(nextOffset)) ? "PUT_OK" : "FLUSH_SLAVE_TIMEOUT";
  }
}
