/** The bloom filter size Java derives from maxErrorRateOfBloomFilter / expectConsumerNumUseFilter. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "@rocketmq-ts/common";
import { bloomFilterSize } from "../src/filter/BloomFilter.js";

describe("bloomFilterSize", () => {
  it("gives Java's 112 bits and 3 hashes for the defaults (20 %, 32 consumers)", () => {
    expect(bloomFilterSize(20, 32)).toEqual({ bits: 112, hashes: 3 });
  });

  it("rounds the bits up to whole bytes", () => {
    // 1 consumer at 50 %: 1 · 1 · 1.4427 → 2 bits → one byte
    expect(bloomFilterSize(50, 1)).toEqual({ bits: 8, hashes: 1 });
    expect(bloomFilterSize(1, 100).bits % 8).toBe(0);
  });

  it("refuses rates outside 1..99 and non-positive counts, naming the key", () => {
    for (const [f, n, key] of [
      [0, 32, "maxErrorRateOfBloomFilter"],
      [100, 32, "maxErrorRateOfBloomFilter"],
      [20, 0, "expectConsumerNumUseFilter"],
    ] as const) {
      let thrown: unknown;
      try {
        bloomFilterSize(f, n);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).key).toBe(key);
    }
  });
});
