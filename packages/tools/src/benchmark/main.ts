// Process entry of bin/benchmark: `benchmark producer|consumer [Java's flags]`.
import { flushLogger, handleClosedStdio, LoggerName, RocketmqLogging } from "@rocketmq-ts/common";
import { TlsConfigError } from "@rocketmq-ts/remoting";
import { runBatchProducerBenchmark } from "./batchProducer.js";
import { runConsumerBenchmark } from "./consumer.js";
import { runProducerBenchmark } from "./producer.js";

handleClosedStdio("exit"); // `benchmark producer | head` ends quietly
const [mode, ...rest] = process.argv.slice(2);
const out = (s: string): void => void process.stdout.write(s);
const err = (s: string): void => void process.stderr.write(s);
const runners: Record<string, typeof runProducerBenchmark> = {
  producer: runProducerBenchmark,
  batchproducer: runBatchProducerBenchmark,
  consumer: runConsumerBenchmark,
};
const runner = mode ? runners[mode] : undefined;
if (!runner) {
  err("usage: benchmark producer|batchproducer|consumer [options]  (-h for the options of each)\n");
  process.exitCode = 1;
} else {
  // the client classes log to rocketmq_client.log as Java's ClientLogger does, never to the console
  const logging = new RocketmqLogging("tools");
  try {
    process.exitCode = await runner(rest, out, err, logging.logger(LoggerName.CLIENT));
  } catch (e) {
    // -Dtls.enable=true with a tls.client.* setting that cannot be used: one line naming the key
    if (!(e instanceof TlsConfigError)) throw e;
    err(`${e.message}\n`);
    flushLogger(logging.root);
    process.exit(1); // the runner's report timer has started already
  }
  flushLogger(logging.root);
}
