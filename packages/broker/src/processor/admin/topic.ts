/**
 * Topic administration (Java's AdminBrokerProcessor updateAndCreateTopic, deleteTopic,
 * getAllTopicConfig, getTopicConfig, getSystemTopicListFromBroker): UPDATE_AND_CREATE_TOPIC (17),
 * DELETE_TOPIC_IN_BROKER (215), GET_ALL_TOPIC_CONFIG (21), GET_TOPIC_CONFIG (351),
 * GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305).
 */
import {
  alterAttributes,
  encodeTopicList,
  newTopicConfig,
  parseAttributes,
  TOPIC_MESSAGE_TYPE_ATTRIBUTE,
  topicConfigWrapperJson,
  type TopicFilterType,
} from "@rocketmq-ts/common";
import {
  createResponse,
  CreateTopicRequestHeader,
  decodeHeader,
  DeleteTopicRequestHeader,
  GetTopicConfigRequestHeader,
  RequestCode,
  ResponseCode,
  stringifyFastjson,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import { systemTopicSet, validateTopic } from "../../topic/TopicValidator.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { fail, jsonBody, NOT_SET_REMARK, ok } from "../answers.js";

export function topicAdminProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.UPDATE_AND_CREATE_TOPIC, (request) => {
    const h = decodeHeader(CreateTopicRequestHeader, request.extFields);
    const topicError = validateTopic(h.topic);
    if (topicError) return fail(request, ResponseCode.SYSTEM_ERROR, topicError);
    if (h.topic === ctx.brokerConfig.brokerClusterName)
      return fail(request, ResponseCode.SYSTEM_ERROR, `the topic[${h.topic}] is conflict with system reserved words.`);
    if (ctx.topicConfigManager.isSystemTopic(h.topic))
      return fail(request, ResponseCode.SYSTEM_ERROR, `The topic[${h.topic}] is conflict with system topic.`);
    const config = newTopicConfig(h.topic, {
      readQueueNums: h.readQueueNums,
      writeQueueNums: h.writeQueueNums,
      perm: h.perm,
      topicFilterType: (h.topicFilterType === "MULTI_TAG" ? "MULTI_TAG" : "SINGLE_TAG") as TopicFilterType,
      topicSysFlag: h.topicSysFlag ?? 0,
      order: h.order,
    });
    const attributes = topicAttributesAfter(ctx, h.topic, h.attributes);
    if ("code" in attributes) return fail(request, attributes.code, attributes.remark);
    if (Object.keys(attributes.value).length > 0) config.attributes = attributes.value;
    ctx.topicConfigManager.updateTopicConfig(config);
    // Java builds this answer from a default "failure" command and only sets the code
    return createResponse(request, ResponseCode.SUCCESS, { remark: NOT_SET_REMARK });
  });

  handlers.set(RequestCode.DELETE_TOPIC_IN_BROKER, (request) => {
    const h = decodeHeader(DeleteTopicRequestHeader, request.extFields);
    if (ctx.topicConfigManager.isSystemTopic(h.topic))
      return fail(request, ResponseCode.SYSTEM_ERROR, `The topic[${h.topic}] is conflict with system topic.`);
    ctx.topicConfigManager.deleteTopicConfig(h.topic);
    if (ctx.brokerConfig.autoDeleteUnusedStats) ctx.brokerStatsManager.onTopicDeleted(h.topic);
    // as Java: the consume queues of every topic no longer configured go with it
    ctx.store.cleanUnusedTopic(new Set(ctx.topicConfigManager.topicConfigTable.keys()));
    return createResponse(request, ResponseCode.SUCCESS);
  });

  handlers.set(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, (request) =>
    ok(request, encodeTopicList(systemTopicSet(ctx.topicConfigManager.systemTopics))),
  );

  handlers.set(RequestCode.GET_ALL_TOPIC_CONFIG, (request) =>
    createResponse(request, ResponseCode.SUCCESS, {
      body: Buffer.from(
        stringifyFastjson(topicConfigWrapperJson(ctx.topicConfigManager.buildTopicConfigSerializeWrapper())),
      ),
    }),
  );

  handlers.set(RequestCode.GET_TOPIC_CONFIG, (request) => {
    const h = decodeHeader(GetTopicConfigRequestHeader, request.extFields);
    const config = ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!config) return fail(request, ResponseCode.TOPIC_NOT_EXIST, `No topic in this broker. topic: ${h.topic}`);
    return ok(request, jsonBody({ attributes: config.attributes ?? {}, ...config }));
  });

  return handlers;
}

/**
 * 5.x: the topic's attributes after the request's `attributes` change (`+message.type=FIFO,-k`);
 * a topic that exists keeps what the change leaves alone. MIXED needs enableMixedMessageType.
 */
function topicAttributesAfter(
  ctx: BrokerContext,
  topic: string,
  modification: string | undefined,
): { value: Record<string, string> } | { code: number; remark: string } {
  try {
    const change = parseAttributes(modification);
    if (!ctx.brokerConfig.enableMixedMessageType && change.get(`+${TOPIC_MESSAGE_TYPE_ATTRIBUTE}`) === "MIXED")
      return { code: ResponseCode.INVALID_PARAMETER, remark: "MIXED message type is not supported." };
    const current = ctx.topicConfigManager.selectTopicConfig(topic);
    return { value: alterAttributes(current === undefined, current?.attributes ?? {}, change) };
  } catch (e) {
    // Java's catch-all: SYSTEM_ERROR with the exception's message
    return { code: ResponseCode.SYSTEM_ERROR, remark: (e as Error).message };
  }
}
