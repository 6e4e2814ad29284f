/**
 * `mqadmin statsAll [-a] [-t topic]`: every topic's put rate and 24 h count, and per consumer group
 * its backlog, pull rate and 24 h count, from each master's stats (Java's StatsAllSubCommand).
 */
import { MixAll } from "@rocketmq-ts/common";
import type { BrokerStatsData } from "@rocketmq-ts/client";
import { frontStringAtLeast, javaFormat } from "../../format.js";
import type { MQAdminExt } from "../MQAdminExt.js";
import { str, type Out, type SubCommand } from "../SubCommand.js";

/** The last day's sum, else the hour's, else the minute's (Java's compute24HourSum). */
export function compute24HourSum(bsd: BrokerStatsData): number {
  if (bsd.statsDay.sum !== 0) return bsd.statsDay.sum;
  if (bsd.statsHour.sum !== 0) return bsd.statsHour.sum;
  return bsd.statsMinute.sum;
}

/** A stats item of every master of the route: minute tps and 24 h sum added up; a failing broker adds nothing. */
async function sumOverMasters(
  admin: MQAdminExt,
  masters: string[],
  statsName: string,
  statsKey: string,
): Promise<{ tps: number; sum: number }> {
  let tps = 0;
  let sum = 0;
  for (const addr of masters) {
    try {
      const bsd = await admin.viewBrokerStatsData(addr, statsName, statsKey);
      tps += bsd.statsMinute.tps;
      sum += compute24HourSum(bsd);
    } catch {
      // as Java: a broker without the item counts zero
    }
  }
  return { tps, sum };
}

async function printTopicDetail(admin: MQAdminExt, out: Out, topic: string, activeTopic: boolean): Promise<void> {
  const route = await admin.examineTopicRouteInfo(topic);
  const groups = await admin.queryTopicConsumeByWho(topic);
  const masters = route.brokerDatas.flatMap((bd) => {
    const addr = bd.brokerAddrs.get(MixAll.MASTER_ID);
    return addr ? [addr] : [];
  });
  const inStats = await sumOverMasters(admin, masters, "TOPIC_PUT_NUMS", topic);
  if (groups.length === 0) {
    if (!activeTopic || inStats.sum > 0)
      out(
        javaFormat(
          "%-64s  %-64s %12d %11.2f %11s %14d %14s%n",
          frontStringAtLeast(topic, 64),
          "",
          0,
          inStats.tps,
          "",
          inStats.sum,
          "NO_CONSUMER",
        ),
      );
    return;
  }
  for (const group of groups) {
    const outStats = await sumOverMasters(admin, masters, "GROUP_GET_NUMS", `${topic}@${group}`);
    let accumulate = 0;
    try {
      const { progress } = await admin.examineConsumeStats(group, topic);
      accumulate = Math.max(
        0,
        progress.reduce((diff, p) => diff + p.brokerOffset - p.consumerOffset, 0),
      );
    } catch {
      // no progress to show: 0, as Java
    }
    if (!activeTopic || inStats.sum > 0 || outStats.sum > 0)
      out(
        javaFormat(
          "%-64s  %-64s %12d %11.2f %11.2f %14d %14d%n",
          frontStringAtLeast(topic, 64),
          frontStringAtLeast(group, 64),
          accumulate,
          inStats.tps,
          outStats.tps,
          inStats.sum,
          outStats.sum,
        ),
      );
  }
}

export const statsAllCommand: SubCommand = {
  name: "statsAll",
  desc: "Topic and Consumer tps stats",
  options: [
    ["-a, --activeTopic", "print active topic only", false],
    ["-t, --topic <arg>", "print select topic only", false],
  ],
  async run(opts, { admin, out }) {
    const topics = await admin.fetchAllTopicList();
    out(
      javaFormat(
        "%-64s  %-64s %12s %11s %11s %14s %14s%n",
        "#Topic",
        "#Consumer Group",
        "#Accumulation",
        "#InTPS",
        "#OutTPS",
        "#InMsg24Hour",
        "#OutMsg24Hour",
      ),
    );
    const activeTopic = opts["activeTopic"] === true;
    const selectTopic = str(opts, "topic");
    for (const topic of topics) {
      if (topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(MixAll.DLQ_GROUP_TOPIC_PREFIX))
        continue;
      if (selectTopic !== "" && topic !== selectTopic) continue;
      try {
        await printTopicDetail(admin, out, topic, activeTopic);
      } catch {
        // as Java: a topic that cannot be examined is left out
      }
    }
  },
};
