/**
 * Time as the DLedger control plane sees it: the wall clock (Java's System.currentTimeMillis) and
 * delayed callbacks (its thread sleeps and latch timeouts). Injected so tests drive time by hand.
 */
export type Cancel = () => void;

export interface DLedgerTimer {
  now(): number;
  /** Run `fn` after `delayMs`; the returned function cancels it. */
  schedule(delayMs: number, fn: () => void): Cancel;
}

/** Real time. */
export const systemTimer: DLedgerTimer = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  },
};

/** Resolves after `delayMs` on `timer`. */
export function sleep(timer: DLedgerTimer, delayMs: number): Promise<void> {
  return new Promise((resolve) => timer.schedule(delayMs, resolve));
}

/**
 * A one-shot latch with a timeout (Java's CountDownLatch(1).await(timeout)): `wait()` resolves when
 * `open()` is called or the timeout passes, whichever comes first.
 */
export class TimedLatch {
  private opened = false;
  private release: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(timer: DLedgerTimer, timeoutMs: number) {
    this.done = new Promise<void>((resolve) => {
      const cancel = timer.schedule(timeoutMs, () => this.open());
      this.release = () => {
        cancel();
        resolve();
      };
    });
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.release?.();
  }

  wait(): Promise<void> {
    return this.done;
  }
}

/** `random.nextInt(bound)`: an integer in [0, bound). */
export type RandomInt = (bound: number) => number;

export const mathRandomInt: RandomInt = (bound) => Math.floor(Math.random() * bound);
