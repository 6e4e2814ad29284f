/** `mqadmin queryMsgByKey`: the ids and queue positions of a topic's messages with a key (Java's QueryMsgByKeySubCommand). */
import { javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const queryMsgByKeyCommand: SubCommand = {
  name: "queryMsgByKey",
  desc: "Query Message by Key",
  options: [
    ["-t, --topic <arg>", "topic name", true],
    ["-k, --msgKey <arg>", "Message Key", true],
  ],
  async run(opts, { admin, out }) {
    // Java: at most 64 messages, any store time
    const msgs = await admin.queryMessageByKey(str(opts, "topic"), str(opts, "msgKey"), 64, 0, Number.MAX_SAFE_INTEGER);
    out(javaFormat("%-50s %4s %40s%n", "#Message ID", "#QID", "#Offset"));
    for (const m of msgs) out(javaFormat("%-50s %4d %40d%n", m.msgId, m.queueId, m.queueOffset));
  },
};
