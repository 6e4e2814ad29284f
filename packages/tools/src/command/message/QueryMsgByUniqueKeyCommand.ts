/**
 * `mqadmin queryMsgByUniqueKey`: a message by its unique key (UNIQ_KEY); with -g and -d, that consumer
 * consumes it now and its ConsumeMessageDirectlyResult is printed (Java's QueryMsgByUniqueKeySubCommand).
 */
import { consumeMessageDirectlyResultString } from "@rocketmq-ts/common";
import { str, type SubCommand } from "../SubCommand.js";
import { printMsg } from "./printMsg.js";

export const queryMsgByUniqueKeyCommand: SubCommand = {
  name: "queryMsgByUniqueKey",
  desc: "Query Message by Unique key",
  options: [
    ["-i, --msgId <arg>", "Message Id", true],
    ["-g, --consumerGroup <arg>", "consumer group name", false],
    ["-d, --clientId <arg>", "The consumer's client id", false],
    ["-t, --topic <arg>", "The topic of msg", true],
  ],
  async run(opts, { admin, out }) {
    if (opts["consumerGroup"] !== undefined && opts["clientId"] !== undefined) {
      const result = await admin.consumeMessageDirectly(
        str(opts, "consumerGroup"),
        str(opts, "clientId"),
        str(opts, "topic"),
        str(opts, "msgId"),
      );
      out(consumeMessageDirectlyResultString(result));
      return;
    }
    const msg = await admin.viewMessageByUniqKey(str(opts, "topic"), str(opts, "msgId"));
    await printMsg(admin, msg, out, false);
  },
};
