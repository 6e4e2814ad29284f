/** Counters behind GET_BROKER_RUNTIME_INFO and consume TPS (the parts of Java's stats the tools read). */
import { javaDoubleToString } from "@rocketmq-ts/remoting";

const BUCKETS: [number, string][] = [
  [0, "<=0ms"],
  [10, "0~10ms"],
  [50, "10~50ms"],
  [100, "50~100ms"],
  [200, "100~200ms"],
  [500, "200~500ms"],
  [1000, "500ms~1s"],
  [2000, "1~2s"],
  [3000, "2~3s"],
  [4000, "3~4s"],
  [5000, "4~5s"],
  [10000, "5~10s"],
  [Infinity, "10s~"],
];

interface Sample {
  t: number;
  put: number;
  found: number;
  miss: number;
  transferred: number;
  groups: Map<string, number>;
}

export class BrokerStats {
  readonly bootTimestamp = Date.now();
  putMessageTimesTotal = 0;
  putMessageSizeTotal = 0;
  putMessageFailedTimes = 0;
  putMessageEntireTimeMax = 0;
  getMessageEntireTimeMax = 0;
  getFoundTimes = 0;
  getMissTimes = 0;
  getTransferredMsgs = 0;
  readonly putLatency = new Array<number>(BUCKETS.length).fill(0);
  readonly groupGetNums = new Map<string, number>();
  msgPutTotalYesterdayMorning = 0;
  msgPutTotalTodayMorning = 0;
  msgGetTotalYesterdayMorning = 0;
  msgGetTotalTodayMorning = 0;
  private today = new Date().toDateString();
  private samples: Sample[] = [];

  recordPut(_topic: string, msgs: number, bytes: number, elapsedMs = 0): void {
    this.putMessageTimesTotal += msgs;
    this.putMessageSizeTotal += bytes;
    this.putMessageEntireTimeMax = Math.max(this.putMessageEntireTimeMax, elapsedMs);
    const i = BUCKETS.findIndex(([limit]) => elapsedMs <= limit);
    this.putLatency[i] = (this.putLatency[i] ?? 0) + 1;
  }

  recordPutFailed(): void {
    this.putMessageFailedTimes++;
  }

  recordGet(group: string, _topic: string, msgs: number, _bytes: number, elapsedMs = 0): void {
    if (msgs > 0) this.getFoundTimes++;
    else this.getMissTimes++;
    this.getTransferredMsgs += msgs;
    this.getMessageEntireTimeMax = Math.max(this.getMessageEntireTimeMax, elapsedMs);
    this.groupGetNums.set(group, (this.groupGetNums.get(group) ?? 0) + msgs);
  }

  /** Every second: keep 10 minutes of samples; roll the daily totals at local midnight. */
  sample(now = Date.now()): void {
    const day = new Date(now).toDateString();
    if (day !== this.today) {
      this.today = day;
      this.msgPutTotalYesterdayMorning = this.msgPutTotalTodayMorning;
      this.msgPutTotalTodayMorning = this.putMessageTimesTotal;
      this.msgGetTotalYesterdayMorning = this.msgGetTotalTodayMorning;
      this.msgGetTotalTodayMorning = this.getTransferredMsgs;
    }
    this.samples.push({
      t: now,
      put: this.putMessageTimesTotal,
      found: this.getFoundTimes,
      miss: this.getMissTimes,
      transferred: this.getTransferredMsgs,
      groups: new Map(this.groupGetNums),
    });
    if (this.samples.length > 601) this.samples.shift();
  }

  private rate(windowSeconds: number, value: (s: Sample) => number): number | null {
    const last = this.samples[this.samples.length - 1];
    if (!last || this.samples.length <= windowSeconds) return null;
    const first = this.samples[this.samples.length - 1 - windowSeconds] as Sample;
    const secs = (last.t - first.t) / 1000;
    return secs > 0 ? (value(last) - value(first)) / secs : 0;
  }

  /** Java's "10s 1min 10min" TPS string: each available figure followed by a space. */
  tpsString(value: (s: Sample) => number): string {
    let out = "";
    for (const w of [10, 60, 600]) {
      const r = this.rate(w, value);
      if (r !== null) out += `${javaDoubleToString(r)} `;
    }
    return out;
  }

  putTps(): string {
    return this.tpsString((s) => s.put);
  }

  getFoundTps(): string {
    return this.tpsString((s) => s.found);
  }

  getMissTps(): string {
    return this.tpsString((s) => s.miss);
  }

  getTotalTps(): string {
    return this.tpsString((s) => s.found + s.miss);
  }

  getTransferredTps(): string {
    return this.tpsString((s) => s.transferred);
  }

  /** Messages per second pulled by a group over the last minute (or what is sampled so far). */
  groupGetTps(group: string): number {
    const n = Math.min(60, this.samples.length - 1);
    return n > 0 ? (this.rate(n, (s) => s.groups.get(group) ?? 0) ?? 0) : 0;
  }

  putMessageDistributeTime(): string {
    return BUCKETS.map(([, label], i) => `[${label}]:${this.putLatency[i]} `).join("");
  }

  /** Upper bound of the bucket holding the given fraction of puts (Java reports a bucket edge too). */
  putLatencyPercentile(p: number): string {
    const total = this.putLatency.reduce((a, b) => a + b, 0);
    if (total === 0) return "0.00";
    let seen = 0;
    for (let i = 0; i < BUCKETS.length; i++) {
      seen += this.putLatency[i] ?? 0;
      if (seen / total >= p) {
        const limit = (BUCKETS[i] as [number, string])[0];
        return (Number.isFinite(limit) ? limit : 10000).toFixed(2);
      }
    }
    return "0.00";
  }
}
