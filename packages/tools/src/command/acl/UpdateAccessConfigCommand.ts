/**
 * `mqadmin updateAclConfig`: create or update an account of the brokers' plain ACL file on one
 * broker or on every broker (masters and slaves) of a cluster (Java 4.9.8's UpdateAccessConfigSubCommand).
 */
import type { PlainAccessConfig } from "@rocketmq-ts/client";
import { str, type Opts, type SubCommand } from "../SubCommand.js";
import { BROKER_OR_CLUSTER, brokerOrCluster, targetAddrs } from "./aclTargets.js";

/** Java's `String.split(",")`: without a comma the value itself, else trailing empty pieces dropped. */
function splitPerms(value: string): string[] {
  if (!value.includes(",")) return [value];
  const pieces = value.split(",");
  while (pieces.length > 0 && pieces[pieces.length - 1] === "") pieces.pop();
  return pieces;
}

/** The account as the options give it (absent options stay unset, as in Java). */
export function accessConfigOf(opts: Opts): PlainAccessConfig {
  const config: PlainAccessConfig = { accessKey: str(opts, "accessKey"), admin: false };
  if (opts["secretKey"] !== undefined) config.secretKey = str(opts, "secretKey");
  if (opts["admin"] !== undefined) config.admin = str(opts, "admin").toLowerCase() === "true";
  if (opts["defaultTopicPerm"] !== undefined) config.defaultTopicPerm = str(opts, "defaultTopicPerm");
  if (opts["defaultGroupPerm"] !== undefined) config.defaultGroupPerm = str(opts, "defaultGroupPerm");
  if (opts["whiteRemoteAddress"] !== undefined) config.whiteRemoteAddress = str(opts, "whiteRemoteAddress");
  if (opts["topicPerms"] !== undefined) config.topicPerms = splitPerms(str(opts, "topicPerms"));
  if (opts["groupPerms"] !== undefined) config.groupPerms = splitPerms(str(opts, "groupPerms"));
  return config;
}

/** Java's AbstractList.toString: `[a, b]`, or `null`. */
const listString = (list: readonly string[] | undefined): string => (list ? `[${list.join(", ")}]` : "null");
const quoted = (v: string | null | undefined): string => `'${v ?? "null"}'`;

/**
 * How the command prints the account: the `PlainAccessConfig{…}` form of Apache's toString (5.0
 * on; 4.9.8's class has none and prints `org.apache.rocketmq.common.PlainAccessConfig@<hash>`).
 * The secret key is left out, as there.
 */
export function plainAccessConfigString(c: PlainAccessConfig): string {
  return (
    `PlainAccessConfig{accessKey=${quoted(c.accessKey)}, whiteRemoteAddress=${quoted(c.whiteRemoteAddress)}, ` +
    `admin=${c.admin}, defaultTopicPerm=${quoted(c.defaultTopicPerm)}, defaultGroupPerm=${quoted(c.defaultGroupPerm)}, ` +
    `topicPerms=${listString(c.topicPerms)}, groupPerms=${listString(c.groupPerms)}}`
  );
}

export const updateAccessConfigCommand: SubCommand = {
  name: "updateAclConfig",
  desc: "Update acl config yaml file in broker",
  options: [
    ...brokerOrCluster("update acl config file to which broker", "update acl config file to which cluster"),
    ["-a, --accessKey <arg>", "set accessKey in acl config file", true],
    ["-s, --secretKey <arg>", "set secretKey in acl config file", true],
    ["-w, --whiteRemoteAddress <arg>", "set white ip Address for account in acl config file", false],
    ["-i, --defaultTopicPerm <arg>", "set default topicPerm in acl config file", false],
    ["-u, --defaultGroupPerm <arg>", "set default GroupPerm in acl config file", false],
    ["-t, --topicPerms <arg>", "set topicPerms list,eg: topicA=DENY,topicD=SUB", false],
    ["-g, --groupPerms <arg>", "set groupPerms list,eg: groupD=DENY,groupD=SUB", false],
    ["-m, --admin <arg>", "set admin flag in acl config file", false],
  ],
  oneOf: BROKER_OR_CLUSTER,
  async run(opts, { admin, out }) {
    const config = accessConfigOf(opts);
    const { addrs } = await targetAddrs(admin, opts, true, out);
    for (const addr of addrs) {
      await admin.createAndUpdatePlainAccessConfig(addr, config);
      out(`create or update plain access config to ${addr} success.\n`);
    }
    out(plainAccessConfigString(config));
  },
};
