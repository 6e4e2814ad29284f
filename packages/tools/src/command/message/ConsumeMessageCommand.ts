/**
 * `mqadmin consumeMessage`: pull and print a topic's messages, from every queue or from one queue and
 * offset, optionally between two store times (Java's ConsumeMessageCommand).
 */
import type { MessageQueue } from "@rocketmq-ts/client";
import { javaFormat, messageExtString } from "../../format.js";
import { inMessageQueueHashOrder } from "../messageQueueOrder.js";
import { str, type SubCommand } from "../SubCommand.js";
import { parseTimestamp } from "../timestamp.js";

/** Java's MessageQueue.toString. */
const mqString = (mq: MessageQueue): string =>
  `MessageQueue [topic=${mq.topic}, brokerName=${mq.brokerName}, queueId=${mq.queueId}]`;

export const consumeMessageCommand: SubCommand = {
  name: "consumeMessage",
  desc: "Consume message",
  options: [
    ["-t, --topic <arg>", "Topic name", true],
    ["-b, --brokerName <arg>", "Broker name", false],
    ["-i, --queueId <arg>", "Queue Id", false],
    ["-o, --offset <arg>", "Queue offset", false],
    ["-g, --consumerGroup <arg>", "Consumer group name", false],
    ["-s, --beginTimestamp <arg>", "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]", false],
    ["-e, --endTimestamp <arg>", "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]", false],
    ["-c, --MessageNumber <arg>", "Number of message to be consumed", false],
  ],
  async run(opts, { admin, out }) {
    const topic = str(opts, "topic");
    const group = opts["consumerGroup"] !== undefined ? str(opts, "consumerGroup") : "TOOLS_CONSUMER";
    let count = 128;
    if (opts["MessageNumber"] !== undefined) {
      count = Number(str(opts, "MessageNumber"));
      if (!(count > 0)) return out("Please input a positive messageNumber!");
    }
    const brokerName = opts["brokerName"] !== undefined ? str(opts, "brokerName") : null;
    if (opts["queueId"] !== undefined && brokerName === null) return out("Please set the brokerName before queueId!");
    if (opts["offset"] !== undefined && opts["queueId"] === undefined) return out("Please set queueId before offset!");
    const now = Date.now();
    let begin = 0;
    let end = 0;
    if (opts["beginTimestamp"] !== undefined) {
      begin = parseTimestamp(str(opts, "beginTimestamp"));
      if (begin > now) return out("Please set the beginTimestamp before now!");
    }
    if (opts["endTimestamp"] !== undefined) {
      end = parseTimestamp(str(opts, "endTimestamp"));
      if (end > now) return out("Please set the endTimestamp before now!");
      if (begin > end) return out("Please make sure that the beginTimestamp is less than or equal to the endTimestamp");
    }
    const printQueue = async (mq: MessageQueue, min: number, max: number): Promise<void> => {
      for (let offset = min; offset <= max;) {
        const r = await admin.pull(mq, offset, max - offset + 1, group);
        offset = r.nextBeginOffset;
        if (r.status === "FOUND") {
          out("Consume ok\n");
          for (const m of r.messages)
            out(javaFormat("MSGID: %s %s BODY: %s%n", m.msgId, messageExtString(m), m.body.toString("utf8")));
        } else if (r.status === "NO_MATCHED_MSG") {
          out(`${mqString(mq)} no matched msg. status=${r.status}, offset=${offset}\n`);
        } else {
          out(`${mqString(mq)} print msg finished. status=${r.status}, offset=${offset}\n`);
          break;
        }
      }
    };
    const range = async (mq: MessageQueue): Promise<{ min: number; max: number }> => ({
      min: begin > 0 ? await admin.queueOffset({ timestamp: begin }, mq) : await admin.queueOffset("min", mq),
      max: end > 0 ? await admin.queueOffset({ timestamp: end }, mq) : await admin.queueOffset("max", mq),
    });
    if (opts["queueId"] === undefined) {
      let left = count;
      // Java iterates a HashSet of MessageQueue
      const mqs = inMessageQueueHashOrder(await admin.fetchSubscribeMessageQueues(topic));
      for (const mq of mqs) {
        if (left === 0) return;
        const { min, max: maxOffset } = await range(mq);
        let max = maxOffset;
        if (max - min > left) {
          out(`The older ${left} message of the ${mq.queueId} queue will be provided\n`);
          max = min + left - 1;
          left = 0;
        } else left = left - (max - min) - 1;
        await printQueue(mq, min, max);
      }
      return;
    }
    const mq = { topic, brokerName: brokerName ?? "", queueId: Number(str(opts, "queueId")) };
    const offset = opts["offset"] !== undefined ? Number(str(opts, "offset")) : 0;
    let { min, max } = await range(mq);
    if (offset > max) return out(`${mqString(mq)} no matched msg, offset=${offset}\n`);
    min = Math.max(min, offset);
    if (max - min > count) {
      // sic: Java's message
      out(`The oldler ${count} message will be provided\n`);
      max = min + count - 1;
    }
    await printQueue(mq, min, max);
  },
};
