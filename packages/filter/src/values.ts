/**
 * Java's value model of the 4.9.8 selector: Integer / Long / Double / String / Boolean / null, and
 * the comparison rules between them (ComparisonExpression's conversions, Java's valueOf parsers).
 */

export type JavaValue =
  | { readonly type: "Integer"; readonly value: number }
  | { readonly type: "Long"; readonly value: bigint }
  | { readonly type: "Double"; readonly value: number }
  | { readonly type: "String"; readonly value: string }
  | { readonly type: "Boolean"; readonly value: boolean }
  | null;

export type NumberValue = Extract<JavaValue, { type: "Integer" | "Long" | "Double" }>;

export const TRUE: JavaValue = { type: "Boolean", value: true };
export const FALSE: JavaValue = { type: "Boolean", value: false };
export const bool = (b: boolean): JavaValue => (b ? TRUE : FALSE);

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A Java exception raised while evaluating (the message never matches). */
export class JavaException extends Error {
  constructor(
    readonly javaClass: string,
    message: string,
  ) {
    super(message);
    this.name = javaClass;
  }

  /** Throwable.toString(): class name, then ": message" when there is one. */
  override toString(): string {
    return this.message ? `${this.javaClass}: ${this.message}` : this.javaClass;
  }
}

const numberFormat = (s: string): JavaException =>
  new JavaException("java.lang.NumberFormatException", `For input string: "${s}"`);

export function isNumber(v: JavaValue): v is NumberValue {
  return v !== null && (v.type === "Integer" || v.type === "Long" || v.type === "Double");
}

/** Integer.valueOf / Long.valueOf: optional sign, decimal digits, in range (no whitespace). */
function parseJavaInteger(s: string, min: bigint, max: bigint): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw numberFormat(s);
  const v = BigInt(s);
  if (v < min || v > max) throw numberFormat(s);
  return v;
}

/** Double.valueOf: trims chars ≤ ' ', accepts NaN, Infinity, exponents and an f/F/d/D suffix. */
export function parseJavaDouble(s: string): number {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  const t = s.slice(a, b);
  const m = /^([+-]?)(NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)$/.exec(t);
  if (!m) throw new JavaException("java.lang.NumberFormatException", t ? `For input string: "${t}"` : "empty String");
  const body = (m[2] as string).replace(/[fFdD]$/, "");
  if (body === "NaN") return Number.NaN;
  const v = body === "Infinity" ? Number.POSITIVE_INFINITY : Number(body);
  return m[1] === "-" ? -v : v;
}

/** Double.compareTo: NaN above everything and equal to itself, -0.0 below 0.0. */
export function compareDouble(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  if (a === 0 && b === 0) {
    const na = Object.is(a, -0);
    const nb = Object.is(b, -0);
    return na === nb ? 0 : na ? -1 : 1;
  }
  return 0;
}

const cmp = <T>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

function asDouble(v: NumberValue): number {
  return v.type === "Long" ? Number(v.value) : v.value;
}

/** Java equals(): same class and same value (Double.equals treats NaN as equal to NaN). */
export function javaEquals(a: NonNullable<JavaValue>, b: NonNullable<JavaValue>): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "Double") return compareDouble(a.value, b.value as number) === 0;
  return a.value === b.value;
}

/** Convert a String operand to the type of the other side (Integer / Long / Double / Boolean). */
function convertString(s: string, to: NonNullable<JavaValue>["type"]): NonNullable<JavaValue> | null {
  switch (to) {
    case "Integer":
      return { type: "Integer", value: Number(parseJavaInteger(s, BigInt(INT_MIN), BigInt(INT_MAX))) };
    case "Long":
      return { type: "Long", value: parseJavaInteger(s, LONG_MIN, LONG_MAX) };
    case "Double":
      return { type: "Double", value: parseJavaDouble(s) };
    case "Boolean":
      return { type: "Boolean", value: s.toLowerCase() === "true" };
    default:
      return null;
  }
}

/**
 * 4.9.8's comparison of two non-null values: the same class compares naturally; Integer widens to
 * Long, both to Double; a String converts to the other side's type (a failed parse throws); a
 * Boolean on the left against a String throws (Java's ClassCastException); anything else is -1.
 */
export function compareValues(l: NonNullable<JavaValue>, r: NonNullable<JavaValue>): number {
  if (l.type !== r.type) {
    if (l.type === "Boolean") {
      if (r.type === "String")
        throw new JavaException(
          "java.lang.ClassCastException",
          "class java.lang.Boolean cannot be cast to class java.lang.String",
        );
      return -1;
    }
    if (l.type === "String") {
      const converted = convertString(l.value, r.type);
      return converted ? compareValues(converted, r) : -1;
    }
    if (r.type === "String") {
      const converted = convertString(r.value, l.type);
      return converted ? compareValues(l, converted) : -1;
    }
    if (r.type === "Boolean") return -1;
    // numbers of different classes: Integer → Long, anything with a Double → Double
    if (l.type === "Double" || r.type === "Double") return compareDouble(asDouble(l), asDouble(r));
    return cmp(BigInt(l.value), BigInt(r.value as number | bigint));
  }
  switch (l.type) {
    case "Double":
      return compareDouble(l.value, r.value as number);
    case "Boolean":
      return cmp(Number(l.value), Number(r.value as boolean));
    default:
      return cmp(l.value as number | bigint | string, r.value as number | bigint | string);
  }
}

/** An integer literal: Integer when it fits, else Long; beyond Long it does not parse. */
export function decimalConstant(text: string): NumberValue {
  const digits = text.replace(/[lL]$/, "");
  const v = BigInt(digits);
  if (v > LONG_MAX) throw numberFormat(digits);
  return v <= BigInt(INT_MAX) ? { type: "Integer", value: Number(v) } : { type: "Long", value: v };
}

/** Java's Double.toString for the messages that print constants. */
export function javaDoubleString(d: number): string {
  if (Number.isNaN(d)) return "NaN";
  if (!Number.isFinite(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d === 0) return Object.is(d, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mant = "", exp = "0"] = d.toExponential().split("e");
  const m = mant.includes(".") ? mant : `${mant}.0`;
  return `${m}E${Number(exp)}`;
}

export function valueToString(v: JavaValue): string {
  if (v === null) return "NULL";
  switch (v.type) {
    case "Boolean":
      return v.value ? "TRUE" : "FALSE";
    case "String":
      return `'${v.value.replace(/'/g, "''")}'`;
    case "Double":
      return javaDoubleString(v.value);
    default:
      return String(v.value);
  }
}

/** Unary minus keeps the number's class; anything that is not a number becomes null. */
export function negate(v: JavaValue): JavaValue {
  if (!isNumber(v)) return null;
  switch (v.type) {
    case "Integer":
      return { type: "Integer", value: v.value === 0 ? 0 : -v.value };
    case "Long":
      return { type: "Long", value: -v.value };
    default:
      return { type: "Double", value: -v.value };
  }
}
