/**
 * Guava's `Hashing.consistentHash(long input, int buckets)` (Lamping & Veach jump hash driven by a
 * 64-bit linear congruential generator), which Java's proxy uses to pin a FIFO message group
 * (`String.hashCode()` of the group) to one writable queue.
 */
import { javaStringHashCode } from "@rocketmq-ts/remoting";

const MASK64 = (1n << 64n) - 1n;
const MULTIPLIER = 2862933555777941757n;

export function consistentHash(input: number, buckets: number): number {
  if (buckets <= 0) throw new RangeError(`buckets must be positive: ${buckets}`);
  let state = BigInt.asUintN(64, BigInt(input));
  let candidate = 0;
  for (;;) {
    state = (state * MULTIPLIER + 1n) & MASK64;
    // (int) (state >>> 33): the low 31 bits of the shifted value, signed (always ≥ 0 here)
    const high = Number(BigInt.asIntN(32, state >> 33n));
    const nextDouble = (high + 1) / 2 ** 31;
    const next = Math.trunc((candidate + 1) / nextDouble);
    if (next >= 0 && next < buckets) candidate = next;
    else return candidate;
  }
}

/** The bucket of a message group: Java `consistentHash(group.hashCode(), n)`. */
export function messageGroupBucket(messageGroup: string, buckets: number): number {
  return consistentHash(javaStringHashCode(messageGroup), buckets);
}
