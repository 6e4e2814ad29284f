/** Java's BrokerConfig keys and defaults (4.9.8), in declaration order (what `-p` prints). */
import { cpus, hostname, networkInterfaces } from "node:os";
import { defaultNamesrvAddr, rocketmqHome, type ConfigOf, type ConfigSpec } from "@rocketmq-ts/common";

/**
 * Java's RemotingUtil.getLocalAddress: a non-loopback IPv4 address, preferring ones outside
 * 192.168/16, then 192.168 ones, then IPv6, else 127.0.0.1.
 */
export function localAddress(): string {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      if (a.family === "IPv4" && !a.address.startsWith("127.")) v4.push(a.address);
      else if (a.family === "IPv6" && !a.address.startsWith("fe80")) v6.push(a.address);
    }
  }
  return v4.find((ip) => !ip.startsWith("192.168")) ?? v4[0] ?? v6[0] ?? "127.0.0.1";
}

export function brokerConfigSpec(env: NodeJS.ProcessEnv = process.env) {
  const n = cpus().length;
  const ip = localAddress();
  return {
    rocketmqHome: { type: "string", default: rocketmqHome(env) ?? null },
    namesrvAddr: { type: "string", default: defaultNamesrvAddr(env) ?? null, important: true },
    brokerIP1: { type: "string", default: ip, important: true },
    brokerIP2: { type: "string", default: ip },
    brokerName: { type: "string", default: hostname(), important: true },
    brokerClusterName: { type: "string", default: "DefaultCluster", important: true },
    brokerId: { type: "long", default: 0, important: true },
    brokerPermission: { type: "int", default: 6 },
    defaultTopicQueueNums: { type: "int", default: 8 },
    autoCreateTopicEnable: { type: "boolean", default: true, important: true },
    clusterTopicEnable: { type: "boolean", default: true },
    brokerTopicEnable: { type: "boolean", default: true },
    autoCreateSubscriptionGroup: { type: "boolean", default: true, important: true },
    messageStorePlugIn: { type: "string", default: "" },
    msgTraceTopicName: { type: "string", default: "RMQ_SYS_TRACE_TOPIC", important: true },
    traceTopicEnable: { type: "boolean", default: false, important: true },
    sendMessageThreadPoolNums: { type: "int", default: Math.min(n, 4) },
    putMessageFutureThreadPoolNums: { type: "int", default: Math.min(n, 4) },
    pullMessageThreadPoolNums: { type: "int", default: 16 + n * 2 },
    processReplyMessageThreadPoolNums: { type: "int", default: 16 + n * 2 },
    queryMessageThreadPoolNums: { type: "int", default: 8 + n },
    adminBrokerThreadPoolNums: { type: "int", default: 16 },
    clientManageThreadPoolNums: { type: "int", default: 32 },
    consumerManageThreadPoolNums: { type: "int", default: 32 },
    heartbeatThreadPoolNums: { type: "int", default: Math.min(32, n) },
    endTransactionThreadPoolNums: { type: "int", default: Math.max(8 + n * 2, Math.min(n, 4) * 4) },
    flushConsumerOffsetInterval: { type: "int", default: 5000 },
    flushConsumerOffsetHistoryInterval: { type: "int", default: 60000 },
    rejectTransactionMessage: { type: "boolean", default: false, important: true },
    fetchNamesrvAddrByAddressServer: { type: "boolean", default: false, important: true },
    sendThreadPoolQueueCapacity: { type: "int", default: 10000 },
    putThreadPoolQueueCapacity: { type: "int", default: 10000 },
    pullThreadPoolQueueCapacity: { type: "int", default: 100000 },
    replyThreadPoolQueueCapacity: { type: "int", default: 10000 },
    queryThreadPoolQueueCapacity: { type: "int", default: 20000 },
    clientManagerThreadPoolQueueCapacity: { type: "int", default: 1000000 },
    consumerManagerThreadPoolQueueCapacity: { type: "int", default: 1000000 },
    heartbeatThreadPoolQueueCapacity: { type: "int", default: 50000 },
    endTransactionPoolQueueCapacity: { type: "int", default: 100000 },
    filterServerNums: { type: "int", default: 0 },
    longPollingEnable: { type: "boolean", default: true },
    shortPollingTimeMills: { type: "long", default: 1000 },
    notifyConsumerIdsChangedEnable: { type: "boolean", default: true },
    highSpeedMode: { type: "boolean", default: false },
    commercialEnable: { type: "boolean", default: true },
    commercialTimerCount: { type: "int", default: 1 },
    commercialTransCount: { type: "int", default: 1 },
    commercialBigCount: { type: "int", default: 1 },
    commercialBaseCount: { type: "int", default: 1 },
    transferMsgByHeap: { type: "boolean", default: true },
    maxDelayTime: { type: "int", default: 40 },
    regionId: { type: "string", default: "DefaultRegion" },
    registerBrokerTimeoutMills: { type: "int", default: 6000 },
    slaveReadEnable: { type: "boolean", default: false },
    disableConsumeIfConsumerReadSlowly: { type: "boolean", default: false },
    consumerFallbehindThreshold: { type: "long", default: 1024 * 1024 * 1024 * 16 },
    brokerFastFailureEnable: { type: "boolean", default: true },
    waitTimeMillsInSendQueue: { type: "long", default: 200 },
    waitTimeMillsInPullQueue: { type: "long", default: 5000 },
    waitTimeMillsInHeartbeatQueue: { type: "long", default: 31000 },
    waitTimeMillsInTransactionQueue: { type: "long", default: 3000 },
    startAcceptSendRequestTimeStamp: { type: "long", default: 0 },
    traceOn: { type: "boolean", default: true },
    enableCalcFilterBitMap: { type: "boolean", default: false },
    expectConsumerNumUseFilter: { type: "int", default: 32 },
    maxErrorRateOfBloomFilter: { type: "int", default: 20 },
    filterDataCleanTimeSpan: { type: "long", default: 24 * 3600 * 1000 },
    filterSupportRetry: { type: "boolean", default: false },
    enablePropertyFilter: { type: "boolean", default: false },
    compressedRegister: { type: "boolean", default: false },
    forceRegister: { type: "boolean", default: true },
    registerNameServerPeriod: { type: "int", default: 30000 },
    transactionTimeOut: { type: "long", default: 6000, important: true },
    transactionCheckMax: { type: "int", default: 15, important: true },
    transactionCheckInterval: { type: "long", default: 60000, important: true },
    aclEnable: { type: "boolean", default: false, important: true },
    storeReplyMessageEnable: { type: "boolean", default: true },
    enableDetailStat: { type: "boolean", default: true },
    autoDeleteUnusedStats: { type: "boolean", default: false },
    isolateLogEnable: { type: "boolean", default: false },
    configBlackList: { type: "string", default: "configBlackList;brokerConfigPath" },
    // 5.x keys (since: "5.x"): topic attributes
    enableMixedMessageType: { type: "boolean", default: false, since: "5.x" },
    // 5.x RECALL_MESSAGE (timer messages)
    recallMessageEnable: { type: "boolean", default: false, since: "5.x" },
    allowRecallWhenBrokerNotWriteable: { type: "boolean", default: true, since: "5.x" },
    // 5.x keys: POP consumption (classic path), Java 5.3.3's defaults
    popPollingSize: { type: "int", default: 1024, since: "5.x" },
    popPollingMapSize: { type: "int", default: 100000, since: "5.x" },
    maxPopPollingSize: { type: "long", default: 100000, since: "5.x" },
    reviveQueueNum: { type: "int", default: 8, since: "5.x" },
    reviveInterval: { type: "long", default: 1000, since: "5.x" },
    reviveMaxSlow: { type: "long", default: 3, since: "5.x" },
    reviveScanTime: { type: "long", default: 10000, since: "5.x" },
    enableSkipLongAwaitingAck: { type: "boolean", default: false, since: "5.x" },
    reviveAckWaitMs: { type: "long", default: 180000, since: "5.x" },
    enablePopLog: { type: "boolean", default: false, since: "5.x" },
    enablePopBufferMerge: { type: "boolean", default: false, since: "5.x" },
    popCkStayBufferTime: { type: "int", default: 10000, since: "5.x" },
    popCkStayBufferTimeOut: { type: "int", default: 3000, since: "5.x" },
    popCkMaxBufferSize: { type: "int", default: 200000, since: "5.x" },
    popCkOffsetMaxQueueSize: { type: "int", default: 20000, since: "5.x" },
    enablePopBatchAck: { type: "boolean", default: false, since: "5.x" },
    popLongPollingForceNotifyInterval: { type: "long", default: 800, since: "5.x" },
    enableNotifyAfterPopOrderLockRelease: { type: "boolean", default: true, since: "5.x" },
    initPopOffsetByCheckMsgInMem: { type: "boolean", default: true, since: "5.x" },
    retrieveMessageFromPopRetryTopicV1: { type: "boolean", default: true, since: "5.x" },
    enableRetryTopicV2: { type: "boolean", default: false, since: "5.x" },
    popFromRetryProbability: { type: "int", default: 20, since: "5.x" },
    popConsumerKVServiceEnable: { type: "boolean", default: false, since: "5.x" },
    popResponseReturnActualRetryTopic: { type: "boolean", default: false, since: "5.x" },
    popInflightMessageThreshold: { type: "long", default: 10000, since: "5.x" },
    enablePopMessageThreshold: { type: "boolean", default: false, since: "5.x" },
    skipWhenCKRePutReachMaxTimes: { type: "boolean", default: false, since: "5.x" },
    appendAckAsync: { type: "boolean", default: false, since: "5.x" },
    appendCkAsync: { type: "boolean", default: false, since: "5.x" },
  } as const satisfies ConfigSpec;
}

export type BrokerConfigSpec = ReturnType<typeof brokerConfigSpec>;
export type BrokerConfig = ConfigOf<BrokerConfigSpec>;

/**
 * Keys seen in old configuration files that 4.9.8 no longer has (Java ignores them silently). We
 * accept them too and log a warning naming each.
 */
export const OBSOLETE_KEYS: Readonly<Record<string, string>> = {
  mapedFileSizeCommitLog: "renamed mappedFileSizeCommitLog in 4.5.2; this value is ignored",
  mapedFileSizeConsumeQueue: "renamed mappedFileSizeConsumeQueue in 4.5.2; this value is ignored",
  storePathConsumeQueue: "not a key: consume queues always live under storePathRootDir/consumequeue",
  storePathIndex: "not a key: index files always live under storePathRootDir/index",
  storeCheckpoint: "not a key: the checkpoint always lives at storePathRootDir/checkpoint",
  abortFile: "not a key: the abort file always lives at storePathRootDir/abort",
};
