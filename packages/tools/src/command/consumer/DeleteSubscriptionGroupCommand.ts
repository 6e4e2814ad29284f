/** `mqadmin deleteSubGroup`: delete a subscription group from a broker or every master of a cluster (Java's DeleteSubscriptionGroupCommand). */
import { fetchMasterAddrByClusterName } from "../CommandUtil.js";
import { str, type SubCommand } from "../SubCommand.js";

export const deleteSubscriptionGroupCommand: SubCommand = {
  name: "deleteSubGroup",
  desc: "Delete subscription group from broker.",
  options: [
    ["-b, --brokerAddr <arg>", "delete subscription group from which broker", false],
    ["-c, --clusterName <arg>", "delete subscription group from which cluster", false],
    ["-g, --groupName <arg>", "subscription group name", true],
  ],
  async run(opts, { admin, out }) {
    const group = str(opts, "groupName");
    if (opts["brokerAddr"]) {
      await admin.deleteSubscriptionGroup(str(opts, "brokerAddr"), group);
      out(`delete subscription group [${group}] from broker [${str(opts, "brokerAddr")}] success.\n`);
      return;
    }
    const cluster = str(opts, "clusterName");
    for (const addr of await fetchMasterAddrByClusterName(admin, cluster)) {
      await admin.deleteSubscriptionGroup(addr, group);
      out(`delete subscription group [${group}] from broker [${addr}] in cluster [${cluster}] success.\n`);
    }
  },
};
