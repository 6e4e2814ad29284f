/** Logging as Java RocketMQ's logback config lays it out; see logging/RocketmqLogging.ts. */
import type { Logger } from "pino";

export type { Logger };

export { defaultLogDir } from "./logging/logDir.js";
export { LoggerName, type LoggerNameValue } from "./logging/LoggerName.js";
export {
  formatLogLine,
  formatLogTime,
  levelName,
  parseLogTimeZone,
  type LogPattern,
  type LogRecord,
  type LogTimeZone,
} from "./logging/logLayout.js";
export {
  logbackConfigs,
  type AppenderSpec,
  type LogbackConfig,
  type LogbackConfigName,
} from "./logging/logbackConfigs.js";
export { RollingFileAppender, type RollingPolicy } from "./logging/RollingFileAppender.js";
export {
  RocketmqLogging,
  logFormatFrom,
  namedLogger,
  type LogFormat,
  type RocketmqLoggingOptions,
} from "./logging/RocketmqLogging.js";

/** Flush a file logger before the process exits. */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // best effort at exit
  }
}
