/**
 * Listing the files of a mapped-file directory (commit log, DLedger data or index, one consume
 * queue) for the verifier: the files named by their 20-digit start offset, in offset order, with
 * their sizes, and whatever else is in the directory. Also maps a byte offset of the logical stream
 * back to the file holding it.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

export interface StoreFile {
  /** Absolute path. */
  path: string;
  name: string;
  /** Offset of the file's first byte in its stream (the name). */
  start: number;
  size: number;
}

export interface MappedFileListing {
  files: StoreFile[];
  /** Entries that are not a 20-digit file name (or not a regular file). */
  strays: string[];
}

const MAPPED_FILE_NAME = /^\d{20}$/;

/** The mapped files of `dir`, sorted by start offset; a missing directory lists nothing. */
export function listMappedFiles(dir: string): MappedFileListing {
  const files: StoreFile[] = [];
  const strays: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { files, strays };
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    let st;
    try {
      st = statSync(path);
    } catch {
      continue; // deleted meanwhile
    }
    if (!MAPPED_FILE_NAME.test(name) || !st.isFile()) {
      strays.push(name);
      continue;
    }
    files.push({ path, name, start: Number(name), size: st.size });
  }
  return { files, strays };
}

/** Sub-directories of `dir` (sorted), none when it is missing. */
export function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** `path` relative to `root` when inside it (with `/` separators), else `path` itself. */
export function displayPath(root: string, path: string): string {
  const rel = relative(root, path);
  if (rel === "" || rel.startsWith("..") || rel.startsWith(sep)) return path;
  return rel.split(sep).join("/");
}

/** The file of `files` (sorted by start) whose bytes hold `offset`, or undefined. */
export function fileHolding(files: readonly StoreFile[], offset: number): StoreFile | undefined {
  let lo = 0;
  let hi = files.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const f = files[mid] as StoreFile;
    if (offset < f.start) hi = mid - 1;
    else if (offset >= f.start + f.size) lo = mid + 1;
    else return f;
  }
  return undefined;
}
