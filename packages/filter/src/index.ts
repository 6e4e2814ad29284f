export * from "./values.js";
export * from "./Expression.js";
export { parseSelector, SelectorParseException } from "./SelectorParser.js";
export * from "./SqlFilter.js";
