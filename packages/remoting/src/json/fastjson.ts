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
 * Value model used by both directions:
 * - integers are `number` when safe, `bigint` otherwise; decimals are `number`
 *   (or `JsonDouble` when parsing with `preserve`);
 * - objects with only string keys are plain objects; objects with a bare numeric key or an
 *   object key are `Map`s (always `Map`s with `preserve`, which keeps key kinds and order).
 */
import { JsonDouble, javaDoubleToString } from "./JsonDouble.js";

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
    const quote = s[this.pos];
    this.pos++;
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
      Object.defineProperty(obj, k as string, { value: v, enumerable: true, writable: true, configurable: true });
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
// Writer

/**
 * `T` when the writer can serialize it, checked at compile time: JSON primitives (and JsonDouble),
 * `undefined` (left out), arrays, Sets, Maps keyed by strings, numbers or beans, and beans — plain
 * objects, interfaces, readonly fields included — whose fields are all of these. Anything else
 * (functions, methods, Buffers, symbols) maps to `never`, so `stringifyFastjson<T extends
 * Jsonable<T>>` refuses it. Beans are written from their own enumerable properties.
 */
export type Jsonable<T> = T extends JsonPrimitive | undefined
  ? JsonPrimitive | undefined
  : T extends ReadonlyMap<infer K, infer V>
    ? ReadonlyMap<JsonableKey<K>, Jsonable<V>>
    : T extends ReadonlySet<infer V>
      ? ReadonlySet<Jsonable<V>>
      : T extends readonly (infer V)[]
        ? readonly Jsonable<V>[]
        : T extends (...args: never[]) => unknown
          ? never
          : T extends object
            ? { readonly [K in keyof T]: K extends string | number ? Jsonable<T[K]> : never }
            : never;

/** A Map key the writer can serialize: a string, a number (written bare) or a bean (written as JSON). */
export type JsonableKey<K> = K extends string | number | bigint
  ? string | number | bigint
  : K extends (...args: never[]) => unknown
    ? never
    : K extends object
      ? Jsonable<K>
      : never;

export interface StringifyOptions {
  /**
   * Write numeric Map keys quoted (`{"0":..}`), as fastjson does with WriteNonStringKeyAsString /
   * BrowserCompatible; default is fastjson's bare form (`{0:..}`).
   */
  quoteNumericKeys?: boolean;
  /** Sort the keys of plain objects (fastjson's SortField for beans). Default true. */
  sortKeys?: boolean;
  /** Escape every non-ASCII character as `\uXXXX` (fastjson's BrowserCompatible). */
  asciiOnly?: boolean;
  /**
   * fastjson's PrettyFormat, as RocketMQ writes its config files: tab indentation, one property per
   * line; maps with non-string keys keep their entries on one line and close on the next.
   */
  pretty?: boolean;
}

interface WriteContext {
  out: string[];
  quoteNumericKeys: boolean;
  sortKeys: boolean;
  asciiOnly: boolean;
  pretty: boolean;
  depth: number;
}

/**
 * Serialize like fastjson: plain objects are beans (sorted keys, nulls omitted); Maps keep their
 * order and write number/bigint keys bare and object keys as JSON; JsonDouble prints as Java's double.
 */
export function stringifyFastjson<T>(value: T & Jsonable<T>, options: StringifyOptions = {}): string {
  const ctx: WriteContext = {
    out: [],
    quoteNumericKeys: options.quoteNumericKeys ?? false,
    sortKeys: options.sortKeys ?? true,
    asciiOnly: options.asciiOnly ?? false,
    pretty: options.pretty ?? false,
    depth: 0,
  };
  write(value, ctx);
  return ctx.out.join("");
}

/** Writes what `Jsonable` admits; the type check happened at stringifyFastjson's call site. */
function write(v: unknown, ctx: WriteContext): void {
  const out = ctx.out;
  const quote = (s: string): string => (ctx.asciiOnly ? quoteAscii(s) : quoteJavaString(s));
  if (v === null || v === undefined) {
    out.push("null");
    return;
  }
  switch (typeof v) {
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "number":
      out.push(formatNumber(v));
      return;
    case "bigint":
      out.push(v.toString());
      return;
    case "string":
      out.push(quote(v));
      return;
  }
  if (v instanceof JsonDouble) {
    out.push(javaDoubleToString(v.value));
    return;
  }
  if (Array.isArray(v) || v instanceof Set) {
    const items: unknown[] = [...(v as Iterable<unknown>)];
    // fastjson's PrettyFormat puts each bean of a list on its own line; primitive arrays stay inline
    const vertical = ctx.pretty && items.some((i) => i !== null && typeof i === "object" && !(i instanceof JsonDouble));
    out.push("[");
    ctx.depth++;
    items.forEach((item, i) => {
      if (i > 0) out.push(",");
      if (vertical) newline(ctx);
      write(item, ctx);
    });
    ctx.depth--;
    if (vertical && items.length > 0) newline(ctx);
    out.push("]");
    return;
  }
  if (v instanceof Map) {
    out.push("{");
    let first = true;
    let count = 0;
    ctx.depth++;
    for (const [key, item] of v as ReadonlyMap<unknown, unknown>) {
      if (item === null || item === undefined) continue;
      if (!first) out.push(",");
      first = false;
      count++;
      if (typeof key === "string") {
        if (ctx.pretty) newline(ctx);
        out.push(quote(key));
      } else if (typeof key === "number" || typeof key === "bigint") {
        const text = typeof key === "number" ? formatNumber(key) : key.toString();
        out.push(ctx.quoteNumericKeys ? `"${text}"` : text);
      } else write(key, ctx);
      out.push(":");
      write(item, ctx);
    }
    ctx.depth--;
    if (ctx.pretty && count > 0) newline(ctx);
    out.push("}");
    return;
  }
  const obj = v as { readonly [key: string]: unknown };
  const keys = ctx.sortKeys ? Object.keys(obj).sort() : Object.keys(obj);
  out.push("{");
  let first = true;
  ctx.depth++;
  for (const key of keys) {
    const item = obj[key];
    if (item === null || item === undefined) continue;
    if (!first) out.push(",");
    first = false;
    if (ctx.pretty) newline(ctx);
    out.push(quote(key), ":");
    write(item, ctx);
  }
  ctx.depth--;
  if (ctx.pretty && !first) newline(ctx);
  out.push("}");
}

function newline(ctx: WriteContext): void {
  ctx.out.push("\n", "\t".repeat(ctx.depth));
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return Object.is(n, -0) ? "0" : String(n);
  if (!Number.isFinite(n)) return "null"; // fastjson writes NaN/Infinity as null
  return javaDoubleToString(n);
}

// fastjson escapes: short forms for \b \t \n \f \r \" \\, \u00XX for the other controls and DEL.
// Non-ASCII is written raw; '/' is not escaped.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f]/;
const SHORT_ESCAPES: Record<string, string> = {
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
  '"': '\\"',
  "\\": "\\\\",
};

/** A string as fastjson writes it, with surrounding double quotes. */
export function quoteJavaString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

function quoteAscii(s: string): string {
  const quoted = quoteJavaString(s);
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0000-\u007f]/.test(quoted)) return quoted;
  let out = "";
  for (let i = 0; i < quoted.length; i++) {
    const code = quoted.charCodeAt(i);
    out += code < 0x80 ? quoted[i] : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
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
