/** `mqadmin brokerStatus`: the runtime figures of one broker or of every broker of a cluster (Java's BrokerStatusSubCommand). */
import { javaFormat } from "../../format.js";
import { fetchMasterAndSlaveAddrByClusterName } from "../CommandUtil.js";
import { str, type SubCommand } from "../SubCommand.js";

export const brokerStatusCommand: SubCommand = {
  name: "brokerStatus",
  desc: "Fetch broker runtime status data",
  options: [
    ["-b, --brokerAddr <arg>", "Broker address", false],
    ["-c, --clusterName <arg>", "which cluster", false],
  ],
  async run(opts, { admin, out }) {
    const addrs = opts["brokerAddr"]
      ? [str(opts, "brokerAddr")]
      : await fetchMasterAndSlaveAddrByClusterName(admin, str(opts, "clusterName"));
    for (const addr of addrs) {
      const kv = await admin.fetchBrokerRuntimeStats(addr);
      // Java keeps the table in a TreeMap
      for (const key of [...kv.keys()].sort()) {
        out(
          opts["brokerAddr"]
            ? javaFormat("%-32s: %s%n", key, kv.get(key))
            : javaFormat("%-24s %-32s: %s%n", addr, key, kv.get(key)),
        );
      }
    }
  },
};
