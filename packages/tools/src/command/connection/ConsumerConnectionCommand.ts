/** `mqadmin consumerConnection`: a group's clients, their subscriptions and consume settings (Java's ConsumerConnectionSubCommand). */
import { javaConcurrentHashMapOrder, versionDesc, type JsonValue } from "@rocketmq-ts/remoting";
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
    const table = new Map(
      subs instanceof Map
        ? [...subs.entries()].map(([k, v]) => [String(k), v] as const)
        : Object.entries((subs as Record<string, JsonValue>) ?? {}),
    );
    // Java's tool holds the table in a ConcurrentHashMap and prints it in that map's order
    for (const topic of javaConcurrentHashMapOrder([...table.keys()]))
      out(javaFormat("%-20s %s%n", topic, String((table.get(topic) as Record<string, JsonValue>)["subString"])));
    out(`\nConsumeType: ${String(body["consumeType"])}\n`);
    out(`MessageModel: ${String(body["messageModel"])}\n`);
    out(`ConsumeFromWhere: ${String(body["consumeFromWhere"])}\n`);
  },
};
