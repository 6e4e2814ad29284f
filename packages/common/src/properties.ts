/**
 * `java.util.Properties` text format: `key=value`, `key:value` or `key value`; `#`/`!` comments;
 * backslash escapes (`\t \n \r \f \uXXXX`, `\x` → x) and line continuations; whitespace around the
 * key and before the value is dropped, trailing whitespace of the value is kept (as Java does).
 * Files are read as ISO-8859-1, like `Properties.load(InputStream)`.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = stripLeading(lines[i] as string);
    if (line === "" || line[0] === "#" || line[0] === "!") continue;
    // join continuation lines: an odd number of trailing backslashes continues the line
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + stripLeading(lines[++i] as string);
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1);
    const { key, rest } = splitKey(line);
    out.set(unescape(key), unescape(rest));
  }
  return out;
}

function stripLeading(s: string): string {
  return s.replace(/^[ \t\f]+/, "");
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

function splitKey(line: string): { key: string; rest: string } {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === "=" || c === ":" || c === " " || c === "\t" || c === "\f") break;
    i++;
  }
  const key = line.slice(0, i);
  let j = i;
  while (j < line.length && (line[j] === " " || line[j] === "\t" || line[j] === "\f")) j++;
  if (j < line.length && (line[j] === "=" || line[j] === ":")) j++;
  while (j < line.length && (line[j] === " " || line[j] === "\t" || line[j] === "\f")) j++;
  return { key, rest: line.slice(j) };
}

function unescape(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== "\\" || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i] as string;
    if (e === "t") out += "\t";
    else if (e === "n") out += "\n";
    else if (e === "r") out += "\r";
    else if (e === "f") out += "\f";
    else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += e;
  }
  return out;
}

/** Java's `Properties.load(InputStream)` decoding: bytes as ISO-8859-1. */
export function parsePropertiesFile(bytes: Buffer): Map<string, string> {
  return parseProperties(bytes.toString("latin1"));
}

/** `key=value` lines, as RocketMQ's `MixAll.properties2String` writes them (no escaping). */
export function propertiesToString(props: Iterable<[string, string]>): string {
  let out = "";
  for (const [k, v] of props) out += `${k}=${v}\n`;
  return out;
}
