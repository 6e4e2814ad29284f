/**
 * `mqadmin exportMetrics -c cluster [-f path]`: for each broker set of the cluster, its master's
 * environment, current rates (normal puts and gets, transaction halves, delayed messages), the
 * day's counts, topic and group counts and the client versions seen, plus the cluster's totals,
 * written as pretty fastjson to <path>/metrics.json (Java's ExportMetricsCommand). Every map is a
 * Java HashMap there, so every map here is written in that order.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { MQClientException, type BrokerStatsData, type SubscriptionGroupWrapper } from "@rocketmq-ts/client";
import {
  CURRENT_VERSION,
  javaHashMapOrder,
  jdouble,
  stringifyFastjson,
  versionDesc,
  type JsonDouble,
} from "@rocketmq-ts/remoting";
import type { MQAdminExt } from "../MQAdminExt.js";
import { compute24HourSum } from "../stats/StatsAllCommand.js";
import { str, type SubCommand } from "../SubCommand.js";

const DEFAULT_FILE_PATH = "/tmp/rocketmq/export";
const TRANS_HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC";
const SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";

type MetricValue = string | number | JsonDouble | ReadonlySet<string> | ReadonlyMap<string, MetricValue>;
type MetricMap = ReadonlyMap<string, MetricValue>;

/** A Java HashMap of these entries, as it iterates them; null values are left out, as fastjson does. */
function hashMap(entries: [string, MetricValue | null | undefined][]): MetricMap {
  const present = new Map(entries.filter((e): e is [string, MetricValue] => e[1] !== null && e[1] !== undefined));
  return new Map(javaHashMapOrder([...present.keys()]).map((k) => [k, present.get(k) as MetricValue]));
}

/** `key=value` lines of GET_BROKER_CONFIG as the Properties Java reads them into. */
function properties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) props.set(line.slice(0, i), line.slice(i + 1));
  }
  return props;
}

/**
 * The first figure of a "10 s / 1 min / 10 min" rate string as Java reads it: String.split(" ")
 * drops trailing empty strings, so a string of blanks (no window filled yet) reads as 0, while an
 * empty first figure before others does not parse.
 */
function firstRate(table: Map<string, string>, key: string): number {
  const parts = (table.get(key) ?? "").split(" ");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0) return 0;
  const first = (parts[0] as string).trim();
  const n = Number(first);
  if (first === "" || Number.isNaN(n)) throw new Error(`NumberFormatException: ${key}="${table.get(key)}"`);
  return n;
}

function longOf(table: Map<string, string>, key: string): number {
  const n = Number(table.get(key));
  if (!Number.isInteger(n)) throw new Error(`NumberFormatException: ${key}="${table.get(key)}"`);
  return n;
}

/** A stats item of the broker, or null when the broker has none (Java catches the refusal). */
async function statsOrNull(admin: MQAdminExt, addr: string, topic: string): Promise<BrokerStatsData | null> {
  try {
    return await admin.viewBrokerStatsData(addr, "TOPIC_PUT_NUMS", topic);
  } catch (e) {
    if (e instanceof MQClientException) return null;
    throw e;
  }
}

interface Totals {
  tps: Map<string, number>;
  oneDay: Map<string, number>;
}

async function runtimeQuota(
  admin: MQAdminExt,
  addr: string,
  kv: Map<string, string>,
  groups: SubscriptionGroupWrapper,
  totals: Totals,
): Promise<MetricMap> {
  const topics = await admin.getUserTopicConfig(addr, false);
  const trans = await statsOrNull(admin, addr, TRANS_HALF_TOPIC);
  const schedule = await statsOrNull(admin, addr, SCHEDULE_TOPIC);
  const normalInTps = firstRate(kv, "putTps");
  const normalOutTps = firstRate(kv, "getTransferedTps");
  const transInTps = trans?.statsMinute.tps ?? 0;
  const scheduleInTps = schedule?.statsMinute.tps ?? 0;
  const oneDay = {
    normalOneDayInNum: longOf(kv, "msgPutTotalTodayMorning") - longOf(kv, "msgPutTotalYesterdayMorning"),
    normalOneDayOutNum: longOf(kv, "msgGetTotalTodayMorning") - longOf(kv, "msgGetTotalYesterdayMorning"),
    transOneDayInNum: trans ? compute24HourSum(trans) : 0,
    scheduleOneDayInNum: schedule ? compute24HourSum(schedule) : 0,
  };
  const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);
  add(totals.tps, "totalNormalInTps", normalInTps);
  add(totals.tps, "totalNormalOutTps", normalOutTps);
  add(totals.tps, "totalTransInTps", transInTps);
  add(totals.tps, "totalScheduleInTps", scheduleInTps);
  for (const [k, v] of Object.entries(oneDay)) add(totals.oneDay, k, v);
  return hashMap([
    [
      "diskRatio",
      hashMap([
        ["commitLogDiskRatio", kv.get("commitLogDiskRatio")],
        ["consumeQueueDiskRatio", kv.get("consumeQueueDiskRatio")],
      ]),
    ],
    [
      "tps",
      hashMap([
        ["normalInTps", jdouble(normalInTps)],
        ["normalOutTps", jdouble(normalOutTps)],
        ["transInTps", jdouble(transInTps)],
        ["scheduleInTps", jdouble(scheduleInTps)],
      ]),
    ],
    ["oneDayNum", hashMap(Object.entries(oneDay))],
    ["messageAverageSize", kv.get("putMessageAverageSize")],
    ["topicSize", topics.topicConfigTable.size],
    ["groupSize", groups.subscriptionGroupTable.size],
  ]);
}

/** The languages and versions of the clients online in the broker's groups (a group nobody serves is skipped). */
async function runtimeVersion(admin: MQAdminExt, groups: SubscriptionGroupWrapper): Promise<MetricMap> {
  const seen = new Set<string>();
  for (const group of javaHashMapOrder([...groups.subscriptionGroupTable.keys()])) {
    try {
      const { connections } = await admin.examineConsumerConnectionInfo(group);
      for (const c of connections) seen.add(`${c.language}%${versionDesc(c.version)}`);
    } catch {
      // Java goes on with the next group
    }
  }
  return hashMap([
    ["rocketmqVersion", versionDesc(CURRENT_VERSION)],
    ["clientInfo", new Set(javaHashMapOrder([...seen]))],
  ]);
}

export const exportMetricsCommand: SubCommand = {
  name: "exportMetrics",
  desc: "export metrics",
  options: [
    ["-c, --clusterName <arg>", "choose a cluster to export", true],
    ["-f, --filePath <arg>", "export metrics.json path | default /tmp/rocketmq/export", false],
  ],
  async run(opts, { admin, out, workDir }) {
    const clusterName = str(opts, "clusterName");
    const filePath = opts["filePath"] === undefined ? DEFAULT_FILE_PATH : str(opts, "filePath");
    const totals: Totals = {
      tps: new Map(
        ["totalNormalInTps", "totalNormalOutTps", "totalTransInTps", "totalScheduleInTps"].map((k) => [k, 0]),
      ),
      oneDay: new Map(
        ["normalOneDayInNum", "normalOneDayOutNum", "transOneDayInNum", "scheduleOneDayInNum"].map((k) => [k, 0]),
      ),
    };
    const info = await admin.examineBrokerClusterInfo();
    const brokerNames = info.clusterAddrTable.get(clusterName);
    if (!brokerNames) throw new Error(`cluster ${clusterName} not found`);
    const report: [string, MetricValue][] = [];
    for (const brokerName of javaHashMapOrder(brokerNames)) {
      const addr = info.brokerAddrTable.get(brokerName)?.brokerAddrs.get(0);
      if (addr === undefined) continue;
      const kv = await admin.fetchBrokerRuntimeStats(addr);
      const config = properties(await admin.getBrokerConfig(addr));
      const groups = await admin.getUserSubscriptionGroup(addr);
      const runtimeEnv = hashMap([
        ["cpuNum", config.get("clientCallbackExecutorThreads")],
        ["totalMemKBytes", kv.get("totalMemKBytes")],
      ]);
      const quota = await runtimeQuota(admin, addr, kv, groups, totals);
      const version = await runtimeVersion(admin, groups);
      report.push([
        brokerName,
        hashMap([
          ["runtimeEnv", runtimeEnv],
          ["runtimeQuota", quota],
          ["runtimeVersion", version],
        ]),
      ]);
    }
    const result = hashMap([
      ["evaluateReport", hashMap(report)],
      [
        "totalData",
        hashMap([
          ["totalTps", hashMap([...totals.tps].map(([k, v]) => [k, jdouble(v)]))],
          ["totalOneDayNum", hashMap([...totals.oneDay])],
        ]),
      ],
    ]);
    const shown = `${filePath}/metrics.json`;
    const file = resolve(workDir, shown);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, stringifyFastjson(result, { pretty: true }));
    out(`export ${shown} success`);
  },
};
