/** Counting semaphore with timed acquire; bounds outstanding async/oneway requests as Java does. */
export class Semaphore {
  private waiters: { resolve: (ok: boolean) => void; timer: NodeJS.Timeout }[] = [];

  constructor(private permits: number) {}

  get available(): number {
    return this.permits;
  }

  tryAcquire(timeoutMs: number): Promise<boolean> | boolean {
    if (this.permits > 0) {
      this.permits--;
      return true;
    }
    if (timeoutMs <= 0) return false;
    return new Promise((resolve) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve(true);
    } else {
      this.permits++;
    }
  }
}
