/**
 * @rocketmq-ts/dledger: the DLedger (Raft) library Apache RocketMQ 4.9.8 builds its DLedger commit
 * log on (openmessaging dledger 0.3.1.2), speaking its peer protocol on the `dLegerPeers` port and
 * keeping its store layout, so that our nodes and Java's can form one group.
 */
export * from "./entry/DLedgerEntry.js";
export * from "./entry/DLedgerEntryCoder.js";
export * from "./entry/DLedgerIndexUnit.js";
export * from "./store/DLedgerCheckpoint.js";
export * from "./store/DLedgerCleanSpaceService.js";
export * from "./store/DLedgerMemberState.js";
export * from "./store/DLedgerMmapFileStore.js";
export * from "./store/DLedgerStoreConfig.js";
export * from "./store/DLedgerStoreError.js";
export * from "./store/DLedgerStoreRecovery.js";
export * from "./store/MmapFileList.js";
