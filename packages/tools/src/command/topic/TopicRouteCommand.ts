/** `mqadmin topicRoute`: a topic's route from the name server, as fastjson text or a table (Java's TopicRouteSubCommand). */
import { encodeTopicRouteData } from "@rocketmq-ts/common";
import { parseFastjson, stringifyFastjson } from "@rocketmq-ts/remoting";
import { javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const topicRouteCommand: SubCommand = {
  name: "topicRoute",
  desc: "Examine topic route info",
  options: [
    ["-t, --topic <arg>", "topic name", true],
    ["-l, --list", "Use list format to print data", false],
  ],
  async run(opts, { admin, out }) {
    const route = await admin.examineTopicRouteInfo(str(opts, "topic"));
    if (opts["list"]) {
      out(
        javaFormat(
          "%-45s %-32s %-50s %-10s %-11s %-5s%n",
          "#ClusterName",
          "#BrokerName",
          "#BrokerAddrs",
          "#ReadQueue",
          "#WriteQueue",
          "#Perm",
        ),
      );
      const clusterOf = new Map(route.brokerDatas.map((b) => [b.brokerName, b]));
      for (const q of [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName))) {
        const bd = clusterOf.get(q.brokerName);
        const addrs = `{${[...(bd?.brokerAddrs ?? new Map<number, string>())].map(([k, v]) => `${k}=${v}`).join(", ")}}`;
        out(
          javaFormat(
            "%-45s %-32s %-50s %-10d %-11d %-5d%n",
            bd?.cluster ?? "",
            q.brokerName,
            addrs,
            q.readQueueNums,
            q.writeQueueNums,
            q.perm,
          ),
        );
      }
      return;
    }
    // Java re-serializes the route with fastjson's pretty format (numeric map keys bare)
    const json = parseFastjson(encodeTopicRouteData(route, false).toString(), { preserve: true });
    out(`${stringifyFastjson(json, { pretty: true, sortKeys: false })}\n`);
  },
};
