export * from "./config/MessageStoreConfig.js";
export * from "./MappedFile.js";
export * from "./MappedFileQueue.js";
export * from "./ConsumeQueue.js";
export * from "./ConsumeQueueEntry.js";
export * from "./index/IndexFile.js";
export * from "./index/IndexService.js";
export * from "./StoreCheckpoint.js";
export * from "./CommitLogStore.js";
export * from "./CommitLog.js";
export * from "./GroupCommitService.js";
export * from "./RunningFlags.js";
export * from "./ConsumeQueueTable.js";
export * from "./DispatchRequest.js";
export * from "./CommitLogDispatcher.js";
export * from "./ReputMessageService.js";
export * from "./PutMessageWaiter.js";
export * from "./MessageEncoder.js";
export * from "./StoreRecovery.js";
export * from "./GetMessage.js";
export * from "./DiskUsage.js";
export * from "./FlushRealTimeService.js";
export * from "./FlushConsumeQueueService.js";
export * from "./CleanCommitLogService.js";
export * from "./CleanConsumeQueueService.js";
export * from "./ConsumeQueueCleanup.js";
export * from "./DefaultMessageStore.js";
export * from "./StoreLock.js";
export * from "./ha/HAFrames.js";
export * from "./ha/HAConnection.js";
export * from "./ha/HAClient.js";
export * from "./ha/HAService.js";
export * from "./stats/StoreStatsService.js";
export * from "./dledger/DLedgerCommitLogBackend.js";
export * from "./dledger/DLedgerPutStatus.js";
export * from "./dledger/DLedgerCommitLog.js";
export * from "./verify/StoreVerifier.js";
export * from "./verify/VerifyReport.js";
export type { Problem, ProblemKind, Severity } from "./verify/Problems.js";
export type {
  DLedgerCodec,
  DLedgerEntryView,
  DLedgerIndexUnitView,
  DLedgerScanSummary,
} from "./verify/DLedgerScan.js";
export { DEFAULT_INDEX_GEOMETRY, type IndexGeometry } from "./verify/IndexCheck.js";
