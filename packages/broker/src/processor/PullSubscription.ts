/**
 * Which subscription a pull is filtered by — the step of Java's PullMessageProcessor between its
 * checks and the store read. A pull carrying FLAG_SUBSCRIPTION brings its own expression (tags, or
 * SQL92 compiled into fresh filter data); otherwise the group's heartbeat registration decides, with
 * the SQL92 filter data ConsumerFilterManager keeps for it. Either way an expression filter needs
 * `enablePropertyFilter`.
 */
import { buildSubscriptionData, MixAll, type SubscriptionData } from "@rocketmq-ts/common";
import { isTagType } from "@rocketmq-ts/filter";
import { javaStringHashCode, ResponseCode, type PullMessageRequestHeader } from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import { buildFilterData, type ConsumerFilterData } from "../filter/ConsumerFilterManager.js";
import type { SubscriptionGroupConfig } from "../subscription/SubscriptionGroupManager.js";

/** PullSysFlag: the pull carries its subscription. */
export const FLAG_SUBSCRIPTION = 0x4;

export interface PullSubscription {
  readonly subscription: SubscriptionData;
  /** The compiled SQL92 expression; null for a tag subscription. */
  readonly filterData: ConsumerFilterData | null;
}

/** Why the pull cannot be served: the answer's code and remark. */
export interface PullRefusal {
  readonly code: number;
  readonly remark: string;
}

const refuse = (code: number, remark: string): PullRefusal => ({ code, remark });

/** The subscription a pull carries in its header (the client's FilterAPI.build, on the broker). */
function fromRequest(h: PullMessageRequestHeader): PullSubscription | PullRefusal {
  if (isTagType(h.expressionType))
    return { subscription: buildSubscriptionData(h.topic, h.subscription, javaStringHashCode), filterData: null };
  // an empty expression does not parse; an invalid one leaves the pull unfiltered (Java's quirk)
  if (!h.subscription)
    return refuse(ResponseCode.SUBSCRIPTION_PARSE_FAILED, "parse the consumer's subscription failed");
  return {
    subscription: {
      topic: h.topic,
      subString: h.subscription,
      tagsSet: [],
      codeSet: [],
      subVersion: h.subVersion,
      expressionType: h.expressionType ?? "",
      classFilterMode: false,
    },
    filterData: buildFilterData(h.topic, h.consumerGroup, h.subscription, h.expressionType, h.subVersion),
  };
}

/** The subscription the group registered by heartbeat, no older than the pull's subVersion. */
function fromConsumerManager(
  ctx: BrokerContext,
  h: PullMessageRequestHeader,
  groupConfig: SubscriptionGroupConfig,
): PullSubscription | PullRefusal {
  const group = ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
  if (!group)
    return refuse(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's group info not exist${MixAll.FAQ_URL_SUFFIX}`);
  if (!groupConfig.consumeBroadcastEnable && group.messageModel === "BROADCASTING")
    return refuse(
      ResponseCode.NO_PERMISSION,
      `the consumer group[${h.consumerGroup}] can not consume by broadcast way`,
    );
  const subscription = group.subscriptionTable.get(h.topic);
  if (!subscription)
    return refuse(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's subscription not exist${MixAll.FAQ_URL_SUFFIX}`);
  if (subscription.subVersion < h.subVersion)
    return refuse(ResponseCode.SUBSCRIPTION_NOT_LATEST, "the consumer's subscription not latest");
  if (isTagType(subscription.expressionType)) return { subscription, filterData: null };
  const filterData = ctx.consumerFilterManager.get(h.topic, h.consumerGroup);
  if (!filterData)
    return refuse(
      ResponseCode.FILTER_DATA_NOT_EXIST,
      "The broker's consumer filter data is not exist!Your expression may be wrong!",
    );
  if (filterData.clientVersion < h.subVersion)
    return refuse(ResponseCode.FILTER_DATA_NOT_LATEST, "the consumer's consumer filter data not latest");
  return { subscription, filterData };
}

export function resolvePullSubscription(
  ctx: BrokerContext,
  h: PullMessageRequestHeader,
  groupConfig: SubscriptionGroupConfig,
): PullSubscription | PullRefusal {
  const resolved = (h.sysFlag & FLAG_SUBSCRIPTION) !== 0 ? fromRequest(h) : fromConsumerManager(ctx, h, groupConfig);
  if ("code" in resolved) return resolved;
  const { expressionType } = resolved.subscription;
  if (!isTagType(expressionType) && !ctx.brokerConfig.enablePropertyFilter)
    return refuse(
      ResponseCode.SYSTEM_ERROR,
      `The broker does not support consumer to filter message by ${expressionType}`,
    );
  return resolved;
}
