/** `mqadmin consumerConnection`: a group's clients, their subscriptions and consume settings (Java's ConsumerConnectionSubCommand). */
import { versionDesc, type JsonValue } from "@rocketmq-ts/remoting";
import { javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const consumerConnectionCommand: SubCommand = {
  name: "consumerConnection",
  desc: "Query consumer's socket connection, client version and subscription",
  options: [["-g, --consumerGroup <arg>", "consumer group name", true]],
  async run(opts, { admin, out }) {
    const { connections, body } = await admin.examineConsumerConnectionInfo(str(opts, "consumerGroup"));
    out(javaFormat("%-36s %-22s %-10s %s%n", "#ClientId", "#ClientAddr", "#Language", "#Version"));
    for (const c of connections)
      out(javaFormat("%-36s %-22s %-10s %s%n", c.clientId, c.clientAddr, c.language, versionDesc(c.version)));
    out("\nBelow is subscription:\n");
    out(javaFormat("%-20s %s%n", "#Topic", "#SubExpression"));
    const subs = body["subscriptionTable"];
    const entries =
      subs instanceof Map ? [...subs.entries()] : Object.entries((subs as Record<string, JsonValue>) ?? {});
    for (const [topic, sub] of entries)
      out(javaFormat("%-20s %s%n", String(topic), String((sub as Record<string, JsonValue>)["subString"])));
    out(`\nConsumeType: ${String(body["consumeType"])}\n`);
    out(`MessageModel: ${String(body["messageModel"])}\n`);
    out(`ConsumeFromWhere: ${String(body["consumeFromWhere"])}\n`);
  },
};
