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
      { expireAfterAccessMs: 300_000, refreshAfterWriteMs: 20_000, maximumSize: 20_000, now: () => clock.now },
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
      { expireAfterAccessMs: 300_000, refreshAfterWriteMs: 20_000, maximumSize: 20_000, now: () => clock.now },
    );
    await expect(cache.get("k")).rejects.toThrow("first fails");
    expect(await cache.get("k")).toBe(2);
    clock.now = 300_000;
    expect(await cache.get("k")).toBe(3);
  });

  it("holds at most maximumSize entries, the least recently read going first", async () => {
    const clock = { now: 0 };
    const loads: string[] = [];
    const cache = new LoadingCache(
      (key: string) => {
        loads.push(key);
        return Promise.resolve(key.toUpperCase());
      },
      { expireAfterAccessMs: 300_000, refreshAfterWriteMs: 20_000, maximumSize: 2, now: () => clock.now },
    );
    await cache.get("a");
    await cache.get("b");
    await cache.get("a"); // b is now the least recently read
    await cache.get("c");
    expect(cache.size()).toBe(2);
    await cache.get("a");
    expect(loads).toEqual(["a", "b", "c"]);
    await cache.get("b");
    expect(loads).toEqual(["a", "b", "c", "b"]);
  });

  it("drops entries not read for expireAfterAccessMs as new ones come in", async () => {
    const clock = { now: 0 };
    const cache = new LoadingCache((key: string) => Promise.resolve(key), {
      expireAfterAccessMs: 300_000,
      refreshAfterWriteMs: 20_000,
      maximumSize: 20_000,
      now: () => clock.now,
    });
    for (let i = 0; i < 1000; i++) await cache.get(`missing-${i}`);
    expect(cache.size()).toBe(1000);
    clock.now = 300_000;
    await cache.get("fresh");
    expect(cache.size()).toBe(1);
  });
});
