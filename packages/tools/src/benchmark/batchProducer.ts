/**
 * `bin/benchmark batchproducer` — Java's benchmark BatchProducer (batchproducer.sh): the same flags,
 * start line and 10 s lines (requests and messages counted apart: Send TPS and Send MPS). "Threads"
 * are concurrent send loops on one event loop, each sending batches of `-b` messages.
 * Extensions, as the producer's: `--duration <s>` stops and prints a [Complete] line, `--json`
 * prints the result with the tool's CPU per message.
 */
import { randomInt } from "node:crypto";
import { DefaultMQProducer, Message, MQClientException } from "@rocketmq-ts/client";
import type { Logger } from "@rocketmq-ts/common";
import { setDefaultSerializeType } from "@rocketmq-ts/remoting";
import { Command } from "commander";
import { javaFormat } from "../format.js";
import { ACL_ACCESS_KEY, aclCredentials, BATCH_ACL_SECRET_KEY } from "./acl.js";
import {
  cpuMicrosPerMessage,
  parseBenchmarkArgs,
  randomAlphanumericBody,
  SnapshotWindow,
  startStatsTimers,
  stopSignal,
} from "./stats.js";

type Out = (s: string) => void;

export interface BatchProducerBenchResult {
  sendTps: number;
  sendMps: number;
  maxRT: number;
  averageRT: number;
  averageMsgRT: number;
  sendFailed: number;
  sendMessageFailed: number;
  sendMessageOk: number;
}

export async function runBatchProducerBenchmark(argv: string[], out: Out, err: Out, logger?: Logger): Promise<number> {
  const program = new Command("benchmarkBatchProducer")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err })
    .option("-w, --threadCount <n>", "Thread count, Default: 64")
    .option("-s, --messageSize <n>", "Message Size, Default: 128")
    .option("-b, --batchSize <n>", "Batch Size, Default: 16")
    .option("-k, --keyEnable <b>", "Message Key Enable, Default: false")
    .option("-t, --topic <topic>", "Topic name, Default: BenchmarkTest")
    .option("-l, --tagCount <n>", "Tag count, Default: 0")
    .option("-m, --msgTraceEnable <b>", "Message Trace Enable, Default: false")
    .option("-a, --aclEnable <b>", "Acl Enable, Default: false")
    .option("-c, --accessKey <ak>", `Acl Access Key, Default: ${ACL_ACCESS_KEY}`)
    .option("-e, --secretKey <sk>", `Acl Secret Key, Default: ${BATCH_ACL_SECRET_KEY}`)
    .option("-p, --propertySize <n>", "Property Size, Default: 0")
    .option("-n, --namesrvAddr <addr>", "name server, Default: 127.0.0.1:9876")
    .option("--duration <seconds>", "stop after this many seconds (extension), Default: 0, running until Ctrl-C")
    .option("--json", "print the result as one JSON line at the end (extension)");
  const args = parseBenchmarkArgs(program, argv);
  if (!args) return 1;
  const { str, bool } = args;
  // Java's tool defaults the name server to the local one rather than requiring it
  const namesrvAddr = str("namesrvAddr") ?? "127.0.0.1:9876";
  const topic = str("topic")?.trim() ?? "BenchmarkTest";
  const threadCount = Number(str("threadCount") ?? 64);
  const messageSize = Number(str("messageSize") ?? 128);
  const batchSize = Number(str("batchSize") ?? 16);
  const keyEnable = bool("keyEnable");
  const propertySize = Number(str("propertySize") ?? 0);
  const tagCount = Number(str("tagCount") ?? 0);
  const traceEnable = bool("msgTraceEnable");
  const aclEnable = bool("aclEnable");
  const accessKey = str("accessKey")?.trim() ?? ACL_ACCESS_KEY;
  const secretKey = str("secretKey")?.trim() ?? BATCH_ACL_SECRET_KEY;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    err("-b takes a whole number of at least 1\n");
    return 1;
  }
  out(
    javaFormat(
      "topic: %s threadCount: %d messageSize: %d batchSize: %d keyEnable: %s propertySize: %d tagCount: %d traceEnable: %s aclEnable: %s%n",
      topic,
      threadCount,
      messageSize,
      batchSize,
      keyEnable,
      propertySize,
      tagCount,
      traceEnable,
      aclEnable,
    ),
  );
  const body = randomAlphanumericBody(messageSize);

  const c = { reqOk: 0, reqFailed: 0, msgOk: 0, msgFailed: 0, rtTotal: 0, maxRT: 0 };
  const cpuAtStart = process.cpuUsage();
  const window = new SnapshotWindow(() => [c.reqOk, c.reqFailed, c.msgOk, c.msgFailed, c.rtTotal]);
  const compute = (): BatchProducerBenchResult => {
    const [b, e] = window.ends();
    const ms = e[0]! - b[0]!;
    return {
      sendTps: Math.trunc(((e[1]! - b[1]!) / ms) * 1000),
      sendMps: Math.trunc(((e[3]! - b[3]!) / ms) * 1000),
      maxRT: c.maxRT,
      averageRT: (e[5]! - b[5]!) / (e[1]! - b[1]!),
      averageMsgRT: (e[5]! - b[5]!) / (e[3]! - b[3]!),
      sendFailed: e[2]!,
      sendMessageFailed: e[4]!,
      sendMessageOk: c.msgOk,
    };
  };
  const line = (prefix: string, r: BatchProducerBenchResult): void =>
    out(
      javaFormat(
        "%sSend TPS: %d Send MPS: %d Max RT(ms): %d Average RT(ms): %7.3f Average Message RT(ms): %7.3f Send Failed: %d Send Message Failed: %d%n",
        prefix,
        r.sendTps,
        r.sendMps,
        r.maxRT,
        r.averageRT,
        r.averageMsgRT,
        r.sendFailed,
        r.sendMessageFailed,
      ),
    );
  // Java prints System.currentTimeMillis() here (the single producer prints a formatted time)
  const stopTimers = startStatsTimers(window, () => {
    if (window.size >= 10) line(`Current Time: ${Date.now()} `, compute());
  });

  setDefaultSerializeType("ROCKETMQ");
  const producer = new DefaultMQProducer({
    namesrvAddr,
    producerGroup: "benchmark_batch_producer",
    instanceName: String(Date.now()),
    compressMsgBodyOverHowmuch: 0x7fffffff,
    ...aclCredentials(aclEnable, accessKey, secretKey),
    ...(logger ? { logger } : {}),
  });
  const stop = stopSignal(Number(str("duration") ?? 0));
  try {
    await producer.start();
  } catch (e) {
    err(`${(e as Error).message}\n`);
    stopTimers();
    stop.dispose();
    await producer.shutdown().catch(() => undefined);
    return 1;
  }

  const buildBatch = (begin: number): Message[] => {
    const msgs = Array.from({ length: batchSize }, () => new Message(topic, body));
    let tagId = c.msgOk % Math.max(1, tagCount);
    for (const msg of msgs) {
      if (keyEnable) msg.setKeys(String(Math.trunc(begin / 1000)));
      if (tagCount > 0) msg.properties.set("TAGS", `tag${tagId++}`);
      if (propertySize > 0) {
        let value = randomInt(100);
        let size = 0;
        for (let i = 0; ; i++) {
          const [k, v] = [`prop${i}`, `hello${value}`];
          msg.putUserProperty(k, v);
          size += k.length + v.length;
          if (size > propertySize) break;
          value++;
        }
      }
    }
    return msgs;
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const loops = Array.from({ length: threadCount }, async () => {
    while (!stop.stopped()) {
      const begin = Date.now();
      const msgs = buildBatch(begin);
      try {
        const result = await producer.sendBatch(msgs);
        if (result.sendStatus === "SEND_OK") {
          c.reqOk++;
          c.msgOk += msgs.length;
        } else {
          c.reqFailed++;
          c.msgFailed += msgs.length;
        }
        const rt = Date.now() - begin;
        c.rtTotal += rt;
        if (rt > c.maxRT) c.maxRT = rt;
      } catch (e) {
        c.reqFailed++;
        c.msgFailed += msgs.length;
        logger?.error({ err: (e as Error).message }, "[BENCHMARK_PRODUCER] Send Exception");
        // Java pauses a thread 3 s after a broker or remoting error, not after a client one
        if (!(e instanceof MQClientException)) await sleep(3000);
      }
    }
  });
  await Promise.all(loops);
  stopTimers();
  stop.dispose();
  window.tick();
  const r = compute();
  line("[Complete] ", r);
  if (args.flag("json")) {
    const extra = { clientCpuMicrosPerMsg: cpuMicrosPerMessage(cpuAtStart, c.msgOk) };
    out(`${JSON.stringify({ mode: "batchproducer", ...r, ...extra })}\n`);
  }
  await producer.shutdown();
  return 0;
}
