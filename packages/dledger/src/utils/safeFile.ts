/**
 * DLedger's small-file persistence (its IOUtils): write `<file>.tmp`, copy the current content to
 * `<file>.bak`, then rename the tmp file over the file; and Java properties text as DLedger writes
 * it (`key=value\n`, no header, no escaping).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The file's text, or null when it does not exist. */
export function file2String(path: string): string | null {
  if (!existsSync(path)) return null;
  return readFileSync(path, "utf8");
}

/** Replace the file's content, keeping the previous content in `<path>.bak`. */
export function string2File(text: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, "utf8");
  const previous = file2String(path);
  if (previous !== null) writeFileSync(`${path}.bak`, previous, "utf8");
  rmSync(path, { force: true });
  renameSync(tmp, path);
}

/** `key=value\n` per entry, in the given order. */
export function properties2String(entries: readonly (readonly [string, string])[]): string {
  return entries.map(([k, v]) => `${k}=${v}\n`).join("");
}

/**
 * Parse properties text (java.util.Properties.load for the plain forms DLedger writes): `#`/`!`
 * comments, `key=value` or `key:value`, leading blanks ignored, backslash escapes of the simple kind.
 */
export function string2Properties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n|\r/)) {
    const line = rawLine.replace(/^[ \t\f]+/, "");
    if (line.length === 0 || line.startsWith("#") || line.startsWith("!")) continue;
    const m = /^((?:\\.|[^=:\s\\])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/.exec(line);
    if (!m) continue;
    out.set(unescape(m[1] ?? ""), unescape(m[2] ?? ""));
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r", f: "\f" })[c] ?? c);
}
