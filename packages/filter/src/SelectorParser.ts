/**
 * The 4.9.8 message-selector grammar (a subset of JMS selectors) on chevrotain: tokens, precedence
 * OR < AND < (=, <>, IS [NOT] NULL) < (>, >=, <, <=, [NOT] BETWEEN, [NOT] IN) < unary (+, -, NOT)
 * < primary, and Java's construction-time checks. Like the JavaCC parser it stops after the
 * expression: trailing input is ignored unless the next token continues an expression.
 */
import { createToken, EmbeddedActionsParser, Lexer, type IToken, type TokenType } from "chevrotain";
import {
  BooleanCastExpression,
  ComparisonExpression,
  ConstantExpression,
  InExpression,
  IsNullExpression,
  LogicExpression,
  NegateExpression,
  NotExpression,
  PropertyExpression,
  type ComparisonOp,
  type Expression,
} from "./Expression.js";
import { compareValues, decimalConstant, javaDoubleString, JavaException, type JavaValue } from "./values.js";

const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\n\r\f]+/, group: Lexer.SKIPPED });
/**
 * Comments are matched by hand: a regular expression would rescan to the end of the input for every
 * "--" or "/*" that has no line break / "*\/" after it (quadratic on hostile selectors). Once a
 * search failed from some position it fails from every later one, so that position is remembered
 * for the current input (reset by parseSelector).
 */
let noLineBreakFrom = Number.POSITIVE_INFINITY;
let noCommentEndFrom = Number.POSITIVE_INFINITY;
const matched = (text: string): RegExpExecArray => [text] as unknown as RegExpExecArray;

function matchLineComment(text: string, offset: number): RegExpExecArray | null {
  // a line comment needs its line break (without one, "--5" is two minus signs and 5)
  if (text.charCodeAt(offset) !== 45 || text.charCodeAt(offset + 1) !== 45 || offset >= noLineBreakFrom) return null;
  const n = text.indexOf("\n", offset + 2);
  const r = text.indexOf("\r", offset + 2);
  if (n < 0 && r < 0) {
    noLineBreakFrom = offset;
    return null;
  }
  let stop = n < 0 ? r : r < 0 ? n : Math.min(n, r);
  if (text.charCodeAt(stop) === 13 && text.charCodeAt(stop + 1) === 10) stop++;
  return matched(text.slice(offset, stop + 1));
}

function matchBlockComment(text: string, offset: number): RegExpExecArray | null {
  if (text.charCodeAt(offset) !== 47 || text.charCodeAt(offset + 1) !== 42 || offset >= noCommentEndFrom) return null;
  const end = text.indexOf("*/", offset + 2);
  if (end < 0) {
    noCommentEndFrom = offset;
    return null;
  }
  return matched(text.slice(offset, end + 2));
}

const BlockComment = createToken({
  name: "BlockComment",
  pattern: { exec: matchBlockComment },
  line_breaks: true,
  group: Lexer.SKIPPED,
});
const LineComment = createToken({
  name: "LineComment",
  pattern: { exec: matchLineComment },
  line_breaks: true,
  group: Lexer.SKIPPED,
});
const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_$][A-Za-z0-9_$]*/ });
const keyword = (name: string): TokenType =>
  createToken({ name, pattern: new RegExp(name, "i"), longer_alt: Identifier });
const Not = keyword("NOT");
const And = keyword("AND");
const Or = keyword("OR");
const Between = keyword("BETWEEN");
const In = keyword("IN");
const True = keyword("TRUE");
const False = keyword("FALSE");
const Null = keyword("NULL");
const Is = keyword("IS");
const FloatLiteral = createToken({
  name: "FloatLiteral",
  pattern: /[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+/,
});
const DecimalLiteral = createToken({ name: "DecimalLiteral", pattern: /(?:0|[1-9][0-9]*)[lL]?/ });
const StringLiteral = createToken({ name: "StringLiteral", pattern: /'(?:[^']|'')*'/ });
const NotEqual = createToken({ name: "NotEqual", pattern: /<>/ });
const GreaterEqual = createToken({ name: "GreaterEqual", pattern: />=/ });
const LessEqual = createToken({ name: "LessEqual", pattern: /<=/ });
const Equal = createToken({ name: "Equal", pattern: /=/ });
const Greater = createToken({ name: "Greater", pattern: />/ });
const Less = createToken({ name: "Less", pattern: /</ });
const LParen = createToken({ name: "LParen", pattern: /\(/ });
const RParen = createToken({ name: "RParen", pattern: /\)/ });
const Comma = createToken({ name: "Comma", pattern: /,/ });
const Plus = createToken({ name: "Plus", pattern: /\+/ });
const Minus = createToken({ name: "Minus", pattern: /-/ });

const allTokens = [
  WhiteSpace,
  BlockComment,
  LineComment,
  Not,
  And,
  Or,
  Between,
  In,
  True,
  False,
  Null,
  Is,
  Identifier,
  FloatLiteral,
  DecimalLiteral,
  StringLiteral,
  NotEqual,
  GreaterEqual,
  LessEqual,
  Equal,
  Greater,
  Less,
  LParen,
  RParen,
  Comma,
  Plus,
  Minus,
];

/** Tokens that continue an expression: the JavaCC parser goes on (and fails) when one follows it. */
const CONTINUATIONS = new Set<TokenType>([
  And,
  Or,
  Not,
  Is,
  Equal,
  NotEqual,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  Between,
  In,
]);

const SelectorLexer = new Lexer(allTokens, { ensureOptimizations: false, positionTracking: "full" });

/** A ParseException of the Java parser. */
export class SelectorParseException extends JavaException {
  constructor(message: string) {
    super("org.apache.rocketmq.filter.parser.ParseException", message);
  }
}

const runtime = (message: string): JavaException => new JavaException("java.lang.RuntimeException", message);

/** Where a condition is needed: boolean expressions as they are, a property cast, anything else refused. */
function asBoolean(e: Expression): Expression {
  if (e.isBoolean) return e;
  if (e instanceof PropertyExpression) return new BooleanCastExpression(e);
  throw new SelectorParseException(`Expression will not result in a boolean value: ${e.toString()}`);
}

/** Operands of >, >=, <, <=: numeric constants only, no conditions. */
function checkLessThanOperand(e: Expression): void {
  if (e instanceof ConstantExpression) {
    if (e.value !== null && (e.value.type === "Integer" || e.value.type === "Long" || e.value.type === "Double"))
      return;
    throw runtime(`Value '${e.toString()}' cannot be compared.`);
  }
  if (e.isBoolean) throw runtime(`Value '${e.toString()}' cannot be compared.`);
}

function compare(op: Exclude<ComparisonOp, "=">, l: Expression, r: Expression): Expression {
  checkLessThanOperand(l);
  checkLessThanOperand(r);
  return new ComparisonExpression(op, l, r);
}

function equal(l: Expression, r: Expression): Expression {
  for (const e of [l, r])
    if (e instanceof ConstantExpression && e.value === null) throw runtime(`'${e.toString()}' cannot be compared.`);
  if (l instanceof ConstantExpression && r instanceof ConstantExpression && l.isBoolean && !r.isBoolean)
    throw runtime(`'${l.toString()}' cannot be compared with '${r.toString()}'`);
  return new ComparisonExpression("=", l, r);
}

/** Java's String.valueOf of a constant's raw value (the BETWEEN message prints them so). */
function rawString(v: JavaValue): string {
  if (v === null) return "null";
  if (v.type === "Double") return javaDoubleString(v.value);
  return String(v.value);
}

function between(value: Expression, low: Expression, high: Expression): Expression {
  if (low instanceof ConstantExpression && high instanceof ConstantExpression) {
    if (low.value === null || high.value === null) throw runtime("Illegal values of between, values can not be null!");
    if (compareValues(high.value, low.value) < 0)
      throw runtime(
        `Illegal values of between, left value(${rawString(low.value)}) must less than or equal to right value(${rawString(high.value)})`,
      );
  }
  return new LogicExpression("AND", compare(">=", value, low), compare("<=", value, high));
}

function inList(left: Expression, values: string[], not: boolean): Expression {
  if (!(left instanceof PropertyExpression))
    throw runtime(`Expected a property for In expression, got: ${left.toString()}`);
  return new InExpression(left, values, not);
}

function floatConstant(text: string): ConstantExpression {
  const v = Number(text);
  if (v > Number.MAX_VALUE) throw runtime(`${text} is greater than 1.7976931348623157E308`);
  if (v < Number.MIN_VALUE) throw runtime(`${text} is less than 4.9E-324`);
  return new ConstantExpression({ type: "Double", value: v });
}

const unquote = (image: string): string => image.slice(1, -1).replace(/''/g, "'");

class Parser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  /** The token after what was parsed (EOF when all was consumed). */
  nextToken(): IToken {
    return this.LA(1);
  }

  orExpression = this.RULE("orExpression", (): Expression => {
    let left = this.SUBRULE(this.andExpression);
    this.MANY(() => {
      this.CONSUME(Or);
      const right = this.SUBRULE2(this.andExpression);
      left = this.ACTION(() => new LogicExpression("OR", asBoolean(left), asBoolean(right)));
    });
    return left;
  });

  andExpression = this.RULE("andExpression", (): Expression => {
    let left = this.SUBRULE(this.equalityExpression);
    this.MANY(() => {
      this.CONSUME(And);
      const right = this.SUBRULE2(this.equalityExpression);
      left = this.ACTION(() => new LogicExpression("AND", asBoolean(left), asBoolean(right)));
    });
    return left;
  });

  equalityExpression = this.RULE("equalityExpression", (): Expression => {
    let left = this.SUBRULE(this.comparisonExpression);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Equal);
            const right = this.SUBRULE2(this.comparisonExpression);
            left = this.ACTION(() => equal(left, right));
          },
        },
        {
          ALT: () => {
            this.CONSUME(NotEqual);
            const right = this.SUBRULE3(this.comparisonExpression);
            left = this.ACTION(() => new NotExpression(equal(left, right)));
          },
        },
        {
          ALT: () => {
            this.CONSUME(Is);
            const not = this.OPTION(() => this.CONSUME(Not)) !== undefined;
            this.CONSUME(Null);
            left = this.ACTION(() => new IsNullExpression(left, not));
          },
        },
      ]);
    });
    return left;
  });

  comparisonExpression = this.RULE("comparisonExpression", (): Expression => {
    let left = this.SUBRULE(this.unaryExpr);
    const op = (tok: TokenType, symbol: Exclude<ComparisonOp, "=">, idx: 1 | 2 | 3 | 4) => ({
      ALT: () => {
        this.CONSUME(tok);
        const right =
          idx === 1
            ? this.SUBRULE1(this.unaryExpr)
            : idx === 2
              ? this.SUBRULE2(this.unaryExpr)
              : idx === 3
                ? this.SUBRULE3(this.unaryExpr)
                : this.SUBRULE4(this.unaryExpr);
        left = this.ACTION(() => compare(symbol, left, right));
      },
    });
    this.MANY(() => {
      this.OR([
        op(Greater, ">", 1),
        op(GreaterEqual, ">=", 2),
        op(Less, "<", 3),
        op(LessEqual, "<=", 4),
        {
          ALT: () => {
            const not = this.OPTION2(() => this.CONSUME(Not)) !== undefined;
            this.CONSUME(Between);
            const low = this.SUBRULE5(this.unaryExpr);
            this.CONSUME(And);
            const high = this.SUBRULE6(this.unaryExpr);
            left = this.ACTION(() =>
              not
                ? new LogicExpression("OR", compare("<", left, low), compare(">", left, high))
                : between(left, low, high),
            );
          },
        },
        {
          ALT: () => {
            const not = this.OPTION3(() => this.CONSUME2(Not)) !== undefined;
            this.CONSUME(In);
            this.CONSUME(LParen);
            const values: string[] = [];
            values.push(unquote(this.CONSUME(StringLiteral).image));
            this.MANY2(() => {
              this.CONSUME(Comma);
              values.push(unquote(this.CONSUME2(StringLiteral).image));
            });
            this.CONSUME(RParen);
            left = this.ACTION(() => inList(left, values, not));
          },
        },
      ]);
    });
    return left;
  });

  unaryExpr = this.RULE("unaryExpr", (): Expression => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(Plus);
          return this.SUBRULE(this.unaryExpr);
        },
      },
      {
        ALT: () => {
          this.CONSUME(Minus);
          const right = this.SUBRULE2(this.unaryExpr);
          return this.ACTION(() => negateExpression(right));
        },
      },
      {
        ALT: () => {
          this.CONSUME(Not);
          const right = this.SUBRULE3(this.unaryExpr);
          return this.ACTION(() => new NotExpression(asBoolean(right)));
        },
      },
      { ALT: () => this.SUBRULE(this.primaryExpr) },
    ]);
  });

  primaryExpr = this.RULE("primaryExpr", (): Expression => {
    return this.OR([
      { ALT: () => new ConstantExpression({ type: "String", value: unquote(this.CONSUME(StringLiteral).image) }) },
      {
        ALT: () => {
          const t = this.CONSUME(DecimalLiteral);
          return this.ACTION(() => new ConstantExpression(decimalConstant(t.image)));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(FloatLiteral);
          return this.ACTION(() => floatConstant(t.image));
        },
      },
      { ALT: () => (this.CONSUME(True), new ConstantExpression({ type: "Boolean", value: true })) },
      { ALT: () => (this.CONSUME(False), new ConstantExpression({ type: "Boolean", value: false })) },
      { ALT: () => (this.CONSUME(Null), new ConstantExpression(null)) },
      { ALT: () => new PropertyExpression(this.CONSUME(Identifier).image) },
      {
        ALT: () => {
          this.CONSUME(LParen);
          const inner = this.SUBRULE(this.orExpression);
          this.CONSUME(RParen);
          return inner;
        },
      },
    ]);
  });
}

/** Unary minus folds into number constants (Java's createNegate), else negates at run time. */
function negateExpression(right: Expression): Expression {
  if (
    right instanceof ConstantExpression &&
    right.value !== null &&
    right.value.type !== "String" &&
    right.value.type !== "Boolean"
  ) {
    const v = right.value;
    if (v.type === "Integer") return new ConstantExpression({ type: "Integer", value: v.value === 0 ? 0 : -v.value });
    if (v.type === "Long") return new ConstantExpression({ type: "Long", value: -v.value });
    return new ConstantExpression({ type: "Double", value: -v.value });
  }
  return new NegateExpression(right);
}

const parser = new Parser();

/** Parse a selector into a condition; throws a JavaException (ParseException / RuntimeException / TokenMgrError). */
export function parseSelector(text: string): Expression {
  noLineBreakFrom = Number.POSITIVE_INFINITY;
  noCommentEndFrom = Number.POSITIVE_INFINITY;
  const lexed = SelectorLexer.tokenize(text);
  const lexError = lexed.errors[0];
  // the JavaCC lexer works on demand: tokens past a bad character are never produced
  parser.input = lexError ? lexed.tokens.filter((t) => t.startOffset < lexError.offset) : lexed.tokens;
  const expression = parser.orExpression();
  const syntax = parser.errors[0];
  // chevrotain reports leftover input; the JavaCC parser just stops there (see below)
  const leftover = syntax?.name === "NotAllInputParsedException" ? syntax.token : null;
  if (syntax && !leftover) {
    const t = syntax.token;
    if (t.tokenType.name === "EOF" && lexError) throw lexicalError(lexError);
    throw new SelectorParseException(
      t.tokenType.name === "EOF"
        ? 'Encountered "<EOF>".'
        : `Encountered " ${t.image} " at line ${t.startLine ?? 1}, column ${t.startColumn ?? 1}.`,
    );
  }
  const next = leftover ?? parser.nextToken();
  // JavaCC looks at the next token: a character no token matches fails the lexer there
  if (next.tokenType.name === "EOF" && lexError) throw lexicalError(lexError);
  if (CONTINUATIONS.has(next.tokenType))
    throw new SelectorParseException(
      `Encountered " ${next.image} " at line ${next.startLine ?? 1}, column ${next.startColumn ?? 1}.`,
    );
  return asBoolean(expression);
}

function lexicalError(e: {
  line?: number | undefined;
  column?: number | undefined;
  offset: number;
  length: number;
}): JavaException {
  return new JavaException(
    "org.apache.rocketmq.filter.parser.TokenMgrError",
    `Lexical error at line ${e.line ?? 1}, column ${e.column ?? 1}.`,
  );
}
