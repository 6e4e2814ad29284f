/**
 * The DLedgerConfig keys the mmap store reads (a view of DLedgerConfig, with its 0.3.1.2 defaults).
 * The layout: `<storeBaseDir>/dledger-<selfId>/` holds `checkpoint`, `data/` (unless
 * `dataStorePath` is set) and `index/` (see dledgerDefaultPath / dledgerDataStorePath /
 * dledgerIndexStorePath). RocketMQ 4.9.8 sets storeBaseDir = storePathRootDir,
 * mappedFileSizeForEntryData = mappedFileSizeCommitLog, deleteWhen, fileReservedHours =
 * fileReservedTime + 1.
 */
import { configDefaults } from "@rocketmq-ts/common";
import { DLEDGER_CONFIG_SPEC, type DLedgerConfig } from "../config/DLedgerConfig.js";

export const DLEDGER_STORE_CONFIG_KEYS = [
  "selfId",
  "storeBaseDir",
  "dataStorePath",
  "mappedFileSizeForEntryData",
  "mappedFileSizeForEntryIndex",
  "flushFileInterval",
  "checkPointInterval",
  "fileReservedHours",
  "deleteWhen",
  "diskSpaceRatioToCheckExpired",
  "diskSpaceRatioToForceClean",
  "enableDiskForceClean",
] as const satisfies readonly (keyof DLedgerConfig)[];

export type DLedgerStoreConfig = Pick<DLedgerConfig, (typeof DLEDGER_STORE_CONFIG_KEYS)[number]>;

/** The store's keys with DLedgerConfig's defaults, overridden by `overrides`. */
export function defaultDLedgerStoreConfig(overrides: Partial<DLedgerStoreConfig> = {}): DLedgerStoreConfig {
  const defaults = configDefaults(DLEDGER_CONFIG_SPEC);
  const config = Object.fromEntries(DLEDGER_STORE_CONFIG_KEYS.map((k) => [k, defaults[k]])) as DLedgerStoreConfig;
  return { ...config, ...overrides };
}

/** Java's getDiskFullRatio: the force-clean ratio + 0.05, at most 0.95; above it appends get DISK_FULL. */
export function diskFullRatio(config: Pick<DLedgerStoreConfig, "diskSpaceRatioToForceClean">): number {
  return Math.min(config.diskSpaceRatioToForceClean + 0.05, 0.95);
}
