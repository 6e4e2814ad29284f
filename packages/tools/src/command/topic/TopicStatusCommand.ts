/** `mqadmin topicStatus`: min/max offset and last update of every queue of a topic (Java's TopicStatusSubCommand). */
import { formatDate, javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const topicStatusCommand: SubCommand = {
  name: "topicStatus",
  desc: "Examine topic Status info",
  options: [["-t, --topic <arg>", "topic name", true]],
  async run(opts, { admin, out }) {
    const stats = await admin.examineTopicStats(str(opts, "topic"));
    if (stats.length === 0) {
      out("Not found the topic stats info\n");
      return;
    }
    stats.sort(
      (a, b) => a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId,
    );
    out(
      javaFormat(
        "%-32s  %-4s  %-20s  %-20s    %s%n",
        "#Broker Name",
        "#QID",
        "#Min Offset",
        "#Max Offset",
        "#Last Updated",
      ),
    );
    for (const s of stats) {
      const last = s.lastUpdateTimestamp > 0 ? formatDate(s.lastUpdateTimestamp, true) : "";
      out(javaFormat("%-32s  %-4d  %-20d  %-20d    %s%n", s.brokerName, s.queueId, s.minOffset, s.maxOffset, last));
    }
  },
};
