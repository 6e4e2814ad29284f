/** `mqadmin updateTopic`: create or update a topic on one broker or every master of a cluster (Java's UpdateTopicSubCommand). */
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import { newTopicConfig, parseAttributes, topicConfigString } from "@rocketmq-ts/common";
import { fetchMasterAddrByClusterName } from "../CommandUtil.js";
import { str, type SubCommand } from "../SubCommand.js";

export const updateTopicCommand: SubCommand = {
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
    ["-a, --attributes <arg>", "attribute(+a=b,+c=d,-e)", false],
  ],
  async run(opts, { admin, out }) {
    const config = newTopicConfig(str(opts, "topic"), {
      readQueueNums: Number(opts["readQueueNums"] ?? 8),
      writeQueueNums: Number(opts["writeQueueNums"] ?? 8),
      perm: Number(opts["perm"] ?? 6),
      order: str(opts, "order") === "true",
      topicSysFlag: (str(opts, "unit") === "true" ? 1 : 0) | (str(opts, "hasUnitSub") === "true" ? 2 : 0),
    });
    // 5.x: the change as Java's AttributeParser reads it (refused here when malformed)
    const attributes = opts["attributes"] !== undefined ? parseAttributes(str(opts, "attributes").trim()) : undefined;
    const addrs = opts["brokerAddr"]
      ? [str(opts, "brokerAddr")]
      : await fetchMasterAddrByClusterName(admin, str(opts, "clusterName"));
    if (addrs.length === 0) throw new Error("no broker found: give -b or -c");
    for (const addr of addrs) {
      await admin.createAndUpdateTopicConfig(addr, config, attributes);
      out(`create topic to ${addr} success.\n`);
    }
    if (!attributes) {
      out(topicConfigString(config));
      return;
    }
    // 5.x's TopicConfig.toString ends with the change map as Java's HashMap prints it
    const shown = javaHashMapOrder([...attributes.keys()]).map((k) => `${k}=${attributes.get(k) ?? ""}`);
    out(`${topicConfigString(config).slice(0, -1)}, attributes={${shown.join(", ")}}]`);
  },
};
