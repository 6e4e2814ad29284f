/**
 * The fastjson writer: values of the model in fastjson.ts written as RocketMQ's Java side writes
 * them (bare numeric map keys, object keys, beans in alphabetical order without nulls, Java's
 * double and string formatting). The parser and the value model are in fastjson.ts.
 */
import { JsonDouble, javaDoubleToString } from "./JsonDouble.js";
import type { JsonPrimitive } from "./fastjson.js";

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
