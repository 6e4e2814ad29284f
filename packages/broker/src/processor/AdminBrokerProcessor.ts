/** Offset look-ups and topic administration (the part of Java's AdminBrokerProcessor clients need). */
import { newTopicConfig, type TopicFilterType } from "@rocketmq-ts/common";
import {
  createResponse,
  CreateTopicRequestHeader,
  decodeHeader,
  DeleteTopicRequestHeader,
  encodeHeader,
  GetEarliestMsgStoretimeRequestHeader,
  GetEarliestMsgStoretimeResponseHeader,
  GetMaxOffsetRequestHeader,
  GetMinOffsetRequestHeader,
  OffsetResponseHeader,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  stringifyFastjson,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import { topicConfigWrapperJson } from "@rocketmq-ts/common";
import type { BrokerContext } from "../BrokerContext.js";
import { validateTopic } from "../topic/TopicValidator.js";

/** Remark Java leaves on some successful answers built from its default response command. */
export const NOT_SET_REMARK = "not set any response code";

export function adminBrokerProcessors(ctx: BrokerContext): Map<number, RequestProcessor> {
  const handlers = new Map<number, RequestProcessor>();
  const offsetAnswer = (request: Parameters<RequestProcessor>[0], offset: number) =>
    createResponse(request, ResponseCode.SUCCESS, { extFields: encodeHeader(OffsetResponseHeader, { offset }) });

  handlers.set(RequestCode.GET_MAX_OFFSET, (request) => {
    const h = decodeHeader(GetMaxOffsetRequestHeader, request.extFields);
    return offsetAnswer(request, ctx.store.getMaxOffsetInQueue(h.topic, h.queueId));
  });

  handlers.set(RequestCode.GET_MIN_OFFSET, (request) => {
    const h = decodeHeader(GetMinOffsetRequestHeader, request.extFields);
    return offsetAnswer(request, Math.max(0, ctx.store.getMinOffsetInQueue(h.topic, h.queueId)));
  });

  handlers.set(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, (request) => {
    const h = decodeHeader(SearchOffsetRequestHeader, request.extFields);
    return offsetAnswer(request, ctx.store.getOffsetInQueueByTime(h.topic, h.queueId, h.timestamp));
  });

  handlers.set(RequestCode.GET_EARLIEST_MSG_STORETIME, (request) => {
    const h = decodeHeader(GetEarliestMsgStoretimeRequestHeader, request.extFields);
    const timestamp = ctx.store.getEarliestMessageTime(h.topic, h.queueId);
    return createResponse(request, ResponseCode.SUCCESS, {
      extFields: encodeHeader(GetEarliestMsgStoretimeResponseHeader, { timestamp }),
    });
  });

  handlers.set(RequestCode.UPDATE_AND_CREATE_TOPIC, (request) => {
    const h = decodeHeader(CreateTopicRequestHeader, request.extFields);
    const topicError = validateTopic(h.topic);
    if (topicError) return createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: topicError });
    if (h.topic === ctx.brokerConfig.brokerClusterName) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `the topic[${h.topic}] is conflict with system reserved words.`,
      });
    }
    if (ctx.topicConfigManager.isSystemTopic(h.topic)) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `The topic[${h.topic}] is conflict with system topic.`,
      });
    }
    const config = newTopicConfig(h.topic, {
      readQueueNums: h.readQueueNums,
      writeQueueNums: h.writeQueueNums,
      perm: h.perm,
      topicFilterType: (h.topicFilterType === "MULTI_TAG" ? "MULTI_TAG" : "SINGLE_TAG") as TopicFilterType,
      topicSysFlag: h.topicSysFlag ?? 0,
      order: h.order,
    });
    ctx.topicConfigManager.updateTopicConfig(config);
    // Java builds this answer from a default "failure" command and only sets the code
    return createResponse(request, ResponseCode.SUCCESS, { remark: NOT_SET_REMARK });
  });

  handlers.set(RequestCode.DELETE_TOPIC_IN_BROKER, (request) => {
    const h = decodeHeader(DeleteTopicRequestHeader, request.extFields);
    if (ctx.topicConfigManager.isSystemTopic(h.topic)) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `The topic[${h.topic}] is conflict with system topic.`,
      });
    }
    ctx.topicConfigManager.deleteTopicConfig(h.topic);
    return createResponse(request, ResponseCode.SUCCESS);
  });

  handlers.set(RequestCode.GET_ALL_TOPIC_CONFIG, (request) =>
    createResponse(request, ResponseCode.SUCCESS, {
      body: Buffer.from(
        stringifyFastjson(topicConfigWrapperJson(ctx.topicConfigManager.buildTopicConfigSerializeWrapper())),
      ),
    }),
  );

  return handlers;
}
