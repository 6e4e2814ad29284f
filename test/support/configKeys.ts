/** Broker config keys taken from 5.x (marked `since: "5.x"`): the 4.9.8 captures do not have them. */
import { keysSince5x } from "@rocketmq-ts/common";
import { brokerConfigSpec } from "@rocketmq-ts/broker";
import { messageStoreConfigSpec } from "@rocketmq-ts/store";

export function brokerKeysSince5x(): Set<string> {
  return new Set([...keysSince5x(brokerConfigSpec()), ...keysSince5x(messageStoreConfigSpec())]);
}
