/** `mqadmin updateBrokerConfig`: set one configuration key on a broker or every master of a cluster (Java's UpdateBrokerConfigSubCommand). */
import { fetchMasterAddrByClusterName } from "../CommandUtil.js";
import { str, type SubCommand } from "../SubCommand.js";

export const updateBrokerConfigCommand: SubCommand = {
  name: "updateBrokerConfig",
  desc: "Update broker's config",
  options: [
    ["-b, --brokerAddr <arg>", "update which broker", false],
    ["-c, --clusterName <arg>", "update which cluster", false],
    ["-k, --key <arg>", "config key", true],
    ["-v, --value <arg>", "config value", true],
  ],
  async run(opts, { admin, out }) {
    const props = new Map([[str(opts, "key"), str(opts, "value")]]);
    const addrs = opts["brokerAddr"]
      ? [str(opts, "brokerAddr")]
      : await fetchMasterAddrByClusterName(admin, str(opts, "clusterName"));
    for (const addr of addrs) {
      await admin.updateBrokerConfig(addr, props);
      out(`update broker config success, ${addr}\n`);
    }
  },
};
