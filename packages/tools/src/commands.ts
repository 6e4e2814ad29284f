/**
 * mqadmin sub-commands: Java's names, option letters and output formats (tools/command/** in Apache
 * RocketMQ). Each command writes through `out` so tests can compare with the captured stdout.
 */
import type { MQAdminClient } from "@rocketmq-ts/client";
import {
  DefaultMQProducer,
  Message,
  messageTrackToString,
  MQClientException,
  selectBrokerAddr,
  type MessageExt,
  type SendResult,
} from "@rocketmq-ts/client";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  analyzeProcessQueue,
  analyzeSubscription,
  consumeMessageDirectlyResultString,
  encodeTopicRouteData,
  newTopicConfig,
  perm2String,
  type ConsumerRunningInfo,
  type TopicConfig,
} from "@rocketmq-ts/common";
import { formatConsumerRunningInfo } from "./consumerRunningInfo.js";
import {
  javaHashMapOrder,
  javaStringHashCode,
  parseFastjson,
  stringifyFastjson,
  type JsonValue,
} from "@rocketmq-ts/remoting";
import { formatDate, javaFormat, messageExtString } from "./format.js";

export type Out = (text: string) => void;
type Opts = Record<string, string | boolean | undefined>;

export interface SubCommand {
  name: string;
  desc: string;
  /** [flags as commander declares them, description, required] */
  options: [string, string, boolean][];
  run(admin: MQAdminClient, opts: Opts, out: Out): Promise<void>;
}

const str = (o: Opts, k: string): string => String(o[k] ?? "").trim();

async function masterAddrs(admin: MQAdminClient, cluster: string): Promise<string[]> {
  const info = await admin.examineBrokerClusterInfo();
  const names = info.clusterAddrTable.get(cluster) ?? [];
  return names.map((n) => info.brokerAddrTable.get(n)?.brokerAddrs.get(0)).filter((a): a is string => a !== undefined);
}

async function allAddrs(admin: MQAdminClient, cluster: string): Promise<string[]> {
  const info = await admin.examineBrokerClusterInfo();
  const names = info.clusterAddrTable.get(cluster) ?? [];
  return names.flatMap((n) =>
    [...(info.brokerAddrTable.get(n)?.brokerAddrs.entries() ?? [])].sort((a, b) => a[0] - b[0]).map(([, a]) => a),
  );
}

function topicConfigString(c: TopicConfig): string {
  return `TopicConfig [topicName=${c.topicName}, readQueueNums=${c.readQueueNums}, writeQueueNums=${c.writeQueueNums}, perm=${perm2String(c.perm)}, topicFilterType=${c.topicFilterType}, topicSysFlag=${c.topicSysFlag}, order=${c.order}]`;
}

const firstTps = (v: string | undefined): number => {
  const first = (v ?? "").split(" ")[0] ?? "";
  return first.trim() === "" ? 0 : Number(first);
};

export const commands: SubCommand[] = [
  {
    name: "clusterList",
    desc: "List all of clusters",
    options: [
      ["-m, --moreStats", "Print more stats", false],
      ["-i, --interval <arg>", "specify intervals numbers, it is in seconds", false],
      ["-c, --clusterName <arg>", "which cluster", false],
    ],
    async run(admin, opts, out) {
      const print = async (): Promise<void> => {
        const info = await admin.examineBrokerClusterInfo();
        const more = Boolean(opts["moreStats"]);
        if (more)
          out(
            javaFormat(
              "%-16s  %-32s %14s %14s %14s %14s%n",
              "#Cluster Name",
              "#Broker Name",
              "#InTotalYest",
              "#OutTotalYest",
              "#InTotalToday",
              "#OutTotalToday",
            ),
          );
        else
          out(
            javaFormat(
              "%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s%n",
              "#Cluster Name",
              "#Broker Name",
              "#BID",
              "#Addr",
              "#Version",
              "#InTPS(LOAD)",
              "#OutTPS(LOAD)",
              "#PCWait(ms)",
              "#Hour",
              "#SPACE",
            ),
          );
        for (const [cluster, names] of info.clusterAddrTable) {
          if (opts["clusterName"] && cluster !== str(opts, "clusterName")) continue;
          for (const name of [...names].sort()) {
            const bd = info.brokerAddrTable.get(name);
            if (!bd) continue;
            for (const [id, addr] of [...bd.brokerAddrs.entries()].sort((a, b) => a[0] - b[0])) {
              let kv = new Map<string, string>();
              try {
                kv = await admin.fetchBrokerRuntimeStats(addr);
              } catch {
                // Java prints the row with zero values when a broker cannot be reached
              }
              if (more) {
                const n = (k: string): number => Number(kv.get(k) ?? 0);
                out(
                  javaFormat(
                    "%-16s  %-32s %14d %14d %14d %14d%n",
                    cluster,
                    name,
                    n("msgPutTotalTodayMorning") - n("msgPutTotalYesterdayMorning"),
                    n("msgGetTotalTodayMorning") - n("msgGetTotalYesterdayMorning"),
                    n("msgPutTotalTodayNow") - n("msgPutTotalTodayMorning"),
                    n("msgGetTotalTodayNow") - n("msgGetTotalTodayMorning"),
                  ),
                );
                continue;
              }
              const earliest = Number(kv.get("earliestMessageTimeStamp") ?? 0);
              const hour = kv.size > 0 ? (Date.now() - earliest) / 3600000 : 0;
              out(
                javaFormat(
                  "%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s%n",
                  cluster,
                  name,
                  String(id),
                  addr,
                  kv.get("brokerVersionDesc") ?? "",
                  javaFormat(
                    "%9.2f(%s,%sms)",
                    firstTps(kv.get("putTps")),
                    kv.get("sendThreadPoolQueueSize") ?? "",
                    kv.get("sendThreadPoolQueueHeadWaitTimeMills") ?? "",
                  ),
                  javaFormat(
                    "%9.2f(%s,%sms)",
                    firstTps(kv.get("getTransferedTps")),
                    kv.get("pullThreadPoolQueueSize") ?? "",
                    kv.get("pullThreadPoolQueueHeadWaitTimeMills") ?? "",
                  ),
                  kv.get("pageCacheLockTimeMills") ?? "",
                  javaFormat("%2.2f", hour),
                  javaFormat("%.4f", Number(kv.get("commitLogDiskRatio") ?? 0)),
                ),
              );
            }
          }
        }
      };
      const interval = Number(opts["interval"] ?? 0);
      await print();
      if (interval > 0) {
        for (;;) {
          await new Promise((r) => setTimeout(r, interval * 1000));
          await print();
        }
      }
    },
  },
  {
    name: "topicList",
    desc: "Fetch all topic list from name server",
    options: [["-c, --clusterModel", "clusterModel", false]],
    async run(admin, opts, out) {
      const topics = await admin.fetchAllTopicList();
      if (!opts["clusterModel"]) {
        for (const t of topics) out(`${t}\n`);
        return;
      }
      out(javaFormat("%-20s  %-48s  %-48s%n", "#Cluster Name", "#Topic", "#Consumer Group"));
      for (const topic of topics) {
        if (topic.startsWith("%RETRY%") || topic.startsWith("%DLQ%")) continue;
        try {
          const route = await admin.examineTopicRouteInfo(topic);
          const bd = route.brokerDatas[0];
          const addr = bd ? selectBrokerAddr(bd.brokerAddrs) : undefined;
          let groups: string[] = [];
          if (addr) {
            const { createRequest, RequestCode } = await import("@rocketmq-ts/remoting");
            const res = await admin.call(
              addr,
              createRequest(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { extFields: { topic } }),
            );
            groups =
              ((parseFastjson(res.body?.toString() ?? "{}") as Record<string, JsonValue>)["groupList"] as string[]) ??
              [];
          }
          if (groups.length === 0) groups = [""];
          for (const g of groups) out(javaFormat("%-20s  %-64s  %-64s%n", bd?.cluster ?? "", topic, g));
        } catch {
          // topics without a route are skipped, as Java does
        }
      }
    },
  },
  {
    name: "topicRoute",
    desc: "Examine topic route info",
    options: [
      ["-t, --topic <arg>", "topic name", true],
      ["-l, --list", "Use list format to print data", false],
    ],
    async run(admin, opts, out) {
      const route = await admin.examineTopicRouteInfo(str(opts, "topic"));
      if (opts["list"]) {
        out(
          javaFormat(
            "%-45s %-32s %-50s %-10s %-11s %-5s%n",
            "#ClusterName",
            "#BrokerName",
            "#BrokerAddrs",
            "#ReadQueue",
            "#WriteQueue",
            "#Perm",
          ),
        );
        const clusterOf = new Map(route.brokerDatas.map((b) => [b.brokerName, b]));
        for (const q of [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName))) {
          const bd = clusterOf.get(q.brokerName);
          const addrs = `{${[...(bd?.brokerAddrs ?? new Map<number, string>())].map(([k, v]) => `${k}=${v}`).join(", ")}}`;
          out(
            javaFormat(
              "%-45s %-32s %-50s %-10d %-11d %-5d%n",
              bd?.cluster ?? "",
              q.brokerName,
              addrs,
              q.readQueueNums,
              q.writeQueueNums,
              q.perm,
            ),
          );
        }
        return;
      }
      // Java re-serializes the route with fastjson's pretty format (numeric map keys bare)
      const json = parseFastjson(encodeTopicRouteData(route, false).toString(), { preserve: true });
      out(`${stringifyFastjson(json, { pretty: true, sortKeys: false })}\n`);
    },
  },
  {
    name: "topicStatus",
    desc: "Examine topic Status info",
    options: [["-t, --topic <arg>", "topic name", true]],
    async run(admin, opts, out) {
      const stats = await admin.examineTopicStats(str(opts, "topic"));
      if (stats.length === 0) {
        out("Not found the topic stats info\n");
        return;
      }
      stats.sort(
        (a, b) => a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId,
      );
      out(
        javaFormat(
          "%-32s  %-4s  %-20s  %-20s    %s%n",
          "#Broker Name",
          "#QID",
          "#Min Offset",
          "#Max Offset",
          "#Last Updated",
        ),
      );
      for (const s of stats) {
        const last = s.lastUpdateTimestamp > 0 ? formatDate(s.lastUpdateTimestamp, true) : "";
        out(javaFormat("%-32s  %-4d  %-20d  %-20d    %s%n", s.brokerName, s.queueId, s.minOffset, s.maxOffset, last));
      }
    },
  },
  {
    name: "brokerStatus",
    desc: "Fetch broker runtime status data",
    options: [
      ["-b, --brokerAddr <arg>", "Broker address", false],
      ["-c, --clusterName <arg>", "which cluster", false],
    ],
    async run(admin, opts, out) {
      const addrs = opts["brokerAddr"] ? [str(opts, "brokerAddr")] : await allAddrs(admin, str(opts, "clusterName"));
      for (const addr of addrs) {
        const kv = await admin.fetchBrokerRuntimeStats(addr);
        for (const key of [...kv.keys()].sort()) {
          out(
            opts["brokerAddr"]
              ? javaFormat("%-32s: %s%n", key, kv.get(key))
              : javaFormat("%-24s %-32s: %s%n", addr, key, kv.get(key)),
          );
        }
      }
    },
  },
  {
    name: "updateTopic",
    desc: "Update or create topic",
    options: [
      ["-b, --brokerAddr <arg>", "create topic to which broker", false],
      ["-c, --clusterName <arg>", "create topic to which cluster", false],
      ["-t, --topic <arg>", "topic name", true],
      ["-r, --readQueueNums <arg>", "set read queue nums", false],
      ["-w, --writeQueueNums <arg>", "set write queue nums", false],
      ["-p, --perm <arg>", "set topic's permission(2|4|6), intro[2:W 4:R; 6:RW]", false],
      ["-o, --order <arg>", "set topic's order(true|false)", false],
      ["-u, --unit <arg>", "is unit topic (true|false)", false],
      ["-s, --hasUnitSub <arg>", "has unit sub (true|false)", false],
    ],
    async run(admin, opts, out) {
      const config = newTopicConfig(str(opts, "topic"), {
        readQueueNums: Number(opts["readQueueNums"] ?? 8),
        writeQueueNums: Number(opts["writeQueueNums"] ?? 8),
        perm: Number(opts["perm"] ?? 6),
        order: str(opts, "order") === "true",
        topicSysFlag: (str(opts, "unit") === "true" ? 1 : 0) | (str(opts, "hasUnitSub") === "true" ? 2 : 0),
      });
      const addrs = opts["brokerAddr"] ? [str(opts, "brokerAddr")] : await masterAddrs(admin, str(opts, "clusterName"));
      if (addrs.length === 0) throw new Error("no broker found: give -b or -c");
      for (const addr of addrs) {
        await admin.createAndUpdateTopicConfig(addr, config);
        out(`create topic to ${addr} success.\n`);
      }
      out(topicConfigString(config));
    },
  },
  {
    name: "deleteTopic",
    desc: "Delete topic from broker and NameServer.",
    options: [
      ["-t, --topic <arg>", "topic name", true],
      ["-c, --clusterName <arg>", "delete topic from which cluster", true],
    ],
    async run(admin, opts, out) {
      const topic = str(opts, "topic");
      const cluster = str(opts, "clusterName");
      for (const addr of await masterAddrs(admin, cluster)) await admin.deleteTopicInBroker(addr, topic);
      out(`delete topic [${topic}] from cluster [${cluster}] success.\n`);
      for (const ns of admin.namesrvAddrList()) await admin.deleteTopicInNameServer(ns, topic, cluster);
      out(`delete topic [${topic}] from NameServer success.\n`);
    },
  },
  {
    name: "getBrokerConfig",
    desc: "Get broker config by cluster or special broker!",
    options: [
      ["-b, --brokerAddr <arg>", "get which broker", false],
      ["-c, --clusterName <arg>", "get which cluster", false],
    ],
    async run(admin, opts, out) {
      const addrs = opts["brokerAddr"] ? [str(opts, "brokerAddr")] : await allAddrs(admin, str(opts, "clusterName"));
      for (const addr of addrs) {
        const text = await admin.getBrokerConfig(addr);
        out(`============${addr}============\n`);
        for (const line of text.split("\n").filter(Boolean)) {
          const i = line.indexOf("=");
          out(javaFormat("%-50s=  %s%n", line.slice(0, i), line.slice(i + 1)));
        }
      }
    },
  },
  {
    name: "updateBrokerConfig",
    desc: "Update broker's config",
    options: [
      ["-b, --brokerAddr <arg>", "update which broker", false],
      ["-c, --clusterName <arg>", "update which cluster", false],
      ["-k, --key <arg>", "config key", true],
      ["-v, --value <arg>", "config value", true],
    ],
    async run(admin, opts, out) {
      const props = new Map([[str(opts, "key"), str(opts, "value")]]);
      const addrs = opts["brokerAddr"] ? [str(opts, "brokerAddr")] : await masterAddrs(admin, str(opts, "clusterName"));
      for (const addr of addrs) {
        await admin.updateBrokerConfig(addr, props);
        out(`update broker config success, ${addr}\n`);
      }
    },
  },
  ...(["wipe", "add"] as const).map((op): SubCommand => ({
    name: `${op}WritePerm`,
    desc:
      op === "wipe" ? "Wipe write perm of broker in all name server" : "Add write perm of broker in all name server",
    options: [["-b, --brokerName <arg>", "broker name", true]],
    async run(admin, opts, out) {
      const brokerName = str(opts, "brokerName");
      for (const ns of admin.namesrvAddrList()) {
        try {
          const count = await admin.operateWritePerm(ns, brokerName, op);
          out(`${op} write perm of broker[${brokerName}] in name server[${ns}] OK, ${count}\n`);
        } catch {
          out(`${op} write perm of broker[${brokerName}] in name server[${ns}] Failed\n`);
        }
      }
    },
  })),
  {
    name: "getNamesrvConfig",
    desc: "Get configs of name server.",
    options: [],
    async run(admin, _opts, out) {
      for (const ns of admin.namesrvAddrList()) {
        const text = await admin.getNameServerConfig(ns);
        out(`============${ns}============\n`);
        for (const line of text.split("\n").filter(Boolean)) {
          const i = line.indexOf("=");
          out(javaFormat("%-50s=  %s%n", line.slice(0, i), line.slice(i + 1)));
        }
      }
    },
  },
  {
    name: "updateKvConfig",
    desc: "Create or update KV config.",
    options: [
      ["-s, --namespace <arg>", "set the namespace", true],
      ["-k, --key <arg>", "set the key name", true],
      ["-v, --value <arg>", "set the key value", true],
    ],
    async run(admin, opts, out) {
      await admin.putKVConfig(str(opts, "namespace"), str(opts, "key"), str(opts, "value"));
      out("create or update kv config to namespace success.\n");
    },
  },
  {
    name: "deleteKvConfig",
    desc: "Delete KV config.",
    options: [
      ["-s, --namespace <arg>", "set the namespace", true],
      ["-k, --key <arg>", "set the key name", true],
    ],
    async run(admin, opts, out) {
      await admin.deleteKVConfig(str(opts, "namespace"), str(opts, "key"));
      out("delete kv config from namespace success.\n");
    },
  },
  {
    name: "updateSubGroup",
    desc: "Update or create subscription group",
    options: [
      ["-b, --brokerAddr <arg>", "create subscription group to which broker", false],
      ["-c, --clusterName <arg>", "create subscription group to which cluster", false],
      ["-g, --groupName <arg>", "consumer group name", true],
      ["-s, --consumeEnable <arg>", "consume enable", false],
      ["-m, --consumeFromMinEnable <arg>", "from min offset", false],
      ["-d, --consumeBroadcastEnable <arg>", "broadcast", false],
      ["-q, --retryQueueNums <arg>", "retry queue nums", false],
      ["-r, --retryMaxTimes <arg>", "retry max times", false],
      ["-i, --brokerId <arg>", "consumer from which broker id", false],
      ["-w, --whichBrokerWhenConsumeSlowly <arg>", "which broker id when consume slowly", false],
      ["-a, --notifyConsumerIdsChanged <arg>", "notify consumerId changed", false],
    ],
    async run(admin, opts, out) {
      const bool = (k: string, d: boolean): boolean => (opts[k] === undefined ? d : str(opts, k) === "true");
      const num = (k: string, d: number): number => (opts[k] === undefined ? d : Number(opts[k]));
      const config = {
        brokerId: num("brokerId", 0),
        consumeBroadcastEnable: bool("consumeBroadcastEnable", false),
        consumeEnable: bool("consumeEnable", true),
        consumeFromMinEnable: bool("consumeFromMinEnable", false),
        groupName: str(opts, "groupName"),
        notifyConsumerIdsChangedEnable: bool("notifyConsumerIdsChanged", true),
        retryMaxTimes: num("retryMaxTimes", 16),
        retryQueueNums: num("retryQueueNums", 1),
        whichBrokerWhenConsumeSlowly: num("whichBrokerWhenConsumeSlowly", 1),
      };
      const addrs = opts["brokerAddr"] ? [str(opts, "brokerAddr")] : await masterAddrs(admin, str(opts, "clusterName"));
      for (const addr of addrs) {
        await admin.createAndUpdateSubscriptionGroupConfig(addr, config);
        out(`create subscription group to ${addr} success.\n`);
      }
      out(
        `SubscriptionGroupConfig [groupName=${config.groupName}, consumeEnable=${config.consumeEnable}, consumeFromMinEnable=${config.consumeFromMinEnable}, consumeBroadcastEnable=${config.consumeBroadcastEnable}, retryQueueNums=${config.retryQueueNums}, retryMaxTimes=${config.retryMaxTimes}, brokerId=${config.brokerId}, whichBrokerWhenConsumeSlowly=${config.whichBrokerWhenConsumeSlowly}, notifyConsumerIdsChangedEnable=${config.notifyConsumerIdsChangedEnable}]`,
      );
    },
  },
  {
    name: "deleteSubGroup",
    desc: "Delete subscription group from broker.",
    options: [
      ["-b, --brokerAddr <arg>", "delete subscription group from which broker", false],
      ["-c, --clusterName <arg>", "delete subscription group from which cluster", false],
      ["-g, --groupName <arg>", "subscription group name", true],
    ],
    async run(admin, opts, out) {
      const group = str(opts, "groupName");
      if (opts["brokerAddr"]) {
        await admin.deleteSubscriptionGroup(str(opts, "brokerAddr"), group);
        out(`delete subscription group [${group}] from broker [${str(opts, "brokerAddr")}] success.\n`);
        return;
      }
      const cluster = str(opts, "clusterName");
      for (const addr of await masterAddrs(admin, cluster)) {
        await admin.deleteSubscriptionGroup(addr, group);
        out(`delete subscription group [${group}] from broker [${addr}] in cluster [${cluster}] success.\n`);
      }
    },
  },
  {
    name: "consumerConnection",
    desc: "Query consumer's socket connection, client version and subscription",
    options: [["-g, --consumerGroup <arg>", "consumer group name", true]],
    async run(admin, opts, out) {
      const { connections, body } = await admin.examineConsumerConnectionInfo(str(opts, "consumerGroup"));
      out(javaFormat("%-36s %-22s %-10s %s%n", "#ClientId", "#ClientAddr", "#Language", "#Version"));
      const { versionDesc } = await import("@rocketmq-ts/remoting");
      for (const c of connections)
        out(javaFormat("%-36s %-22s %-10s %s%n", c.clientId, c.clientAddr, c.language, versionDesc(c.version)));
      out("\nBelow is subscription:\n");
      out(javaFormat("%-20s %s%n", "#Topic", "#SubExpression"));
      const subs = body["subscriptionTable"];
      const entries =
        subs instanceof Map ? [...subs.entries()] : Object.entries((subs as Record<string, JsonValue>) ?? {});
      for (const [topic, sub] of entries)
        out(javaFormat("%-20s %s%n", String(topic), String((sub as Record<string, JsonValue>)["subString"])));
      out(`\nConsumeType: ${String(body["consumeType"])}\n`);
      out(`MessageModel: ${String(body["messageModel"])}\n`);
      out(`ConsumeFromWhere: ${String(body["consumeFromWhere"])}\n`);
    },
  },
  {
    name: "consumerStatus",
    desc: "Query consumer's internal data structure",
    options: [
      ["-g, --consumerGroup <arg>", "consumer group name", true],
      ["-i, --clientId <arg>", "The consumer's client id", false],
      ["-s, --jstack", "Run jstack command in the consumer progress", false],
    ],
    async run(admin, opts, out) {
      const group = str(opts, "consumerGroup");
      const jstack = opts["jstack"] === true;
      const { versionDesc } = await import("@rocketmq-ts/remoting");
      if (opts["clientId"] !== undefined) {
        const info = await admin.getConsumerRunningInfo(group, str(opts, "clientId"), jstack);
        if (info) out(formatConsumerRunningInfo(info));
        return;
      }
      const { connections } = await admin.examineConsumerConnectionInfo(group);
      const now = Date.now();
      const table = new Map<string, ConsumerRunningInfo>();
      out(javaFormat("%-10s %-40s %-20s %s%n", "#Index", "#ClientId", "#Version", "#ConsumerRunningInfoFile"));
      let i = 1;
      for (const conn of connections) {
        const info = await admin.getConsumerRunningInfo(group, conn.clientId, jstack).catch((e: Error) => {
          process.stderr.write(`${e.message}\n`);
          return null;
        });
        if (!info) continue;
        table.set(conn.clientId, info);
        // Java writes each client's report to <now>/<clientId> under the working directory
        const filePath = `${now}/${conn.clientId}`;
        mkdirSync(dirname(filePath), { recursive: true });
        writeFileSync(filePath, formatConsumerRunningInfo(info));
        out(javaFormat("%-10d %-40s %-20s %s%n", i++, conn.clientId, versionDesc(conn.version), filePath));
      }
      if (table.size === 0) return;
      const sorted = [...table].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      if (!analyzeSubscription(sorted.map(([, v]) => v))) {
        out("\n\nWARN: Different subscription in the same group of consumer!!!");
        return;
      }
      out("\n\nSame subscription in the same group of consumer");
      out("\n\nRebalance OK\n");
      for (const [clientId, info] of sorted) out(analyzeProcessQueue(clientId, info));
    },
  },
  {
    name: "consumeMessage",
    desc: "Consume message",
    options: [
      ["-t, --topic <arg>", "Topic name", true],
      ["-b, --brokerName <arg>", "Broker name", false],
      ["-i, --queueId <arg>", "Queue Id", false],
      ["-o, --offset <arg>", "Queue offset", false],
      ["-g, --consumerGroup <arg>", "Consumer group name", false],
      ["-s, --beginTimestamp <arg>", "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]", false],
      ["-e, --endTimestamp <arg>", "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]", false],
      ["-c, --MessageNumber <arg>", "Number of message to be consumed", false],
    ],
    async run(admin, opts, out) {
      const topic = str(opts, "topic");
      const group = opts["consumerGroup"] !== undefined ? str(opts, "consumerGroup") : "TOOLS_CONSUMER";
      let count = 128;
      if (opts["MessageNumber"] !== undefined) {
        count = Number(str(opts, "MessageNumber"));
        if (!(count > 0)) return out("Please input a positive messageNumber!");
      }
      const brokerName = opts["brokerName"] !== undefined ? str(opts, "brokerName") : null;
      if (opts["queueId"] !== undefined && brokerName === null) return out("Please set the brokerName before queueId!");
      if (opts["offset"] !== undefined && opts["queueId"] === undefined)
        return out("Please set queueId before offset!");
      const now = Date.now();
      let begin = 0;
      let end = 0;
      if (opts["beginTimestamp"] !== undefined) {
        begin = parseTimestamp(str(opts, "beginTimestamp"));
        if (begin > now) return out("Please set the beginTimestamp before now!");
      }
      if (opts["endTimestamp"] !== undefined) {
        end = parseTimestamp(str(opts, "endTimestamp"));
        if (end > now) return out("Please set the endTimestamp before now!");
        if (begin > end)
          return out("Please make sure that the beginTimestamp is less than or equal to the endTimestamp");
      }
      const mqString = (mq: { topic: string; brokerName: string; queueId: number }): string =>
        `MessageQueue [topic=${mq.topic}, brokerName=${mq.brokerName}, queueId=${mq.queueId}]`;
      const printQueue = async (
        mq: { topic: string; brokerName: string; queueId: number },
        min: number,
        max: number,
      ) => {
        for (let offset = min; offset <= max;) {
          const r = await admin.pull(mq, offset, max - offset + 1, group);
          offset = r.nextBeginOffset;
          if (r.status === "FOUND") {
            out("Consume ok\n");
            for (const m of r.messages)
              out(javaFormat("MSGID: %s %s BODY: %s%n", m.msgId, messageExtString(m), m.body.toString("utf8")));
          } else if (r.status === "NO_MATCHED_MSG") {
            out(`${mqString(mq)} no matched msg. status=${r.status}, offset=${offset}\n`);
          } else {
            out(`${mqString(mq)} print msg finished. status=${r.status}, offset=${offset}\n`);
            break;
          }
        }
      };
      const range = async (mq: { topic: string; brokerName: string; queueId: number }) => ({
        min: begin > 0 ? await admin.queueOffset({ timestamp: begin }, mq) : await admin.queueOffset("min", mq),
        max: end > 0 ? await admin.queueOffset({ timestamp: end }, mq) : await admin.queueOffset("max", mq),
      });
      if (opts["queueId"] === undefined) {
        let left = count;
        // Java iterates a HashSet of MessageQueue
        const mqs = javaHashOrder(await admin.fetchSubscribeMessageQueues(topic), (q) =>
          messageQueueHash(q.topic, q.brokerName, q.queueId),
        );
        for (const mq of mqs) {
          if (left === 0) return;
          const { min, max: maxOffset } = await range(mq);
          let max = maxOffset;
          if (max - min > left) {
            out(`The older ${left} message of the ${mq.queueId} queue will be provided\n`);
            max = min + left - 1;
            left = 0;
          } else left = left - (max - min) - 1;
          await printQueue(mq, min, max);
        }
        return;
      }
      const mq = { topic, brokerName: brokerName ?? "", queueId: Number(str(opts, "queueId")) };
      const offset = opts["offset"] !== undefined ? Number(str(opts, "offset")) : 0;
      let { min, max } = await range(mq);
      if (offset > max) return out(`${mqString(mq)} no matched msg, offset=${offset}\n`);
      min = Math.max(min, offset);
      if (max - min > count) {
        out(`The oldler ${count} message will be provided\n`);
        max = min + count - 1;
      }
      await printQueue(mq, min, max);
    },
  },
  {
    name: "producerConnection",
    desc: "Query producer's socket connection and client version",
    options: [
      ["-g, --producerGroup <arg>", "producer group name", true],
      ["-t, --topic <arg>", "topic name", true],
    ],
    async run(admin, opts, out) {
      const connections = await admin.examineProducerConnectionInfo(str(opts, "producerGroup"), str(opts, "topic"));
      if (connections.length === 0) {
        out("Not found the producer group connection\n");
        return;
      }
      const { versionDesc } = await import("@rocketmq-ts/remoting");
      connections.forEach((c, i) =>
        out(
          javaFormat(
            "%04d  %-32s %-22s %-8s %s%n",
            i + 1,
            c.clientId,
            c.clientAddr,
            c.language,
            versionDesc(c.version),
          ),
        ),
      );
    },
  },
  {
    name: "consumerProgress",
    desc: "Query consumers's progress, speed",
    options: [["-g, --groupName <arg>", "consumer group name", true]],
    async run(admin, opts, out) {
      const { progress, consumeTps } = await admin.examineConsumeStats(str(opts, "groupName"));
      if (progress.length === 0)
        throw new MQClientException(
          206,
          "Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message",
        );
      progress.sort(
        (a, b) => a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId,
      );
      out(
        javaFormat(
          "%-64s  %-32s  %-4s  %-20s  %-20s  %-20s  %s%n",
          "#Topic",
          "#Broker Name",
          "#QID",
          "#Broker Offset",
          "#Consumer Offset",
          "#Diff",
          "#LastTime",
        ),
      );
      let diffTotal = 0;
      for (const p of progress) {
        const diff = p.brokerOffset - p.consumerOffset;
        diffTotal += diff;
        const last = p.lastTimestamp > 0 ? formatDate(p.lastTimestamp, false) : "N/A";
        out(
          javaFormat(
            "%-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s%n",
            p.topic,
            p.brokerName,
            p.queueId,
            p.brokerOffset,
            p.consumerOffset,
            diff,
            last,
          ),
        );
      }
      out("\n");
      out(javaFormat("Consume TPS: %.2f%n", consumeTps));
      out(javaFormat("Diff Total: %d%n", diffTotal));
    },
  },
  {
    name: "queryMsgByKey",
    desc: "Query Message by Key",
    options: [
      ["-t, --topic <arg>", "topic name", true],
      ["-k, --msgKey <arg>", "Message Key", true],
    ],
    async run(admin, opts, out) {
      const msgs = await admin.queryMessageByKey(
        str(opts, "topic"),
        str(opts, "msgKey"),
        64,
        0,
        Number.MAX_SAFE_INTEGER,
      );
      out(javaFormat("%-50s %4s %40s%n", "#Message ID", "#QID", "#Offset"));
      for (const m of msgs) out(javaFormat("%-50s %4d %40d%n", m.msgId, m.queueId, m.queueOffset));
    },
  },
  {
    name: "queryMsgById",
    desc: "Query Message by Id",
    options: [["-i, --msgId <arg>", "Message Id", true]],
    async run(admin, opts, out) {
      for (const id of str(opts, "msgId").split(",")) {
        const msg = await admin.viewMessage(id.trim());
        await printMsg(admin, msg, out, true);
      }
    },
  },
  {
    name: "queryMsgByOffset",
    desc: "Query Message by offset",
    options: [
      ["-t, --topic <arg>", "topic name", true],
      ["-b, --brokerName <arg>", "Broker Name", true],
      ["-i, --queueId <arg>", "Queue Id", true],
      ["-o, --offset <arg>", "Queue Offset", true],
    ],
    async run(admin, opts, out) {
      const mq = {
        topic: str(opts, "topic"),
        brokerName: str(opts, "brokerName"),
        queueId: Number(str(opts, "queueId")),
      };
      const msg = await admin.pullOne(mq, Number(str(opts, "offset")));
      // Java prints nothing when the offset holds no message
      if (msg) await printMsg(admin, msg, out, true);
    },
  },
  {
    name: "queryMsgByUniqueKey",
    desc: "Query Message by Unique key",
    options: [
      ["-i, --msgId <arg>", "Message Id", true],
      ["-g, --consumerGroup <arg>", "consumer group name", false],
      ["-d, --clientId <arg>", "The consumer's client id", false],
      ["-t, --topic <arg>", "The topic of msg", true],
    ],
    async run(admin, opts, out) {
      if (opts["consumerGroup"] !== undefined && opts["clientId"] !== undefined) {
        // have that consumer consume the message now, and print its ConsumeMessageDirectlyResult
        const result = await admin.consumeMessageDirectly(
          str(opts, "consumerGroup"),
          str(opts, "clientId"),
          str(opts, "topic"),
          str(opts, "msgId"),
        );
        out(consumeMessageDirectlyResultString(result));
        return;
      }
      const msg = await admin.viewMessageByUniqKey(str(opts, "topic"), str(opts, "msgId"));
      await printMsg(admin, msg, out, false);
    },
  },
  {
    name: "sendMessage",
    desc: "Send a message",
    options: [
      ["-t, --topic <arg>", "Topic name", true],
      ["-p, --body <arg>", "UTF-8 string format of the message body", true],
      ["-k, --key <arg>", "Message keys", false],
      ["-c, --tags <arg>", "Message tags", false],
      ["-b, --broker <arg>", "Send message to target broker", false],
      ["-i, --qid <arg>", "Send message to target queue", false],
      ["-m, --msgTraceEnable <arg>", "Message Trace Enable, Default: false", false],
    ],
    async run(admin, opts, out) {
      const topic = str(opts, "topic");
      const brokerName = opts["broker"] === undefined ? null : str(opts, "broker");
      let queueId = -1;
      if (opts["qid"] !== undefined) {
        if (brokerName === null) {
          out("Broker name must be set if the queue is chosen!");
          return;
        }
        queueId = Number(str(opts, "qid"));
      }
      const msg = new Message(topic, Buffer.from(str(opts, "body"), "utf8"), {
        ...(opts["tags"] !== undefined ? { tags: str(opts, "tags") } : {}),
        ...(opts["key"] !== undefined ? { keys: str(opts, "key") } : {}),
      });
      // Java's command: a producer whose group is the current time, shut down after the send
      const producer = new DefaultMQProducer({
        namesrvAddr: admin.namesrvAddrList().join(";"),
        producerGroup: String(Date.now()),
      });
      let result: SendResult;
      try {
        await producer.start();
        result =
          brokerName !== null && queueId > -1
            ? await producer.sendToQueue(msg, { topic, brokerName, queueId })
            : await producer.send(msg);
      } finally {
        await producer.shutdown();
      }
      out(javaFormat("%-32s  %-4s  %-20s    %s%n", "#Broker Name", "#QID", "#Send Result", "#MsgId"));
      out(
        javaFormat(
          "%-32s  %-4s  %-20s    %s%n",
          result.messageQueue.brokerName,
          result.messageQueue.queueId,
          result.sendStatus,
          result.msgId,
        ),
      );
    },
  },
  {
    name: "clusterRT",
    desc: "List All clusters Message Send RT",
    options: [
      ["-a, --amount <arg>", "message amount | default 100", false],
      ["-s, --size <arg>", "message size | default 128 Byte", false],
      ["-c, --cluster <arg>", "cluster name | default display all cluster", false],
      ["-p, --printLog <arg>", "print as tlog | default false", false],
      ["-m, --machineRoom <arg>", "machine room name | default noname", false],
      ["-i, --interval <arg>", "print interval | default 10 seconds", false],
    ],
    async run(admin, opts, out) {
      const amount = opts["amount"] === undefined ? 100 : Number(str(opts, "amount"));
      const size = opts["size"] === undefined ? 128 : Number(str(opts, "size"));
      const interval = opts["interval"] === undefined ? 10 : Number(str(opts, "interval"));
      const printAsTlog = str(opts, "printLog").toLowerCase() === "true";
      const machineRoom = opts["machineRoom"] === undefined ? "noname" : str(opts, "machineRoom");
      const info = await admin.examineBrokerClusterInfo();
      const clusterNames =
        opts["cluster"] !== undefined ? [str(opts, "cluster")] : javaHashMapOrder([...info.clusterAddrTable.keys()]);
      const producer = new DefaultMQProducer({
        namesrvAddr: admin.namesrvAddrList().join(";"),
        producerGroup: String(Date.now()),
      });
      await producer.start();
      let stop = false;
      const onSignal = (): void => {
        stop = true;
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        if (!printAsTlog)
          out(
            javaFormat(
              "%-24s  %-24s  %-4s  %-8s  %-8s%n",
              "#Cluster Name",
              "#Broker Name",
              "#RT",
              "#successCount",
              "#failCount",
            ),
          );
        // Java's command runs until it is killed: one round per interval
        while (!stop) {
          for (const clusterName of clusterNames) {
            const brokerNames = info.clusterAddrTable.get(clusterName);
            if (!brokerNames) {
              out(javaFormat("cluster [%s] not exist", clusterName));
              break;
            }
            for (const brokerName of javaHashMapOrder(brokerNames)) {
              const body = Buffer.alloc(size, "a");
              let elapsed = 0;
              let successCount = 0;
              let failCount = 0;
              for (let i = 0; i < amount && !stop; i++) {
                const start = Date.now();
                try {
                  await producer.send(new Message(brokerName, body));
                  successCount++;
                } catch {
                  failCount++;
                }
                if (i !== 0) elapsed += Date.now() - start;
              }
              const rt = elapsed / (amount - 1);
              if (!printAsTlog) {
                out(
                  javaFormat(
                    "%-24s  %-24s  %-8s  %-16s  %-16s%n",
                    clusterName,
                    brokerName,
                    rt.toFixed(2),
                    successCount,
                    failCount,
                  ),
                );
              } else {
                out(`${formatDate(Date.now(), false)}|${machineRoom}|${clusterName}|${brokerName}|${Math.round(rt)}\n`);
              }
            }
          }
          for (let waited = 0; waited < interval * 1000 && !stop; waited += 100)
            await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await producer.shutdown();
      }
    },
  },
  {
    name: "resetOffsetByTime",
    desc: "Reset consumer offset by timestamp(without client restart).",
    options: [
      ["-g, --group <arg>", "set the consumer group", true],
      ["-t, --topic <arg>", "set the topic", true],
      ["-s, --timestamp <arg>", "set the timestamp[now|currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]", true],
      ["-f, --force <arg>", "set the force rollback by timestamp switch[true|false]", false],
      ["-c, --cplus", "reset c++ client offset", false],
    ],
    async run(admin, opts, out) {
      const group = str(opts, "group");
      const topic = str(opts, "topic");
      const ts = str(opts, "timestamp");
      const timestamp = ts === "now" ? -1 : parseTimestamp(ts);
      const force = opts["force"] === undefined ? true : str(opts, "force").toLowerCase() === "true";
      const table = await admin.resetOffsetByTimestamp(topic, group, timestamp, force);
      out(
        javaFormat(
          "rollback consumer offset by specified group[%s], topic[%s], force[%s], timestamp(string)[%s], timestamp(long)[%s]%n",
          group,
          topic,
          force,
          ts,
          timestamp,
        ),
      );
      out(javaFormat("%-40s  %-40s  %-40s%n", "#brokerName", "#queueId", "#offset"));
      // Java prints its HashMap<MessageQueue, Long>: MessageQueue.hashCode order
      for (const e of javaHashOrder(table, (x) => messageQueueHash(x.topic, x.brokerName, x.queueId))) {
        out(javaFormat("%-40s  %-40d  %-40d%n", e.brokerName.padEnd(32), e.queueId, e.offset));
      }
    },
  },
];

/** `now`-less timestamps: milliseconds, or yyyy-MM-dd#HH:mm:ss:SSS in local time. */
function parseTimestamp(s: string): number {
  if (/^-?\d+$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d{2})-(\d{2})#(\d{2}):(\d{2}):(\d{2}):(\d{3})$/.exec(s);
  if (!m) throw new MQClientException(-1, `Unparseable date: "${s}"`);
  const [, y, mo, d, h, mi, sec, ms] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, sec!, ms!).getTime();
}

/** Java's MessageQueue.hashCode (brokerName, queueId, topic; prime 31). */
function messageQueueHash(topic: string, brokerName: string, queueId: number): number {
  let h = 1;
  h = (Math.imul(31, h) + javaStringHashCode(brokerName)) | 0;
  h = (Math.imul(31, h) + queueId) | 0;
  h = (Math.imul(31, h) + javaStringHashCode(topic)) | 0;
  return h;
}

/** Iteration order of a default java.util.HashMap holding `items` (bucket of the spread hash, then insertion). */
function javaHashOrder<T>(items: readonly T[], hash: (t: T) => number): T[] {
  let capacity = 16;
  while (items.length > capacity * 0.75) capacity *= 2;
  return items
    .map((item, index) => {
      const h = hash(item);
      return { item, index, bucket: (h ^ (h >>> 16)) & (capacity - 1) };
    })
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((x) => x.item);
}

/**
 * Java's QueryMsgByIdSubCommand.printMsg: key lines (%-20s), the body written to
 * /tmp/rocketmq/msgbodys/<msgId>, then each consumer group's MessageTrack.
 */
async function printMsg(admin: MQAdminClient, msg: MessageExt, out: Out, withOffsetId: boolean): Promise<void> {
  const dir = "/tmp/rocketmq/msgbodys";
  mkdirSync(dir, { recursive: true });
  const bodyPath = `${dir}/${msg.msgId}`;
  writeFileSync(bodyPath, msg.body);
  const line = (k: string, v: string | number): void =>
    out(javaFormat(typeof v === "number" ? "%-20s %d%n" : "%-20s %s%n", k, v));
  if (withOffsetId) line("OffsetID:", msg.offsetMsgId);
  line("Topic:", msg.topic);
  line("Tags:", `[${msg.tags ?? "null"}]`);
  line("Keys:", `[${msg.keys ?? "null"}]`);
  line("Queue ID:", msg.queueId);
  line("Queue Offset:", msg.queueOffset);
  line("CommitLog Offset:", msg.commitLogOffset);
  line("Reconsume Times:", msg.reconsumeTimes);
  line("Born Timestamp:", formatDate(msg.bornTimestamp, true));
  line("Store Timestamp:", formatDate(msg.storeTimestamp, true));
  line("Born Host:", msg.bornHost);
  line("Store Host:", msg.storeHost);
  line("System Flag:", msg.sysFlag);
  // java.util.HashMap.toString
  const props = javaHashMapOrder([...msg.properties.keys()]).map((k) => `${k}=${msg.properties.get(k) ?? ""}`);
  line("Properties:", `{${props.join(", ")}}`);
  line("Message Body Path:", bodyPath);
  const tracks = await admin.messageTrackDetail(msg);
  if (tracks.length === 0) {
    out(javaFormat("%n%nWARN: No Consumer"));
  } else {
    out(javaFormat("%n%n"));
    for (const t of tracks) out(messageTrackToString(t));
  }
}
