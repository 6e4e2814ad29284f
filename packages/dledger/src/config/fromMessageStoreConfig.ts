/**
 * RocketMQ 4.9.8's DLedgerCommitLog builds its DLedgerConfig from the broker's MessageStoreConfig:
 * the dLeger* keys, the store root as storeBaseDir, storePathDLedgerCommitLog as the data path, the
 * commit log's file size, clean-up settings, preferredLeaderId and isEnableBatchPush.
 */
import { ConfigError } from "@rocketmq-ts/common";
import type { MessageStoreConfig } from "@rocketmq-ts/store";
import { createDLedgerConfig, type DLedgerConfig } from "./DLedgerConfig.js";

type DLedgerStoreKeys = Pick<
  MessageStoreConfig,
  | "dLegerGroup"
  | "dLegerPeers"
  | "dLegerSelfId"
  | "storePathRootDir"
  | "storePathDLedgerCommitLog"
  | "readOnlyCommitLogStorePaths"
  | "mappedFileSizeCommitLog"
  | "deleteWhen"
  | "fileReservedTime"
  | "preferredLeaderId"
  | "enableBatchPush"
  | "diskMaxUsedSpaceRatio"
  | "cleanFileForciblyEnable"
>;

const required = (key: string, value: string | null): string => {
  if (value === null || value.length === 0) {
    throw new ConfigError(key, `Invalid value for config key '${key}': required when enableDLegerCommitLog=true`);
  }
  return value;
};

/**
 * The DLedgerConfig a broker with enableDLegerCommitLog=true runs. Errors name the broker key
 * (dLegerPeers rather than peers). dLegerSelfId must be a letter and a number: the broker derives
 * a follower's brokerId from it (n2 → 3).
 */
export function dledgerConfigFromMessageStore(store: DLedgerStoreKeys): DLedgerConfig {
  const selfId = required("dLegerSelfId", store.dLegerSelfId);
  if (!/^.\d+$/.test(selfId)) {
    throw new ConfigError(
      "dLegerSelfId",
      `Invalid value for config key 'dLegerSelfId': '${selfId}' is not a letter followed by a number (e.g. n0)`,
    );
  }
  const init: Partial<DLedgerConfig> = {
    enableDiskForceClean: store.cleanFileForciblyEnable,
    storeType: "FILE",
    selfId,
    group: required("dLegerGroup", store.dLegerGroup),
    peers: required("dLegerPeers", store.dLegerPeers),
    storeBaseDir: store.storePathRootDir,
    dataStorePath: store.storePathDLedgerCommitLog,
    readOnlyDataStoreDirs: store.readOnlyCommitLogStorePaths,
    mappedFileSizeForEntryData: store.mappedFileSizeCommitLog,
    deleteWhen: store.deleteWhen,
    fileReservedHours: store.fileReservedTime + 1,
    preferredLeaderIds: store.preferredLeaderId,
    enableBatchPush: store.enableBatchPush,
    diskSpaceRatioToCheckExpired: store.diskMaxUsedSpaceRatio / 100,
  };
  try {
    return createDLedgerConfig(init);
  } catch (err) {
    if (err instanceof ConfigError) {
      const brokerKey = { peers: "dLegerPeers", selfId: "dLegerSelfId", group: "dLegerGroup" }[err.key];
      if (brokerKey) throw new ConfigError(brokerKey, err.message.replace(`'${err.key}'`, `'${brokerKey}'`));
    }
    throw err;
  }
}

/** The brokerId a DLedger broker registers as follower: the number in dLegerSelfId + 1 (leaders register 0). */
export function dledgerFollowerBrokerId(selfId: string): number {
  return Number.parseInt(selfId.slice(1), 10) + 1;
}
