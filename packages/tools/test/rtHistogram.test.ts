/** The benchmark producer's RT percentile (its --json p99RT). */
import { describe, expect, it } from "vitest";
import { RtHistogram } from "../src/benchmark/producer.js";

describe("RtHistogram", () => {
  it("gives the smallest RT that the fraction of sends did not exceed", () => {
    const h = new RtHistogram();
    for (let i = 0; i < 98; i++) h.record(1);
    h.record(7);
    h.record(250);
    expect(h.percentile(0.98)).toBe(1);
    expect(h.percentile(0.99)).toBe(7);
    expect(h.percentile(1)).toBe(250);
  });

  it("is 0 without sends, and keeps RTs beyond a minute in its last slot", () => {
    const h = new RtHistogram();
    expect(h.percentile(0.99)).toBe(0);
    h.record(90_000);
    h.record(-3);
    expect(h.percentile(1)).toBe(60_000);
    expect(h.percentile(0.5)).toBe(0);
  });
});
