/**
 * `mqadmin consumerStatus`: each client of a group reports its running info (GET_CONSUMER_RUNNING_INFO,
 * relayed by a broker); Java's ConsumerStatusSubCommand writes every report to <now>/<clientId> and
 * prints an index and whether the group's subscriptions and rebalance agree. With -i, one client's report.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { analyzeProcessQueue, analyzeSubscription, type ConsumerRunningInfo } from "@rocketmq-ts/common";
import { versionDesc } from "@rocketmq-ts/remoting";
import { formatConsumerRunningInfo } from "../../consumerRunningInfo.js";
import { javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const consumerStatusCommand: SubCommand = {
  name: "consumerStatus",
  desc: "Query consumer's internal data structure",
  options: [
    ["-g, --consumerGroup <arg>", "consumer group name", true],
    ["-i, --clientId <arg>", "The consumer's client id", false],
    ["-s, --jstack", "Run jstack command in the consumer progress", false],
  ],
  async run(opts, { admin, out, err, workDir }) {
    const group = str(opts, "consumerGroup");
    const jstack = opts["jstack"] === true;
    if (opts["clientId"] !== undefined) {
      const info = await admin.getConsumerRunningInfo(group, str(opts, "clientId"), jstack);
      if (info) out(formatConsumerRunningInfo(info));
      return;
    }
    const { connections } = await admin.examineConsumerConnectionInfo(group);
    const now = Date.now();
    const table = new Map<string, ConsumerRunningInfo>();
    out(javaFormat("%-10s %-40s %-20s %s%n", "#Index", "#ClientId", "#Version", "#ConsumerRunningInfoFile"));
    let i = 1;
    for (const conn of connections) {
      const info = await admin.getConsumerRunningInfo(group, conn.clientId, jstack).catch((e: Error) => {
        err(`${e.message}\n`);
        return null;
      });
      if (!info) continue;
      table.set(conn.clientId, info);
      // Java writes each client's report to <now>/<clientId> under the working directory
      const filePath = `${now}/${conn.clientId}`;
      const file = resolve(workDir, filePath);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, formatConsumerRunningInfo(info));
      out(javaFormat("%-10d %-40s %-20s %s%n", i++, conn.clientId, versionDesc(conn.version), filePath));
    }
    if (table.size === 0) return;
    const sorted = [...table].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (!analyzeSubscription(sorted.map(([, v]) => v))) {
      out("\n\nWARN: Different subscription in the same group of consumer!!!");
      return;
    }
    out("\n\nSame subscription in the same group of consumer");
    out("\n\nRebalance OK\n");
    for (const [clientId, info] of sorted) out(analyzeProcessQueue(clientId, info));
  },
};
