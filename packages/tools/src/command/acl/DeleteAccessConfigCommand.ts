/**
 * `mqadmin deleteAclConfig` (alias `deleteAccessConfig`): remove an account from the plain ACL files
 * of one broker or of every broker (masters and slaves) of a cluster (Java 4.9.8's DeleteAccessConfigSubCommand).
 */
import { str, type SubCommand } from "../SubCommand.js";
import { BROKER_OR_CLUSTER, brokerOrCluster, targetAddrs } from "./aclTargets.js";

export const deleteAccessConfigCommand: SubCommand = {
  name: "deleteAclConfig",
  alias: "deleteAccessConfig",
  desc: "Delete Acl Config Account in broker",
  options: [
    ...brokerOrCluster("delete acl config account from which broker", "delete acl config account from which cluster"),
    ["-a, --accessKey <arg>", "set accessKey in acl config file for deleting which account", true],
  ],
  oneOf: BROKER_OR_CLUSTER,
  async run(opts, { admin, out }) {
    const accessKey = str(opts, "accessKey");
    const { addrs } = await targetAddrs(admin, opts, true, out);
    for (const addr of addrs) {
      await admin.deletePlainAccessConfig(addr, accessKey);
      out(`delete plain access config account from ${addr} success.\n`);
    }
    out(`account's accesskey is:${accessKey}`);
  },
};
