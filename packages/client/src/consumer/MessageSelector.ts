/** Java's MessageSelector: how a consumer filters a topic — by tags, or by a SQL92 expression over properties. */
import { buildSqlSubscriptionData, buildSubscriptionData, type SubscriptionData } from "@rocketmq-ts/common";
import { javaStringHashCode } from "@rocketmq-ts/remoting";

export interface MessageSelector {
  readonly type: "TAG" | "SQL92";
  readonly expression: string;
}

export const MessageSelector = {
  /** `a > 5 AND b IN ('x', 'y')` — needs enablePropertyFilter=true on the broker. */
  bySql: (sql: string): MessageSelector => ({ type: "SQL92", expression: sql }),
  /** `*` or `TagA || TagB`. */
  byTag: (tag: string): MessageSelector => ({ type: "TAG", expression: tag }),
};

export function subscriptionOf(topic: string, selector: string | MessageSelector): SubscriptionData {
  if (typeof selector === "string" || selector.type === "TAG")
    return buildSubscriptionData(
      topic,
      typeof selector === "string" ? selector : selector.expression,
      javaStringHashCode,
    );
  return buildSqlSubscriptionData(topic, selector.expression, selector.type);
}
