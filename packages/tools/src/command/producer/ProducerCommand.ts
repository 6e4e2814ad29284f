/** `mqadmin producer`: the producers connected to a broker, group by group (Java's ProducerSubCommand). */
import { producerInfoToString } from "@rocketmq-ts/common";
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import { str, type SubCommand } from "../SubCommand.js";

export const producerCommand: SubCommand = {
  name: "producer",
  desc: "Query producer's instances, connection, status, etc.",
  options: [["-b, --broker <arg>", "broker address", true]],
  async run(opts, { admin, out }) {
    const table = await admin.getAllProducerInfo(str(opts, "broker"));
    // Java reads the answer into a HashMap
    for (const group of javaHashMapOrder([...table.keys()])) {
      const producers = table.get(group) ?? [];
      if (producers.length === 0) {
        out(`producer group (${group}) instances are empty\n`);
        continue;
      }
      for (const p of producers) out(`producer group (${group}) instance : ${producerInfoToString(p)}\n`);
    }
  },
};
