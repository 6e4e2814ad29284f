/**
 * Java's MessageStoreConfig keys and defaults (4.9.8). The broker binds them from its properties
 * file; the store reads the ones it implements (the DLedger keys included: enableDLegerCommitLog and
 * the dLeger* / preferredLeaderId / isEnableBatchPush group). Keys Java has but that do not apply
 * here (transient store pool, LMQ, ...) are still declared so existing config files are accepted.
 */
import { join } from "node:path";
import { userHome, type ConfigOf, type ConfigSpec } from "@rocketmq-ts/common";

export function messageStoreConfigSpec(env: NodeJS.ProcessEnv = process.env) {
  return {
    storePathRootDir: { type: "string", default: join(userHome(env), "store"), important: true },
    storePathCommitLog: { type: "string", default: null, important: true },
    storePathDLedgerCommitLog: { type: "string", default: null, important: true },
    readOnlyCommitLogStorePaths: { type: "string", default: null },
    mappedFileSizeCommitLog: { type: "int", default: 1024 * 1024 * 1024 },
    mappedFileSizeConsumeQueue: { type: "int", default: 300000 * 20 },
    enableConsumeQueueExt: { type: "boolean", default: false },
    mappedFileSizeConsumeQueueExt: { type: "int", default: 48 * 1024 * 1024 },
    bitMapLengthConsumeQueueExt: { type: "int", default: 64 },
    flushIntervalCommitLog: { type: "int", default: 500, important: true },
    commitIntervalCommitLog: { type: "int", default: 200, important: true },
    useReentrantLockWhenPutMessage: { type: "boolean", default: true },
    flushCommitLogTimed: { type: "boolean", default: true, important: true },
    flushIntervalConsumeQueue: { type: "int", default: 1000 },
    cleanResourceInterval: { type: "int", default: 10000 },
    deleteCommitLogFilesInterval: { type: "int", default: 100 },
    deleteConsumeQueueFilesInterval: { type: "int", default: 100 },
    destroyMapedFileIntervalForcibly: { type: "int", default: 1000 * 120 },
    redeleteHangedFileInterval: { type: "int", default: 1000 * 120 },
    deleteWhen: { type: "string", default: "04", important: true },
    diskMaxUsedSpaceRatio: { type: "int", default: 75 },
    fileReservedTime: { type: "int", default: 72, important: true },
    putMsgIndexHightWater: { type: "int", default: 600000 },
    maxMessageSize: { type: "int", default: 1024 * 1024 * 4 },
    checkCRCOnRecover: { type: "boolean", default: true },
    flushCommitLogLeastPages: { type: "int", default: 4 },
    commitCommitLogLeastPages: { type: "int", default: 4 },
    flushLeastPagesWhenWarmMapedFile: { type: "int", default: (1024 / 4) * 16 },
    flushConsumeQueueLeastPages: { type: "int", default: 2 },
    flushCommitLogThoroughInterval: { type: "int", default: 1000 * 10 },
    commitCommitLogThoroughInterval: { type: "int", default: 200 },
    flushConsumeQueueThoroughInterval: { type: "int", default: 1000 * 60 },
    maxTransferBytesOnMessageInMemory: { type: "int", default: 1024 * 256, important: true },
    maxTransferCountOnMessageInMemory: { type: "int", default: 32, important: true },
    maxTransferBytesOnMessageInDisk: { type: "int", default: 1024 * 64, important: true },
    maxTransferCountOnMessageInDisk: { type: "int", default: 8, important: true },
    accessMessageInMemoryMaxRatio: { type: "int", default: 40, important: true },
    messageIndexEnable: { type: "boolean", default: true, important: true },
    maxHashSlotNum: { type: "int", default: 5000000 },
    maxIndexNum: { type: "int", default: 5000000 * 4 },
    maxMsgsNumBatch: { type: "int", default: 64 },
    messageIndexSafe: { type: "boolean", default: false, important: true },
    haListenPort: { type: "int", default: 10912 },
    haSendHeartbeatInterval: { type: "int", default: 1000 * 5 },
    haHousekeepingInterval: { type: "int", default: 1000 * 20 },
    haTransferBatchSize: { type: "int", default: 1024 * 32 },
    haMasterAddress: { type: "string", default: null, important: true },
    haSlaveFallbehindMax: { type: "int", default: 1024 * 1024 * 256 },
    slaveTimeout: { type: "int", default: 3000 },
    brokerRole: {
      type: "string",
      default: "ASYNC_MASTER",
      values: ["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"],
      important: true,
    },
    flushDiskType: { type: "string", default: "ASYNC_FLUSH", values: ["ASYNC_FLUSH", "SYNC_FLUSH"], important: true },
    syncFlushTimeout: { type: "int", default: 1000 * 5 },
    messageDelayLevel: { type: "string", default: "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h" },
    flushDelayOffsetInterval: { type: "long", default: 1000 * 10 },
    cleanFileForciblyEnable: { type: "boolean", default: true, important: true },
    warmMapedFileEnable: { type: "boolean", default: false },
    offsetCheckInSlave: { type: "boolean", default: false },
    debugLockEnable: { type: "boolean", default: false },
    duplicationEnable: { type: "boolean", default: false },
    diskFallRecorded: { type: "boolean", default: true },
    osPageCacheBusyTimeOutMills: { type: "long", default: 1000 },
    defaultQueryMaxNum: { type: "int", default: 32 },
    transientStorePoolEnable: { type: "boolean", default: false, important: true },
    transientStorePoolSize: { type: "int", default: 5 },
    fastFailIfNoBufferInStorePool: { type: "boolean", default: false },
    enableDLegerCommitLog: { type: "boolean", default: false },
    dLegerGroup: { type: "string", default: null },
    dLegerPeers: { type: "string", default: null },
    dLegerSelfId: { type: "string", default: null },
    preferredLeaderId: { type: "string", default: null },
    enableBatchPush: { type: "boolean", default: false, fieldName: "isEnableBatchPush" },
    enableScheduleMessageStats: { type: "boolean", default: true },
    enableLmq: { type: "boolean", default: false },
    enableMultiDispatch: { type: "boolean", default: false },
    maxLmqConsumeQueueNum: { type: "int", default: 20000 },
    enableScheduleAsyncDeliver: { type: "boolean", default: false },
    scheduleAsyncDeliverMaxPendingLimit: { type: "int", default: 2000 },
    scheduleAsyncDeliverMaxResendNum2Blocked: { type: "int", default: 3 },
    // 5.x timer messages (since: "5.x"; Java 5.3.3 defaults; store/timer)
    mappedFileSizeTimerLog: { type: "int", default: 100 * 1024 * 1024, since: "5.x" },
    timerPrecisionMs: { type: "int", default: 1000, since: "5.x" },
    timerRollWindowSlot: { type: "int", default: 3600 * 24 * 2, since: "5.x" },
    timerFlushIntervalMs: { type: "int", default: 1000, since: "5.x" },
    timerGetMessageThreadNum: { type: "int", default: 3, since: "5.x" },
    timerPutMessageThreadNum: { type: "int", default: 3, since: "5.x" },
    timerEnableDisruptor: { type: "boolean", default: false, since: "5.x" },
    timerEnableCheckMetrics: { type: "boolean", default: true, since: "5.x" },
    timerInterceptDelayLevel: { type: "boolean", default: false, since: "5.x" },
    timerMaxDelaySec: { type: "int", default: 3600 * 24 * 3, since: "5.x" },
    timerWheelEnable: { type: "boolean", default: true, since: "5.x" },
    timerStopEnqueue: { type: "boolean", default: false, since: "5.x" },
    timerCheckMetricsWhen: { type: "string", default: "05", since: "5.x" },
    timerSkipUnknownError: { type: "boolean", default: false, since: "5.x" },
    timerWarmEnable: { type: "boolean", default: false, since: "5.x" },
    timerStopDequeue: { type: "boolean", default: false, since: "5.x" },
    timerEnableRetryUntilSuccess: { type: "boolean", default: false, since: "5.x" },
    timerCongestNumEachSlot: { type: "int", default: 2147483647, since: "5.x" },
    timerMetricSmallThreshold: { type: "int", default: 1000000, since: "5.x" },
    timerProgressLogIntervalMs: { type: "int", default: 10 * 1000, since: "5.x" },
  } as const satisfies ConfigSpec;
}

export type MessageStoreConfigSpec = ReturnType<typeof messageStoreConfigSpec>;
export type MessageStoreConfig = ConfigOf<MessageStoreConfigSpec>;

/** The commit-log directory: storePathCommitLog, else ROOT/commitlog. */
export function commitLogStorePath(config: MessageStoreConfig): string {
  return config.storePathCommitLog ?? join(config.storePathRootDir, "commitlog");
}

/** Java rounds the consume-queue file size up to a multiple of 20. */
export function consumeQueueFileSize(config: MessageStoreConfig): number {
  return Math.ceil(config.mappedFileSizeConsumeQueue / 20) * 20;
}

/** `messageDelayLevel` as level → milliseconds (levels start at 1). */
export function parseDelayLevels(text: string): Map<number, number> {
  const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const out = new Map<number, number>();
  text
    .split(" ")
    .filter(Boolean)
    .forEach((item, i) => {
      const unit = units[item.slice(-1)];
      const n = Number(item.slice(0, -1));
      if (unit === undefined || !Number.isFinite(n)) throw new Error(`Illegal messageDelayLevel item: ${item}`);
      out.set(i + 1, n * unit);
    });
  return out;
}
