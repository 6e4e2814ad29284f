/** `mqadmin deleteTopic`: delete a topic from every master of a cluster, then from every name server (Java's DeleteTopicSubCommand). */
import { fetchMasterAddrByClusterName } from "../CommandUtil.js";
import { str, type SubCommand } from "../SubCommand.js";

export const deleteTopicCommand: SubCommand = {
  name: "deleteTopic",
  desc: "Delete topic from broker and NameServer.",
  options: [
    ["-t, --topic <arg>", "topic name", true],
    ["-c, --clusterName <arg>", "delete topic from which cluster", true],
  ],
  async run(opts, { admin, out }) {
    const topic = str(opts, "topic");
    const cluster = str(opts, "clusterName");
    for (const addr of await fetchMasterAddrByClusterName(admin, cluster)) await admin.deleteTopicInBroker(addr, topic);
    out(`delete topic [${topic}] from cluster [${cluster}] success.\n`);
    for (const ns of admin.namesrvAddrList()) await admin.deleteTopicInNameServer(ns, topic, cluster);
    out(`delete topic [${topic}] from NameServer success.\n`);
  },
};
