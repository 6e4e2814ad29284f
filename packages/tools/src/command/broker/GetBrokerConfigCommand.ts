/** `mqadmin getBrokerConfig`: the configuration of one broker or of every broker of a cluster (Java's GetBrokerConfigCommand). */
import { fetchMasterAndSlaveDistinguish, UNKNOWN_CLUSTER_MESSAGE } from "../CommandUtil.js";
import { printConfig } from "../configLines.js";
import type { MQAdminExt } from "../MQAdminExt.js";
import { str, type Out, type SubCommand } from "../SubCommand.js";

/** One broker's config under its heading, then the empty line Java ends each config with. */
async function getAndPrint(admin: MQAdminExt, out: Out, heading: string, addr: string): Promise<void> {
  printConfig(out, heading, await admin.getBrokerConfig(addr));
  out("\n");
}

export const getBrokerConfigCommand: SubCommand = {
  name: "getBrokerConfig",
  desc: "Get broker config by cluster or special broker!",
  options: [
    ["-b, --brokerAddr <arg>", "get which broker", false],
    ["-c, --clusterName <arg>", "get which cluster", false],
  ],
  async run(opts, { admin, out }) {
    if (opts["brokerAddr"]) {
      const addr = str(opts, "brokerAddr");
      await getAndPrint(admin, out, addr, addr);
      return;
    }
    if (!opts["clusterName"]) return;
    const masters = await fetchMasterAndSlaveDistinguish(admin, str(opts, "clusterName"));
    if (!masters) {
      out(`[error] ${UNKNOWN_CLUSTER_MESSAGE}`);
      return;
    }
    for (const [master, slaves] of masters) {
      await getAndPrint(admin, out, `Master: ${master}`, master);
      for (const slave of slaves) await getAndPrint(admin, out, `My Master: ${master}=====Slave: ${slave}`, slave);
    }
  },
};
