import { languageFromByte, languageToByte } from "../protocol/LanguageCode.js";
import type { ExtFields } from "../protocol/RemotingCommand.js";
import { buildExtFields } from "./extFieldsShapes.js";
import type { CommandHeader } from "./jsonHeader.js";
import { RemotingCodecError } from "./RemotingCodecError.js";

const FIXED_PART = 21; // code(2) language(1) version(2) opaque(4) flag(4) remarkLen(4) extLen(4)

/*
 * ROCKETMQ binary header: big-endian fixed part, then length-prefixed remark and ext fields
 * (int16 key length, int32 value length), strings in UTF-8. Empty strings are written as length 0
 * and so come back as null, as in Java.
 *
 * Speed: a send's header carries some 14 short fields, and one native call per string (byteLength,
 * write, toString) cost more than everything else in the codec. ASCII strings — nearly all of them
 * — are therefore copied by JS loops on encode and cut out of one latin1 string of the whole field
 * area on decode; anything else goes through Node's UTF-8 codec, with the same bytes as a result.
 */

/** UTF-8 length of `s` when it is all ASCII (then one byte per char), else -1. */
function asciiLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return s.length;
}

function utf8Length(s: string): number {
  const n = asciiLength(s);
  return n >= 0 ? n : Buffer.byteLength(s, "utf8");
}

/** Write `s` at `p`, `length` being its UTF-8 length; returns the position after it. */
function writeString(out: Buffer, s: string, p: number, length: number): number {
  if (length === s.length) {
    for (let i = 0; i < length; i++) out[p + i] = s.charCodeAt(i);
    return p + length;
  }
  return p + out.write(s, p, "utf8");
}

/** UTF-8 lengths of the ext fields' keys and values, in encode order (one encode at a time). */
let lengthScratch = new Int32Array(64);

/** Big-endian int32 at `p` (the value already known to fit); returns the position after it. */
function putInt32(out: Buffer, value: number, p: number): number {
  out[p] = value >>> 24;
  out[p + 1] = value >>> 16;
  out[p + 2] = value >>> 8;
  out[p + 3] = value;
  return p + 4;
}

/**
 * Encode `cmd`'s header; `reserve` bytes are left free at the front of the returned buffer (the
 * frame's length prefix goes there). Two passes over the ext fields — lengths, then bytes — with
 * the lengths kept in a reused array and the integers stored byte by byte (the checked
 * `writeInt32BE` and two arrays per call were a third of this function's time).
 */
export function encodeBinaryHeader(cmd: CommandHeader, reserve = 0): Buffer {
  const code = toInt16(cmd.code, "code");
  const version = toInt16(cmd.version, "version");
  const remarkLength = cmd.remark ? utf8Length(cmd.remark) : 0;
  const ext = cmd.extFields;
  let extLength = 0;
  let n = 0;
  if (ext !== null) {
    for (const key in ext) {
      const value = ext[key];
      if (value === undefined || value === null) continue;
      const keyLength = utf8Length(key);
      if (keyLength > 0x7fff)
        throw new RemotingCodecError(`extFields key too long for binary header: ${key.slice(0, 40)}`);
      const valueLength = utf8Length(value);
      if (n + 2 > lengthScratch.length) {
        const grown = new Int32Array(lengthScratch.length * 2);
        grown.set(lengthScratch);
        lengthScratch = grown;
      }
      lengthScratch[n++] = keyLength;
      lengthScratch[n++] = valueLength;
      extLength += 6 + keyLength + valueLength;
    }
  }
  const out = Buffer.allocUnsafe(reserve + FIXED_PART + remarkLength + extLength);
  let p = reserve;
  out[p] = code >>> 8;
  out[p + 1] = code;
  out[p + 2] = cmd.language === null ? 0 : languageToByte(cmd.language);
  out[p + 3] = version >>> 8;
  out[p + 4] = version;
  p = putInt32(out, cmd.opaque, p + 5);
  p = putInt32(out, cmd.flag, p);
  p = putInt32(out, remarkLength, p);
  if (cmd.remark) p = writeString(out, cmd.remark, p, remarkLength);
  p = putInt32(out, extLength, p);
  if (ext !== null) {
    let k = 0;
    for (const key in ext) {
      const value = ext[key];
      if (value === undefined || value === null) continue;
      const keyLength = lengthScratch[k++] as number;
      const valueLength = lengthScratch[k++] as number;
      out[p] = keyLength >>> 8;
      out[p + 1] = keyLength;
      p = writeString(out, key, p + 2, keyLength);
      p = putInt32(out, valueLength, p);
      p = writeString(out, value, p, valueLength);
    }
  }
  return out;
}

function toInt16(n: number, field: string): number {
  if (n < -0x8000 || n > 0x7fff) throw new RemotingCodecError(`${field} ${n} does not fit the binary header's int16`);
  return n;
}

/** True when buf[from, to) is all ASCII. */
function isAsciiRange(buf: Buffer, from: number, to: number): boolean {
  let bits = 0;
  for (let i = from; i < to; i++) bits |= buf[i] as number;
  return (bits & 0x80) === 0;
}

/**
 * Keys seen before, by a hash of their bytes: the same few dozen keys arrive in every header, and
 * a fresh string as a property key has to be looked up in V8's string table each time; a key from
 * here already was.
 */
const KEY_CACHE_SIZE = 256;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SIZE).fill(undefined);

/** The ASCII key in buf[from, to): from the cache when it holds the same bytes. */
function asciiKey(buf: Buffer, from: number, to: number, area: string, base: number): string {
  let h = to - from;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + (buf[i] as number)) | 0;
  const slot = (h ^ (h >>> 8)) & (KEY_CACHE_SIZE - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === to - from) {
    let same = true;
    for (let i = 0; i < cached.length && same; i++) same = cached.charCodeAt(i) === buf[from + i];
    if (same) return cached;
  }
  const key = area.substring(from - base, to - base);
  keyCache[slot] = key;
  return key;
}

/** Keys and values of the header being decoded (one decode at a time). */
const keyScratch: string[] = [];
const valueScratch: string[] = [];

/** Decode the binary header in `buf[start, end)` (default: all of `buf`). */
export function decodeBinaryHeader(buf: Buffer, start = 0, end = buf.length): CommandHeader {
  if (end - start < FIXED_PART) throw new RemotingCodecError(`Binary header too short: ${end - start} bytes`);
  let p = start;
  const code = buf.readInt16BE(p);
  const languageByte = buf.readInt8(p + 2);
  const version = buf.readInt16BE(p + 3);
  const opaque = buf.readInt32BE(p + 5);
  const flag = buf.readInt32BE(p + 9);
  const remarkLength = buf.readInt32BE(p + 13);
  p += 17;
  if (remarkLength < 0 || remarkLength > end - p - 4) {
    throw new RemotingCodecError(`Binary header remark length ${remarkLength} exceeds header`);
  }
  const remark = remarkLength === 0 ? null : buf.toString("utf8", p, p + remarkLength);
  p += remarkLength;
  const extLength = buf.readInt32BE(p);
  p += 4;
  if (extLength < 0 || extLength > end - p) {
    throw new RemotingCodecError(`Binary header extFields length ${extLength} exceeds header`);
  }
  let extFields: ExtFields | null = null;
  if (extLength > 0) {
    let n = 0;
    const extEnd = p + extLength;
    // the whole field area as one string, one char per byte: ASCII fields are cut out of it
    const area = buf.toString("latin1", p, extEnd);
    const base = p;
    while (p < extEnd) {
      if (extEnd - p < 2) throw new RemotingCodecError("Truncated extFields key length");
      const keyLength = buf.readInt16BE(p);
      p += 2;
      if (keyLength < 0 || keyLength > extEnd - p) throw new RemotingCodecError("extFields key length exceeds header");
      const keyStart = p;
      p += keyLength;
      if (extEnd - p < 4) throw new RemotingCodecError("Truncated extFields value length");
      const valueLength = buf.readInt32BE(p);
      p += 4;
      if (valueLength < 0 || valueLength > extEnd - p)
        throw new RemotingCodecError("extFields value length exceeds header");
      const valueStart = p;
      p += valueLength;
      // Java decodes zero-length strings as null and keeps null entries out of the map.
      if (keyLength === 0 || valueLength === 0) continue;
      const key = isAsciiRange(buf, keyStart, valueStart - 4)
        ? asciiKey(buf, keyStart, valueStart - 4, area, base)
        : buf.toString("utf8", keyStart, valueStart - 4);
      const value = isAsciiRange(buf, valueStart, p)
        ? area.substring(valueStart - base, p - base)
        : buf.toString("utf8", valueStart, p);
      keyScratch[n] = key;
      valueScratch[n++] = value;
    }
    extFields = buildExtFields(keyScratch, valueScratch, n);
    // drop the references so the scratch does not keep old headers' strings alive
    for (let i = 0; i < n; i++) {
      keyScratch[i] = "";
      valueScratch[i] = "";
    }
  }
  return { code, language: languageFromByte(languageByte), version, opaque, flag, remark, extFields };
}
