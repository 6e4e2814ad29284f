/**
 * GET_CONSUMER_RUNNING_INFO's body (Java's ConsumerRunningInfo): a consumer's properties,
 * subscriptions, per-queue ProcessQueueInfo and per-topic consume statistics — the codec, Java's
 * formatString (mqadmin consumerStatus writes it to a file) and its analyses.
 */
import { jdouble, parseFastjson, stringifyFastjson, type JsonValue } from "@rocketmq-ts/remoting";
import type { SubscriptionData } from "./heartbeat.js";

export interface MessageQueueKey {
  topic: string;
  brokerName: string;
  queueId: number;
}

export interface ProcessQueueInfo {
  commitOffset: number;
  cachedMsgMinOffset: number;
  cachedMsgMaxOffset: number;
  cachedMsgCount: number;
  cachedMsgSizeInMiB: number;
  transactionMsgMinOffset: number;
  transactionMsgMaxOffset: number;
  transactionMsgCount: number;
  locked: boolean;
  tryUnlockTimes: number;
  lastLockTimestamp: number;
  droped: boolean;
  lastPullTimestamp: number;
  lastConsumeTimestamp: number;
}

export interface ConsumeStatus {
  pullRT: number;
  pullTPS: number;
  consumeRT: number;
  consumeOKTPS: number;
  consumeFailedTPS: number;
  consumeFailedMsgs: number;
}

export interface ConsumerRunningInfo {
  /** Java's Properties: name → value. */
  properties: Map<string, string>;
  subscriptionSet: SubscriptionData[];
  mqTable: [MessageQueueKey, ProcessQueueInfo][];
  statusTable: Map<string, ConsumeStatus>;
  jstack?: string;
}

export const ConsumerRunningInfoProps = {
  PROP_NAMESERVER_ADDR: "PROP_NAMESERVER_ADDR",
  PROP_THREADPOOL_CORE_SIZE: "PROP_THREADPOOL_CORE_SIZE",
  PROP_CONSUME_ORDERLY: "PROP_CONSUMEORDERLY",
  PROP_CONSUME_TYPE: "PROP_CONSUME_TYPE",
  PROP_CLIENT_VERSION: "PROP_CLIENT_VERSION",
  PROP_CONSUMER_START_TIMESTAMP: "PROP_CONSUMER_START_TIMESTAMP",
} as const;

/** Java's MessageQueue.compareTo: topic, then brokerName, then queueId. */
export function compareMessageQueue(a: MessageQueueKey, b: MessageQueueKey): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

/** Java's TreeSet<SubscriptionData> order: topic, then subString. */
export function compareSubscriptionData(a: SubscriptionData, b: SubscriptionData): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.subString < b.subString ? -1 : a.subString > b.subString ? 1 : 0;
}

/** The body as Java's client writes it (fastjson, TreeMap/TreeSet orders, MessageQueue object keys). */
export function encodeConsumerRunningInfo(info: ConsumerRunningInfo): Buffer {
  const mq = new Map<MessageQueueKey, ProcessQueueInfo>();
  for (const [k, v] of [...info.mqTable].sort((a, b) => compareMessageQueue(a[0], b[0])))
    mq.set({ brokerName: k.brokerName, queueId: k.queueId, topic: k.topic }, v);
  const status = new Map([...info.statusTable].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  const doubles = (s: ConsumeStatus) => ({
    consumeFailedMsgs: s.consumeFailedMsgs,
    consumeFailedTPS: jdouble(s.consumeFailedTPS),
    consumeOKTPS: jdouble(s.consumeOKTPS),
    consumeRT: jdouble(s.consumeRT),
    pullRT: jdouble(s.pullRT),
    pullTPS: jdouble(s.pullTPS),
  });
  const body = {
    ...(info.jstack !== undefined ? { jstack: info.jstack } : {}),
    mqTable: mq,
    properties: info.properties,
    statusTable: new Map([...status].map(([t, s]) => [t, doubles(s)])),
    subscriptionSet: [...info.subscriptionSet].sort(compareSubscriptionData),
  };
  return Buffer.from(stringifyFastjson(body), "utf8");
}

const num = (v: JsonValue | undefined): number =>
  v !== null && typeof v === "object" && "value" in v ? Number((v as { value: number }).value) : Number(v ?? 0);
const obj = (v: JsonValue | undefined): Record<string, JsonValue> =>
  v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Map) ? (v as Record<string, JsonValue>) : {};
const entriesOf = (v: JsonValue | undefined): [JsonValue, JsonValue][] =>
  v instanceof Map ? ([...v.entries()] as [JsonValue, JsonValue][]) : Object.entries(obj(v));

export function decodeConsumerRunningInfo(body: Buffer): ConsumerRunningInfo {
  const root = obj(parseFastjson(body.toString("utf8")));
  const properties = new Map(entriesOf(root["properties"]).map(([k, v]) => [String(k), String(v)]));
  const subscriptionSet = (Array.isArray(root["subscriptionSet"]) ? root["subscriptionSet"] : []).map((s) => {
    const o = obj(s);
    return {
      topic: String(o["topic"]),
      subString: String(o["subString"] ?? ""),
      tagsSet: [],
      codeSet: [],
      subVersion: num(o["subVersion"]),
      expressionType: String(o["expressionType"] ?? "TAG"),
      classFilterMode: o["classFilterMode"] === true,
    } satisfies SubscriptionData;
  });
  const mqTable = entriesOf(root["mqTable"]).map(([k, v]): [MessageQueueKey, ProcessQueueInfo] => {
    const key = obj(k);
    const p = obj(v);
    return [
      { topic: String(key["topic"]), brokerName: String(key["brokerName"]), queueId: num(key["queueId"]) },
      {
        commitOffset: num(p["commitOffset"]),
        cachedMsgMinOffset: num(p["cachedMsgMinOffset"]),
        cachedMsgMaxOffset: num(p["cachedMsgMaxOffset"]),
        cachedMsgCount: num(p["cachedMsgCount"]),
        cachedMsgSizeInMiB: num(p["cachedMsgSizeInMiB"]),
        transactionMsgMinOffset: num(p["transactionMsgMinOffset"]),
        transactionMsgMaxOffset: num(p["transactionMsgMaxOffset"]),
        transactionMsgCount: num(p["transactionMsgCount"]),
        locked: p["locked"] === true,
        tryUnlockTimes: num(p["tryUnlockTimes"]),
        lastLockTimestamp: num(p["lastLockTimestamp"]),
        droped: p["droped"] === true,
        lastPullTimestamp: num(p["lastPullTimestamp"]),
        lastConsumeTimestamp: num(p["lastConsumeTimestamp"]),
      },
    ];
  });
  const statusTable = new Map(
    entriesOf(root["statusTable"]).map(([t, v]) => {
      const s = obj(v);
      return [
        String(t),
        {
          pullRT: num(s["pullRT"]),
          pullTPS: num(s["pullTPS"]),
          consumeRT: num(s["consumeRT"]),
          consumeOKTPS: num(s["consumeOKTPS"]),
          consumeFailedTPS: num(s["consumeFailedTPS"]),
          consumeFailedMsgs: num(s["consumeFailedMsgs"]),
        },
      ];
    }),
  );
  const info: ConsumerRunningInfo = { properties, subscriptionSet, mqTable, statusTable };
  if (typeof root["jstack"] === "string") info.jstack = root["jstack"];
  return info;
}

/** UtilAll.timeMillisToHumanString: yyyyMMddHHmmssSSS in local time. */
export function timeMillisToHumanString(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
}

export function processQueueInfoString(p: ProcessQueueInfo): string {
  const h = timeMillisToHumanString;
  return (
    `ProcessQueueInfo [commitOffset=${p.commitOffset}, cachedMsgMinOffset=${p.cachedMsgMinOffset}, ` +
    `cachedMsgMaxOffset=${p.cachedMsgMaxOffset}, cachedMsgCount=${p.cachedMsgCount}, ` +
    `cachedMsgSizeInMiB=${p.cachedMsgSizeInMiB}, transactionMsgMinOffset=${p.transactionMsgMinOffset}, ` +
    `transactionMsgMaxOffset=${p.transactionMsgMaxOffset}, transactionMsgCount=${p.transactionMsgCount}, ` +
    `locked=${p.locked}, tryUnlockTimes=${p.tryUnlockTimes}, lastLockTimestamp=${h(p.lastLockTimestamp)}, ` +
    `droped=${p.droped}, lastPullTimestamp=${h(p.lastPullTimestamp)}, lastConsumeTimestamp=${h(p.lastConsumeTimestamp)}]`
  );
}

/** Java's MessageQueue.toString. */
export function messageQueueString(mq: MessageQueueKey): string {
  return `MessageQueue [topic=${mq.topic}, brokerName=${mq.brokerName}, queueId=${mq.queueId}]`;
}

/** Java's consumerStatus analyses: same subscriptions across clients (push consumers started > 2 min ago). */
export function analyzeSubscription(infos: readonly ConsumerRunningInfo[], now = Date.now()): boolean {
  const first = infos[0];
  if (!first) return true;
  const push = first.properties.get(ConsumerRunningInfoProps.PROP_CONSUME_TYPE) === "CONSUME_PASSIVELY";
  const started = Number(first.properties.get(ConsumerRunningInfoProps.PROP_CONSUMER_START_TIMESTAMP) ?? now);
  if (!(push && now - started > 120_000)) return true;
  const key = (i: ConsumerRunningInfo): string =>
    JSON.stringify(
      [...i.subscriptionSet].sort(compareSubscriptionData).map((s) => [s.topic, s.subString, s.expressionType]),
    );
  if (infos.some((i) => key(i) !== key(first))) return false;
  return (infos[infos.length - 1] as ConsumerRunningInfo).subscriptionSet.length > 0;
}

/** Queues that look stuck: orderly ones not locked, concurrent ones with cached messages and no consumption for a minute. */
export function analyzeProcessQueue(clientId: string, info: ConsumerRunningInfo, now = Date.now()): string {
  if (info.properties.get(ConsumerRunningInfoProps.PROP_CONSUME_TYPE) !== "CONSUME_PASSIVELY") return "";
  const orderly = info.properties.get(ConsumerRunningInfoProps.PROP_CONSUME_ORDERLY)?.toLowerCase() === "true";
  let out = "";
  for (const [mq, pq] of [...info.mqTable].sort((a, b) => compareMessageQueue(a[0], b[0]))) {
    if (orderly) {
      if (!pq.locked)
        out += `${clientId} ${messageQueueString(mq)} can't lock for a while, ${now - pq.lastLockTimestamp}ms\n`;
      else if (pq.droped && pq.tryUnlockTimes > 0)
        out += `${clientId} ${messageQueueString(mq)} unlock ${pq.tryUnlockTimes} times, still failed\n`;
    } else {
      const diff = now - pq.lastConsumeTimestamp;
      if (diff > 60_000 && pq.cachedMsgCount > 0)
        out += `${clientId} ${messageQueueString(mq)} can't consume for a while, maybe blocked, ${diff}ms\n`;
    }
  }
  return out;
}

/** CONSUME_MESSAGE_DIRECTLY's answer (Java's ConsumeMessageDirectlyResult). */
export type CMResult =
  "CR_SUCCESS" | "CR_LATER" | "CR_ROLLBACK" | "CR_COMMIT" | "CR_THROW_EXCEPTION" | "CR_RETURN_NULL";

export interface ConsumeMessageDirectlyResult {
  order: boolean;
  autoCommit: boolean;
  /** absent (Java's null) when a 5.x client answered a code the proxy does not map */
  consumeResult?: CMResult;
  remark?: string;
  spentTimeMills: number;
}

export function encodeConsumeMessageDirectlyResult(r: ConsumeMessageDirectlyResult): Buffer {
  return Buffer.from(stringifyFastjson({ ...r }), "utf8");
}

export function decodeConsumeMessageDirectlyResult(body: Buffer): ConsumeMessageDirectlyResult {
  const o = obj(parseFastjson(body.toString("utf8")));
  const r: ConsumeMessageDirectlyResult = {
    order: o["order"] === true,
    autoCommit: o["autoCommit"] === true,
    spentTimeMills: num(o["spentTimeMills"]),
  };
  if (typeof o["consumeResult"] === "string") r.consumeResult = o["consumeResult"] as CMResult;
  if (typeof o["remark"] === "string") r.remark = o["remark"];
  return r;
}

/** Java's ConsumeMessageDirectlyResult.toString. */
export function consumeMessageDirectlyResultString(r: ConsumeMessageDirectlyResult): string {
  return `ConsumeMessageDirectlyResult [order=${r.order}, autoCommit=${r.autoCommit}, consumeResult=${r.consumeResult ?? "null"}, remark=${r.remark ?? "null"}, spentTimeMills=${r.spentTimeMills}]`;
}
