/**
 * `mqadmin updateGlobalWhiteAddr`: replace the global white address list of a broker's ACL file on one
 * broker or on every broker (masters and slaves) of a cluster (Java 4.9.8's UpdateGlobalWhiteAddrSubCommand).
 */
import { str, type SubCommand } from "../SubCommand.js";
import { BROKER_OR_CLUSTER, brokerOrCluster, targetAddrs } from "./aclTargets.js";

export const updateGlobalWhiteAddrCommand: SubCommand = {
  name: "updateGlobalWhiteAddr",
  desc: "Update global white address for acl Config File in broker",
  options: [
    ...brokerOrCluster("update global white address to which broker", "update global white address to which cluster"),
    ["-g, --globalWhiteRemoteAddresses <arg>", "set globalWhiteRemoteAddress list,eg: 10.10.103.*,192.168.0.*", true],
    ["-p, --aclFileFullPath <arg>", "update global white address of specified acl file,eg: /xxx/plain_test.yml", false],
  ],
  oneOf: BROKER_OR_CLUSTER,
  async run(opts, { admin, out }) {
    const addresses = str(opts, "globalWhiteRemoteAddresses");
    const aclFileFullPath = opts["aclFileFullPath"] !== undefined ? str(opts, "aclFileFullPath") : undefined;
    const { addrs } = await targetAddrs(admin, opts, true, out);
    for (const addr of addrs) {
      await admin.updateGlobalWhiteAddrConfig(addr, addresses, aclFileFullPath);
      out(`update global white remote addresses to ${addr} success.\n`);
    }
  },
};
