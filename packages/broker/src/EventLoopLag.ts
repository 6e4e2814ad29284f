/**
 * How late the event loop runs. Requests wait (in socket buffers) for as long as the loop is late, so
 * this stands in for Java's "time spent in the send thread-pool queue" (BrokerFastFailure).
 */
export class EventLoopLag {
  private lastTick = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Lateness of the last tick, in ms. */
  lagMs = 0;
  /** Largest lateness since `takeMaxLagMs` last ran. */
  private maxLagMs = 0;

  constructor(private readonly periodMs = 10) {}

  start(): void {
    this.lastTick = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lagMs = Math.max(0, now - this.lastTick - this.periodMs);
      if (this.lagMs > this.maxLagMs) this.maxLagMs = this.lagMs;
      this.lastTick = now;
    }, this.periodMs);
    this.timer.unref();
  }

  /** Lag as seen now: also counts a tick that is overdue right now. */
  currentLagMs(now = performance.now()): number {
    return Math.max(this.lagMs, now - this.lastTick - this.periodMs);
  }

  /** The largest lag since the previous call (or start), and start over. */
  takeMaxLagMs(): number {
    const max = Math.max(this.maxLagMs, this.currentLagMs());
    this.maxLagMs = 0;
    return max;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
