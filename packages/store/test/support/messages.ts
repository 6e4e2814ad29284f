/** Messages for store tests: the fields a test names, the rest zero or empty, born and stored at `host`. */
import type { HostAddress, MessageInner } from "@rocketmq-ts/common";

export function innerMessage(host: HostAddress, fields: Partial<MessageInner>): MessageInner {
  return {
    topic: "T",
    queueId: 0,
    flag: 0,
    body: null,
    propertiesString: "",
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: host,
    storeHost: host,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    ...fields,
  };
}
