/**
 * The log files of one process (broker, name server or tools) as Java's logback config lays them out:
 * a pino root logger whose destination routes each line by its `logger` binding (a RocketMQ logger
 * name) to that logger's file, formatted as logback's text pattern or kept as pino's JSON line.
 * Formatting happens only for lines pino emits, i.e. above the level; each line is written to its
 * file when it is logged, so nothing is reordered or left unwritten at exit.
 */
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { systemProperty } from "../systemProperties.js";
import { defaultLogDir } from "./logDir.js";
import { logbackConfigs, type AppenderSpec, type LogbackConfigName } from "./logbackConfigs.js";
import { formatLogLine, parseLogTimeZone, type LogRecord, type LogTimeZone } from "./logLayout.js";
import { RollingFileAppender } from "./RollingFileAppender.js";

export type LogFormat = "text" | "json";

export interface RocketmqLoggingOptions {
  /** Default: defaultLogDir() (`~/logs/rocketmqlogs`). */
  logDir?: string;
  /** Java's `${brokerLogDir}`: `<brokerName>_<brokerId>` when isolateLogEnable, else none. */
  subDir?: string;
  level?: string;
  format?: LogFormat;
  timeZone?: LogTimeZone;
  env?: NodeJS.ProcessEnv;
}

/** `-Drocketmq.log.<name>=…` in JAVA_OPT/JAVA_OPT_EXT, else `ROCKETMQ_LOG_<NAME>`. */
function knob(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return systemProperty(`rocketmq.log.${name}`, env) ?? env[`ROCKETMQ_LOG_${name.toUpperCase()}`];
}

export function logFormatFrom(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const f = knob("format", env)?.trim().toLowerCase();
  if (f === undefined || f === "" || f === "text") return "text";
  if (f === "json") return "json";
  throw new Error(`rocketmq.log.format: unknown format "${f}" (text or json)`);
}

export class RocketmqLogging {
  /** Lines without a `logger` binding, or with a name the config does not list, go to the root file. */
  readonly root: Logger;
  readonly format: LogFormat;
  private readonly zone: LogTimeZone;
  private readonly appenders = new Map<AppenderSpec, RollingFileAppender>();
  private readonly rootAppender: RollingFileAppender;
  private readonly named = new Map<string, Logger>();

  constructor(config: LogbackConfigName, options: RocketmqLoggingOptions = {}) {
    const env = options.env ?? process.env;
    this.format = options.format ?? logFormatFrom(env);
    this.zone = options.timeZone ?? parseLogTimeZone(knob("timezone", env));
    const { loggers, root } = logbackConfigs[config]();
    const logDir = options.logDir ?? defaultLogDir(env);
    const sub = options.subDir ?? "";
    // logback opens every appender at configuration time, so all files appear at start
    const open = (s: AppenderSpec): RollingFileAppender =>
      new RollingFileAppender(join(logDir, sub, s.file), join(logDir, "otherdays", sub), s);
    this.rootAppender = open(root);
    this.appenders.set(root, this.rootAppender);
    for (const s of loggers.values()) if (!this.appenders.has(s)) this.appenders.set(s, open(s));
    const route = (name: unknown): [AppenderSpec, RollingFileAppender] => {
      const s = typeof name === "string" ? loggers.get(name) : undefined;
      return s ? [s, this.appenders.get(s) ?? this.rootAppender] : [root, this.rootAppender];
    };
    const destination = {
      write: (line: string): void => {
        let record: LogRecord;
        try {
          record = JSON.parse(line) as LogRecord;
        } catch {
          this.rootAppender.write(line);
          return;
        }
        const [spec, appender] = route(record["logger"]);
        appender.write(this.format === "json" ? line : formatLogLine(record, spec.pattern, this.zone));
      },
      flush: (cb?: (err?: Error) => void): void => {
        this.flush();
        cb?.();
      },
      flushSync: (): void => this.flush(),
    };
    this.root = pino({ level: options.level ?? knob("level", env) ?? "info", base: { pid: process.pid } }, destination);
    loggingOf.set(this.root, this);
  }

  /** The logger of a RocketMQ logger name (LoggerName.*): its lines go to that name's file. */
  logger(name: string): Logger {
    let l = this.named.get(name);
    if (!l) {
      l = this.root.child({ logger: name });
      this.named.set(name, l);
      loggingOf.set(l, this);
    }
    return l;
  }

  /** Write every buffered line now. */
  flush(): void {
    for (const a of this.appenders.values()) a.flushSync();
  }

  /** Flush and close the files (tests; servers just exit). */
  close(): void {
    for (const a of this.appenders.values()) a.end();
  }

  /** Resolves when rolled files are compressed. */
  async whenArchived(): Promise<void> {
    await Promise.all([...this.appenders.values()].map((a) => a.whenArchived()));
  }
}

/** Loggers handed out by a RocketmqLogging, so a named child comes from the same instance. */
const loggingOf = new WeakMap<Logger, RocketmqLogging>();

/**
 * The logger of a RocketMQ logger name next to `logger`: from the same RocketmqLogging when `logger`
 * came from one (one `logger` field per line), else a child binding `logger` (which routes as well).
 */
export function namedLogger(logger: Logger, name: string): Logger {
  return loggingOf.get(logger)?.logger(name) ?? logger.child({ logger: name });
}
