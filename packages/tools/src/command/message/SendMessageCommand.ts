/** `mqadmin sendMessage`: send one message, to any queue or to a chosen one, and print the result (Java's SendMessageCommand). */
import { Message, type SendResult } from "@rocketmq-ts/client";
import { javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const sendMessageCommand: SubCommand = {
  name: "sendMessage",
  desc: "Send a message",
  options: [
    ["-t, --topic <arg>", "Topic name", true],
    ["-p, --body <arg>", "UTF-8 string format of the message body", true],
    ["-k, --key <arg>", "Message keys", false],
    ["-c, --tags <arg>", "Message tags", false],
    ["-b, --broker <arg>", "Send message to target broker", false],
    ["-i, --qid <arg>", "Send message to target queue", false],
    ["-m, --msgTraceEnable <arg>", "Message Trace Enable, Default: false", false],
  ],
  async run(opts, { admin, out, newProducer }) {
    const topic = str(opts, "topic");
    const brokerName = opts["broker"] === undefined ? null : str(opts, "broker");
    let queueId = -1;
    if (opts["qid"] !== undefined) {
      if (brokerName === null) {
        out("Broker name must be set if the queue is chosen!");
        return;
      }
      queueId = Number(str(opts, "qid"));
    }
    const msg = new Message(topic, Buffer.from(str(opts, "body"), "utf8"), {
      ...(opts["tags"] !== undefined ? { tags: str(opts, "tags") } : {}),
      ...(opts["key"] !== undefined ? { keys: str(opts, "key") } : {}),
    });
    // Java's command: a producer whose group is the current time, shut down after the send
    const producer = newProducer({
      namesrvAddr: admin.namesrvAddrList().join(";"),
      producerGroup: String(Date.now()),
    });
    let result: SendResult;
    try {
      await producer.start();
      result =
        brokerName !== null && queueId > -1
          ? await producer.sendToQueue(msg, { topic, brokerName, queueId })
          : await producer.send(msg);
    } finally {
      await producer.shutdown();
    }
    out(javaFormat("%-32s  %-4s  %-20s    %s%n", "#Broker Name", "#QID", "#Send Result", "#MsgId"));
    out(
      javaFormat(
        "%-32s  %-4s  %-20s    %s%n",
        result.messageQueue.brokerName,
        result.messageQueue.queueId,
        result.sendStatus,
        result.msgId,
      ),
    );
  },
};
