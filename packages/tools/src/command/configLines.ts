import { javaFormat } from "../format.js";
import type { Out } from "./SubCommand.js";

/** A server's `key=value` configuration lines under a `====heading====` line, as getBrokerConfig and getNamesrvConfig print them. */
export function printConfig(out: Out, heading: string, text: string): void {
  out(`============${heading}============\n`);
  for (const line of text.split("\n").filter(Boolean)) {
    const i = line.indexOf("=");
    out(javaFormat("%-50s=  %s%n", line.slice(0, i), line.slice(i + 1)));
  }
}
