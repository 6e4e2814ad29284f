/**
 * Typed command headers. Each header is declared once as a table of fields (the Java field name,
 * its Java type and whether Java marks it @CFNotNull); the same declaration converts to and from
 * extFields and validates required fields.
 *
 * Java semantics kept:
 * - values go on the wire as `String.valueOf` (decimal numbers, `true`/`false`);
 * - `Boolean.parseBoolean`: anything but a case-insensitive "true" is false;
 * - an unparsable number leaves the field at its default (Java logs and carries on);
 * - primitive fields (those with a `default`) are always written.
 * Differences, on purpose: a missing required field is an error (Java logs it and usually fails
 * later with a NullPointerException; both end as SYSTEM_ERROR); `long` is a JS number, written
 * clamped to Java's long range so `Long.MAX_VALUE` sentinels survive a round trip.
 */
import { javaDoubleToString } from "../json/JsonDouble.js";
import { javaHashMapOrder } from "../json/javaHash.js";
import type { ExtFields } from "../protocol/RemotingCommand.js";

export type FieldType = "string" | "int" | "long" | "boolean" | "double";

interface FieldTypeMap {
  string: string;
  int: number;
  long: number;
  boolean: boolean;
  double: number;
}

export interface FieldSpec<T extends FieldType = FieldType> {
  readonly type: T;
  /** Java @CFNotNull: decoding fails when the field is absent. */
  readonly required?: boolean;
  /** Value of a Java primitive when absent; such a field is always present after decoding. */
  readonly default?: FieldTypeMap[T];
}

export type HeaderSpec = Readonly<Record<string, FieldSpec>>;

type RequiredKeys<S extends HeaderSpec> = {
  [K in keyof S]: S[K]["required"] extends true ? K : S[K] extends { default: unknown } ? K : never;
}[keyof S];

/** The decoded object type of a header declaration. */
export type HeaderOf<S extends HeaderSpec> = {
  -readonly [K in RequiredKeys<S>]: FieldTypeMap[S[K]["type"]];
} & {
  -readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: FieldTypeMap[S[K]["type"]];
};

export interface HeaderDefinition<S extends HeaderSpec> {
  readonly name: string;
  readonly fields: S;
}

export function defineHeader<const S extends HeaderSpec>(name: string, fields: S): HeaderDefinition<S> {
  return { name, fields };
}

/** Raised when a header cannot be decoded; the message is the one Java's decoder uses. */
export class HeaderDecodeError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "RemotingCommandException";
  }
}

const INT_RE = /^[+-]?\d+$/;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function parseField(type: FieldType, raw: string): string | number | boolean | undefined {
  switch (type) {
    case "string":
      return raw;
    case "boolean":
      return raw.toLowerCase() === "true";
    case "int": {
      if (!INT_RE.test(raw)) return undefined;
      const n = Number(raw);
      return n >= -0x80000000 && n <= 0x7fffffff ? n : undefined;
    }
    case "long": {
      if (!INT_RE.test(raw)) return undefined;
      // up to 15 digits (and a sign) is below 2^53: exact as a double
      if (raw.length <= 16 && (raw.length <= 15 || raw[0] === "-" || raw[0] === "+")) return Number(raw) + 0; // no -0
      const b = BigInt(raw);
      return b >= LONG_MIN && b <= LONG_MAX ? Number(b) : undefined;
    }
    case "double": {
      // Double.parseDouble trims and accepts a trailing d/D/f/F
      const n = Number(raw.trim().replace(/[dDfF]$/, ""));
      return raw.trim() === "" || Number.isNaN(n) ? undefined : n;
    }
  }
}

function formatField(type: FieldType, value: unknown): string {
  switch (type) {
    case "long": {
      const n = Number(value);
      if (Number.isSafeInteger(n)) return String(n);
      if (n >= 2 ** 63) return LONG_MAX.toString();
      if (n <= -(2 ** 63)) return LONG_MIN.toString();
      return BigInt(Math.trunc(n)).toString();
    }
    case "int":
      return String(Math.trunc(Number(value)));
    case "double":
      return javaDoubleToString(Number(value));
    default:
      return String(value);
  }
}

/** A declaration's fields as a list, and the wire order of each set of fields present (by bit mask). */
interface CompiledHeader {
  readonly names: readonly string[];
  readonly specs: readonly FieldSpec[];
  readonly orders: Map<number, readonly number[]>;
  readonly decode: (ext: ExtFields | null) => Record<string, unknown>;
}

const compiled = new WeakMap<HeaderSpec, CompiledHeader>();

/** The list form of `fields`, computed once per declaration. */
function compile(fields: HeaderSpec): CompiledHeader {
  let c = compiled.get(fields);
  if (!c) {
    c = { names: Object.keys(fields), specs: Object.values(fields), orders: new Map(), decode: compileDecoder(fields) };
    compiled.set(fields, c);
  }
  return c;
}

/** A decoded field that is missing or does not parse: Java's words for it. */
function missingField(field: string, type: FieldType, raw: string | null | undefined): HeaderDecodeError {
  return new HeaderDecodeError(
    field,
    raw === undefined || raw === null
      ? `the custom field <${field}> is null`
      : `the custom field <${field}> is not a valid ${type}: ${raw}`,
  );
}

/**
 * The decoder of one declaration, generated once as straight-line code: a property read with a
 * constant name per field (one shape each, where a loop over names made every read a megamorphic
 * lookup) and an output object built in declaration order (one hidden class per header). Same
 * rules as the loop it replaced: a value that parses is taken, else the field's default, else a
 * required field fails. Field names are our declarations' own, quoted with JSON.stringify.
 * On a SEND_MESSAGE_V2 header: 440 → 180 ns.
 */
function compileDecoder(fields: HeaderSpec): (ext: ExtFields | null) => Record<string, unknown> {
  const lines: string[] = ["const out = {};", "let raw, value;"];
  const defaults: unknown[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    const key = JSON.stringify(name);
    const type = JSON.stringify(spec.type);
    lines.push(`raw = ext === null ? undefined : ext[${key}];`);
    lines.push(
      spec.type === "string"
        ? "value = raw === undefined || raw === null ? undefined : raw;"
        : `value = raw === undefined || raw === null ? undefined : parseField(${type}, raw);`,
    );
    if (spec.default !== undefined) {
      lines.push(`out[${key}] = value !== undefined ? value : defaults[${defaults.length}];`);
      defaults.push(spec.default);
    } else if (spec.required) {
      lines.push(`if (value === undefined) throw missingField(${key}, ${type}, raw);`, `out[${key}] = value;`);
    } else lines.push(`if (value !== undefined) out[${key}] = value;`);
  }
  lines.push("return out;");
  const factory = new Function("parseField", "missingField", "defaults", `return (ext) => {\n${lines.join("\n")}\n};`);
  return factory(parseField, missingField, defaults) as (ext: ExtFields | null) => Record<string, unknown>;
}

/** Decode extFields into a typed header. Throws HeaderDecodeError for a missing required field. */
export function decodeHeader<S extends HeaderSpec>(def: HeaderDefinition<S>, ext: ExtFields | null): HeaderOf<S> {
  return compile(def.fields).decode(ext) as HeaderOf<S>;
}

/**
 * Encode a typed header into extFields, in Java's HashMap iteration order. Undefined fields are
 * left out (Java leaves out nulls); fields with a default are always written.
 */
export function encodeHeader<S extends HeaderSpec>(def: HeaderDefinition<S>, header: HeaderOf<S>): ExtFields {
  return encodePartialHeader(def, header);
}

/**
 * Encode a header of which only some fields are set, as Java does for a response header it fills
 * in part (a failed send answers with the region fields alone): required fields are checked when
 * a header is decoded, never when it is encoded.
 */
export function encodePartialHeader<S extends HeaderSpec>(
  def: HeaderDefinition<S>,
  header: Partial<HeaderOf<S>>,
): ExtFields {
  const { names, specs, orders } = compile(def.fields);
  const source = header as Record<string, unknown>;
  const values: (string | undefined)[] = [];
  let present = 0;
  for (let i = 0; i < names.length; i++) {
    const spec = specs[i] as FieldSpec;
    const value = source[names[i] as string] ?? spec.default;
    if (value === undefined || value === null) continue;
    values[i] = formatField(spec.type, value);
    present |= 1 << i;
  }
  const ordered: ExtFields = {};
  if (names.length > 30) {
    // too many fields for a bit mask (no header has that many): order the names present each time
    const keys = names.filter((_, i) => values[i] !== undefined);
    for (const key of javaHashMapOrder(keys)) ordered[key] = values[names.indexOf(key)] as string;
    return ordered;
  }
  let order = orders.get(present);
  if (!order) {
    const keys = names.filter((_, i) => values[i] !== undefined);
    order = javaHashMapOrder(keys).map((key) => names.indexOf(key));
    orders.set(present, order);
  }
  for (const i of order) ordered[names[i] as string] = values[i] as string;
  return ordered;
}

/** Message of a HeaderDecodeError as Java's `exceptionSimpleDesc` would start it. */
export function javaExceptionDesc(e: HeaderDecodeError): string {
  return `org.apache.rocketmq.remoting.exception.RemotingCommandException: ${e.message}`;
}
