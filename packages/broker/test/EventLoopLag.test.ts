import { describe, expect, it } from "vitest";
import { EventLoopLag } from "@rocketmq-ts/broker";

describe("EventLoopLag", () => {
  it("reports how long the loop was blocked", async () => {
    const lag = new EventLoopLag(10);
    lag.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(lag.currentLagMs()).toBeLessThan(100);
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // block the loop
    }
    expect(lag.currentLagMs()).toBeGreaterThan(250);
    // the next timers phase runs the overdue tick before anything due later (and before I/O,
    // where incoming requests are read), so they see the lag
    await new Promise((r) => setTimeout(r, 0));
    expect(lag.lagMs).toBeGreaterThan(250);
    await new Promise((r) => setTimeout(r, 50));
    expect(lag.currentLagMs()).toBeLessThan(100);
    lag.stop();
  });
});
