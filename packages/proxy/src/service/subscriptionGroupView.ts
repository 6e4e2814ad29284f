/**
 * Reads the SubscriptionGroupConfig JSON a broker returns for GET_SUBSCRIPTIONGROUP_CONFIG into what
 * the proxy uses. Java defaults when a field is absent: consumeMessageOrderly false, retryMaxTimes
 * 16, groupRetryPolicy CUSTOMIZED with next = [1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h
 * 2h], EXPONENTIAL initial 5 s, max 2 h, multiplier 2.
 */
import { isJsonObject, type JsonValue } from "@rocketmq-ts/remoting";
import type { SubscriptionGroupView } from "./MessageService.js";

export const DEFAULT_CUSTOMIZED_NEXT = [
  1000, 5000, 10_000, 30_000, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000, 420_000, 480_000, 540_000, 600_000,
  1_200_000, 1_800_000, 3_600_000, 7_200_000,
];

export function defaultSubscriptionGroupView(groupName: string): SubscriptionGroupView {
  return {
    groupName,
    consumeMessageOrderly: false,
    retryMaxTimes: 16,
    retryPolicyType: "CUSTOMIZED",
    exponential: { initial: 5000, max: 7_200_000, multiplier: 2 },
    customizedNext: [...DEFAULT_CUSTOMIZED_NEXT],
  };
}

const numberOr = (v: JsonValue | undefined, d: number): number => (typeof v === "number" ? v : d);

export function decodeSubscriptionGroupView(json: JsonValue): SubscriptionGroupView {
  const o = isJsonObject(json) ? json : {};
  const view = defaultSubscriptionGroupView(typeof o["groupName"] === "string" ? o["groupName"] : "");
  if (typeof o["consumeMessageOrderly"] === "boolean") view.consumeMessageOrderly = o["consumeMessageOrderly"];
  view.retryMaxTimes = numberOr(o["retryMaxTimes"], view.retryMaxTimes);
  const policy = o["groupRetryPolicy"];
  if (isJsonObject(policy)) {
    if (policy["type"] === "EXPONENTIAL") view.retryPolicyType = "EXPONENTIAL";
    const exp = policy["exponentialRetryPolicy"];
    if (isJsonObject(exp)) {
      view.exponential = {
        initial: numberOr(exp["initial"], view.exponential.initial),
        max: numberOr(exp["max"], view.exponential.max),
        multiplier: numberOr(exp["multiplier"], view.exponential.multiplier),
      };
    }
    const custom = policy["customizedRetryPolicy"];
    if (isJsonObject(custom) && Array.isArray(custom["next"])) {
      view.customizedNext = custom["next"].filter((x): x is number => typeof x === "number");
    }
  }
  return view;
}
