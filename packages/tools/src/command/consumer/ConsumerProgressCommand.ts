/** `mqadmin consumerProgress -g`: a group's offsets against the brokers', queue by queue (Java's ConsumerProgressSubCommand). */
import { MQClientException } from "@rocketmq-ts/client";
import { formatDate, javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const consumerProgressCommand: SubCommand = {
  name: "consumerProgress",
  desc: "Query consumers's progress, speed",
  options: [["-g, --groupName <arg>", "consumer group name", true]],
  async run(opts, { admin, out }) {
    const { progress, consumeTps } = await admin.examineConsumeStats(str(opts, "groupName"));
    if (progress.length === 0)
      throw new MQClientException(
        206,
        "Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message",
      );
    progress.sort(
      (a, b) => a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId,
    );
    out(
      javaFormat(
        "%-64s  %-32s  %-4s  %-20s  %-20s  %-20s  %s%n",
        "#Topic",
        "#Broker Name",
        "#QID",
        "#Broker Offset",
        "#Consumer Offset",
        "#Diff",
        "#LastTime",
      ),
    );
    let diffTotal = 0;
    for (const p of progress) {
      const diff = p.brokerOffset - p.consumerOffset;
      diffTotal += diff;
      const last = p.lastTimestamp > 0 ? formatDate(p.lastTimestamp, false) : "N/A";
      out(
        javaFormat(
          "%-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s%n",
          p.topic,
          p.brokerName,
          p.queueId,
          p.brokerOffset,
          p.consumerOffset,
          diff,
          last,
        ),
      );
    }
    out("\n");
    out(javaFormat("Consume TPS: %.2f%n", consumeTps));
    out(javaFormat("Diff Total: %d%n", diffTotal));
  },
};
