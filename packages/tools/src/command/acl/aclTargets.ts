/** Where the ACL commands send: `-b` one broker, else the brokers of the `-c` cluster. */
import { fetchAddrSetByClusterName } from "../CommandUtil.js";
import type { MQAdminExt } from "../MQAdminExt.js";
import { str, type Opts, type Out } from "../SubCommand.js";

/** `-b` or `-c`, one of them required (Java's OptionGroup); the descriptions are each command's. */
export function brokerOrCluster(brokerHelp: string, clusterHelp: string): [string, string, boolean][] {
  return [
    ["-b, --brokerAddr <arg>", brokerHelp, false],
    ["-c, --clusterName <arg>", clusterHelp, false],
  ];
}

export const BROKER_OR_CLUSTER = ["brokerAddr", "clusterName"];

/**
 * The addresses a command goes to: the `-b` broker, or every broker (`withSlaves`: masters and
 * slaves, else masters only) of the `-c` cluster, in Java's HashSet order; an unknown cluster
 * prints Java's `[error] …` and gives none.
 */
export async function targetAddrs(
  admin: MQAdminExt,
  opts: Opts,
  withSlaves: boolean,
  out: Out,
): Promise<{ byBroker: boolean; addrs: string[] }> {
  if (opts["brokerAddr"] !== undefined) return { byBroker: true, addrs: [str(opts, "brokerAddr")] };
  return {
    byBroker: false,
    addrs: await fetchAddrSetByClusterName(admin, str(opts, "clusterName"), withSlaves, out),
  };
}
