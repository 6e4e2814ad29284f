/** Java `String.hashCode` (UTF-16 code units, 32-bit overflow). */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/**
 * Iteration order of a `java.util.HashMap<String, ?>` that had these keys put in this order:
 * bucket index of the spread hash, ties in insertion order. Java emits maps (e.g. a command's
 * extFields) in this order, so following it keeps our frames byte-identical to Java's.
 * `initialCapacity` is the constructor argument (Java 5.x creates extFields with 256 when a hook
 * adds fields first).
 */
export function javaHashMapOrder(keys: readonly string[], initialCapacity = 16): string[] {
  // headers and property maps repeat the same key sets: remember their order
  // each key with its length in front: unambiguous whatever characters the keys hold
  let cacheKey = `${initialCapacity}`;
  for (const key of keys) cacheKey += `:${key.length}:${key}`;
  const cached = orderCache.get(cacheKey);
  if (cached) return cached.slice();
  const order = computeOrder(keys, initialCapacity);
  if (orderCache.size >= 4096) orderCache.clear();
  orderCache.set(cacheKey, order);
  return order.slice();
}

const orderCache = new Map<string, string[]>();

function computeOrder(keys: readonly string[], initialCapacity: number): string[] {
  let capacity = 1;
  while (capacity < initialCapacity) capacity *= 2;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const mask = capacity - 1;
  const buckets = keys.map((key, index) => {
    const h = javaStringHashCode(key);
    return { key, index, bucket: (h ^ (h >>> 16)) & mask };
  });
  buckets.sort((a, b) => a.bucket - b.bucket || a.index - b.index);
  return buckets.map((b) => b.key);
}

/** Rebuild a string map so that its insertion order is Java's HashMap iteration order. */
export function inJavaHashMapOrder<V>(map: Record<string, V>, initialCapacity = 16): Record<string, V> {
  const ordered: Record<string, V> = {};
  for (const key of javaHashMapOrder(Object.keys(map), initialCapacity)) ordered[key] = map[key] as V;
  return ordered;
}

interface HashedKey {
  key: string;
  hash: number;
}

/**
 * Iteration order of a `java.util.concurrent.ConcurrentHashMap<String, ?>` (and, since Java 9, of a
 * `java.util.Properties`, which keeps its entries in one) that had these keys put in this order.
 * Unlike HashMap, a resize does not keep the order inside a bin: each old bin is split into its low
 * and high halves by walking the chain, keeping the longest tail whose entries all go the same way
 * as it is and putting every entry before that tail in front, one by one (so those come out
 * reversed). `tableSize` is the first table's length: 16 for `new ConcurrentHashMap<>()` and for
 * `new Properties()` (initial capacity 8). Bins long enough to become trees (8 keys in one bin) are
 * not modelled.
 */
export function javaConcurrentHashMapOrder(keys: readonly string[], tableSize = 16): string[] {
  let n = tableSize;
  let table: HashedKey[][] = Array.from({ length: n }, () => []);
  let resizeAt = n - (n >>> 2);
  let count = 0;
  for (const key of keys) {
    const h = javaStringHashCode(key);
    const hash = (h ^ (h >>> 16)) & 0x7fffffff;
    const bin = table[hash & (n - 1)] as HashedKey[];
    if (bin.some((e) => e.key === key)) continue;
    bin.push({ key, hash });
    count++;
    while (count >= resizeAt) {
      table = splitBins(table, n);
      n *= 2;
      resizeAt = n - (n >>> 2);
    }
  }
  return table.flatMap((bin) => bin.map((e) => e.key));
}

function splitBins(table: HashedKey[][], n: number): HashedKey[][] {
  const next: HashedKey[][] = Array.from({ length: 2 * n }, () => []);
  table.forEach((bin, i) => {
    if (bin.length === 0) return;
    let lastRun = 0;
    let runBit = (bin[0] as HashedKey).hash & n;
    for (let j = 1; j < bin.length; j++) {
      const bit = (bin[j] as HashedKey).hash & n;
      if (bit !== runBit) {
        runBit = bit;
        lastRun = j;
      }
    }
    const low: HashedKey[] = runBit === 0 ? bin.slice(lastRun) : [];
    const high: HashedKey[] = runBit === 0 ? [] : bin.slice(lastRun);
    for (let j = 0; j < lastRun; j++) {
      const e = bin[j] as HashedKey;
      if ((e.hash & n) === 0) low.unshift(e);
      else high.unshift(e);
    }
    next[i] = low;
    next[i + n] = high;
  });
  return next;
}
