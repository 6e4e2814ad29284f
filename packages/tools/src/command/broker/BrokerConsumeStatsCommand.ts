/**
 * `mqadmin brokerConsumeStats -b addr [-o isOrder] [-l level] [-t timeoutMillis]`: every group's
 * progress on one broker, queue by queue, with its diff (Java's BrokerConsumeStatsSubCommad).
 */
import { formatDate, frontStringAtLeast, javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

/** Long.parseLong of an option, as Java (a bad number fails the command). */
function parseLong(value: string, option: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw new Error(`NumberFormatException: For input string: "${value}" (-${option})`);
  return Number(value);
}

export const brokerConsumeStatsCommand: SubCommand = {
  name: "brokerConsumeStats",
  desc: "Fetch broker consume stats data",
  options: [
    ["-b, --brokerAddr <arg>", "Broker address", true],
    ["-t, --timeoutMillis <arg>", "request timeout Millis", false],
    ["-l, --level <arg>", "threshold of print diff", false],
    ["-o, --order <arg>", "order topic", false],
  ],
  async run(opts, { admin, out }) {
    const brokerAddr = str(opts, "brokerAddr");
    // Boolean.parseBoolean: only "true", in any case
    const isOrder = opts["order"] !== undefined && str(opts, "order").toLowerCase() === "true";
    const timeoutMillis = opts["timeoutMillis"] !== undefined ? parseLong(str(opts, "timeoutMillis"), "t") : 50_000;
    const diffLevel = opts["level"] !== undefined ? parseLong(str(opts, "level"), "l") : 0;
    const list = await admin.fetchConsumeStatsInBroker(brokerAddr, isOrder, timeoutMillis);
    out(
      javaFormat(
        "%-64s  %-64s  %-32s  %-4s  %-20s  %-20s  %-20s  %s%n",
        "#Topic",
        "#Group",
        "#Broker Name",
        "#QID",
        "#Broker Offset",
        "#Consumer Offset",
        "#Diff",
        "#LastTime",
      ),
    );
    for (const groups of list.consumeStatsList) {
      for (const [group, statsOfTopics] of groups) {
        for (const stats of statsOfTopics) {
          // MessageQueue's natural order: topic, broker name, queue id
          const queues = [...stats.offsetTable].sort(
            (a, b) =>
              (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) ||
              (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0) ||
              a.queueId - b.queueId,
          );
          for (const q of queues) {
            const diff = q.brokerOffset - q.consumerOffset;
            if (diff < diffLevel) continue;
            // queues nothing was consumed from yet have no time and are not printed
            if (q.lastTimestamp <= 0) continue;
            out(
              javaFormat(
                "%-64s  %-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s%n",
                frontStringAtLeast(q.topic, 64),
                group,
                frontStringAtLeast(q.brokerName, 32),
                q.queueId,
                q.brokerOffset,
                q.consumerOffset,
                diff,
                formatDate(q.lastTimestamp, false),
              ),
            );
          }
        }
      }
    }
    out(javaFormat("%nDiff Total: %d%n", list.totalDiff));
  },
};
