/** The stats windows (StatsItem / StatsItemSet) on a manual clock: sums, rates and the stats-log lines. */
import { describe, expect, it } from "vitest";
import { ManualStatsScheduler, StatsItemSet } from "../src/stats/index.js";

/** 12:00:05 local time on a fixed day: the sets sample from here, the logs run on whole minutes. */
const T0 = new Date(2026, 0, 10, 12, 0, 5).getTime();
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

function topicPutNums() {
  const scheduler = new ManualStatsScheduler(T0);
  const lines: string[] = [];
  const set = new StatsItemSet("TOPIC_PUT_NUMS", scheduler, { info: (msg) => void lines.push(msg) });
  // the set's first sampling round runs at once, before any item exists
  scheduler.runDue();
  return { scheduler, set, lines };
}

describe("StatsItem windows", () => {
  it("counts puts in the minute from the first 10 s sample, back-dated one period", () => {
    const { scheduler, set } = topicPutNums();
    scheduler.advance(SECOND);
    for (let i = 0; i < 300; i++) set.addValue("T", 1, 1);
    expect(set.getStatsDataInMinute("T")).toEqual({ sum: 0, tps: 0, avgpt: 0, times: 0 });
    scheduler.advance(9 * SECOND); // the sample at T0 + 10 s
    expect(set.getStatsDataInMinute("T")).toEqual({ sum: 300, tps: 30, avgpt: 1, times: 300 });
    scheduler.advance(10 * SECOND); // two periods: the rate halves, as Java's 15.00 after 20 s
    expect(set.getStatsDataInMinute("T")).toMatchObject({ sum: 300, tps: 15 });
    // 7 snapshots span the minute: once the puts are older than that, the minute is empty
    scheduler.advance(60 * SECOND);
    expect(set.getStatsDataInMinute("T")).toMatchObject({ sum: 0, tps: 0 });
  });

  it("avgpt is the value per call: a batch of 4 counted once", () => {
    const { scheduler, set } = topicPutNums();
    set.addValue("T", 4, 1);
    set.addValue("T", 2, 1);
    scheduler.advance(10 * SECOND);
    expect(set.getStatsDataInMinute("T")).toEqual({ sum: 6, tps: 0.6, avgpt: 3, times: 2 });
  });

  it("hour window samples every 10 minutes, the day every hour; the day forgets after 24 hourly samples", () => {
    const { scheduler, set } = topicPutNums();
    scheduler.advance(MINUTE);
    for (let i = 0; i < 300; i++) set.addValue("T", 1, 1);
    expect(set.getStatsDataInHour("T").sum).toBe(0);
    scheduler.advance(9 * MINUTE); // T0 + 10 min
    expect(set.getStatsDataInHour("T")).toMatchObject({ sum: 300, tps: 0.5 });
    expect(set.getStatsDataInDay("T").sum).toBe(0);
    scheduler.advance(50 * MINUTE); // T0 + 1 h
    expect(set.getStatsDataInHour("T").sum).toBe(300);
    expect(set.getStatsDataInDay("T")).toMatchObject({ sum: 300, tps: 300 / 3600 });
    scheduler.advance(HOUR); // an hour later the hour window has moved past the puts
    expect(set.getStatsDataInHour("T").sum).toBe(0);
    expect(set.getStatsDataInDay("T").sum).toBe(300);
    scheduler.advance(23 * HOUR); // 25 snapshots: the first (zero) one has just dropped out
    expect(set.getStatsDataInDay("T").sum).toBe(0);
  });

  it("an unknown key has empty windows; deletions by prefix and suffix", () => {
    const { set } = topicPutNums();
    expect(set.getStatsDataInDay("none")).toEqual({ sum: 0, tps: 0, avgpt: 0, times: 0 });
    set.addValue("t1@g1", 1, 1);
    set.addValue("t1@g2", 1, 1);
    set.addValue("t2@g1", 1, 1);
    set.delValueByPrefixKey("t1", "@");
    expect([...set.statsItemTable.keys()]).toEqual(["t2@g1"]);
    set.delValueBySuffixKey("g1", "@");
    expect(set.statsItemTable.size).toBe(0);
  });
});

describe("stats log lines", () => {
  it("logs every item at each whole minute, hour and local midnight, in Java's format", () => {
    const { scheduler, set, lines } = topicPutNums();
    set.addValue("T", 3, 1);
    set.addValue("G@T", 40, 2);
    const rt = new StatsItemSet("GROUP_GET_LATENCY", scheduler, { info: (msg) => void lines.push(msg) });
    rt.addRTValue("0@T@G", 40, 2);
    scheduler.advance(55 * SECOND); // 12:01:00
    expect(lines).toEqual([
      "[TOPIC_PUT_NUMS] [T] Stats In One Minute, SUM: 3 TPS: 0.06 AVGPT: 3.00",
      "[TOPIC_PUT_NUMS] [G@T] Stats In One Minute, SUM: 40 TPS: 0.80 AVGPT: 20.00",
      "[GROUP_GET_LATENCY] [0@T@G] Stats In One Minute, TIMES: 2 AVGRT: 20.00",
    ]);
    lines.length = 0;
    scheduler.advance(59 * MINUTE); // 13:00:00
    expect(lines.filter((l) => l.includes("One Hour"))).toHaveLength(3);
    lines.length = 0;
    scheduler.advance(11 * HOUR); // midnight
    expect(lines.filter((l) => l.includes("One Day"))).toEqual([
      "[TOPIC_PUT_NUMS] [T] Stats In One Day, SUM: 3 TPS: 0.00 AVGPT: 3.00",
      "[TOPIC_PUT_NUMS] [G@T] Stats In One Day, SUM: 40 TPS: 0.00 AVGPT: 20.00",
      "[GROUP_GET_LATENCY] [0@T@G] Stats In One Day, TIMES: 2 AVGRT: 20.00",
    ]);
  });
});
