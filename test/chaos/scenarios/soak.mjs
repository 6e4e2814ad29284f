// Issue 18 (5): a soak. One name server and one broker (ASYNC_MASTER, ASYNC_FLUSH) under a steady
// `--rate` msg/s (default 5,000) from paced producers with a consumer keeping up, for `--seconds`
// (an hour: `--seconds 3600`). Every `--sample` seconds (10) it records the broker's and the name
// server's resident memory (/proc/<pid>/status RssAnon: heap and native memory; the mapped store
// files' pages, RssFile, are page cache and shown apart), the broker's worst event-loop lag in that window (from its
// watermark log, written every second) and the rates. It passes when memory is flat — RSS at the end
// within 10 % (+ 32 MiB) of the level after warm-up, and the least-squares trend over the run's second
// half under 5 % of that level per hour — and no lag exceeded `--max-lag` ms (200). Not for CI.
import { existsSync, openSync, readSync, readFileSync, statSync, closeSync } from "node:fs";
import { join } from "node:path";
import { ChaosCluster } from "../lib/cluster.mjs";
import { sleep, until } from "../lib/processes.mjs";
import { options } from "../lib/rounds.mjs";
import { check, drain, Producers, Receipts, settle } from "../lib/workload.mjs";

export const description = "steady load for a long time: RSS and event-loop lag sampled, memory must stay flat";

const TOPIC = "ChaosSoakTopic";

/** A field of /proc/<pid>/status in MiB (VmRSS; RssAnon: heap and native memory; RssFile: mapped files). */
function statusMiB(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`${field}:\\s+(\\d+) kB`));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** Reads the lines a log file gained since the last call. */
class LogTail {
  constructor(path) {
    this.path = path;
    this.offset = 0;
  }

  take() {
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    if (size < this.offset) this.offset = 0;
    if (size === this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.path, "r");
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    const text = buf.toString("utf8");
    const end = text.lastIndexOf("\n") + 1;
    this.offset += Buffer.byteLength(text.slice(0, end));
    return text.slice(0, end).split("\n").filter(Boolean);
  }
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export async function run({ home, seconds, log, args }) {
  const opt = options(args);
  const rate = Number(opt("--rate", "5000"));
  const sampleSeconds = Number(opt("--sample", "10"));
  const maxLagMs = Number(opt("--max-lag", "200"));
  const cluster = new ChaosCluster({ home });
  const namesrv = await cluster.addNamesrv("namesrv");
  const broker = await cluster.addBroker("broker-a", { brokerName: "broker-a", props: ["brokerRole=ASYNC_MASTER"] });
  let producers;
  let receipts;
  const samples = [];
  try {
    await cluster.start();
    await cluster.createTopic(TOPIC, 8);
    const { namesrvAddr } = cluster;
    producers = new Producers({ namesrvAddr, topic: TOPIC, senders: 16, rate });
    receipts = new Receipts({ namesrvAddr, topic: TOPIC });
    await producers.start();
    await receipts.start();
    await until(() => producers.acknowledged.size > 0, 60_000, "the first acknowledged send");
    const watermark = new LogTail(join(broker.home, "logs", "rocketmqlogs", "watermark.log"));
    watermark.take();
    const started = Date.now();
    log(`soak: ${rate} msg/s for ${seconds} s, a sample every ${sampleSeconds} s`);
    log("     t   sent/s   recv/s  backlog  broker RssAnon  (RssFile)  namesrv RssAnon  worst lag ms");
    let lastAcked = 0;
    let lastReceived = 0;
    for (let next = started + sampleSeconds * 1000; next <= started + seconds * 1000; next += sampleSeconds * 1000) {
      await sleep(Math.max(0, next - Date.now()));
      const lags = watermark
        .take()
        .map((l) => l.match(/Event Loop Lag Max: (\d+)ms/))
        .filter(Boolean)
        .map((m) => Number(m[1]));
      const acked = producers.acknowledged.size + producers.settled;
      const received = receipts.received.size + producers.settled;
      const s = {
        t: Math.round((Date.now() - started) / 1000),
        sentPerSecond: Math.round((acked - lastAcked) / sampleSeconds),
        receivedPerSecond: Math.round((received - lastReceived) / sampleSeconds),
        backlog: acked - received,
        brokerRssMiB: statusMiB(broker.pid, "RssAnon"),
        brokerMappedMiB: statusMiB(broker.pid, "RssFile"),
        namesrvRssMiB: statusMiB(namesrv.pid, "RssAnon"),
        worstLagMs: lags.length ? Math.max(...lags) : NaN,
      };
      lastAcked = acked;
      lastReceived = received;
      samples.push(s);
      log(
        `${String(s.t).padStart(6)} ${String(s.sentPerSecond).padStart(8)} ${String(s.receivedPerSecond).padStart(8)} ${String(s.backlog).padStart(8)} ${String(s.brokerRssMiB).padStart(15)} ${`(${s.brokerMappedMiB})`.padStart(10)} ${String(s.namesrvRssMiB).padStart(16)} ${String(s.worstLagMs).padStart(13)}`,
      );
      // an hour is 18 M bodies: keep only those not yet both acknowledged and received
      settle(producers, receipts);
    }
    await producers.stop();
    await drain(producers, receipts, 120_000, log);
    const report = check(producers, receipts);
    const warm = samples.slice(Math.max(1, Math.floor(samples.length / 10)));
    const base = warm[0]?.brokerRssMiB ?? NaN;
    const end = samples.at(-1)?.brokerRssMiB ?? NaN;
    const half = samples.slice(Math.floor(samples.length / 2)).map((s) => [s.t / 3600, s.brokerRssMiB]);
    const trendMiBPerHour = slope(half);
    const worstLagMs = Math.max(0, ...samples.map((s) => s.worstLagMs).filter((x) => !Number.isNaN(x)));
    const flat = end <= base * 1.1 + 32 && trendMiBPerHour < base * 0.05;
    const lagOk = worstLagMs <= maxLagMs;
    return {
      ...report,
      rate,
      seconds,
      samples,
      brokerRssAfterWarmUpMiB: base,
      brokerRssAtEndMiB: end,
      brokerRssTrendMiBPerHour: Math.round(trendMiBPerHour * 10) / 10,
      worstLagMs,
      ok: report.lost === 0 && flat && lagOk,
      summary: `${seconds} s at ${rate} msg/s: ${report.acknowledged} acknowledged, lost ${report.lost}; broker RSS ${base} → ${end} MiB (trend ${Math.round(trendMiBPerHour)} MiB/h, ${flat ? "flat" : "GROWING"}), worst event-loop lag ${worstLagMs} ms${lagOk ? "" : ` (over ${maxLagMs})`}`,
    };
  } finally {
    await producers?.stop().catch(() => undefined);
    await receipts?.shutdown().catch(() => undefined);
    await cluster.stop();
  }
}
