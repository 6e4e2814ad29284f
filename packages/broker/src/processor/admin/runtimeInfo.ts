/**
 * GET_BROKER_RUNTIME_INFO (28): the key/value table `mqadmin brokerStatus` prints (Java's
 * AdminBrokerProcessor getBrokerRuntimeInfo / BrokerController's runtime info), from the stats,
 * the store and the delay service.
 */
import { statfsSync } from "node:fs";
import { CURRENT_VERSION, javaDoubleToString, RequestCode, versionDesc } from "@rocketmq-ts/remoting";
import { DefaultMessageStore, SCHEDULE_TOPIC } from "@rocketmq-ts/store";
import type { BrokerContext } from "../../BrokerContext.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { jsonBody, ok } from "../answers.js";

/** Java's MixAll.humanReadableByteCount(bytes, false). */
export function humanReadableByteCount(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const exp = Math.floor(Math.log(bytes) / Math.log(1024));
  return `${(bytes / 1024 ** exp).toFixed(1)} ${"KMGTPE"[exp - 1]}iB`;
}

/** `commitLogDirCapacity`: the size and free space of the commit log's file system. */
function commitLogDirCapacity(clPath: string): string {
  try {
    const st = statfsSync(clPath);
    return `Total : ${humanReadableByteCount(st.blocks * st.bsize)}, Free : ${humanReadableByteCount(st.bavail * st.bsize)}.`;
  } catch {
    return "Total : 0 B, Free : 0 B.";
  }
}

/** The runtime table, in Java's key order (the JSON keeps insertion order). */
export function brokerRuntimeInfo(ctx: BrokerContext): Map<string, string> {
  const bc = ctx.brokerConfig;
  const s = ctx.brokerStats;
  const store = ctx.store;
  const clPath = store.getStorePathPhysic();
  const ratio = DefaultMessageStore.diskPartitionSpaceUsedPercent(clPath);
  const table = new Map<string, string>([
    ["brokerVersionDesc", versionDesc(CURRENT_VERSION)],
    ["brokerVersion", String(CURRENT_VERSION)],
    ["msgPutTotalYesterdayMorning", String(s.msgPutTotalYesterdayMorning)],
    ["msgPutTotalTodayMorning", String(s.msgPutTotalTodayMorning)],
    ["msgPutTotalTodayNow", String(s.getMsgPutTotalTodayNow())],
    ["msgGetTotalYesterdayMorning", String(s.msgGetTotalYesterdayMorning)],
    ["msgGetTotalTodayMorning", String(s.msgGetTotalTodayMorning)],
    ["msgGetTotalTodayNow", String(s.getMsgGetTotalTodayNow())],
    // requests are handled as they arrive: there is no executor queue to wait in
    ["sendThreadPoolQueueSize", "0"],
    ["sendThreadPoolQueueCapacity", String(bc.sendThreadPoolQueueCapacity)],
    ["pullThreadPoolQueueSize", "0"],
    ["pullThreadPoolQueueCapacity", String(bc.pullThreadPoolQueueCapacity)],
    ["queryThreadPoolQueueSize", "0"],
    ["queryThreadPoolQueueCapacity", String(bc.queryThreadPoolQueueCapacity)],
    ["EndTransactionQueueSize", "0"],
    ["EndTransactionThreadPoolQueueCapacity", String(bc.endTransactionPoolQueueCapacity)],
    ["dispatchBehindBytes", String(store.dispatchBehindBytes())],
    ["pageCacheLockTimeMills", "0"],
    ["sendThreadPoolQueueHeadWaitTimeMills", "0"],
    ["pullThreadPoolQueueHeadWaitTimeMills", "0"],
    ["queryThreadPoolQueueHeadWaitTimeMills", "0"],
    ["earliestMessageTimeStamp", String(store.getEarliestCommitLogTime())],
    ["startAcceptSendRequestTimeStamp", String(bc.startAcceptSendRequestTimeStamp)],
    ["remainTransientStoreBufferNumbs", String(2147483647)],
    [
      "remainHowManyDataToFlush",
      humanReadableByteCount(Math.max(0, store.getMaxPhyOffset() - store.commitLog.flushedWhere)),
    ],
    ["commitLogDirCapacity", commitLogDirCapacity(clPath)],
    // the store's figures (Java's StoreStatsService.getRuntimeInfo); the rates are "" per window
    // until it has samples, as in Java, which its tools read as no figure
    ...store.storeStatsService.runtimeInfo(),
    ["commitLogDiskRatio", javaDoubleToString(ratio)],
    [`commitLogDiskRatio_${clPath}`, javaDoubleToString(ratio)],
    ["consumeQueueDiskRatio", javaDoubleToString(ratio)],
    ["commitLogMinOffset", String(Math.max(0, store.getMinPhyOffset()))],
    ["commitLogMaxOffset", String(store.getMaxPhyOffset())],
  ]);
  for (const [level, offset] of ctx.scheduleMessageService.offsetTable) {
    table.set(`scheduleMessageOffset_${level}`, `${offset},${store.getMaxOffsetInQueue(SCHEDULE_TOPIC, level - 1)}`);
  }
  return table;
}

export function runtimeInfoProcessors(ctx: BrokerContext): ProcessorTable {
  return new Map([
    [RequestCode.GET_BROKER_RUNTIME_INFO, (request) => ok(request, jsonBody({ table: brokerRuntimeInfo(ctx) }))],
  ]);
}
