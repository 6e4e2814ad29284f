/**
 * Where the proxy records its gRPC consumers (Java's `messagingProcessor.registerConsumer` /
 * `unRegisterConsumer`). Local mode writes them into the broker's own ConsumerManager, as Java's local
 * mode does, so `mqadmin consumerConnection` / `consumerProgress` and the console list them
 * (LocalConsumerRegistry). Cluster mode keeps them in the proxy: Java's cluster mode does not tell the
 * brokers either, so the no-op registry is the faithful one there.
 */
import type { SubscriptionData } from "@rocketmq-ts/common";

export interface ConsumerRegistration {
  clientId: string;
  group: string;
  /** x-mq-language (the Node client sends HTTP) */
  language: string;
  /** the gRPC peer, `ip:port` */
  remoteAddr: string;
  /** SIMPLE_CONSUMER → CONSUME_ACTIVELY, PUSH_CONSUMER → CONSUME_PASSIVELY (Java's buildConsumeType) */
  consumeType: "CONSUME_ACTIVELY" | "CONSUME_PASSIVELY";
  subscriptions: SubscriptionData[];
}

export interface ConsumerRegistry {
  register(registration: ConsumerRegistration): void;
  unregister(clientId: string, group: string): void;
  /** a client expired or the proxy stops: every group of it */
  unregisterClient(clientId: string): void;
  unregisterAll(): void;
}

export const proxySideConsumerRegistry: ConsumerRegistry = {
  register: () => undefined,
  unregister: () => undefined,
  unregisterClient: () => undefined,
  unregisterAll: () => undefined,
};
