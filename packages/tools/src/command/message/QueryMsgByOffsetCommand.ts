/** `mqadmin queryMsgByOffset`: the message at one offset of one queue (Java's QueryMsgByOffsetSubCommand). */
import { str, type SubCommand } from "../SubCommand.js";
import { printMsg } from "./printMsg.js";

export const queryMsgByOffsetCommand: SubCommand = {
  name: "queryMsgByOffset",
  desc: "Query Message by offset",
  options: [
    ["-t, --topic <arg>", "topic name", true],
    ["-b, --brokerName <arg>", "Broker Name", true],
    ["-i, --queueId <arg>", "Queue Id", true],
    ["-o, --offset <arg>", "Queue Offset", true],
  ],
  async run(opts, { admin, out }) {
    const mq = {
      topic: str(opts, "topic"),
      brokerName: str(opts, "brokerName"),
      queueId: Number(str(opts, "queueId")),
    };
    const msg = await admin.pullOne(mq, Number(str(opts, "offset")));
    // Java prints nothing when the offset holds no message
    if (msg) await printMsg(admin, msg, out, true);
  },
};
