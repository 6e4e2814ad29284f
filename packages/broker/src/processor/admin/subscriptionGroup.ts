/**
 * Subscription group administration (Java's AdminBrokerProcessor updateAndCreateSubscriptionGroup,
 * deleteSubscriptionGroup, getAllSubscriptionGroup, 5.x's getSubscriptionGroup):
 * UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200), DELETE_SUBSCRIPTIONGROUP (207),
 * GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201, also what slaves sync), GET_SUBSCRIPTIONGROUP_CONFIG (352,
 * what a cluster-mode proxy asks for a group's retry policy and orderliness).
 */
import { parseBody } from "@rocketmq-ts/common";
import {
  decodeHeader,
  DeleteSubscriptionGroupRequestHeader,
  GetSubscriptionGroupConfigRequestHeader,
  RequestCode,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import { decodeSubscriptionGroupConfig } from "../../subscription/SubscriptionGroupManager.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { fail, jsonBody, ok } from "../answers.js";

const SLAVE_REFUSAL =
  "Can't modify topic or subscription group from slave broker, please execute it from master broker.";

export function subscriptionGroupProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, (request) => {
    if (ctx.storeConfig.brokerRole === "SLAVE") return fail(request, ResponseCode.SYSTEM_ERROR, SLAVE_REFUSAL);
    const config = decodeSubscriptionGroupConfig(
      parseBody(request.body, "SubscriptionGroupConfig"),
      "SubscriptionGroupConfig",
    );
    ctx.subscriptionGroupManager.updateSubscriptionGroupConfig(config);
    return ok(request);
  });

  handlers.set(RequestCode.DELETE_SUBSCRIPTIONGROUP, (request) => {
    if (ctx.storeConfig.brokerRole === "SLAVE") return fail(request, ResponseCode.SYSTEM_ERROR, SLAVE_REFUSAL);
    const h = decodeHeader(DeleteSubscriptionGroupRequestHeader, request.extFields);
    ctx.subscriptionGroupManager.deleteSubscriptionGroupConfig(h.groupName);
    if (ctx.brokerConfig.autoDeleteUnusedStats) ctx.brokerStatsManager.onGroupDeleted(h.groupName);
    return ok(request);
  });

  handlers.set(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (request) =>
    ok(
      request,
      jsonBody({
        dataVersion: ctx.subscriptionGroupManager.dataVersion,
        subscriptionGroupTable: ctx.subscriptionGroupManager.subscriptionGroupTable,
      }),
    ),
  );

  handlers.set(RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, (request) => {
    const h = decodeHeader(GetSubscriptionGroupConfigRequestHeader, request.extFields);
    // as 5.x: found or auto-created (autoCreateSubscriptionGroup)
    const config = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.group);
    if (!config) return fail(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "No group in this broker");
    return ok(request, jsonBody(config));
  });

  return handlers;
}
