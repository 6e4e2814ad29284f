/**
 * The seam between the gRPC activities and the brokers (Java's MessageService / TopicRouteService /
 * MetadataService split, flattened): name-server routes, broker metadata, and remoting requests to a
 * broker address. `ClusterMessageService` implements it with a remoting client (cluster mode, and
 * local mode over loopback); unit tests use an in-memory broker.
 */
import type { TopicConfig, TopicRouteData } from "@rocketmq-ts/common";
import type { RemotingCommand } from "@rocketmq-ts/remoting";

/** The fields of a SubscriptionGroupConfig the proxy reads (body of GET_SUBSCRIPTIONGROUP_CONFIG). */
export interface SubscriptionGroupView {
  groupName: string;
  consumeMessageOrderly: boolean;
  retryMaxTimes: number;
  /** `groupRetryPolicy.type`: CUSTOMIZED (Java's default) or EXPONENTIAL */
  retryPolicyType: "CUSTOMIZED" | "EXPONENTIAL";
  exponential: { initial: number; max: number; multiplier: number };
  customizedNext: number[];
}

/** A broker asked the proxy (as producer group = topic) for a transaction's state. */
export interface CheckTransactionStateRequest {
  brokerAddr: string;
  command: RemotingCommand;
}

export interface MessageService {
  /** The name server's route; throws MQClientException(TOPIC_NOT_EXIST) when it has none. */
  getTopicRouteFromNameServer(topic: string): Promise<TopicRouteData>;
  /** GET_TOPIC_CONFIG on `brokerAddr`; null when the broker does not know the topic. */
  getTopicConfig(brokerAddr: string, topic: string): Promise<TopicConfig | null>;
  /** GET_SUBSCRIPTIONGROUP_CONFIG on `brokerAddr`; null when the broker has no such group. */
  getSubscriptionGroupConfig(brokerAddr: string, group: string): Promise<SubscriptionGroupView | null>;
  /** A request to a broker and its answer. */
  invoke(brokerAddr: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
  invokeOneway(brokerAddr: string, request: RemotingCommand, timeoutMs: number): Promise<void>;
  /**
   * The producer groups the proxy stands for at the brokers (one per topic a client publishes to)
   * and the consumer groups; heartbeats carry them so brokers call back (CHECK_TRANSACTION_STATE).
   */
  updateClientGroups(producerGroups: readonly string[]): void;
  /** Broker → proxy CHECK_TRANSACTION_STATE. */
  onCheckTransactionState(handler: (req: CheckTransactionStateRequest) => void): void;
  start(): Promise<void>;
  shutdown(): Promise<void>;
}
