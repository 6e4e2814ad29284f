/**
 * `mqadmin clusterAclConfigVersion`: the version (counter, last update) of each ACL file of one broker
 * or of every master of a cluster (Java 4.9.8's ClusterAclConfigVersionListSubCommand).
 */
import { formatDate, javaFormat } from "../../format.js";
import type { MQAdminExt } from "../MQAdminExt.js";
import type { Out, SubCommand } from "../SubCommand.js";
import { BROKER_OR_CLUSTER, brokerOrCluster, targetAddrs } from "./aclTargets.js";

const ROW = "%-16s  %-22s  %-22s  %-20s  %-22s  %-22s%n";

async function printVersions(admin: MQAdminExt, out: Out, addr: string): Promise<void> {
  const info = await admin.examineBrokerClusterAclVersionInfo(addr);
  for (const [file, version] of info.allAclConfigDataVersion) {
    out(
      javaFormat(
        ROW,
        info.clusterName,
        info.brokerName,
        info.brokerAddr,
        file,
        String(version.counter),
        formatDate(version.timestamp, false),
      ),
    );
  }
}

export const clusterAclConfigVersionListCommand: SubCommand = {
  name: "clusterAclConfigVersion",
  desc: "List all of acl config version information in cluster",
  options: brokerOrCluster(
    "query acl config version for which broker",
    "query acl config version for specified cluster",
  ),
  oneOf: BROKER_OR_CLUSTER,
  async run(opts, { admin, out }) {
    const { byBroker, addrs } = await targetAddrs(admin, opts, false, out);
    if (byBroker) {
      await printVersions(admin, out, addrs[0] as string);
      out("get broker's plain access config version success.\n");
      return;
    }
    out(
      javaFormat(
        ROW,
        "#Cluster Name",
        "#Broker Name",
        "#Broker Addr",
        "#AclFilePath",
        "#AclConfigVersionNum",
        "#AclLastUpdateTime",
      ),
    );
    for (const addr of addrs) await printVersions(admin, out, addr);
    out("get cluster's plain access config version success.\n");
  },
};
