/**
 * RocketMQ's logger names (Java's `LoggerName` constants). Bind one as `logger` on a pino child
 * (`log.child({ logger: LoggerName.STORE })`) and the line lands in that logger's file.
 */
export const LoggerName = {
  NAMESRV: "RocketmqNamesrv",
  NAMESRV_CONSOLE: "RocketmqNamesrvConsole",
  BROKER: "RocketmqBroker",
  BROKER_CONSOLE: "RocketmqConsole",
  CLIENT: "RocketmqClient",
  TOOLS: "RocketmqTools",
  COMMON: "RocketmqCommon",
  STORE: "RocketmqStore",
  STORE_ERROR: "RocketmqStoreError",
  TRANSACTION: "RocketmqTransaction",
  REBALANCE_LOCK: "RocketmqRebalanceLock",
  STATS: "RocketmqStats",
  COMMERCIAL: "RocketmqCommercial",
  PROTECTION: "RocketmqProtection",
  WATER_MARK: "RocketmqWaterMark",
  FILTER: "RocketmqFilter",
  REMOTING: "RocketmqRemoting",
  PROXY: "RocketmqProxy",
  PROXY_WATER_MARK: "RocketmqProxyWatermark",
} as const;

export type LoggerNameValue = (typeof LoggerName)[keyof typeof LoggerName];
