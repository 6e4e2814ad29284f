/**
 * The DLedgerConfig keys the mmap store reads, with dledger 0.3.1.2's defaults, and its directory
 * layout: `<storeBaseDir>/dledger-<selfId>/` holds `checkpoint`, `data/` (unless `dataStorePath` is
 * set) and `index/`. RocketMQ 4.9.8 sets storeBaseDir = storePathRootDir, mappedFileSizeForEntryData
 * = mappedFileSizeCommitLog, deleteWhen, fileReservedHours = fileReservedTime + 1.
 */
import { join } from "node:path";
import { INDEX_UNIT_SIZE } from "../entry/DLedgerIndexUnit.js";

export interface DLedgerStoreConfig {
  selfId: string;
  storeBaseDir: string;
  /** Overrides `<defaultPath>/data`. */
  dataStorePath?: string;
  mappedFileSizeForEntryData: number;
  mappedFileSizeForEntryIndex: number;
  /** ms between two rounds of the flush service. */
  flushFileInterval: number;
  /** ms between two checkpoint writes of the flush service. */
  checkPointInterval: number;
  fileReservedHours: number;
  /** Hours of the day (`;`-separated) at which expired data files are deleted. */
  deleteWhen: string;
  diskSpaceRatioToCheckExpired: number;
  diskSpaceRatioToForceClean: number;
  enableDiskForceClean: boolean;
}

export function defaultDLedgerStoreConfig(overrides: Partial<DLedgerStoreConfig> = {}): DLedgerStoreConfig {
  return {
    selfId: "n0",
    storeBaseDir: join("/tmp", "dledgerstore"),
    mappedFileSizeForEntryData: 1024 * 1024 * 1024,
    mappedFileSizeForEntryIndex: INDEX_UNIT_SIZE * 5 * 1024 * 1024,
    flushFileInterval: 10,
    checkPointInterval: 3000,
    fileReservedHours: 72,
    deleteWhen: "04",
    diskSpaceRatioToCheckExpired: 0.7,
    diskSpaceRatioToForceClean: 0.85,
    enableDiskForceClean: true,
    ...overrides,
  };
}

/** `<storeBaseDir>/dledger-<selfId>`: the checkpoint's (and currterm's) directory. */
export function defaultPath(config: Pick<DLedgerStoreConfig, "storeBaseDir" | "selfId">): string {
  return join(config.storeBaseDir, `dledger-${config.selfId}`);
}

export function dataStorePath(config: Pick<DLedgerStoreConfig, "storeBaseDir" | "selfId" | "dataStorePath">): string {
  return config.dataStorePath ?? join(defaultPath(config), "data");
}

export function indexStorePath(config: Pick<DLedgerStoreConfig, "storeBaseDir" | "selfId">): string {
  return join(defaultPath(config), "index");
}

/** Java's getDiskFullRatio: the force-clean ratio + 0.05, at most 0.95; above it appends get DISK_FULL. */
export function diskFullRatio(config: Pick<DLedgerStoreConfig, "diskSpaceRatioToForceClean">): number {
  return Math.min(config.diskSpaceRatioToForceClean + 0.05, 0.95);
}
