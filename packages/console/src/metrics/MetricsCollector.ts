/**
 * Runs a metrics collection on the console's interval, never two at once: the cluster view (shared
 * with the Dashboard's TPS history), then topics and groups.
 */
import type { StatsHistory } from "../service/StatsHistory.js";
import type { ExporterMetrics } from "./ExporterMetrics.js";

export class MetricsCollector {
  private running: Promise<void> | null = null;
  private collectedOnce: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly history: StatsHistory,
    private readonly metrics: ExporterMetrics,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    void this.ready();
    this.timer = setInterval(() => void this.collect(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Resolves once one collection has finished (starting one if none has). */
  ready(): Promise<void> {
    this.collectedOnce ??= this.collect();
    return this.collectedOnce;
  }

  collect(): Promise<void> {
    this.running ??= (async () => {
      try {
        const view = await this.history.sample();
        await this.metrics.collectBrokers(view);
        await this.metrics.collectGroups(view);
        this.history.recordValues("topicTps", this.metrics.topicTps);
        const lag = new Map<string, number>();
        for (const g of this.metrics.groups.values()) if (g.diff !== null) lag.set(g.group, g.diff);
        this.history.recordValues("groupLag", lag);
      } catch (err) {
        this.onError(err);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
