/**
 * `bin/benchmark producer` — Java's benchmark Producer (producer.sh): the same flags, start line,
 * 10 s lines and [Complete] summary. "Threads" are concurrent send loops on one event loop.
 * Extensions: `--duration <s>` stops after that many seconds, `--connections <n>` spreads the threads
 * over n producer instances (one connection each to every broker; Java's tool has one),
 * `--topics <n>` sends round robin over topics <topic>0 … <topic>n-1, `--json` prints the result as
 * JSON with what the lines lack: the 99th-percentile RT and this process's CPU time per message.
 */
import { randomInt } from "node:crypto";
import { DefaultMQProducer, Message, MQBrokerException } from "@rocketmq-ts/client";
import type { Logger } from "@rocketmq-ts/common";
import { setDefaultSerializeType } from "@rocketmq-ts/remoting";
import { Command } from "commander";
import { javaFormat } from "../format.js";
import { ACL_ACCESS_KEY, ACL_SECRET_KEY, aclCredentials } from "./acl.js";
import {
  cpuMicrosPerMessage,
  humanString2,
  parseBenchmarkArgs,
  randomAlphanumericBody,
  SnapshotWindow,
  startStatsTimers,
  stopSignal,
} from "./stats.js";

type Out = (s: string) => void;

export interface ProducerBenchResult {
  sendTotal: number;
  sendTps: number;
  maxRT: number;
  averageRT: number;
  sendFailed: number;
  responseFailed: number;
}

/** Send RTs in whole milliseconds (as Java measures them), counted per millisecond up to 60 s. */
export class RtHistogram {
  private readonly counts = new Float64Array(60_001);
  private total = 0;

  record(rtMs: number): void {
    const ms = Math.min(Math.max(0, Math.trunc(rtMs)), 60_000);
    this.counts[ms] = (this.counts[ms] as number) + 1;
    this.total++;
  }

  /** The smallest RT that `fraction` of the sends did not exceed (0 without sends). */
  percentile(fraction: number): number {
    const rank = Math.ceil(this.total * fraction);
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms] as number;
      if (seen >= rank && seen > 0) return ms;
    }
    return 0;
  }
}

export async function runProducerBenchmark(argv: string[], out: Out, err: Out, logger?: Logger): Promise<number> {
  const program = new Command("benchmarkProducer")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err })
    .option("-n, --namesrvAddr <addr>", "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'")
    .option("-w, --threadCount <n>", "Thread count, Default: 64")
    .option("-s, --messageSize <n>", "Message Size, Default: 128")
    .option("-k, --keyEnable <b>", "Message Key Enable, Default: false")
    .option("-t, --topic <topic>", "Topic name, Default: BenchmarkTest")
    .option("-l, --tagCount <n>", "Tag count, Default: 0")
    .option("-m, --msgTraceEnable <b>", "Message Trace Enable, Default: false")
    .option("-a, --aclEnable <b>", "Acl Enable, Default: false")
    .option("-ak, --accessKey <ak>", `Acl access key, Default: ${ACL_ACCESS_KEY}`)
    .option("-sk, --secretKey <sk>", `Acl secret key, Default: ${ACL_SECRET_KEY}`)
    .option("-q, --messageQuantity <n>", "Send message quantity, Default: 0, running forever")
    .option("-d, --delayEnable <b>", "Delay message Enable, Default: false")
    .option("-e, --delayLevel <n>", "Delay message level, Default: 1")
    .option("-y, --asyncEnable <b>", "Enable async produce, Default: false")
    .option("-p, --propertySize <n>", "Property Size, Default: 0")
    .option("--duration <seconds>", "stop after this many seconds (extension), Default: 0, running until -q or Ctrl-C")
    .option("--connections <n>", "producer instances the threads are spread over (extension), Default: 1")
    .option("--topics <n>", "send round robin over <topic>0 … <topic>n-1 (extension), Default: 1, the topic itself")
    .option("--json", "print the result as one JSON line at the end (extension)");
  const args = parseBenchmarkArgs(program, argv);
  if (!args) return 1;
  const { str, bool, namesrvAddr } = args;
  const topic = str("topic")?.trim() ?? "BenchmarkTest";
  const messageSize = Number(str("messageSize") ?? 128);
  const keyEnable = bool("keyEnable");
  const propertySize = Number(str("propertySize") ?? 0);
  const tagCount = Number(str("tagCount") ?? 0);
  const traceEnable = bool("msgTraceEnable");
  const aclEnable = bool("aclEnable");
  const messageNum = Number(str("messageQuantity") ?? 0);
  const delayEnable = bool("delayEnable");
  const delayLevel = Number(str("delayLevel") ?? 1);
  const asyncEnable = bool("asyncEnable");
  const threadCount = asyncEnable ? 1 : Number(str("threadCount") ?? 64);
  const connections = Number(str("connections") ?? 1);
  const topicCount = Number(str("topics") ?? 1);
  if (!(Number.isInteger(connections) && connections >= 1) || !(Number.isInteger(topicCount) && topicCount >= 1)) {
    err("--connections and --topics take a whole number of at least 1\n");
    return 1;
  }
  const topics = topicCount === 1 ? [topic] : Array.from({ length: topicCount }, (_, i) => `${topic}${i}`);
  if (!namesrvAddr) {
    err("No name server address, please set it (-n or NAMESRV_ADDR)\n");
    return 1;
  }
  out(
    javaFormat(
      "topic: %s threadCount: %d messageSize: %d keyEnable: %s propertySize: %d tagCount: %d traceEnable: %s aclEnable: %s messageQuantity: %d%ndelayEnable: %s delayLevel: %s%nasyncEnable: %s%n",
      topic,
      threadCount,
      messageSize,
      keyEnable,
      propertySize,
      tagCount,
      traceEnable,
      aclEnable,
      messageNum,
      delayEnable,
      delayLevel,
      asyncEnable,
    ),
  );
  const body = randomAlphanumericBody(messageSize);

  // success, sendFailed, responseSuccess, responseFailed, rtTotal
  const c = { ok: 0, sendFailed: 0, respOk: 0, respFailed: 0, rtTotal: 0, maxRT: 0 };
  const rts = new RtHistogram();
  const cpuAtStart = process.cpuUsage();
  const window = new SnapshotWindow(() => [c.ok, c.sendFailed, c.respOk, c.respFailed, c.rtTotal]);
  const stats = (done: boolean): ProducerBenchResult => {
    const [b, e] = window.ends();
    const sendTps = Math.trunc(((e[3]! - b[3]!) / (e[0]! - b[0]!)) * 1000);
    const averageRT = (e[5]! - b[5]!) / (e[3]! - b[3]!);
    const r = {
      sendTotal: c.ok + c.sendFailed,
      sendTps,
      maxRT: c.maxRT,
      averageRT,
      sendFailed: e[2]!,
      responseFailed: e[4]!,
    };
    if (done) {
      out(
        javaFormat(
          "[Complete] Send Total: %d Send TPS: %d Max RT(ms): %d Average RT(ms): %7.3f Send Failed: %d Response Failed: %d%n",
          r.sendTotal,
          r.sendTps,
          r.maxRT,
          r.averageRT,
          r.sendFailed,
          r.responseFailed,
        ),
      );
    } else {
      out(
        javaFormat(
          "Current Time: %s Send TPS: %d Max RT(ms): %d Average RT(ms): %7.3f Send Failed: %d Response Failed: %d%n",
          humanString2(Date.now()),
          r.sendTps,
          r.maxRT,
          r.averageRT,
          r.sendFailed,
          r.responseFailed,
        ),
      );
    }
    return r;
  };
  const stopTimers = startStatsTimers(window, () => {
    if (window.size >= 10) stats(false);
  });

  setDefaultSerializeType("ROCKETMQ");
  const instanceName = String(Date.now());
  const producers = Array.from(
    { length: connections },
    (_, i) =>
      new DefaultMQProducer({
        namesrvAddr,
        producerGroup: "benchmark_producer",
        instanceName: connections === 1 ? instanceName : `${instanceName}-${i}`,
        compressMsgBodyOverHowmuch: 0x7fffffff,
        ...aclCredentials(aclEnable, str("accessKey") ?? ACL_ACCESS_KEY, str("secretKey") ?? ACL_SECRET_KEY),
        ...(logger ? { logger } : {}),
      }),
  );
  const stop = stopSignal(Number(str("duration") ?? 0));
  try {
    await Promise.all(producers.map((p) => p.start()));
  } catch (e) {
    err(`${(e as Error).message}\n`);
    stopTimers();
    stop.dispose();
    await Promise.allSettled(producers.map((p) => p.shutdown()));
    return 1;
  }

  let sent = 0;
  const buildMessage = (): Message => {
    const msg = new Message(topics[sent++ % topics.length] as string, body);
    const begin = Date.now();
    if (keyEnable) msg.setKeys(String(Math.trunc(begin / 1000)));
    if (delayEnable) msg.delayTimeLevel = delayLevel;
    if (tagCount > 0) msg.properties.set("TAGS", `tag${Date.now() % tagCount}`);
    if (propertySize > 0) {
      let i = 0;
      let start = randomInt(100);
      let size = 0;
      for (;;) {
        const [k1, v1, k2, v2] = [`prop${i}`, `hello${start}`, `prop${i + 1}`, String(start)];
        msg.putUserProperty(k1, v1);
        msg.putUserProperty(k2, v2);
        size += k1.length + k2.length + v1.length + v2.length;
        if (size > propertySize) break;
        i += 2;
        start += 2;
      }
    }
    return msg;
  };
  const onSuccess = (begin: number): void => {
    c.ok++;
    c.respOk++;
    const rt = Date.now() - begin;
    rts.record(rt);
    c.rtTotal += rt;
    if (rt > c.maxRT) c.maxRT = rt;
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  const quota = Array.from({ length: threadCount }, (_, i) =>
    messageNum > 0 ? Math.floor(messageNum / threadCount) + (i === 0 ? messageNum % threadCount : 0) : Infinity,
  );
  const loops = quota.map(async (limit, thread) => {
    if (messageNum > 0 && limit === 0) return;
    const producer = producers[thread % producers.length] as DefaultMQProducer;
    let num = 0;
    const inflight = new Set<Promise<void>>();
    while (!stop.stopped() && num < limit) {
      num++;
      const msg = buildMessage();
      const begin = Date.now();
      if (asyncEnable) {
        // the async sender keeps at most 10,000 sends in flight (Java's queue bound)
        while (inflight.size > 10_000) await Promise.race(inflight);
        const p: Promise<void> = producer
          .sendAsync(msg)
          .then(() => onSuccess(begin))
          .catch(() => void c.sendFailed++)
          .finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size % 256 === 0) await new Promise((r) => setImmediate(r));
        continue;
      }
      try {
        await producer.send(msg);
        onSuccess(begin);
      } catch (e) {
        if (e instanceof MQBrokerException) {
          c.respFailed++;
          await sleep(3000);
        } else {
          c.sendFailed++;
        }
      }
    }
    await Promise.all(inflight);
  });
  // every loop ends at its quantity or when stopped (it checks `stop` before each send)
  await Promise.all(loops);
  stopTimers();
  stop.dispose();
  window.tick();
  let result: ProducerBenchResult;
  if (window.size > 1) {
    result = stats(true);
  } else {
    out(
      javaFormat(
        "[Complete] Send Total: %d Send Failed: %d Response Failed: %d%n",
        c.ok + c.sendFailed,
        c.sendFailed,
        c.respFailed,
      ),
    );
    result = {
      sendTotal: c.ok + c.sendFailed,
      sendTps: 0,
      maxRT: c.maxRT,
      averageRT: c.ok ? c.rtTotal / c.ok : 0,
      sendFailed: c.sendFailed,
      responseFailed: c.respFailed,
    };
  }
  if (args.flag("json")) {
    const extra = {
      sendOk: c.ok,
      p99RT: rts.percentile(0.99),
      clientCpuMicrosPerMsg: cpuMicrosPerMessage(cpuAtStart, c.ok),
    };
    out(`${JSON.stringify({ mode: "producer", ...result, ...extra })}\n`);
  }
  await Promise.all(producers.map((p) => p.shutdown()));
  return 0;
}
