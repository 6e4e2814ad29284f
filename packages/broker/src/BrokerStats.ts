/** Put/get counters (Java BrokerStatsManager, the parts runtime info and TPS figures need). */
export class BrokerStats {
  putMessageTimesTotal = 0;
  putMessageSizeTotal = 0;
  getMessageTimesTotal = 0;
  getMessageSizeTotal = 0;
  readonly topicPutNums = new Map<string, number>();
  private samples: { t: number; put: number; get: number }[] = [];

  recordPut(topic: string, msgs: number, bytes: number): void {
    this.putMessageTimesTotal += msgs;
    this.putMessageSizeTotal += bytes;
    this.topicPutNums.set(topic, (this.topicPutNums.get(topic) ?? 0) + msgs);
  }

  recordGet(_group: string, _topic: string, msgs: number, bytes: number): void {
    this.getMessageTimesTotal += msgs;
    this.getMessageSizeTotal += bytes;
  }

  /** Take a sample (every second) so TPS over the last 10 s / 60 s / 600 s can be computed. */
  sample(now = Date.now()): void {
    this.samples.push({ t: now, put: this.putMessageTimesTotal, get: this.getMessageTimesTotal });
    if (this.samples.length > 601) this.samples.shift();
  }

  tps(kind: "put" | "get", windowSeconds: number): number {
    const last = this.samples[this.samples.length - 1];
    if (!last) return 0;
    const first = this.samples[Math.max(0, this.samples.length - 1 - windowSeconds)] as typeof last;
    const secs = (last.t - first.t) / 1000;
    return secs > 0 ? (last[kind] - first[kind]) / secs : 0;
  }
}
