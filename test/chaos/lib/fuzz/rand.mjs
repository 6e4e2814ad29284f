// Randomness: a seeded generator, so that a run that found something can be repeated (--seed).

/** A small seeded PRNG (mulberry32) with the helpers the generators need. */
export class Rand {
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n) {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }

  int32() {
    return (this.next() * 4294967296) | 0;
  }

  chance(p) {
    return this.next() < p;
  }

  pick(list) {
    return list[this.int(list.length)];
  }

  bytes(n) {
    const out = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) out.writeInt32LE(this.int32(), i);
    for (; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A string of `n` characters from `alphabet` (a long one repeats a random piece of 64). */
  string(n, alphabet = ALNUM) {
    let s = "";
    for (let i = Math.min(n, 64); i > 0; i--) s += alphabet[this.int(alphabet.length)];
    return n <= 64 ? s : s.repeat(Math.ceil(n / 64)).slice(0, n);
  }
}

export const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
export const NASTY = ALNUM + " %|&*?!\"'\\/{}[]:;,.<>=\t\n\r\u0000\u0001\u0002\u00e9\u4e3b\u9898\ud83d\ude00";
