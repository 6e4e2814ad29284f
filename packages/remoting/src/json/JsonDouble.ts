/**
 * Marks a number that Java holds as `double`, so the writer prints it the way Java's
 * `Double.toString` does (`0.0`, `1.5`, `1.0E7`) instead of as an integer.
 */
export class JsonDouble {
  constructor(readonly value: number) {}
  toString(): string {
    return javaDoubleToString(this.value);
  }
}

export function jdouble(value: number): JsonDouble {
  return new JsonDouble(value);
}

/** `Double.toString` of Java: plain notation for 1e-3 <= |d| < 1e7, otherwise `d.dddE±n`. */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return "NaN";
  if (d === Infinity) return "Infinity";
  if (d === -Infinity) return "-Infinity";
  if (d === 0) return Object.is(d, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d); // shortest round-trip digits, never exponential in this range
    return s.includes(".") ? s : `${s}.0`;
  }
  // toExponential() without argument gives the shortest digits that round-trip.
  const [mantissa = "", exp = "0"] = d.toExponential().split("e");
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exp)}`;
}
