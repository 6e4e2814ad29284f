/** `mqadmin getBrokerConfig`: the configuration of one broker or of every broker of a cluster (Java's GetBrokerConfigCommand). */
import { fetchMasterAndSlaveAddrByClusterName } from "../CommandUtil.js";
import { printConfig } from "../configLines.js";
import { str, type SubCommand } from "../SubCommand.js";

export const getBrokerConfigCommand: SubCommand = {
  name: "getBrokerConfig",
  desc: "Get broker config by cluster or special broker!",
  options: [
    ["-b, --brokerAddr <arg>", "get which broker", false],
    ["-c, --clusterName <arg>", "get which cluster", false],
  ],
  async run(opts, { admin, out }) {
    const addrs = opts["brokerAddr"]
      ? [str(opts, "brokerAddr")]
      : await fetchMasterAndSlaveAddrByClusterName(admin, str(opts, "clusterName"));
    for (const addr of addrs) printConfig(out, addr, await admin.getBrokerConfig(addr));
  },
};
