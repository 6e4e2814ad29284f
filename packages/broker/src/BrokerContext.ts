/** What the processors see of the broker: configs, store, managers, stats. */
import type { DefaultMessageStore, HostAddress, MessageStoreConfig } from "@rocketmq-ts/store";
import type { Logger } from "pino";
import type { ConsumerManager } from "./client/ConsumerManager.js";
import type { ProducerManager } from "./client/ProducerManager.js";
import type { BrokerConfig } from "./config/BrokerConfig.js";
import type { PullRequestHoldService } from "./longpolling/PullRequestHoldService.js";
import type { ConsumerOffsetManager } from "./offset/ConsumerOffsetManager.js";
import type { BrokerStats } from "./BrokerStats.js";
import type { ScheduleMessageService } from "./schedule/ScheduleMessageService.js";
import type { SubscriptionGroupManager } from "./subscription/SubscriptionGroupManager.js";
import type { TopicConfigManager } from "./topic/TopicConfigManager.js";

export interface BrokerContext {
  readonly brokerConfig: BrokerConfig;
  readonly storeConfig: MessageStoreConfig;
  readonly store: DefaultMessageStore;
  readonly storeHost: HostAddress;
  readonly topicConfigManager: TopicConfigManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager: ProducerManager;
  readonly pullRequestHoldService: PullRequestHoldService;
  readonly stats: BrokerStats;
  readonly scheduleMessageService: ScheduleMessageService;
  readonly logger: Logger;
  /** `CL: x.xx CQ: x.xx INDEX: x.xx` disk usage for the SERVICE_NOT_AVAILABLE remark. */
  diskUsageSummary(): string;
}
