/**
 * `mqadmin queryCq`: entries of one consume queue from an index, with the range of the queue and, for
 * a consumer group, its subscription and filter data (Java's QueryConsumeQueueCommand). Without -b the
 * first broker set of the topic's route is asked. Java prints a failure's stack trace and exits 0.
 */
import { consumeQueueDataToString } from "@rocketmq-ts/common";
import { stringifyFastjson } from "@rocketmq-ts/remoting";
import { str, type SubCommand } from "../SubCommand.js";

const RULE = "======================================\n";

/** Java's Integer.parseInt / Long.parseLong of an option: a decimal integer or a NumberFormatException. */
function parseInteger(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`java.lang.NumberFormatException: For input string: "${text}"`);
  return Number(text);
}

export const queryConsumeQueueCommand: SubCommand = {
  name: "queryCq",
  desc: "Query cq command.",
  options: [
    ["-t, --topic <arg>", "topic name", true],
    ["-q, --queue <arg>", "queue num, ie. 1", true],
    ["-i, --index <arg>", "start queue index.", true],
    ["-c, --count <arg>", "how many.", false],
    ["-b, --broker <arg>", "broker addr.", false],
    ["-g, --consumer <arg>", "consumer group.", false],
  ],
  async run(opts, { admin, out, err }) {
    try {
      const topic = str(opts, "topic");
      const queueId = parseInteger(str(opts, "queue"));
      const index = parseInteger(str(opts, "index"));
      const count = opts["count"] === undefined ? 10 : parseInteger(str(opts, "count"));
      const group = opts["consumer"] === undefined ? undefined : str(opts, "consumer");
      let broker = opts["broker"] === undefined ? "" : str(opts, "broker");
      if (broker === "") {
        const route = await admin.examineTopicRouteInfo(topic);
        const first = route.brokerDatas[0]?.brokerAddrs.get(0);
        if (first === undefined) throw new Error("No topic route data!");
        broker = first;
      }
      const body = await admin.queryConsumeQueue(broker, topic, queueId, index, count, group);
      if (body.subscriptionData) {
        out(`Subscription data: \n${stringifyFastjson({ ...body.subscriptionData }, { pretty: true })}\n${RULE}`);
      }
      if (body.filterData !== undefined) out(`Filter data: \n${body.filterData}\n${RULE}`);
      out(`Queue data: \nmax: ${body.maxQueueIndex}, min: ${body.minQueueIndex}\n${RULE}`);
      let i = index;
      for (const data of body.queueData ?? []) out(`idx: ${i++}\n${consumeQueueDataToString(data)}\n${RULE}`);
    } catch (e) {
      // Java catches everything here and prints the stack trace
      err(`${(e as Error).message}\n`);
    }
  },
};
