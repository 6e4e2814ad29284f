/**
 * `bin/benchmark consumer` — Java's benchmark Consumer (consumer.sh): same flags, start line and
 * 10 s lines (4.9.8 wording: TPS, FAIL, AVG/MAX born-to-consumer and store-to-consumer RT).
 * Extensions: `--duration <s>` stops after that many seconds and prints a [Complete] line,
 * `--json` adds the result as JSON (with the span from the first to the last message consumed and this
 * process's CPU per message), `--until <n>` stops once n messages were consumed, `--groups <n>` runs
 * n push consumers of the same topic, groups <group>_0 … <group>_n-1 (fan-out). TAG filter
 * expressions are read from the `-e` file as in Java.
 */
import { readFileSync } from "node:fs";
import { DefaultMQPushConsumer } from "@rocketmq-ts/client";
import type { Logger } from "@rocketmq-ts/common";
import { Command } from "commander";
import { javaFormat } from "../format.js";
import { ACL_ACCESS_KEY, ACL_SECRET_KEY, aclCredentials } from "./acl.js";
import { cpuMicrosPerMessage, parseBenchmarkArgs, SnapshotWindow, startStatsTimers, stopSignal } from "./stats.js";

type Out = (s: string) => void;

export interface ConsumerBenchResult {
  consumeTotal: number;
  consumeTps: number;
  consumeFailed: number;
  averageB2CRT: number;
  averageS2CRT: number;
  maxB2CRT: number;
  maxS2CRT: number;
}

export async function runConsumerBenchmark(argv: string[], out: Out, err: Out, logger?: Logger): Promise<number> {
  const program = new Command("benchmarkConsumer")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err })
    .option("-n, --namesrvAddr <addr>", "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'")
    .option("-t, --topic <topic>", "Topic name, Default: BenchmarkTest")
    .option("-w, --threadCount <n>", "Thread count, Default: 20")
    .option("-g, --group <group>", "Consumer group name, Default: benchmark_consumer")
    .option("-p, --prefix <b>", "Is group prefix enable, Default: false")
    .option("-f, --filterType <type>", "TAG, SQL92")
    .option("-e, --expression <file>", "filter expression content file path.ie: ./test/expr")
    .option("-r, --failRate <rate>", "consumer fail rate, default 0")
    .option("-m, --msgTraceEnable <b>", "Message Trace Enable, Default: false")
    .option("-a, --aclEnable <b>", "Acl Enable, Default: false")
    .option("-ak, --accessKey <ak>", `Acl access key, Default: ${ACL_ACCESS_KEY}`)
    .option("-sk, --secretKey <sk>", `Acl secret key, Default: ${ACL_SECRET_KEY}`)
    .option("--duration <seconds>", "stop after this many seconds (extension), Default: 0, running until Ctrl-C")
    .option("--until <n>", "stop once this many messages were consumed (extension)")
    .option("--groups <n>", "consumer groups <group>_0 … <group>_n-1 reading the topic (extension), Default: 1")
    .option("--json", "print the result as one JSON line at the end (extension)");
  const args = parseBenchmarkArgs(program, argv);
  if (!args) return 1;
  const { str, bool, namesrvAddr } = args;
  const topic = str("topic")?.trim() ?? "BenchmarkTest";
  const threadCount = Number(str("threadCount") ?? 20);
  const groupPrefix = str("group")?.trim() ?? "benchmark_consumer";
  const suffix = str("prefix")?.trim() ?? "false";
  const filterType = str("filterType")?.trim() ?? null;
  const expression = str("expression")?.trim() ?? null;
  const failRate = Number(str("failRate") ?? 0);
  const traceEnable = bool("msgTraceEnable");
  const aclEnable = bool("aclEnable");
  if (!namesrvAddr) {
    err("No name server address, please set it (-n or NAMESRV_ADDR)\n");
    return 1;
  }
  const group = suffix.toLowerCase() === "true" ? `${groupPrefix}_${Date.now() % 100}` : groupPrefix;
  const until = Number(str("until") ?? 0);
  const groupCount = Number(str("groups") ?? 1);
  if (!(Number.isInteger(until) && until >= 0) || !(Number.isInteger(groupCount) && groupCount >= 1)) {
    err("--until and --groups take a whole number (--groups at least 1)\n");
    return 1;
  }
  const groups = groupCount === 1 ? [group] : Array.from({ length: groupCount }, (_, i) => `${group}_${i}`);
  const cpuAtStart = process.cpuUsage();
  let firstAt = 0;
  let lastAt = 0;
  let reached: () => void = () => undefined;
  const untilReached = new Promise<void>((r) => (reached = r));
  out(
    javaFormat(
      "topic: %s, threadCount %d, group: %s, suffix: %s, filterType: %s, expression: %s, msgTraceEnable: %s, aclEnable: %s%n",
      topic,
      threadCount,
      group,
      suffix,
      filterType,
      expression,
      traceEnable,
      aclEnable,
    ),
  );

  const c = { total: 0, b2cTotal: 0, s2cTotal: 0, fail: 0, b2cMax: 0, s2cMax: 0, b2cMaxAll: 0, s2cMaxAll: 0 };
  const window = new SnapshotWindow(() => [c.total, c.b2cTotal, c.s2cTotal, c.fail]);
  const compute = (): ConsumerBenchResult => {
    const [b, e] = window.ends();
    const n = e[1]! - b[1]!;
    return {
      consumeTotal: c.total,
      consumeTps: Math.trunc((n / (e[0]! - b[0]!)) * 1000),
      consumeFailed: e[4]! - b[4]!,
      averageB2CRT: (e[2]! - b[2]!) / n,
      averageS2CRT: (e[3]! - b[3]!) / n,
      maxB2CRT: c.b2cMax,
      maxS2CRT: c.s2cMax,
    };
  };
  const stopTimers = startStatsTimers(window, () => {
    if (window.size < 10) return;
    const r = compute();
    c.b2cMax = 0;
    c.s2cMax = 0;
    out(
      javaFormat(
        "Current Time: %s TPS: %d FAIL: %d AVG(B2C) RT(ms): %7.3f AVG(S2C) RT(ms): %7.3f MAX(B2C) RT(ms): %d MAX(S2C) RT(ms): %d%n",
        Date.now(),
        r.consumeTps,
        r.consumeFailed,
        r.averageB2CRT,
        r.averageS2CRT,
        r.maxB2CRT,
        r.maxS2CRT,
      ),
    );
  });

  const consumers = groups.map(
    (consumerGroup, i) =>
      new DefaultMQPushConsumer({
        namesrvAddr,
        consumerGroup,
        consumeThreadMax: threadCount,
        instanceName: groups.length === 1 ? String(Date.now()) : `${Date.now()}-${i}`,
        ...aclCredentials(aclEnable, str("accessKey") ?? ACL_ACCESS_KEY, str("secretKey") ?? ACL_SECRET_KEY),
        ...(logger ? { logger } : {}),
      }),
  );
  let subscription = "*";
  if (filterType !== null && expression !== null) {
    if (filterType !== "TAG") {
      err(`Not support filter type! ${filterType}\n`);
      stopTimers();
      return 1;
    }
    const expr = readFileSync(expression, "utf8");
    out(javaFormat("Expression: %s%n", expr));
    subscription = expr.trim();
  }
  for (const consumer of consumers) {
    consumer.subscribe(topic, subscription);
    consumer.registerMessageListener((msgs) => {
      const msg = msgs[0];
      if (!msg) return "CONSUME_SUCCESS";
      const now = Date.now();
      if (c.total === 0) firstAt = now;
      lastAt = now;
      c.total++;
      if (until > 0 && c.total >= until) reached();
      const b2c = now - msg.bornTimestamp;
      const s2c = now - msg.storeTimestamp;
      c.b2cTotal += b2c;
      c.s2cTotal += s2c;
      c.b2cMax = Math.max(c.b2cMax, b2c);
      c.s2cMax = Math.max(c.s2cMax, s2c);
      c.b2cMaxAll = Math.max(c.b2cMaxAll, b2c);
      c.s2cMaxAll = Math.max(c.s2cMaxAll, s2c);
      if (Math.random() < failRate) {
        c.fail++;
        return "RECONSUME_LATER";
      }
      return "CONSUME_SUCCESS";
    });
  }
  const stop = stopSignal(Number(str("duration") ?? 0));
  try {
    await Promise.all(consumers.map((consumer) => consumer.start()));
  } catch (e) {
    err(`${(e as Error).message}\n`);
    stopTimers();
    stop.dispose();
    await Promise.allSettled(consumers.map((consumer) => consumer.shutdown()));
    return 1;
  }
  out(javaFormat("Consumer Started.%n"));
  await Promise.race([stop.promise, untilReached]);
  stopTimers();
  stop.dispose();
  window.tick();
  const r = { ...compute(), maxB2CRT: c.b2cMaxAll, maxS2CRT: c.s2cMaxAll, consumeFailed: c.fail };
  out(
    javaFormat(
      "[Complete] Consume Total: %d TPS: %d FAIL: %d AVG(B2C) RT(ms): %7.3f AVG(S2C) RT(ms): %7.3f MAX(B2C) RT(ms): %d MAX(S2C) RT(ms): %d%n",
      r.consumeTotal,
      r.consumeTps,
      r.consumeFailed,
      r.averageB2CRT,
      r.averageS2CRT,
      r.maxB2CRT,
      r.maxS2CRT,
    ),
  );
  if (args.flag("json")) {
    const extra = {
      consumeSpanMs: lastAt - firstAt,
      clientCpuMicrosPerMsg: cpuMicrosPerMessage(cpuAtStart, c.total),
    };
    out(`${JSON.stringify({ mode: "consumer", ...r, ...extra })}\n`);
  }
  await Promise.all(consumers.map((consumer) => consumer.shutdown()));
  return 0;
}
