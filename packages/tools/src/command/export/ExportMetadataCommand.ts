/**
 * `mqadmin exportMetadata`: the user topics and subscription groups of one broker (-b, with -t or -g)
 * or of a cluster's masters (-c, queue counts summed over the brokers) written as pretty fastjson to
 * <filePath>/topic.json, subscriptionGroup.json or metadata.json (Java's ExportMetadataCommand).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { SubscriptionGroupWrapper } from "@rocketmq-ts/client";
import type { DataVersion, TopicConfig } from "@rocketmq-ts/common";
import { javaHashMapOrder, stringifyFastjson, type JsonObject } from "@rocketmq-ts/remoting";
import { fetchMasterAddrByClusterName } from "../CommandUtil.js";
import { str, type SubCommand } from "../SubCommand.js";

const DEFAULT_FILE_PATH = "/tmp/rocketmq/export";

/** 4.9.8's TopicConfig bean (no 5.x attributes). */
const topicConfigBean = (c: TopicConfig): Omit<TopicConfig, "attributes"> => ({
  order: c.order,
  perm: c.perm,
  readQueueNums: c.readQueueNums,
  topicFilterType: c.topicFilterType,
  topicName: c.topicName,
  topicSysFlag: c.topicSysFlag,
  writeQueueNums: c.writeQueueNums,
});

/** 4.9.8's DataVersion bean. */
const dataVersionBean = (v: DataVersion): { counter: number; timestamp: number } => ({
  counter: v.counter,
  timestamp: v.timestamp,
});

/** A map as Java's HashMap / ConcurrentHashMap iterates it. */
function inHashOrder<V>(map: ReadonlyMap<string, V>): Map<string, V> {
  const ordered = new Map<string, V>();
  for (const key of javaHashMapOrder([...map.keys()])) {
    const value = map.get(key);
    if (value !== undefined) ordered.set(key, value);
  }
  return ordered;
}

type TopicConfigBean = ReturnType<typeof topicConfigBean>;
/** The exported file of -c: a HashMap of the two tables and the export time. */
type ExportedValue = Map<string, TopicConfigBean> | Map<string, JsonObject> | number;

/** MixAll.string2FileNotSafe: parent directories created, file written. */
function writeExport(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const retryQueueNums = (c: JsonObject): number => Number(c["retryQueueNums"] ?? 0);

export const exportMetadataCommand: SubCommand = {
  name: "exportMetadata",
  desc: "export metadata",
  options: [
    ["-c, --clusterName <arg>", "choose a cluster to export", false],
    ["-b, --brokerAddr <arg>", "choose a broker to export", false],
    ["-f, --filePath <arg>", "export metadata.json path | default /tmp/rocketmq/export", false],
    ["-t, --topic", "only export topic metadata", false],
    ["-g, --subscriptionGroup", "only export subscriptionGroup metadata", false],
    ["-s, --specialTopic", "need retryTopic and dlqTopic", false],
  ],
  async run(opts, { admin, out, workDir }) {
    const filePath = opts["filePath"] === undefined ? DEFAULT_FILE_PATH : str(opts, "filePath");
    const specialTopic = opts["specialTopic"] === true;
    const onlyTopic = opts["topic"] === true;
    const onlyGroups = opts["subscriptionGroup"] === true;
    const target = (name: string): [string, string] => {
      const shown = `${filePath}/${name}`;
      return [shown, resolve(workDir, shown)];
    };

    if (opts["brokerAddr"] !== undefined) {
      const brokerAddr = str(opts, "brokerAddr");
      if (onlyTopic) {
        const wrapper = await admin.getUserTopicConfig(brokerAddr, specialTopic);
        const [shown, file] = target("topic.json");
        const bean = {
          dataVersion: dataVersionBean(wrapper.dataVersion),
          topicConfigTable: new Map(
            [...inHashOrder(wrapper.topicConfigTable)].map(([t, c]) => [t, topicConfigBean(c)]),
          ),
        };
        writeExport(file, stringifyFastjson(bean, { pretty: true }));
        out(`export ${shown} success`);
      } else if (onlyGroups) {
        const wrapper = await admin.getUserSubscriptionGroup(brokerAddr);
        const [shown, file] = target("subscriptionGroup.json");
        const bean = {
          dataVersion: dataVersionBean(wrapper.dataVersion),
          subscriptionGroupTable: inHashOrder(wrapper.subscriptionGroupTable),
        };
        writeExport(file, stringifyFastjson(bean, { pretty: true }));
        out(`export ${shown} success`);
      }
      return;
    }

    if (opts["clusterName"] === undefined) {
      out(usage(this.options));
      return;
    }
    const clusterName = str(opts, "clusterName");
    // Java collects the masters in a HashSet
    const masters = javaHashMapOrder(await fetchMasterAddrByClusterName(admin, clusterName));
    const topics = new Map<string, TopicConfig>();
    const groups = new Map<string, JsonObject>();
    for (const addr of masters) {
      const topicWrapper = await admin.getUserTopicConfig(addr, specialTopic);
      const groupWrapper: SubscriptionGroupWrapper = await admin.getUserSubscriptionGroup(addr);
      for (const [name, config] of inHashOrder(topicWrapper.topicConfigTable)) {
        const seen = topics.get(name);
        if (seen) {
          config.writeQueueNums += seen.writeQueueNums;
          config.readQueueNums += seen.readQueueNums;
        }
        topics.set(name, config);
      }
      for (const [name, config] of inHashOrder(groupWrapper.subscriptionGroupTable)) {
        const seen = groups.get(name);
        const merged: JsonObject = seen
          ? { ...config, retryQueueNums: retryQueueNums(seen) + retryQueueNums(config) }
          : config;
        groups.set(name, merged);
      }
    }
    const result = new Map<string, ExportedValue>();
    let name: string;
    const topicTable = new Map([...inHashOrder(topics)].map(([t, c]) => [t, topicConfigBean(c)]));
    if (onlyTopic) {
      result.set("topicConfigTable", topicTable);
      name = "topic.json";
    } else if (onlyGroups) {
      result.set("subscriptionGroupTable", inHashOrder(groups));
      name = "subscriptionGroup.json";
    } else {
      result.set("topicConfigTable", topicTable);
      result.set("subscriptionGroupTable", inHashOrder(groups));
      name = "metadata.json";
    }
    result.set("exportTime", Date.now());
    const [shown, file] = target(name);
    writeExport(file, stringifyFastjson(inHashOrder(result), { pretty: true }));
    out(`export ${shown} success\n`);
  },
};

/** ServerUtil's options every Java sub-command has besides its own. */
const COMMON_OPTIONS: [string, string, boolean][] = [
  ["-h, --help", "Print help", false],
  ["-n, --namesrvAddr <arg>", "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'", false],
];

/**
 * What Java's HelpFormatter (ServerUtil.printCommandLineHelp) prints when neither -b nor -c is given:
 * the usage line, then one line per option sorted by letter, descriptions in one column.
 */
function usage(options: [string, string, boolean][]): string {
  const rows = [...options, ...COMMON_OPTIONS]
    .map(([flags, desc]) => ({ flags: flags.replace(", ", ","), desc }))
    .sort((a, b) => (a.flags < b.flags ? -1 : 1));
  const width = Math.max(...rows.map((r) => r.flags.length));
  const synopsis = rows.map((r) => `[${r.flags.replace(/,--\S+/, "")}]`).join(" ");
  return [
    `usage: mqadmin exportMetadata ${synopsis}`,
    ...rows.map((r) => ` ${r.flags.padEnd(width)}   ${r.desc}`),
    "",
  ].join("\n");
}
