/**
 * `mqadmin topicList`: every topic the name servers know; with -c, each topic's cluster and the groups
 * consuming it (Java's TopicListSubCommand).
 */
import { selectBrokerAddr } from "@rocketmq-ts/client";
import { createRequest, parseFastjson, RequestCode, type JsonValue } from "@rocketmq-ts/remoting";
import { javaFormat } from "../../format.js";
import type { SubCommand } from "../SubCommand.js";

export const topicListCommand: SubCommand = {
  name: "topicList",
  desc: "Fetch all topic list from name server",
  options: [["-c, --clusterModel", "clusterModel", false]],
  async run(opts, { admin, out }) {
    const topics = await admin.fetchAllTopicList();
    if (!opts["clusterModel"]) {
      for (const t of topics) out(`${t}\n`);
      return;
    }
    out(javaFormat("%-20s  %-48s  %-48s%n", "#Cluster Name", "#Topic", "#Consumer Group"));
    for (const topic of topics) {
      if (topic.startsWith("%RETRY%") || topic.startsWith("%DLQ%")) continue;
      try {
        const route = await admin.examineTopicRouteInfo(topic);
        const bd = route.brokerDatas[0];
        const addr = bd ? selectBrokerAddr(bd.brokerAddrs) : undefined;
        let groups: string[] = [];
        if (addr) {
          const res = await admin.call(
            addr,
            createRequest(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { extFields: { topic } }),
          );
          groups =
            ((parseFastjson(res.body?.toString() ?? "{}") as Record<string, JsonValue>)["groupList"] as string[]) ?? [];
        }
        if (groups.length === 0) groups = [""];
        for (const g of groups) out(javaFormat("%-20s  %-64s  %-64s%n", bd?.cluster ?? "", topic, g));
      } catch {
        // topics without a route are skipped, as Java does
      }
    }
  },
};
