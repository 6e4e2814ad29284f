/** Java's ConsumerRunningInfo.formatString: the consumerStatus file and the `-i` output. */
import {
  compareMessageQueue,
  compareSubscriptionData,
  processQueueInfoString,
  type ConsumerRunningInfo,
} from "@rocketmq-ts/common";
import { javaConcurrentHashMapOrder } from "@rocketmq-ts/remoting";
import { javaFormat } from "./format.js";

export function formatConsumerRunningInfo(info: ConsumerRunningInfo): string {
  let sb = "#Consumer Properties#\n";
  // Java's tool reads the properties into a java.util.Properties and prints them in its order
  for (const k of javaConcurrentHashMapOrder([...info.properties.keys()]))
    sb += javaFormat("%-40s: %s%n", k, info.properties.get(k) ?? "");
  sb += "\n\n#Consumer Subscription#\n";
  [...info.subscriptionSet].sort(compareSubscriptionData).forEach((s, i) => {
    sb += javaFormat(
      "%03d Topic: %-40s ClassFilter: %-8s SubExpression: %s%n",
      i + 1,
      s.topic,
      String(s.classFilterMode),
      s.subString,
    );
  });
  const mqs = [...info.mqTable].sort((a, b) => compareMessageQueue(a[0], b[0]));
  sb += "\n\n#Consumer Offset#\n";
  sb += javaFormat("%-64s  %-32s  %-4s  %-20s%n", "#Topic", "#Broker Name", "#QID", "#Consumer Offset");
  for (const [mq, pq] of mqs)
    sb += javaFormat("%-32s  %-32s  %-4d  %-20d%n", mq.topic, mq.brokerName, mq.queueId, pq.commitOffset);
  sb += "\n\n#Consumer MQ Detail#\n";
  sb += javaFormat("%-64s  %-32s  %-4s  %-20s%n", "#Topic", "#Broker Name", "#QID", "#ProcessQueueInfo");
  for (const [mq, pq] of mqs)
    sb += javaFormat("%-64s  %-32s  %-4d  %s%n", mq.topic, mq.brokerName, mq.queueId, processQueueInfoString(pq));
  sb += "\n\n#Consumer RT&TPS#\n";
  sb += javaFormat(
    "%-64s  %14s %14s %14s %14s %18s %25s%n",
    "#Topic",
    "#Pull RT",
    "#Pull TPS",
    "#Consume RT",
    "#ConsumeOK TPS",
    "#ConsumeFailed TPS",
    "#ConsumeFailedMsgsInHour",
  );
  for (const [topic, s] of [...info.statusTable].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)))
    sb += javaFormat(
      "%-32s  %14.2f %14.2f %14.2f %14.2f %18.2f %25d%n",
      topic,
      s.pullRT,
      s.pullTPS,
      s.consumeRT,
      s.consumeOKTPS,
      s.consumeFailedTPS,
      s.consumeFailedMsgs,
    );
  if (info.jstack !== undefined) sb += `\n\n#Consumer jstack#\n${info.jstack}`;
  return sb;
}
