// The record codec moved to @rocketmq-ts/common (clients decode pulled records too); re-exported here.
export {
  BLANK_MAGIC_CODE,
  END_FILE_MIN_BLANK_LENGTH,
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  MessageConst,
  MessageSysFlag,
  NAME_VALUE_SEPARATOR,
  PHYSICAL_OFFSET_POS,
  PROPERTY_SEPARATOR,
  QUEUE_OFFSET_POS,
  SYSFLAG_POS,
  bodyCrc,
  calMsgLength,
  checkRecord,
  createMessageId,
  decodeMessageId,
  decodeRecordAt,
  encodeRecord,
  formatHost,
  getProperty,
  getsConsumeQueueEntry,
  messageProperties2String,
  parseHost,
  prepareRecord,
  readLong,
  string2messageProperties,
  transactionType,
  writeBlank,
  writeLong,
  writeRecord,
  type HostAddress,
  type MessageInner,
  type MessageExt,
  type PreparedRecord,
  type RecordCheck,
} from "@rocketmq-ts/common";
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
export * from "./DefaultMessageStore.js";
export * from "./StoreLock.js";
export * from "./ha/HAFrames.js";
export * from "./ha/HAConnection.js";
export * from "./ha/HAClient.js";
export * from "./ha/HAService.js";
