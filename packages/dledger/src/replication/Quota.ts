/**
 * dledger 0.3.1.2's push Quota: bytes pushed per second over a 5-slot window of seconds; a slot at or
 * above `max` in the current second means the pusher waits for the next second.
 */
export class Quota {
  private readonly samples: number[];
  private readonly timeVec: number[];

  constructor(
    private readonly max: number,
    private readonly window = 5,
  ) {
    this.window = Math.max(5, window);
    this.samples = new Array<number>(this.window).fill(0);
    this.timeVec = new Array<number>(this.window).fill(0);
  }

  sample(value: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.window;
    if (this.timeVec[i] !== second) {
      this.timeVec[i] = second;
      this.samples[i] = value;
    } else {
      this.samples[i] = (this.samples[i] ?? 0) + value;
    }
  }

  validateNow(nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.window;
    return this.timeVec[i] === second && (this.samples[i] ?? 0) >= this.max;
  }

  leftNow(nowMs: number): number {
    return (Math.floor(nowMs / 1000) + 1) * 1000 - nowMs;
  }
}
