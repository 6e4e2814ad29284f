/**
 * Compiling a SQL92 subscription as the broker's FilterFactory does: parse once per expression
 * text (successes and failures cached, 100 entries), errors as MQFilterException whose message is
 * the Java cause's toString() — what CHECK_CLIENT_CONFIG returns as its remark.
 */
import { matches, type EvaluationContext, type Expression } from "./Expression.js";
import { parseSelector } from "./SelectorParser.js";
import { JavaException } from "./values.js";

export const ExpressionType = {
  SQL92: "SQL92",
  TAG: "TAG",
} as const;

/** Java's ExpressionType.isTagType: null, empty or TAG. */
export function isTagType(type: string | null | undefined): boolean {
  return type === null || type === undefined || type === "" || type === ExpressionType.TAG;
}

export class MQFilterException extends Error {
  constructor(override readonly cause: JavaException) {
    super(cause.toString());
    this.name = "MQFilterException";
  }
}

export interface CompiledSelector {
  readonly expression: string;
  readonly tree: Expression;
  /** Matched only when the selector evaluates to TRUE; a failing evaluation does not match. */
  matches(properties: EvaluationContext): boolean;
}

const CACHE_SIZE = 100;
const cache = new Map<string, CompiledSelector | MQFilterException>();

/** Compile a SQL92 selector; throws MQFilterException for an invalid one. */
export function compileSql92(expression: string): CompiledSelector {
  let entry = cache.get(expression);
  if (entry === undefined) {
    try {
      const tree = parseSelector(expression);
      entry = { expression, tree, matches: (props) => matches(tree, props) };
    } catch (err) {
      const cause =
        err instanceof JavaException ? err : new JavaException("java.lang.RuntimeException", (err as Error).message);
      entry = new MQFilterException(cause);
    }
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(expression, entry);
  } else {
    // LRU: most recently used last
    cache.delete(expression);
    cache.set(expression, entry);
  }
  if (entry instanceof MQFilterException) throw entry;
  return entry;
}
