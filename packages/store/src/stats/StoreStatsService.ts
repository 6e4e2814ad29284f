/**
 * The store's own counters (Java's StoreStatsService): every message the commit log takes — sent,
 * written back by the transaction check, delivered from the delay queues — and every getMessage,
 * sampled each second for the "10 s / 1 min / 10 min" rates of GET_BROKER_RUNTIME_INFO, with the
 * put-latency distribution of the last whole minute.
 */
import { javaDoubleToString } from "@rocketmq-ts/remoting";
import type { StatsScheduler } from "@rocketmq-ts/common";

const SAMPLE_PERIOD_MS = 1000;
const MAX_RECORDS_OF_SAMPLING = 600;
const PRINT_TPS_INTERVAL_SECONDS = 60;

/** Labels of the 13 put-time ranges of putMessageDistributeTime (upper bounds exclusive, ms). */
const DISTRIBUTE_LABELS = [
  "[<=0ms]",
  "[0~10ms]",
  "[10~50ms]",
  "[50~100ms]",
  "[100~200ms]",
  "[200~500ms]",
  "[500ms~1s]",
  "[1~2s]",
  "[2~3s]",
  "[3~4s]",
  "[4~5s]",
  "[5~10s]",
  "[10s~]",
];
const DISTRIBUTE_LIMITS = [10, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 10000];

/**
 * Upper edges of the latency buckets behind putLatency99/999: steps of 1 ms up to 20, 2 up to 50,
 * 5 up to 100, 10 up to 200, 50 up to 500, 100 up to 1000, 1000 up to 10000, then one open bucket.
 */
const LATENCY_EDGES: number[] = (() => {
  const edges: number[] = [];
  let edge = 0;
  for (const [step, count] of [
    [1, 20],
    [2, 15],
    [5, 10],
    [10, 10],
    [50, 6],
    [100, 5],
    [1000, 9],
  ] as const) {
    for (let i = 0; i < count; i++) edges.push((edge += step));
  }
  edges.push(Number.MAX_SAFE_INTEGER);
  return edges;
})();

interface CallSnapshot {
  timestamp: number;
  total: number;
}

function tps(begin: CallSnapshot, end: CallSnapshot): number {
  return ((end.total - begin.total) / (end.timestamp - begin.timestamp)) * 1000;
}

export class StoreStatsService {
  readonly messageStoreBootTimestamp: number;
  putMessageFailedTimes = 0;
  readonly putMessageTopicTimesTotal = new Map<string, number>();
  readonly putMessageTopicSizeTotal = new Map<string, number>();
  getMessageTimesTotalFound = 0;
  getMessageTimesTotalMiss = 0;
  getMessageTransferedMsgCount = 0;
  putMessageEntireTimeMax = 0;
  getMessageEntireTimeMax = 0;
  dispatchMaxBuffer = 0;
  private readonly putTimesList: CallSnapshot[] = [];
  private readonly getTimesFoundList: CallSnapshot[] = [];
  private readonly getTimesMissList: CallSnapshot[] = [];
  private readonly transferedMsgCountList: CallSnapshot[] = [];
  private putMessageDistributeTime = new Array<number>(DISTRIBUTE_LABELS.length).fill(0);
  /** the last whole minute's distribution; null until the first minute has passed (Java prints "null") */
  private lastPutMessageDistributeTime: number[] | null = null;
  private buckets = new Array<number>(LATENCY_EDGES.length).fill(0);
  private lastBuckets: number[] = [];
  private lastPrintTimestamp: number;

  constructor(private readonly scheduler: StatsScheduler) {
    this.messageStoreBootTimestamp = scheduler.now();
    this.lastPrintTimestamp = this.messageStoreBootTimestamp;
  }

  /** Sample every second from now on (Java's service thread). */
  start(): void {
    this.scheduler.scheduleAtFixedRate(() => this.tick(), SAMPLE_PERIOD_MS, SAMPLE_PERIOD_MS);
  }

  shutdown(): void {
    this.scheduler.shutdown();
  }

  /** One round of the service: a sample, and once a minute the latency figures move on. */
  tick(): void {
    this.sampling();
    const now = this.scheduler.now();
    if (now > this.lastPrintTimestamp + PRINT_TPS_INTERVAL_SECONDS * 1000) {
      this.lastPrintTimestamp = now;
      this.lastPutMessageDistributeTime = this.putMessageDistributeTime;
      this.putMessageDistributeTime = new Array<number>(DISTRIBUTE_LABELS.length).fill(0);
      this.lastBuckets = this.buckets;
      this.buckets = new Array<number>(LATENCY_EDGES.length).fill(0);
    }
  }

  // ------------------------------------------------------------------------------------------
  // What the store counts

  /** A message (or batch of `msgNum`) appended to the commit log under `topic`. */
  recordPut(topic: string, msgNum: number, wroteBytes: number): void {
    this.putMessageTopicTimesTotal.set(topic, (this.putMessageTopicTimesTotal.get(topic) ?? 0) + msgNum);
    this.putMessageTopicSizeTotal.set(topic, (this.putMessageTopicSizeTotal.get(topic) ?? 0) + wroteBytes);
  }

  /** How long a put took, end to end (ms); and whether it failed. */
  recordPutTime(elapsedMs: number, failed: boolean): void {
    if (failed) this.putMessageFailedTimes++;
    const bucket = LATENCY_EDGES.findIndex((edge) => elapsedMs <= edge);
    if (bucket >= 0) this.buckets[bucket] = (this.buckets[bucket] ?? 0) + 1;
    const below = DISTRIBUTE_LIMITS.findIndex((limit) => elapsedMs < limit);
    const i = elapsedMs <= 0 ? 0 : below < 0 ? DISTRIBUTE_LABELS.length - 1 : below + 1;
    this.putMessageDistributeTime[i] = (this.putMessageDistributeTime[i] ?? 0) + 1;
    this.putMessageEntireTimeMax = Math.max(this.putMessageEntireTimeMax, elapsedMs);
  }

  /** One getMessage: found or not, how many messages it returned, how long it took (ms). */
  recordGet(found: boolean, transferred: number, elapsedMs: number): void {
    if (found) this.getMessageTimesTotalFound++;
    else this.getMessageTimesTotalMiss++;
    this.getMessageTransferedMsgCount += transferred;
    this.getMessageEntireTimeMax = Math.max(this.getMessageEntireTimeMax, elapsedMs);
  }

  // ------------------------------------------------------------------------------------------
  // What it reports

  getPutMessageTimesTotal(): number {
    let sum = 0;
    for (const n of this.putMessageTopicTimesTotal.values()) sum += n;
    return sum;
  }

  getPutMessageSizeTotal(): number {
    let sum = 0;
    for (const n of this.putMessageTopicSizeTotal.values()) sum += n;
    return sum;
  }

  private sampling(): void {
    const timestamp = this.scheduler.now();
    const push = (list: CallSnapshot[], total: number): void => {
      list.push({ timestamp, total });
      if (list.length > MAX_RECORDS_OF_SAMPLING + 1) list.shift();
    };
    push(this.putTimesList, this.getPutMessageTimesTotal());
    push(this.getTimesFoundList, this.getMessageTimesTotalFound);
    push(this.getTimesMissList, this.getMessageTimesTotalMiss);
    push(this.transferedMsgCountList, this.getMessageTransferedMsgCount);
  }

  /** The rate over the last `seconds` samples, or null while fewer have been taken. */
  private rate(list: readonly CallSnapshot[], seconds: number): number | null {
    const last = list[list.length - 1];
    const before = list[list.length - 1 - seconds];
    return last && before && list.length > seconds ? tps(before, last) : null;
  }

  /**
   * Java's "10s 1min 10min" string: the three rates joined by spaces, a rate left empty until its
   * window has samples ("  " right after start, then "12.5  " …): Java's tools split on spaces.
   */
  private tpsString(list: readonly CallSnapshot[]): string {
    return [10, 60, 600]
      .map((s) => {
        const r = this.rate(list, s);
        return r === null ? "" : javaDoubleToString(r);
      })
      .join(" ");
  }

  getPutTps(): string {
    return this.tpsString(this.putTimesList);
  }

  getGetFoundTps(): string {
    return this.tpsString(this.getTimesFoundList);
  }

  getGetMissTps(): string {
    return this.tpsString(this.getTimesMissList);
  }

  /** found + miss, each 0 while its window is short: always three numbers. */
  getGetTotalTps(): string {
    return [10, 60, 600]
      .map((s) =>
        javaDoubleToString((this.rate(this.getTimesFoundList, s) ?? 0) + (this.rate(this.getTimesMissList, s) ?? 0)),
      )
      .join(" ");
  }

  getGetTransferedTps(): string {
    return this.tpsString(this.transferedMsgCountList);
  }

  /** `[<=0ms]:n [0~10ms]:n … ` of the last whole minute, "null" during the first. */
  putMessageDistributeTimeString(): string {
    const times = this.lastPutMessageDistributeTime;
    if (!times) return "null";
    return times.map((n, i) => `${DISTRIBUTE_LABELS[i]}:${n} `).join("");
  }

  /** Java's findPutMessageEntireTimePX: the px-quantile of last minute's put times, interpolated in its bucket. */
  findPutMessageEntireTimePX(px: number): number {
    const counts = this.lastBuckets;
    const total = counts.reduce((a, b) => a + b, 0);
    const pxIndex = Math.floor(total * px);
    let passCount = 0;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] ?? 0;
      const edge = LATENCY_EDGES[i] ?? 0;
      if (pxIndex <= passCount + count) {
        const relative = pxIndex - passCount;
        if (i === 0) return count === 0 ? 0 : (edge * relative) / count;
        const lastEdge = LATENCY_EDGES[i - 1] ?? 0;
        return lastEdge + (count === 0 ? 0 : ((edge - lastEdge) * relative) / count);
      }
      passCount += count;
    }
    return 0;
  }

  /** `[ d days, h hours, m minutes, s seconds ]` since the store started. */
  formatRuntime(): string {
    const ms = this.scheduler.now() - this.messageStoreBootTimestamp;
    const s = Math.floor(ms / 1000);
    return `[ ${Math.floor(s / 86400)} days, ${Math.floor((s % 86400) / 3600)} hours, ${Math.floor((s % 3600) / 60)} minutes, ${s % 60} seconds ]`;
  }

  /** Java's getRuntimeInfo part of the runtime table (it reports 1 put before the first). */
  runtimeInfo(): [string, string][] {
    const totalTimes = this.getPutMessageTimesTotal() || 1;
    return [
      ["bootTimestamp", String(this.messageStoreBootTimestamp)],
      ["runtime", this.formatRuntime()],
      ["putMessageEntireTimeMax", String(this.putMessageEntireTimeMax)],
      ["putMessageTimesTotal", String(totalTimes)],
      ["putMessageFailedTimes", String(this.putMessageFailedTimes)],
      ["putMessageSizeTotal", String(this.getPutMessageSizeTotal())],
      ["putMessageDistributeTime", this.putMessageDistributeTimeString()],
      ["putMessageAverageSize", javaDoubleToString(this.getPutMessageSizeTotal() / totalTimes)],
      ["dispatchMaxBuffer", String(this.dispatchMaxBuffer)],
      ["getMessageEntireTimeMax", String(this.getMessageEntireTimeMax)],
      ["putTps", this.getPutTps()],
      ["getFoundTps", this.getGetFoundTps()],
      ["getMissTps", this.getGetMissTps()],
      ["getTotalTps", this.getGetTotalTps()],
      ["getTransferedTps", this.getGetTransferedTps()],
      ["putLatency99", this.findPutMessageEntireTimePX(0.99).toFixed(2)],
      ["putLatency999", this.findPutMessageEntireTimePX(0.999).toFixed(2)],
    ];
  }
}
