import type { PlainAccessValidator } from "@rocketmq-ts/acl";
/** What the processors see of the broker: configs, store, managers, stats. */
import type { DataVersion } from "@rocketmq-ts/common";
import type { Connection, RemotingCommand } from "@rocketmq-ts/remoting";
import type { HostAddress } from "@rocketmq-ts/common";
import type { DefaultMessageStore, MessageStoreConfig, TimerMessageStore } from "@rocketmq-ts/store";
import type { RebalanceLockManager } from "./client/RebalanceLockManager.js";
import type { EventLoopLag } from "./EventLoopLag.js";
import type { Logger } from "pino";
import type { ConsumerManager } from "./client/ConsumerManager.js";
import type { ProducerManager } from "./client/ProducerManager.js";
import type { BrokerConfig } from "./config/BrokerConfig.js";
import type { PullRequestHoldService } from "./longpolling/PullRequestHoldService.js";
import type { ConsumerOffsetManager } from "./offset/ConsumerOffsetManager.js";
import type { BrokerStats } from "./stats/BrokerStats.js";
import type { BrokerStatsManager } from "./stats/BrokerStatsManager.js";
import type { ScheduleMessageService } from "./schedule/ScheduleMessageService.js";
import type { SubscriptionGroupManager } from "./subscription/SubscriptionGroupManager.js";
import type { TopicConfigManager } from "./topic/TopicConfigManager.js";
import type { ConsumerFilterManager } from "./filter/ConsumerFilterManager.js";
import type { TransactionalMessageBridge } from "./transaction/TransactionalMessageBridge.js";
import type { PopServices } from "./pop/PopServices.js";

export interface BrokerContext {
  readonly brokerConfig: BrokerConfig;
  readonly storeConfig: MessageStoreConfig;
  readonly store: DefaultMessageStore;
  readonly storeHost: HostAddress;
  readonly topicConfigManager: TopicConfigManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly consumerFilterManager: ConsumerFilterManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager: ProducerManager;
  readonly pullRequestHoldService: PullRequestHoldService;
  /** the stats by name and key (VIEW_BROKER_STATS_DATA, consumeTps, statsAll) */
  readonly brokerStatsManager: BrokerStatsManager;
  /** yesterday's and today's totals */
  readonly brokerStats: BrokerStats;
  readonly scheduleMessageService: ScheduleMessageService;
  readonly transactionalMessageBridge: TransactionalMessageBridge;
  /** POP consumption: revive topic, checkpoint offsets, long polling, orderly info, revive services. */
  readonly popServices: PopServices;
  /** 5.x timer messages (timerWheelEnable), else null; GET_TIMER_CHECK_POINT answers its checkpoint. */
  readonly timerMessageStore: TimerMessageStore | null;
  /** RocketmqBroker (broker.log); `namedLogger(ctx.logger, LoggerName.STATS)` etc. for the other files. */
  readonly logger: Logger;
  readonly rebalanceLockManager: RebalanceLockManager;
  readonly eventLoopLag: EventLoopLag;
  readonly configuration: BrokerConfiguration;
  /** `ip:listenPort` this broker registers under. */
  readonly brokerAddr: string;
  /** Plain ACL (aclEnable=true), else null. */
  readonly accessValidator: PlainAccessValidator | null;
  /** `CL: x.xx CQ: x.xx INDEX: x.xx` disk usage for the SERVICE_NOT_AVAILABLE remark. */
  diskUsageSummary(): string;
  /** Request to a connected client (e.g. GET_CONSUMER_RUNNING_INFO relayed by mqadmin). */
  invokeClient(connection: Connection, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
  invokeClientOneway(connection: Connection, request: RemotingCommand): Promise<void>;
}

/** The broker's whole configuration as GET/UPDATE_BROKER_CONFIG see it. */
export interface BrokerConfiguration {
  /** `key=value` for every key of the four config objects. */
  lines(): string[];
  /** Apply and persist (to the -c file); throws ConfigError naming a bad key. */
  update(props: Map<string, string>): void;
  dataVersion(): DataVersion;
}
