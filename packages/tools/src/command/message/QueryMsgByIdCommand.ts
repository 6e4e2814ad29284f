/** `mqadmin queryMsgById`: messages by their offset message ids, comma-separated (Java's QueryMsgByIdSubCommand). */
import { str, type SubCommand } from "../SubCommand.js";
import { printMsg } from "./printMsg.js";

export const queryMsgByIdCommand: SubCommand = {
  name: "queryMsgById",
  desc: "Query Message by Id",
  options: [["-i, --msgId <arg>", "Message Id", true]],
  async run(opts, { admin, out }) {
    for (const id of str(opts, "msgId").split(",")) {
      const msg = await admin.viewMessage(id.trim());
      await printMsg(admin, msg, out, true);
    }
  },
};
