/**
 * JSON as RocketMQ's Java side writes and reads it (fastjson 1.x).
 *
 * fastjson differs from standard JSON in ways peers depend on:
 * - maps with numeric keys are written with bare keys: `{0:"127.0.0.1:10911"}`;
 * - maps keyed by objects (MessageQueue) are written with object keys: `{{"brokerName":..}:{..}}`;
 * - beans are written with properties in alphabetical order, nulls left out;
 * - `double` fields print as Java's `Double.toString` (`0.0`);
 * - 64-bit longs must survive exactly.
 *
 * Value model used by both directions (the writer is fastjsonWriter.ts):
 * - integers are `number` when safe, `bigint` otherwise; decimals are `number`
 *   (or `JsonDouble` when parsing with `preserve`);
 * - objects with only string keys are plain objects; objects with a bare numeric key or an
 *   object key are `Map`s (always `Map`s with `preserve`, which keeps key kinds and order).
 */
import { JsonDouble } from "./JsonDouble.js";

export type JsonPrimitive = null | boolean | number | bigint | string | JsonDouble;
export type JsonMapKey = string | number | bigint | JsonObject | JsonMap | JsonValue[];
export type JsonMap = Map<JsonMapKey, JsonValue>;
export interface JsonObject {
  [key: string]: JsonValue;
}
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject | JsonMap;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = "JsonSyntaxError";
  }
}

export interface ParseOptions {
  /** Keep every object as a Map (key kinds and order intact) and decimals as JsonDouble. */
  preserve?: boolean;
  /** Nesting limit; deeper input is refused instead of exhausting the stack. */
  maxDepth?: number;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Parse fastjson output or ordinary JSON. Throws JsonSyntaxError on malformed input. */
export function parseFastjson(text: string, options: ParseOptions = {}): JsonValue {
  const reader = new Reader(text, options.preserve ?? false, options.maxDepth ?? 512);
  reader.skipWs();
  const value = reader.value(0);
  reader.skipWs();
  if (reader.pos < text.length) throw new JsonSyntaxError("Unexpected trailing input", reader.pos);
  return value;
}

class Reader {
  pos = 0;
  constructor(
    readonly s: string,
    readonly preserve: boolean,
    readonly maxDepth: number,
  ) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos);
  }

  skipWs(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x08) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > this.maxDepth) this.fail("Nesting too deep");
    const c = this.s[this.pos];
    switch (c) {
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"':
      case "'":
        return this.string();
      case undefined:
        return this.fail("Unexpected end of input");
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.number();
        return this.literal();
    }
  }

  literal(): JsonValue {
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail("Unexpected token");
  }

  number(): number | bigint | JsonDouble {
    const start = this.pos;
    const s = this.s;
    if (s[this.pos] === "-") this.pos++;
    const digitsStart = this.pos;
    while (this.pos < s.length && s.charCodeAt(this.pos) >= 0x30 && s.charCodeAt(this.pos) <= 0x39) this.pos++;
    if (this.pos === digitsStart) this.fail("Invalid number");
    let isDecimal = false;
    if (s[this.pos] === ".") {
      isDecimal = true;
      this.pos++;
      while (this.pos < s.length && s.charCodeAt(this.pos) >= 0x30 && s.charCodeAt(this.pos) <= 0x39) this.pos++;
    }
    if (s[this.pos] === "e" || s[this.pos] === "E") {
      isDecimal = true;
      this.pos++;
      if (s[this.pos] === "+" || s[this.pos] === "-") this.pos++;
      const expStart = this.pos;
      while (this.pos < s.length && s.charCodeAt(this.pos) >= 0x30 && s.charCodeAt(this.pos) <= 0x39) this.pos++;
      if (this.pos === expStart) this.fail("Invalid number exponent");
    }
    const text = s.slice(start, this.pos);
    // fastjson accepts Java type suffixes (1L, 1.0D, 1.0F).
    const suffix = s[this.pos];
    if (suffix === "L" || suffix === "l" || suffix === "S" || suffix === "B") this.pos++;
    else if (suffix === "D" || suffix === "d" || suffix === "F" || suffix === "f") {
      this.pos++;
      isDecimal = true;
    }
    if (isDecimal) {
      const n = Number(text);
      return this.preserve ? new JsonDouble(n) : n;
    }
    if (text.length < 16) return Number(text);
    const big = BigInt(text);
    return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : big;
  }

  string(): string {
    const s = this.s;
    const quote = s[this.pos] as string;
    this.pos++;
    // the common case, a string without escapes: one search instead of a walk per character
    const end = s.indexOf(quote, this.pos);
    if (end >= 0) {
      const raw = s.slice(this.pos, end);
      if (!raw.includes("\\")) {
        this.pos = end + 1;
        return raw;
      }
    }
    let out = "";
    let chunkStart = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail("Unterminated string");
      const c = s[this.pos];
      if (c === quote) {
        out += s.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (c === "\\") {
        out += s.slice(chunkStart, this.pos);
        this.pos++;
        const e = s[this.pos];
        this.pos++;
        switch (e) {
          case '"':
          case "'":
          case "\\":
          case "/":
            out += e;
            break;
          case "b":
            out += "\b";
            break;
          case "f":
            out += "\f";
            break;
          case "n":
            out += "\n";
            break;
          case "r":
            out += "\r";
            break;
          case "t":
            out += "\t";
            break;
          case "v":
            out += "\u000b";
            break;
          case "0":
            out += "\0";
            break;
          case "x": {
            const hex = s.slice(this.pos, this.pos + 2);
            if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail("Invalid \\x escape");
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 2;
            break;
          }
          case "u": {
            const hex = s.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("Invalid \\u escape");
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          default:
            this.fail("Invalid escape");
        }
        chunkStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  /** Unquoted key: fastjson accepts identifiers and bare numbers. */
  bareKey(depth: number): JsonMapKey {
    const c = this.s[this.pos];
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      const n = this.number();
      if (n instanceof JsonDouble) return n.value;
      return n;
    }
    if (c === "{" || c === "[") return this.value(depth + 1) as JsonMapKey;
    const start = this.pos;
    while (this.pos < this.s.length && /[A-Za-z0-9_$]/.test(this.s[this.pos] as string)) this.pos++;
    if (this.pos === start) this.fail("Expected object key");
    return this.s.slice(start, this.pos);
  }

  object(depth: number): JsonObject | JsonMap {
    this.pos++; // {
    const entries: [JsonMapKey, JsonValue][] = [];
    let allStringKeys = true;
    this.skipWs();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return this.preserve ? new Map() : {};
    }
    for (;;) {
      this.skipWs();
      const c = this.s[this.pos];
      const key: JsonMapKey = c === '"' || c === "'" ? this.string() : this.bareKey(depth);
      if (typeof key !== "string") allStringKeys = false;
      this.skipWs();
      if (this.s[this.pos] !== ":") this.fail("Expected ':'");
      this.pos++;
      this.skipWs();
      entries.push([key, this.value(depth + 1)]);
      this.skipWs();
      const sep = this.s[this.pos];
      this.pos++;
      if (sep === ",") {
        this.skipWs();
        if (this.s[this.pos] === "}") {
          // fastjson tolerates a trailing comma
          this.pos++;
          break;
        }
        continue;
      }
      if (sep === "}") break;
      this.pos--;
      this.fail("Expected ',' or '}'");
    }
    if (this.preserve || !allStringKeys) return new Map(entries);
    const obj: JsonObject = {};
    for (const [k, v] of entries) {
      // defineProperty: a "__proto__" key must stay data, never become the prototype
      if (k === "__proto__")
        Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[k as string] = v;
    }
    return obj;
  }

  array(depth: number): JsonValue[] {
    this.pos++; // [
    const out: JsonValue[] = [];
    this.skipWs();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.value(depth + 1));
      this.skipWs();
      const sep = this.s[this.pos];
      this.pos++;
      if (sep === ",") continue;
      if (sep === "]") return out;
      this.pos--;
      this.fail("Expected ',' or ']'");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers for typed body decoders

/** Entries of an object-like JSON value regardless of whether it was parsed as object or Map. */
export function jsonEntries(v: JsonValue | undefined): [JsonMapKey, JsonValue][] {
  if (v instanceof Map) return [...v.entries()];
  if (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof JsonDouble)) return Object.entries(v);
  return [];
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof JsonDouble);
}
