import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  copyFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from "node:fs";
import { dirname } from "node:path";

/**
 * Write a config file the way RocketMQ's `MixAll.string2File` does: write `<file>.tmp`, keep the
 * previous content as `<file>.bak`, then move the new file into place. The tmp file is fsynced so
 * a crash leaves either the old or the new content.
 */
export function string2File(content: string, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeFileSync(fd, content, "utf8");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (existsSync(file)) copyFileSync(file, `${file}.bak`);
  renameSync(tmp, file);
}

/** Content of `file`, or of its `.bak` when the file is missing or empty; null when neither exists. */
export function file2String(file: string): string | null {
  for (const candidate of [file, `${file}.bak`]) {
    if (existsSync(candidate)) {
      const text = readFileSync(candidate, "utf8");
      if (text.length > 0) return text;
    }
  }
  return null;
}

/**
 * Load a config file through `decode`, falling back to `<file>.bak` when the file is missing or does
 * not decode (RocketMQ's ConfigManager does the same). Null when neither yields a value.
 */
export function loadWithBackup<T>(
  file: string,
  decode: (text: string) => T,
  onError?: (path: string, err: Error) => void,
): T | null {
  for (const candidate of [file, `${file}.bak`]) {
    if (!existsSync(candidate)) continue;
    const text = readFileSync(candidate, "utf8");
    if (text.trim().length === 0) continue;
    try {
      return decode(text);
    } catch (err) {
      onError?.(candidate, err as Error);
    }
  }
  return null;
}
