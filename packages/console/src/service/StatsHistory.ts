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

export interface NamedSeries {
  name: string;
  points: { t: number; value: number }[];
}

export class StatsHistory {
  private readonly series = new Map<string, BrokerSeries>();
  private readonly topicTps = new Map<string, { t: number; value: number }[]>();
  private readonly groupLag = new Map<string, { t: number; value: number }[]>();
  private last: ClusterView | null = null;

  constructor(
    private readonly cluster: ClusterService,
    private readonly intervalMs: number,
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

  /**
   * One value per name (a topic's put TPS, a group's backlog) at this instant; a name not given this
   * time gets no point. Series of names gone for a whole window are dropped.
   */
  recordValues(kind: "topicTps" | "groupLag", values: ReadonlyMap<string, number>): void {
    const table = kind === "topicTps" ? this.topicTps : this.groupLag;
    const t = this.now();
    for (const [name, value] of values) {
      let points = table.get(name);
      if (!points) {
        points = [];
        table.set(name, points);
      }
      points.push({ t, value });
      if (points.length > this.keep) points.splice(0, points.length - this.keep);
    }
    for (const [name, points] of table) {
      if (!values.has(name) && t - (points.at(-1)?.t ?? 0) > this.keep * this.intervalMs) table.delete(name);
    }
  }

  /** The `top` series by their latest value (largest first). */
  topSeries(kind: "topicTps" | "groupLag", top: number): NamedSeries[] {
    const table = kind === "topicTps" ? this.topicTps : this.groupLag;
    return [...table]
      .map(([name, points]) => ({ name, points }))
      .sort((a, b) => (b.points.at(-1)?.value ?? 0) - (a.points.at(-1)?.value ?? 0) || a.name.localeCompare(b.name))
      .slice(0, top);
  }

  brokerSeries(): BrokerSeries[] {
    return [...this.series.values()].sort((a, b) => a.broker.localeCompare(b.broker));
  }

  lastView(): ClusterView | null {
    return this.last;
  }
}
