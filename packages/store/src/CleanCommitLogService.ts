/**
 * Commit-log cleanup and the disk-full guard (Java's CleanCommitLogService, store-ha-config.md §7): files older than
 * fileReservedTime go at the deleteWhen hours, or at any hour once the disk is fuller than
 * diskMaxUsedSpaceRatio; above diskSpaceCleanForciblyRatio (with cleanFileForciblyEnable) even files
 * not yet expired go. Above diskSpaceWarningLevelRatio the store refuses puts until usage falls again.
 * An administrator's manual delete makes the next rounds delete expired files at any hour.
 */
import type { Logger } from "pino";
import type { CommitLogStore } from "./CommitLogStore.js";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import { diskPartitionSpaceUsedPercent } from "./DiskUsage.js";
import type { RunningFlags } from "./RunningFlags.js";

export interface CleanCommitLogServiceOptions {
  /** Read at every round: the broker may change it at run time. */
  config: MessageStoreConfig;
  commitLog: CommitLogStore;
  runningFlags: RunningFlags;
  logger: Logger;
  /** Disk-usage thresholds of 4.9.8's system properties (fractions). */
  diskSpaceWarningLevelRatio?: number;
  diskSpaceCleanForciblyRatio?: number;
}

/** How many rounds a manual delete request lasts (Java's MAX_MANUAL_DELETE_FILE_TIMES). */
export const MAX_MANUAL_DELETE_FILE_TIMES = 20;

export class CleanCommitLogService {
  /** Rounds left that delete expired files at any hour (set by executeDeleteFilesManually). */
  private manualDeleteFileSeveralTimes = 0;

  constructor(private readonly options: CleanCommitLogServiceOptions) {}

  private diskRatios(): { warning: number; forcibly: number; max: number } {
    return {
      warning: this.options.diskSpaceWarningLevelRatio ?? 0.9,
      forcibly: this.options.diskSpaceCleanForciblyRatio ?? 0.85,
      max: Math.min(95, Math.max(10, this.options.config.diskMaxUsedSpaceRatio)) / 100,
    };
  }

  /** Periodic disk check (Java's isSpaceFull): mark DISK_FULL above the warning level (writes refused, reads go on). */
  checkDiskSpace(): void {
    const { runningFlags, logger } = this.options;
    const ratio = diskPartitionSpaceUsedPercent(this.options.commitLog.storePath);
    const { warning } = this.diskRatios();
    if (ratio > warning) {
      if (!runningFlags.getAndMakeDiskFull())
        logger.error({ ratio }, "physic disk maybe full soon, so disable put message");
    } else if (ratio >= 0) {
      if (runningFlags.getAndMakeDiskOK()) logger.info({ ratio }, "physic disk space OK, enable put message");
    }
  }

  /**
   * Java's executeDeleteFilesManually (DELETE_EXPIRED_COMMITLOG, mqadmin deleteExpiredCommitLog): the
   * next MAX_MANUAL_DELETE_FILE_TIMES rounds delete expired files whatever the hour.
   */
  executeDeleteFilesManually(): void {
    this.manualDeleteFileSeveralTimes = MAX_MANUAL_DELETE_FILE_TIMES;
    this.options.logger.info("executeDeleteFilesManually was invoked");
  }

  /** One cleanup round of the commit log; resolves with how many files were deleted. */
  async deleteExpiredFiles(now = new Date()): Promise<number> {
    const { config: c, commitLog, logger } = this.options;
    const hours = c.deleteWhen.split(";").map((h) => Number(h));
    const timeUp = hours.includes(now.getHours());
    const ratio = diskPartitionSpaceUsedPercent(commitLog.storePath);
    const { forcibly, max } = this.diskRatios();
    const spaceFull = ratio > max || ratio < 0;
    const cleanImmediately = ratio > forcibly && c.cleanFileForciblyEnable;
    const manualDelete = this.manualDeleteFileSeveralTimes > 0;
    if (!timeUp && !spaceFull && !cleanImmediately && !manualDelete) return 0;
    if (manualDelete) this.manualDeleteFileSeveralTimes--;
    const deleted = await commitLog.deleteExpiredFile(
      c.fileReservedTime * 3600 * 1000,
      c.deleteCommitLogFilesInterval,
      cleanImmediately,
    );
    if (deleted > 0)
      logger.info(
        {
          deleted,
          timeUp,
          spaceFull,
          manualDeleteFileSeveralTimes: this.manualDeleteFileSeveralTimes,
          cleanImmediately,
        },
        "commit log files deleted",
      );
    return deleted;
  }
}
