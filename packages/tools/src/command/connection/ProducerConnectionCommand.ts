/** `mqadmin producerConnection`: the clients of a producer group (Java's ProducerConnectionSubCommand). */
import { versionDesc } from "@rocketmq-ts/remoting";
import { javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const producerConnectionCommand: SubCommand = {
  name: "producerConnection",
  desc: "Query producer's socket connection and client version",
  options: [
    ["-g, --producerGroup <arg>", "producer group name", true],
    ["-t, --topic <arg>", "topic name", true],
  ],
  async run(opts, { admin, out }) {
    const connections = await admin.examineProducerConnectionInfo(str(opts, "producerGroup"), str(opts, "topic"));
    if (connections.length === 0) {
      out("Not found the producer group connection\n");
      return;
    }
    connections.forEach((c, i) =>
      out(
        javaFormat("%04d  %-32s %-22s %-8s %s%n", i + 1, c.clientId, c.clientAddr, c.language, versionDesc(c.version)),
      ),
    );
  },
};
