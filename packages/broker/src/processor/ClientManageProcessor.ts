/** HEART_BEAT (34), UNREGISTER_CLIENT (35), CHECK_CLIENT_CONFIG (46). */
import { obj, optStr, PermName } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  RequestCode,
  ResponseCode,
  UnregisterClientRequestHeader,
  parseFastjson,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { compileSql92, ExpressionType, isTagType } from "@rocketmq-ts/filter";
import { decodeHeartbeatData } from "@rocketmq-ts/common";
import { getRetryTopic } from "../topic/TopicValidator.js";

export function clientManageProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.HEART_BEAT, (request, { connection }) => {
    const data = decodeHeartbeatData(request.body);
    const now = Date.now();
    const info = {
      connection,
      clientId: data.clientID,
      language: request.language,
      version: request.version,
      lastUpdateTimestamp: now,
    };
    for (const consumer of data.consumerDataSet) {
      const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(consumer.groupName);
      let notify = true;
      if (groupConfig) {
        notify = groupConfig.notifyConsumerIdsChangedEnable;
        const topicSysFlag = consumer.unitMode ? 0x2 : 0;
        ctx.topicConfigManager.createTopicInSendMessageBackMethod(
          getRetryTopic(consumer.groupName),
          groupConfig.retryQueueNums,
          PermName.PERM_WRITE | PermName.PERM_READ,
          topicSysFlag,
        );
      }
      const changed = ctx.consumerManager.registerConsumer(
        consumer,
        info,
        notify && ctx.brokerConfig.notifyConsumerIdsChangedEnable,
      );
      if (changed)
        ctx.logger.info(
          { group: consumer.groupName, clientId: data.clientID, remote: connection.remoteAddr },
          "registerConsumer info changed",
        );
    }
    for (const producer of data.producerDataSet) ctx.producerManager.registerProducer(producer.groupName, info);
    return createResponse(request, ResponseCode.SUCCESS);
  });

  handlers.set(RequestCode.UNREGISTER_CLIENT, (request, { connection }) => {
    const h = decodeHeader(UnregisterClientRequestHeader, request.extFields);
    if (h.producerGroup) ctx.producerManager.unregisterProducer(h.producerGroup, connection);
    if (h.consumerGroup) {
      const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.consumerGroup);
      const notify =
        (groupConfig?.notifyConsumerIdsChangedEnable ?? true) && ctx.brokerConfig.notifyConsumerIdsChangedEnable;
      ctx.consumerManager.unregisterConsumer(h.consumerGroup, connection, notify);
    }
    return createResponse(request, ResponseCode.SUCCESS, { extFields: {} });
  });

  handlers.set(RequestCode.CHECK_CLIENT_CONFIG, (request) => {
    // body: {"clientId":…,"group":…,"subscriptionData":{…}}; only non-tag subscriptions are checked
    let sub: { expressionType: string | undefined; subString: string | undefined } | null = null;
    try {
      const s = request.body
        ? obj(parseFastjson(request.body.toString("utf8")), "body")["subscriptionData"]
        : undefined;
      if (s) {
        const so = obj(s, "subscriptionData");
        sub = {
          expressionType: optStr(so["expressionType"], "expressionType"),
          subString: optStr(so["subString"], "subString"),
        };
      }
    } catch {
      sub = null;
    }
    if (!sub || isTagType(sub.expressionType)) return createResponse(request, ResponseCode.SUCCESS);
    if (!ctx.brokerConfig.enablePropertyFilter)
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `The broker does not support consumer to filter message by ${sub.expressionType}`,
      });
    // SQL92 is the only filter Java registers; any other type fails (Java: a NullPointerException, no remark)
    if (sub.expressionType !== ExpressionType.SQL92)
      return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    try {
      compileSql92(sub.subString ?? "");
    } catch (err) {
      return createResponse(request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, { remark: (err as Error).message });
    }
    return createResponse(request, ResponseCode.SUCCESS);
  });

  return handlers;
}
