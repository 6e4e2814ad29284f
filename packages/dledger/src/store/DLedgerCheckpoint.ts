/**
 * The store's `checkpoint` file in `<storeBaseDir>/dledger-<selfId>/`: Java properties text
 * `committedIndex=…\nendIndex=…\n` (that key order, as Java's Hashtable iterates these two keys).
 * Written as Java's IOUtils.string2File: `checkpoint.tmp` first, the previous content kept as
 * `checkpoint.bak`, then moved into place. Read as Java's loadCheckPoint: the main file only (the
 * `.bak` is never read back).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePropertiesFile, propertiesToString, string2File } from "@rocketmq-ts/common";

export const CHECK_POINT_FILE = "checkpoint";
export const END_INDEX_KEY = "endIndex";
export const COMMITTED_INDEX_KEY = "committedIndex";

export interface DLedgerCheckpoint {
  committedIndex: number;
  endIndex: number;
}

export function checkpointPath(defaultPath: string): string {
  return join(defaultPath, CHECK_POINT_FILE);
}

/** The file's text for a checkpoint. */
export function encodeCheckpoint(cp: DLedgerCheckpoint): string {
  return propertiesToString([
    [COMMITTED_INDEX_KEY, String(cp.committedIndex)],
    [END_INDEX_KEY, String(cp.endIndex)],
  ]);
}

/**
 * The keys of a checkpoint text; a key that is absent, blank or not an integer is undefined (Java
 * only reads `committedIndex`, and skips it when blank).
 */
export function decodeCheckpoint(bytes: Buffer): Partial<DLedgerCheckpoint> {
  const props = parsePropertiesFile(bytes);
  const out: Partial<DLedgerCheckpoint> = {};
  const num = (key: string): number | undefined => {
    const text = props.get(key)?.trim();
    return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
  };
  const committedIndex = num(COMMITTED_INDEX_KEY);
  const endIndex = num(END_INDEX_KEY);
  if (committedIndex !== undefined) out.committedIndex = committedIndex;
  if (endIndex !== undefined) out.endIndex = endIndex;
  return out;
}

export function persistCheckpoint(defaultPath: string, cp: DLedgerCheckpoint): void {
  string2File(encodeCheckpoint(cp), checkpointPath(defaultPath));
}

/** The checkpoint of `defaultPath`, or null when the file is missing. */
export function loadCheckpoint(defaultPath: string): Partial<DLedgerCheckpoint> | null {
  const path = checkpointPath(defaultPath);
  if (!existsSync(path)) return null;
  return decodeCheckpoint(readFileSync(path));
}
