// Process entry of bin/mqconsole.
import { join } from "node:path";
import { flushLogger, handleClosedStdio, RocketmqLogging, userHome } from "@rocketmq-ts/common";
import { ConsoleConfigError, parseConsoleArgs } from "./config.js";
import { startConsole } from "./startConsole.js";

handleClosedStdio("exit");

let config;
try {
  config = parseConsoleArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof ConsoleConfigError)) throw err;
  process.stderr.write(`mqconsole: ${err.message}\n`);
  process.exit(1);
}
// rocketmq-dashboard logs to ~/logs/consolelogs/rocketmq-console.log
const logging = new RocketmqLogging("console", { logDir: join(userHome(process.env), "logs", "consolelogs") });
const logger = logging.root;
try {
  const running = await startConsole(config, logger);
  process.stdout.write(`mqconsole listening on ${running.url} (name servers ${config.namesrvAddrs.join(";")})\n`);
  const stop = (): void => {
    void running.close().finally(() => {
      flushLogger(logger);
      process.exit(0);
    });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  logger.error({ err: message }, "console failed to start");
  flushLogger(logger);
  process.stderr.write(`mqconsole: ${message}\n`);
  process.exit(1);
}
