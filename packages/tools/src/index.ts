export { runMqadmin } from "./mqadmin.js";
export { commands, type SubCommand } from "./commands.js";
export { javaFormat, formatDate } from "./format.js";
