/**
 * dledger 0.3.1.2's ShutdownAbleThread on the event loop: `doWork` runs again and again until
 * shutdown; it parks itself with `waitForRunning(ms)`, which returns at once when a `wakeup()` came
 * since the last wait (Java's hasNotified flag), else after `ms` on the injected timer or at the
 * next wakeup. Every pass ends with one macrotask turn so that sockets and timers get their share.
 */
import type { Logger } from "pino";
import type { DLedgerTimer } from "../timer.js";

export class ServiceLoop {
  private notified = false;
  private release: (() => void) | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly sleepers = new Set<() => void>();

  constructor(
    readonly name: string,
    private readonly timer: DLedgerTimer,
    private readonly logger: Logger,
    private readonly doWork: () => Promise<void>,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.doWork();
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, `Unexpected Error in running ${this.name}`);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  wakeup(): void {
    if (this.notified) return;
    this.notified = true;
    this.release?.();
  }

  waitForRunning(intervalMs: number): Promise<void> {
    if (this.notified) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        cancel();
        this.release = null;
        this.notified = false;
        resolve();
      };
      const cancel = this.timer.schedule(intervalMs, done);
      this.release = done;
    });
  }

  /** Java's uninterruptible back-off sleep: only `stop()` cuts it short (wakeups do not). */
  sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        cancel();
        this.sleepers.delete(done);
        resolve();
      };
      const cancel = this.timer.schedule(ms, done);
      this.sleepers.add(done);
    });
  }

  /** Stop after the current pass; `join()` waits for it. */
  stop(): void {
    this.running = false;
    this.wakeup();
    for (const done of [...this.sleepers]) done();
  }

  async join(): Promise<void> {
    await this.loop;
    this.loop = null;
  }
}

/** `promise`, or `onTimeout()` when it has not settled within `ms` on `timer` (Java's future.get(timeout)). */
export function withTimeout<T>(timer: DLedgerTimer, promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const cancel = timer.schedule(ms, () => {
      if (settled) return;
      settled = true;
      resolve(onTimeout());
    });
    promise.then(
      (v) => {
        if (settled) return;
        settled = true;
        cancel();
        resolve(v);
      },
      (e: unknown) => {
        if (settled) return;
        settled = true;
        cancel();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
