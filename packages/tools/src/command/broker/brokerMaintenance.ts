/**
 * What cleanExpiredCQ, deleteExpiredCommitLog and cleanUnusedTopic share (Java's CleanExpiredCQSubCommand,
 * DeleteExpiredCommitLogSubCommand, CleanUnusedTopicCommand): one broker with -b, else every broker of
 * the -c cluster (of every cluster without -c); prints `success` or `false`, without a newline.
 */
import type { MQAdminExt } from "../MQAdminExt.js";
import { str, type SubCommand } from "../SubCommand.js";

type Target = { brokerAddr: string } | { cluster?: string };

export function brokerMaintenanceCommand(
  name: string,
  desc: string,
  clusterDesc: string,
  request: (admin: MQAdminExt, target: Target) => Promise<boolean>,
): SubCommand {
  return {
    name,
    desc,
    options: [
      ["-b, --brokerAddr <arg>", "Broker address", false],
      ["-c, --cluster <arg>", clusterDesc, false],
    ],
    async run(opts, { admin, out }) {
      const target: Target =
        opts["brokerAddr"] !== undefined
          ? { brokerAddr: str(opts, "brokerAddr") }
          : opts["cluster"] !== undefined
            ? { cluster: str(opts, "cluster") }
            : {};
      out((await request(admin, target)) ? "success" : "false");
    },
  };
}
