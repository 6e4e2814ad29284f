/**
 * Java's CleanSpaceService of the DLedger store: every 100 ms, measure the disk; above the full
 * ratio appends are refused (DISK_FULL); at a `deleteWhen` hour, or when the disk is above the
 * check-expired ratio, delete data files older than `fileReservedHours` (at least one hour), or any
 * data file when the disk is above the force-clean ratio and force cleaning is enabled. The ledger
 * then begins at the first entry of the remaining first file.
 */
import { statSync } from "node:fs";
import type { Logger } from "pino";
import { diskPartitionSpaceUsedPercent } from "@rocketmq-ts/store";
import { dledgerDataStorePath } from "../config/DLedgerConfig.js";
import { type DLedgerStoreConfig, diskFullRatio } from "./DLedgerStoreConfig.js";
import type { MmapFileList } from "./MmapFileList.js";

const HOUR_MS = 3600 * 1000;
const ROUND_INTERVAL_MS = 100;

/** Java's DLedgerUtils.isItTimeToDo: is the local hour of `now` one of `when`'s (`;`-separated)? */
export function isItTimeToDo(when: string, now: number): boolean {
  const hour = new Date(now).getHours();
  return when.split(";").some((w) => w.trim() !== "" && Number.parseInt(w, 10) === hour);
}

/** The store as the clean service uses it. */
export interface CleanableStore {
  readonly dataFileList: MmapFileList;
  isDiskFull: boolean;
  reviseLedgerBeginIndex(): void;
}

export class DLedgerCleanSpaceService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly store: CleanableStore,
    private readonly config: DLedgerStoreConfig,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** Disk usage of a path as a fraction, -1 when unknown (injectable for tests). */
    private readonly diskUsage: (path: string) => number = diskPartitionSpaceUsedPercent,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.doWork().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, ROUND_INTERVAL_MS);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private usage(path: string): number {
    try {
      statSync(path);
    } catch {
      return -1;
    }
    return this.diskUsage(path);
  }

  /** One round; resolves with how many data files were deleted. */
  async doWork(): Promise<number> {
    try {
      const cfg = this.config;
      const storeBaseRatio = this.usage(cfg.storeBaseDir);
      const dataRatio = this.usage(dledgerDataStorePath(cfg));
      const above = (ratio: number): boolean => storeBaseRatio > ratio || dataRatio > ratio;
      const fileReservedTimeMs = Math.max(cfg.fileReservedHours * HOUR_MS, HOUR_MS);
      this.store.isDiskFull = above(diskFullRatio(cfg));
      const timeUp = isItTimeToDo(cfg.deleteWhen, this.now());
      const checkExpired = above(cfg.diskSpaceRatioToCheckExpired);
      const forceClean = above(cfg.diskSpaceRatioToForceClean) && cfg.enableDiskForceClean;
      if (!timeUp && !checkExpired) return 0;
      const count = await this.store.dataFileList.deleteExpiredFileByTime(
        fileReservedTimeMs,
        100,
        forceClean,
        this.now(),
      );
      if (count > 0 || forceClean || this.store.isDiskFull) {
        this.logger.info(
          `Clean space count=${count} timeUp=${timeUp} checkExpired=${checkExpired} forceClean=${forceClean} diskFull=${this.store.isDiskFull} storeBaseRatio=${storeBaseRatio} dataRatio=${dataRatio}`,
        );
      }
      if (count > 0) this.store.reviseLedgerBeginIndex();
      return count;
    } catch (e) {
      this.logger.info({ err: e }, "Error in DLedgerCleanSpaceService");
      return 0;
    }
  }
}
