/**
 * Which logger writes which file, as Java RocketMQ 4.9.8's distribution/conf/logback_broker.xml,
 * logback_namesrv.xml and logback_tools.xml configure it (every logger there has additivity=false,
 * so a line lands in exactly one file). File sizes and window sizes are logback's.
 */
import type { LogPattern } from "./logLayout.js";
import { LoggerName } from "./LoggerName.js";
import { MB, type RollingPolicy } from "./RollingFileAppender.js";

export interface AppenderSpec extends RollingPolicy {
  /** File name under the log directory, e.g. `broker.log`. */
  file: string;
  pattern: LogPattern;
}

export interface LogbackConfig {
  /** Logger name → appender (several loggers may share one). */
  loggers: ReadonlyMap<string, AppenderSpec>;
  /** The root logger's appender: lines of loggers not listed, e.g. `broker_default.log`. */
  root: AppenderSpec;
}

const spec = (file: string, maxFileSizeMb: number, maxIndex: number, pattern: LogPattern = "full"): AppenderSpec => ({
  file,
  maxFileSize: maxFileSizeMb * MB,
  maxIndex,
  pattern,
});

function brokerConfig(): LogbackConfig {
  const broker = spec("broker.log", 128, 20);
  return {
    root: spec("broker_default.log", 100, 10),
    loggers: new Map([
      [LoggerName.BROKER, broker],
      [LoggerName.COMMON, broker],
      [LoggerName.PROTECTION, spec("protection.log", 100, 10, "bare")],
      [LoggerName.WATER_MARK, spec("watermark.log", 100, 10, "bare")],
      [LoggerName.STORE, spec("store.log", 128, 10)],
      [LoggerName.STORE_ERROR, spec("storeerror.log", 100, 10)],
      [LoggerName.TRANSACTION, spec("transaction.log", 100, 10)],
      [LoggerName.REBALANCE_LOCK, spec("lock.log", 100, 5)],
      [LoggerName.REMOTING, spec("remoting.log", 100, 10)],
      [LoggerName.FILTER, spec("filter.log", 100, 10)],
      [LoggerName.STATS, spec("stats.log", 100, 5, "noThread")],
      // logback_broker.xml gives the commercial appender no encoder: the message alone
      [LoggerName.COMMERCIAL, spec("commercial.log", 500, 10, "messageOnly")],
    ]),
  };
}

function namesrvConfig(): LogbackConfig {
  const namesrv = spec("namesrv.log", 100, 5);
  return {
    root: spec("namesrv_default.log", 100, 5),
    loggers: new Map([
      [LoggerName.NAMESRV, namesrv],
      [LoggerName.COMMON, namesrv],
      [LoggerName.REMOTING, namesrv],
    ]),
  };
}

function toolsConfig(): LogbackConfig {
  // logback_tools.xml sends Common/Store/Remoting to an appender it never defines (so Java drops
  // those lines); they go to tools.log here
  const tools = spec("tools.log", 100, 5);
  return {
    root: spec("tools_default.log", 100, 5),
    loggers: new Map([
      [LoggerName.TOOLS, tools],
      [LoggerName.COMMON, tools],
      [LoggerName.STORE, tools],
      [LoggerName.REMOTING, tools],
      // the client classes log through Java's ClientLogger: rocketmq_client.log, 1 GiB, 10 files
      [LoggerName.CLIENT, spec("rocketmq_client.log", 1024, 10)],
    ]),
  };
}

function consoleConfig(): LogbackConfig {
  // rocketmq-dashboard's logback.xml: one file, ~/logs/consolelogs/rocketmq-console.log (the caller
  // picks that directory); the client classes it uses log there too
  const console = spec("rocketmq-console.log", 100, 10);
  return { root: console, loggers: new Map([[LoggerName.CLIENT, console]]) };
}

/**
 * rmq.proxy.logback.xml's proxy files: proxy.log and proxy_watermark.log. Java's file also lists the
 * broker's, for the broker local mode runs inside; here that broker keeps its own logging (the
 * broker config), so each file has one writer.
 */
function proxyConfig(): LogbackConfig {
  const proxy = spec("proxy.log", 128, 10);
  return {
    root: proxy,
    loggers: new Map([
      [LoggerName.PROXY, proxy],
      [LoggerName.PROXY_WATER_MARK, spec("proxy_watermark.log", 128, 10)],
    ]),
  };
}

export const logbackConfigs = {
  broker: brokerConfig,
  proxy: proxyConfig,
  namesrv: namesrvConfig,
  tools: toolsConfig,
  console: consoleConfig,
} as const;

export type LogbackConfigName = keyof typeof logbackConfigs;
