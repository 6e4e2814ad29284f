/**
 * The size of the consumers' bloom filter (Java's BloomFilter.createByFn(f, n), built by the
 * ConsumerFilterManager): f is the accepted false-positive rate in percent, n the number of
 * consumers expected to share a bitmap. Java sets the store's bitMapLengthConsumeQueueExt to the
 * filter's bit count at start-up, which is why `getBrokerConfig` shows 112 with the defaults.
 */
import { ConfigError } from "@rocketmq-ts/common";

export interface BloomFilterSize {
  /** Bits in the map, a multiple of 8. */
  bits: number;
  /** Hash functions. */
  hashes: number;
}

/** m ≥ n·log2(1/f)·log2(e), rounded up to whole bytes; k = ⌈log_{1/2} f⌉. */
export function bloomFilterSize(errorRatePercent: number, expectedInsertions: number): BloomFilterSize {
  if (!Number.isInteger(errorRatePercent) || errorRatePercent < 1 || errorRatePercent >= 100)
    throw new ConfigError(
      "maxErrorRateOfBloomFilter",
      `maxErrorRateOfBloomFilter=${errorRatePercent}: must be at least 1 and less than 100`,
    );
  if (!Number.isInteger(expectedInsertions) || expectedInsertions < 1)
    throw new ConfigError(
      "expectConsumerNumUseFilter",
      `expectConsumerNumUseFilter=${expectedInsertions}: must be greater than 0`,
    );
  const f = errorRatePercent / 100;
  const hashes = Math.ceil(Math.log(f) / Math.log(0.5));
  const rawBits = Math.ceil(expectedInsertions * Math.log2(1 / f) * Math.log2(Math.E));
  return { bits: 8 * Math.ceil(rawBits / 8), hashes };
}
