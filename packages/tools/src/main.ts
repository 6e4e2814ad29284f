// Process entry of bin/mqadmin.
import { flushLogger, handleClosedStdio, LoggerName, RocketmqLogging } from "@rocketmq-ts/common";
import { runMqadmin } from "./mqadmin.js";
import { loggingRuntime } from "./runtime.js";

handleClosedStdio("exit"); // `mqadmin … | head` ends quietly

// Java's mqadmin logs through logback_tools.xml: files under ~/logs/rocketmqlogs, never the console
const logging = new RocketmqLogging("tools");
const code = await runMqadmin(
  process.argv.slice(2),
  (s) => process.stdout.write(s),
  (s) => process.stderr.write(s),
  process.env,
  loggingRuntime(logging.logger(LoggerName.CLIENT)),
);
flushLogger(logging.root);
process.exitCode = code;
