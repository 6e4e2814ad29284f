/**
 * TPS over time for the Dashboard page's charts: every collect interval the cluster view is sampled
 * and each broker's in/out TPS kept for the last hour (a ring per broker). The clock and the timer
 * is injected; the MetricsCollector decides when to sample.
 */
import type { ClusterService, ClusterView } from "./ClusterService.js";

export interface TpsPoint {
  t: number;
  inTps: number;
  outTps: number;
}

export interface BrokerSeries {
  broker: string;
  addr: string;
  points: TpsPoint[];
}

export class StatsHistory {
  private readonly series = new Map<string, BrokerSeries>();
  private last: ClusterView | null = null;

  constructor(
    private readonly cluster: ClusterService,
    intervalMs: number,
    private readonly keep = Math.max(10, Math.ceil(3_600_000 / intervalMs)),
    private readonly now: () => number = Date.now,
  ) {}

  /** Take one sample now. */
  async sample(): Promise<ClusterView> {
    const view = await this.cluster.view();
    this.record(view);
    return view;
  }

  record(view: ClusterView): void {
    this.last = view;
    const t = this.now();
    for (const b of view.brokers) {
      if (b.error) continue;
      const key = `${b.brokerName}/${b.brokerId}`;
      let s = this.series.get(key);
      if (!s) {
        s = { broker: key, addr: b.addr, points: [] };
        this.series.set(key, s);
      }
      s.addr = b.addr;
      s.points.push({ t, inTps: b.inTps, outTps: b.outTps });
      if (s.points.length > this.keep) s.points.splice(0, s.points.length - this.keep);
    }
  }

  brokerSeries(): BrokerSeries[] {
    return [...this.series.values()].sort((a, b) => a.broker.localeCompare(b.broker));
  }

  lastView(): ClusterView | null {
    return this.last;
  }
}
