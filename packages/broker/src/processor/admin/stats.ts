/**
 * Offsets and rates of a topic's and a group's queues (Java's AdminBrokerProcessor getTopicStatsInfo,
 * getConsumeStats): GET_TOPIC_STATS_INFO (202), GET_CONSUME_STATS (208).
 */
import {
  decodeHeader,
  GetConsumeStatsRequestHeader,
  GetTopicStatsInfoRequestHeader,
  jdouble,
  RequestCode,
  ResponseCode,
  type JsonValue,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { MessageQueueKey } from "../../client/RebalanceLockManager.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { brokerQueue, fail, jsonBody, ok } from "../answers.js";

export function statsProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.GET_TOPIC_STATS_INFO, (request) => {
    const h = decodeHeader(GetTopicStatsInfoRequestHeader, request.extFields);
    const config = ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!config) return fail(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist`);
    const offsetTable = new Map<MessageQueueKey, JsonValue>();
    for (let q = 0; q < config.writeQueueNums; q++) {
      const max = Math.max(0, ctx.store.getMaxOffsetInQueue(h.topic, q));
      const min = Math.max(0, ctx.store.getMinOffsetInQueue(h.topic, q));
      const lastUpdateTimestamp = max > 0 ? Math.max(0, ctx.store.getMessageStoreTimeStamp(h.topic, q, max - 1)) : 0;
      offsetTable.set(brokerQueue(ctx, h.topic, q), { lastUpdateTimestamp, maxOffset: max, minOffset: min });
    }
    return ok(request, jsonBody({ offsetTable }));
  });

  handlers.set(RequestCode.GET_CONSUME_STATS, (request) => {
    const h = decodeHeader(GetConsumeStatsRequestHeader, request.extFields);
    const topics = h.topic
      ? [h.topic]
      : [...ctx.consumerOffsetManager.offsetTable.keys()]
          .filter((k) => k.endsWith(`@${h.consumerGroup}`))
          .map((k) => k.slice(0, k.lastIndexOf("@")));
    const group = ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
    const offsetTable = new Map<MessageQueueKey, JsonValue>();
    let consumeTps = 0;
    for (const topic of topics) {
      const config = ctx.topicConfigManager.selectTopicConfig(topic);
      if (!config) continue;
      if (group && group.subscriptionTable.size > 0 && !group.subscriptionTable.has(topic)) continue;
      consumeTps += ctx.brokerStatsManager.tpsGroupGetNums(h.consumerGroup, topic);
      for (let q = 0; q < config.readQueueNums; q++) {
        const brokerOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, q));
        const consumerOffset = Math.max(0, ctx.consumerOffsetManager.queryOffset(h.consumerGroup, topic, q));
        const lastTimestamp =
          consumerOffset > 0 ? Math.max(0, ctx.store.getMessageStoreTimeStamp(topic, q, consumerOffset - 1)) : 0;
        offsetTable.set(brokerQueue(ctx, topic, q), { brokerOffset, consumerOffset, lastTimestamp });
      }
    }
    return ok(request, jsonBody({ consumeTps: jdouble(consumeTps), offsetTable }));
  });

  return handlers;
}
