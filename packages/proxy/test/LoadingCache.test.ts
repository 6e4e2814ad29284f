import { describe, expect, it } from "vitest";
import { LoadingCache } from "../src/service/LoadingCache.js";

describe("LoadingCache (Caffeine's expireAfterAccess + refreshAfterWrite)", () => {
  it("serves the cached value, refreshes it in the background after 20 s, keeps it when a reload fails", async () => {
    const clock = { now: 0 };
    let version = 0;
    let fail = false;
    const loads: number[] = [];
    const cache = new LoadingCache(
      (key: string) => {
        loads.push(clock.now);
        if (fail) return Promise.reject(new Error("down"));
        version += 1;
        return Promise.resolve(`${key}-${version}`);
      },
      { expireAfterAccessMs: 300_000, refreshAfterWriteMs: 20_000, now: () => clock.now },
    );
    expect(await cache.get("t")).toBe("t-1");
    clock.now = 19_999;
    expect(await cache.get("t")).toBe("t-1");
    expect(loads).toEqual([0]);
    clock.now = 20_000;
    expect(await cache.get("t")).toBe("t-1"); // stale value while the refresh runs
    await Promise.resolve();
    expect(await cache.get("t")).toBe("t-2");
    fail = true;
    clock.now = 45_000;
    expect(await cache.get("t")).toBe("t-2");
    await new Promise((r) => setImmediate(r));
    expect(await cache.get("t")).toBe("t-2");
  });

  it("loads again after 300 s without a read, and a failed first load is not cached", async () => {
    const clock = { now: 0 };
    let n = 0;
    const cache = new LoadingCache(
      () => {
        n += 1;
        return n === 1 ? Promise.reject(new Error("first fails")) : Promise.resolve(n);
      },
      { expireAfterAccessMs: 300_000, refreshAfterWriteMs: 20_000, now: () => clock.now },
    );
    await expect(cache.get("k")).rejects.toThrow("first fails");
    expect(await cache.get("k")).toBe(2);
    clock.now = 300_000;
    expect(await cache.get("k")).toBe(3);
  });
});
