/**
 * The 4.9.8 selector's behaviour, case by case (results established by running the Java 4.9.8
 * parser/evaluator on the same inputs): what compiles, the error texts, and what matches.
 */
import { describe, expect, it } from "vitest";
import { compileSql92, MQFilterException } from "@rocketmq-ts/filter";

const props = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));
const run = (expr: string, p: Record<string, string>): boolean => compileSql92(expr).matches(props(p));
const error = (expr: string): string => {
  try {
    compileSql92(expr);
  } catch (e) {
    expect(e).toBeInstanceOf(MQFilterException);
    return (e as Error).message;
  }
  throw new Error(`${expr} compiled`);
};

describe("grammar", () => {
  it("keywords are case-insensitive, identifiers case-sensitive and may contain $ and _", () => {
    expect(run("a = 1 and B is null", { a: "1" })).toBe(true);
    expect(run("$x_1 = 'v'", { $x_1: "v" })).toBe(true);
    expect(run("A = 1", { a: "1" })).toBe(false);
    expect(run("ANDY = 1", { ANDY: "1" })).toBe(true);
  });

  it("string literals quote with '' and numbers follow Java's literal forms", () => {
    expect(run("a = 'it''s'", { a: "it's" })).toBe(true);
    expect(run("a = 5L", { a: "5" })).toBe(true);
    expect(run("a = 1.5e1", { a: "15" })).toBe(true);
    expect(run("a = .5", { a: "0.5" })).toBe(true);
    expect(run("a > -2147483648", { a: "0" })).toBe(true);
    expect(error("a = 9223372036854775808")).toMatch(/NumberFormatException/);
    expect(error("a > 0.0")).toBe("java.lang.RuntimeException: 0.0 is less than 4.9E-324");
    expect(error("a > 1e400")).toBe("java.lang.RuntimeException: 1e400 is greater than 1.7976931348623157E308");
  });

  it("comments: block comments, and -- only when a line break follows", () => {
    expect(run("a = 1 /* c */ AND b = 2", { a: "1", b: "2" })).toBe(true);
    expect(run("a = 1 -- c\nAND b = 2", { a: "1", b: "2" })).toBe(true);
  });

  it("refuses what 4.9.8 refuses, with its messages", () => {
    expect(error("NOT a > 1")).toBe("java.lang.RuntimeException: Value '(NOT a)' cannot be compared.");
    expect(error("'abc' > a")).toBe("java.lang.RuntimeException: Value ''abc'' cannot be compared.");
    expect(error("a = NULL")).toBe("java.lang.RuntimeException: 'NULL' cannot be compared.");
    expect(error("TRUE = 1")).toBe("java.lang.RuntimeException: 'TRUE' cannot be compared with '1'");
    expect(error("a BETWEEN NULL AND 2")).toBe(
      "java.lang.RuntimeException: Illegal values of between, values can not be null!",
    );
    expect(error("a BETWEEN 3 AND 1")).toBe(
      "java.lang.RuntimeException: Illegal values of between, left value(3) must less than or equal to right value(1)",
    );
    expect(error("1")).toBe(
      "org.apache.rocketmq.filter.parser.ParseException: Expression will not result in a boolean value: 1",
    );
    expect(error("-a")).toMatch(/Expression will not result in a boolean value/);
    expect(error("'a' IN ('x')")).toBe("java.lang.RuntimeException: Expected a property for In expression, got: 'a'");
    for (const bad of ["", "(a = 1", "a = 1 AND", "a NOT x", "a == 1", "a != 1", 'a = "x"'])
      expect(() => compileSql92(bad)).toThrow(MQFilterException);
  });

  it("stops after the expression as the JavaCC parser does", () => {
    expect(run("a = 1 b = 2", { a: "1" })).toBe(true);
    expect(run("a = 1)", { a: "1" })).toBe(true);
    expect(run("a = 1 - 2", { a: "1" })).toBe(true);
    expect(run("a = 1 x !!", { a: "1" })).toBe(true);
    expect(run("a LIKE 'x%'", { a: "x1" })).toBe(false); // no LIKE in 4.9.8: parsed as the condition "a"
    expect(error("a = 1 !!")).toMatch(/TokenMgrError/);
  });
});

describe("evaluation", () => {
  it("compares a String property with a number by converting it to the constant's type", () => {
    expect(run("a > 5", { a: "10" })).toBe(true);
    expect(run("a = 5", { a: "05" })).toBe(true);
    expect(run("a = 5.0", { a: "5" })).toBe(true);
    expect(run("a > 5.0", { a: " 6 " })).toBe(true); // Double.valueOf trims
    expect(run("a > 5", { a: "10.5" })).toBe(false); // Integer.valueOf throws: no match
    expect(run("a > 5", { a: "abc" })).toBe(false);
    expect(run("a = 5", { a: "5.0" })).toBe(false);
    expect(run("a > 3000000000", { a: "3000000001" })).toBe(true); // Long constant
  });

  it("two properties compare as doubles for <, >; as strings for =", () => {
    expect(run("a < b", { a: "9", b: "10" })).toBe(true);
    expect(run("a = b", { a: "5", b: "5.0" })).toBe(false);
    expect(run("a < b", { a: "x", b: "10" })).toBe(false);
  });

  it("null handling: three-valued logic, asymmetric equality, IS NULL, IN", () => {
    expect(run("a = b", {})).toBe(true);
    expect(run("NOT (a = b)", { b: "1" })).toBe(false); // null
    expect(run("NOT (a = b)", { a: "1" })).toBe(true); // FALSE
    expect(run("a > 1 OR b = 'x'", { b: "x" })).toBe(true);
    expect(run("a > 1 AND b = 'x'", { b: "x" })).toBe(false);
    expect(run("NOT (a > 1)", {})).toBe(false);
    expect(run("a IN ('x')", {})).toBe(false);
    expect(run("a NOT IN ('x')", {})).toBe(false);
    expect(run("a NOT IN ('x')", { a: "y" })).toBe(true);
    expect(run("a IS NOT NULL", { a: "" })).toBe(true);
  });

  it("a property as a condition is never TRUE; NOT of it is TRUE when present", () => {
    expect(run("a", { a: "true" })).toBe(false);
    expect(run("NOT a", { a: "x" })).toBe(true);
    expect(run("NOT a", {})).toBe(false);
  });

  it("BETWEEN / NOT BETWEEN and errors that stop or short-circuit", () => {
    expect(run("a BETWEEN 1 AND 3", { a: "3" })).toBe(true);
    expect(run("a NOT BETWEEN 1 AND 3", { a: "4" })).toBe(true);
    expect(run("a BETWEEN 1 AND 2.5", { a: "2.2" })).toBe(false); // 2.2 >= 1 parses "2.2" as Integer: throws
    expect(run("a = 1 OR b > 1", { a: "1", b: "zz" })).toBe(true);
    expect(run("b > 1 OR a = 1", { a: "1", b: "zz" })).toBe(false);
    expect(run("NOT a = 'x'", { a: "y" })).toBe(false); // Boolean vs String: ClassCastException
  });
});
