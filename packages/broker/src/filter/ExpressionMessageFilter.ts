/**
 * The store-side filter of a pull (Java's ExpressionMessageFilter / ExpressionForRetryMessageFilter):
 * TAG subscriptions by tag hash code in the consume queue; SQL92 by evaluating the compiled
 * selector over each candidate's properties; with filterSupportRetry, a %RETRY% topic is filtered
 * with the group's selector of the message's original topic (RETRY_TOPIC).
 */
import { MixAll, SUB_ALL, type SubscriptionData, MessageConst } from "@rocketmq-ts/common";
import { isTagType } from "@rocketmq-ts/filter";
import type { MessageFilter } from "@rocketmq-ts/store";
import type { ConsumerFilterData, ConsumerFilterManager } from "./ConsumerFilterManager.js";

function evaluate(data: ConsumerFilterData | null | undefined, properties: Map<string, string>): boolean {
  if (!data?.compiled) return true;
  return data.compiled.matches(properties);
}

export function expressionMessageFilter(
  sub: SubscriptionData,
  filterData: ConsumerFilterData | null,
  options: { filterSupportRetry: boolean; manager: ConsumerFilterManager },
): MessageFilter {
  const tagType = isTagType(sub.expressionType);
  const retry = options.filterSupportRetry && sub.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX);
  if (tagType && !retry) {
    if (sub.subString === SUB_ALL || sub.codeSet.length === 0) return { isMatchedByConsumeQueue: () => true };
    const codes = new Set(sub.codeSet);
    return { isMatchedByConsumeQueue: (tagsCode) => codes.has(tagsCode) };
  }
  if (retry) {
    const group = sub.topic.slice(MixAll.RETRY_GROUP_TOPIC_PREFIX.length);
    return {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: (properties) => {
        const realTopic = properties.get(MessageConst.PROPERTY_RETRY_TOPIC);
        return evaluate(realTopic === undefined ? null : options.manager.get(realTopic, group), properties);
      },
    };
  }
  // without bitmaps (enableCalcFilterBitMap) the consume queue cannot rule anything out
  return {
    isMatchedByConsumeQueue: () => true,
    isMatchedByCommitLog: (properties) => evaluate(filterData, properties),
  };
}
