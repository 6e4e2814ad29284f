import { mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { pino, destination, type Logger } from "pino";
import { systemProperty, userHome } from "./systemProperties.js";

/** `~/logs/rocketmqlogs`, or the directory Java's logback would use under an overridden user.home. */
export function defaultLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    systemProperty("rocketmq.log.dir", env) ?? env["ROCKETMQ_LOG_DIR"] ?? join(userHome(env), "logs", "rocketmqlogs")
  );
}

/**
 * A pino logger writing JSON lines to `<logDir>/<fileName>` (e.g. namesrv.log, broker.log). Never
 * stdout: consoles get only the few lines Java prints there (boot lines, -p output).
 */
export function createFileLogger(fileName: string, options: { logDir?: string; level?: string } = {}): Logger {
  const dir = options.logDir ?? defaultLogDir();
  mkdirSync(dir, { recursive: true });
  // An already-open descriptor makes the destination ready at once, so an early exit can flush it.
  const dest = destination({ dest: openSync(join(dir, fileName), "a"), sync: false });
  return pino(
    { level: options.level ?? process.env["ROCKETMQ_LOG_LEVEL"] ?? "info", base: { pid: process.pid } },
    dest,
  );
}

/** Flush a file logger before the process exits. */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // best effort at exit
  }
}
