/**
 * `mqadmin resetOffsetByTime`: move a group's offsets on a topic to a point in time; the brokers tell
 * the running clients (Java's ResetOffsetByTimeCommand).
 */
import { javaFormat } from "../../format.js";
import { inMessageQueueHashOrder } from "../messageQueueOrder.js";
import { str, type SubCommand } from "../SubCommand.js";
import { parseTimestamp } from "../timestamp.js";

export const resetOffsetByTimeCommand: SubCommand = {
  name: "resetOffsetByTime",
  desc: "Reset consumer offset by timestamp(without client restart).",
  options: [
    ["-g, --group <arg>", "set the consumer group", true],
    ["-t, --topic <arg>", "set the topic", true],
    ["-s, --timestamp <arg>", "set the timestamp[now|currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]", true],
    ["-f, --force <arg>", "set the force rollback by timestamp switch[true|false]", false],
    ["-c, --cplus", "reset c++ client offset", false],
  ],
  async run(opts, { admin, out }) {
    const group = str(opts, "group");
    const topic = str(opts, "topic");
    const ts = str(opts, "timestamp");
    const timestamp = ts === "now" ? -1 : parseTimestamp(ts);
    const force = opts["force"] === undefined ? true : str(opts, "force").toLowerCase() === "true";
    const table = await admin.resetOffsetByTimestamp(topic, group, timestamp, force);
    out(
      javaFormat(
        "rollback consumer offset by specified group[%s], topic[%s], force[%s], timestamp(string)[%s], timestamp(long)[%s]%n",
        group,
        topic,
        force,
        ts,
        timestamp,
      ),
    );
    out(javaFormat("%-40s  %-40s  %-40s%n", "#brokerName", "#queueId", "#offset"));
    // Java prints its HashMap<MessageQueue, Long>: MessageQueue.hashCode order
    for (const e of inMessageQueueHashOrder(table)) {
      out(javaFormat("%-40s  %-40d  %-40d%n", e.brokerName.padEnd(32), e.queueId, e.offset));
    }
  },
};
