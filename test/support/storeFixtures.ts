/** Java-written store fixtures from ../shared/conformance/store, unpacked into temp dirs. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SHARED_DIR } from "./corpus.js";

export const STORE_FIXTURES = join(SHARED_DIR, "conformance", "store");

/** Unpack `<fixture>/<archive>` and return the directory holding its top-level folder, plus a cleanup. */
export function unpackFixture(fixture: string, archive = "store.tar.gz"): { dir: string; cleanup: () => void } {
  const path = join(STORE_FIXTURES, fixture, archive);
  if (!existsSync(path)) throw new Error(`Store fixture not found: ${path} (set ROCKETMQ_SHARED_DIR)`);
  const dir = mkdtempSync(join(tmpdir(), `store-fixture-${fixture}-`));
  execFileSync("tar", ["-xzf", path, "-C", dir]);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface DecodedRecord {
  kind: "MESSAGE" | "BLANK" | "END" | "FILE_AFTER_END";
  physicalOffset: number;
  totalSize: number;
  file: string;
  filePosition: number;
  [key: string]: unknown;
}

export function decodedRecords(file: string): DecodedRecord[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as DecodedRecord);
}

export function manifest(fixture: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(STORE_FIXTURES, fixture, "manifest.json"), "utf8")) as Record<string, unknown>;
}
