/**
 * The broker's stats for the tools (Java's AdminBrokerProcessor viewBrokerStatsData and
 * fetchAllConsumeStatsInBroker): VIEW_BROKER_STATS_DATA (315) — one stats item's last minute, hour
 * and day — and GET_BROKER_CONSUME_STATS (317) — every subscription group's progress on this broker.
 */
import type { StatsSnapshot } from "@rocketmq-ts/common";
import {
  decodeHeader,
  GetConsumeStatsInBrokerHeader,
  javaHashMapOrder,
  jdouble,
  RequestCode,
  ResponseCode,
  ViewBrokerStatsDataRequestHeader,
  type JsonDouble,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { MessageQueueKey } from "../../client/RebalanceLockManager.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { brokerQueue, fail, jsonBody, ok } from "../answers.js";

/** Java's BrokerStatsItem. */
interface BrokerStatsItem {
  sum: number;
  tps: JsonDouble;
  avgpt: JsonDouble;
}

const statsItemOf = (ss: StatsSnapshot): BrokerStatsItem => ({
  sum: ss.sum,
  tps: jdouble(ss.tps),
  avgpt: jdouble(ss.avgpt),
});

interface OffsetWrapper {
  brokerOffset: number;
  consumerOffset: number;
  lastTimestamp: number;
}

interface ConsumeStats {
  offsetTable: Map<MessageQueueKey, OffsetWrapper>;
  consumeTps: JsonDouble;
}

/** subscriptionGroupTable is a ConcurrentHashMap(1024): its keys iterate in a 2048-bucket table's order */
const SUBSCRIPTION_GROUP_TABLE_CAPACITY = 2048;

/** A group's progress on one topic, queue by queue over the write queues. */
function consumeStatsOf(ctx: BrokerContext, group: string, topic: string, queueNums: number): ConsumeStats {
  const offsetTable = new Map<MessageQueueKey, OffsetWrapper>();
  for (let q = 0; q < queueNums; q++) {
    const brokerOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, q));
    const consumerOffset = Math.max(0, ctx.consumerOffsetManager.queryOffset(group, topic, q));
    const storeTime = consumerOffset > 0 ? ctx.store.getMessageStoreTimeStamp(topic, q, consumerOffset - 1) : 0;
    offsetTable.set(brokerQueue(ctx, topic, q), {
      brokerOffset,
      consumerOffset,
      lastTimestamp: storeTime > 0 ? storeTime : 0,
    });
  }
  return { offsetTable, consumeTps: jdouble(ctx.brokerStatsManager.tpsGroupGetNums(group, topic)) };
}

function totalDiff(stats: ConsumeStats): number {
  let diff = 0;
  for (const o of stats.offsetTable.values()) diff += o.brokerOffset - o.consumerOffset;
  return diff;
}

export function brokerStatsProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.VIEW_BROKER_STATS_DATA, (request) => {
    const h = decodeHeader(ViewBrokerStatsDataRequestHeader, request.extFields);
    const item = ctx.brokerStatsManager.getStatsItem(h.statsName, h.statsKey);
    if (!item) return fail(request, ResponseCode.SYSTEM_ERROR, `The stats <${h.statsName}> <${h.statsKey}> not exist`);
    return ok(
      request,
      jsonBody({
        statsMinute: statsItemOf(item.getStatsDataInMinute()),
        statsHour: statsItemOf(item.getStatsDataInHour()),
        statsDay: statsItemOf(item.getStatsDataInDay()),
      }),
    );
  });

  handlers.set(RequestCode.GET_BROKER_CONSUME_STATS, (request) => {
    const h = decodeHeader(GetConsumeStatsInBrokerHeader, request.extFields);
    const groups = javaHashMapOrder(
      [...ctx.subscriptionGroupManager.subscriptionGroupTable.keys()],
      SUBSCRIPTION_GROUP_TABLE_CAPACITY,
    );
    const consumeStatsList: Map<string, ConsumeStats[]>[] = [];
    let diff = 0;
    for (const group of groups) {
      const list: ConsumeStats[] = [];
      for (const topic of javaHashMapOrder([...ctx.consumerOffsetManager.whichTopicByConsumer(group)])) {
        const config = ctx.topicConfigManager.selectTopicConfig(topic);
        if (!config) continue;
        if (h.isOrder && !config.order) continue;
        // a group online with subscriptions is only reported for the topics it subscribes to
        const subscriptions = ctx.consumerManager.getConsumerGroupInfo(group)?.subscriptionTable;
        if (subscriptions && subscriptions.size > 0 && !subscriptions.has(topic)) continue;
        const stats = consumeStatsOf(ctx, group, topic, config.writeQueueNums);
        diff += totalDiff(stats);
        list.push(stats);
      }
      consumeStatsList.push(new Map([[group, list]]));
    }
    return ok(
      request,
      jsonBody({
        brokerAddr: `${ctx.brokerConfig.brokerIP1}:${ctx.storeHost.port}`,
        consumeStatsList,
        totalDiff: diff,
      }),
    );
  });

  return handlers;
}
