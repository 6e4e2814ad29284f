/**
 * The selector's expression tree with 4.9.8's evaluation rules: three-valued AND/OR/NOT with
 * short-circuits, asymmetric null equality, String ↔ number conversions that throw on bad input,
 * IN over strings only, IS [NOT] NULL. Construction-time checks are in `SelectorParser`.
 */
import {
  bool,
  compareValues,
  FALSE,
  isNumber,
  javaEquals,
  negate,
  parseJavaDouble,
  TRUE,
  valueToString,
  type JavaValue,
} from "./values.js";

/** Message properties as the broker decoded them (name → value). */
export type EvaluationContext = ReadonlyMap<string, string>;

export interface Expression {
  /** Results in a Boolean (or null) — allowed where a condition is expected. */
  readonly isBoolean: boolean;
  evaluate(ctx: EvaluationContext): JavaValue;
  toString(): string;
}

export class ConstantExpression implements Expression {
  constructor(readonly value: JavaValue) {}
  /** TRUE, FALSE and NULL are boolean constants (ActiveMQ's BooleanConstantExpression). */
  get isBoolean(): boolean {
    return this.value === null || this.value.type === "Boolean";
  }
  evaluate(): JavaValue {
    return this.value;
  }
  toString(): string {
    return valueToString(this.value);
  }
}

export class PropertyExpression implements Expression {
  readonly isBoolean = false;
  constructor(readonly name: string) {}
  evaluate(ctx: EvaluationContext): JavaValue {
    const v = ctx.get(this.name);
    return v === undefined ? null : { type: "String", value: v };
  }
  toString(): string {
    return this.name;
  }
}

/** A property used as a condition: null stays null, any value is FALSE (it is never a Boolean). */
export class BooleanCastExpression implements Expression {
  readonly isBoolean = true;
  constructor(readonly right: Expression) {}
  evaluate(ctx: EvaluationContext): JavaValue {
    const v = this.right.evaluate(ctx);
    if (v === null) return null;
    return v.type === "Boolean" ? v : FALSE;
  }
  toString(): string {
    return this.right.toString();
  }
}

export class NegateExpression implements Expression {
  readonly isBoolean = false;
  constructor(readonly right: Expression) {}
  evaluate(ctx: EvaluationContext): JavaValue {
    return negate(this.right.evaluate(ctx));
  }
  toString(): string {
    return `(- ${this.right.toString()})`;
  }
}

export class NotExpression implements Expression {
  readonly isBoolean = true;
  constructor(readonly right: Expression) {}
  evaluate(ctx: EvaluationContext): JavaValue {
    const v = this.right.evaluate(ctx);
    if (v === null) return null;
    return bool(!(v.type === "Boolean" && v.value));
  }
  toString(): string {
    return `(NOT ${this.right.toString()})`;
  }
}

export class LogicExpression implements Expression {
  readonly isBoolean = true;
  constructor(
    readonly op: "AND" | "OR",
    readonly left: Expression,
    readonly right: Expression,
  ) {}
  evaluate(ctx: EvaluationContext): JavaValue {
    // AND: FALSE wins, then null; OR: TRUE wins, then null — each side short-circuits in order
    const decisive = this.op === "OR";
    const l = this.left.evaluate(ctx);
    if (l !== null && l.type === "Boolean" && l.value === decisive) return bool(decisive);
    const r = this.right.evaluate(ctx);
    if (r !== null && r.type === "Boolean" && r.value === decisive) return bool(decisive);
    if (l === null || r === null) return null;
    return bool(!decisive);
  }
  toString(): string {
    return `(${this.left.toString()} ${this.op} ${this.right.toString()})`;
  }
}

export type ComparisonOp = "=" | ">" | ">=" | "<" | "<=";

export class ComparisonExpression implements Expression {
  readonly isBoolean = true;
  constructor(
    readonly op: ComparisonOp,
    readonly left: Expression,
    readonly right: Expression,
  ) {}

  evaluate(ctx: EvaluationContext): JavaValue {
    const l = this.left.evaluate(ctx);
    if (this.op === "=") {
      const r = this.right.evaluate(ctx);
      if (l === null) return r === null ? TRUE : null;
      if (r === null) return FALSE;
      if (javaEquals(l, r)) return TRUE;
      return bool(compareValues(l, r) === 0);
    }
    if (l === null) return null;
    const r = this.right.evaluate(ctx);
    if (r === null) return null;
    let c: number;
    if (l.type === "String" && r.type === "String") {
      let ld: number;
      let rd: number;
      try {
        ld = parseJavaDouble(l.value);
        rd = parseJavaDouble(r.value);
      } catch {
        throw new Error(`It's illegal to compare string by '>=', '>', '<', '<='. lv=${l.value}, rv=${r.value}`);
      }
      c = compareValues({ type: "Double", value: ld }, { type: "Double", value: rd });
    } else c = compareValues(l, r);
    switch (this.op) {
      case ">":
        return bool(c > 0);
      case ">=":
        return bool(c >= 0);
      case "<":
        return bool(c < 0);
      default:
        return bool(c <= 0);
    }
  }

  toString(): string {
    return `(${this.left.toString()} ${this.op} ${this.right.toString()})`;
  }
}

export class IsNullExpression implements Expression {
  readonly isBoolean = true;
  constructor(
    readonly right: Expression,
    readonly not: boolean,
  ) {}
  evaluate(ctx: EvaluationContext): JavaValue {
    return bool((this.right.evaluate(ctx) === null) !== this.not);
  }
  toString(): string {
    return `(${this.right.toString()} IS ${this.not ? "NOT " : ""}NULL)`;
  }
}

export class InExpression implements Expression {
  readonly isBoolean = true;
  private readonly set: ReadonlySet<string>;
  constructor(
    readonly right: PropertyExpression,
    readonly values: readonly string[],
    readonly not: boolean,
  ) {
    this.set = new Set(values);
  }
  evaluate(ctx: EvaluationContext): JavaValue {
    const v = this.right.evaluate(ctx);
    if (v === null || v.type !== "String") return null;
    return bool(this.set.has(v.value) !== this.not);
  }
  toString(): string {
    const list = this.values.map((s) => `'${s.replace(/'/g, "''")}'`).join(", ");
    return `${this.right.toString()} ${this.not ? "NOT IN" : "IN"} (${list})`;
  }
}

/** The top-level result as the broker uses it: matched only on Boolean TRUE; errors do not match. */
export function matches(expression: Expression, ctx: EvaluationContext): boolean {
  try {
    const v = expression.evaluate(ctx);
    return v !== null && v.type === "Boolean" && v.value;
  } catch {
    return false;
  }
}

export { isNumber };
