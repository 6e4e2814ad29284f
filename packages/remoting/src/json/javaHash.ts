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
  const cacheKey = `${initialCapacity}\u0000${keys.join("\u0000")}`;
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
