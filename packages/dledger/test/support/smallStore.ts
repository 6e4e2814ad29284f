/** Stores with small files in temp dirs, so that entries reach file ends after a few appends. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DLedgerMmapFileStore,
  createEntry,
  defaultDLedgerStoreConfig,
  type DLedgerEntry,
  type DLedgerStoreConfig,
} from "../../src/index.js";
import { TestMemberState, silentLogger } from "./dledgerStoreFixture.js";

export const DATA_FILE_SIZE = 1024;
export const INDEX_FILE_SIZE = 32 * 16;

export function tempBase(label: string): string {
  return mkdtempSync(join(tmpdir(), `dledger-${label}-`));
}

export function smallConfig(base: string, overrides: Partial<DLedgerStoreConfig> = {}): DLedgerStoreConfig {
  return defaultDLedgerStoreConfig({
    storeBaseDir: base,
    selfId: "n0",
    mappedFileSizeForEntryData: DATA_FILE_SIZE,
    mappedFileSizeForEntryIndex: INDEX_FILE_SIZE,
    ...overrides,
  });
}

/** A loaded and recovered store (no services running). */
export function openStore(
  base: string,
  memberState = new TestMemberState("leader", 1, "n0"),
  overrides: Partial<DLedgerStoreConfig> = {},
): { store: DLedgerMmapFileStore; memberState: TestMemberState } {
  const store = new DLedgerMmapFileStore({
    config: smallConfig(base, overrides),
    memberState,
    logger: silentLogger,
    enableCleanSpaceService: false,
  });
  store.load();
  store.recover();
  return { store, memberState };
}

/** Stop using a store as a crash would: nothing flushed or checkpointed, files closed. */
export function crash(store: DLedgerMmapFileStore): void {
  store.dataFileList.shutdown();
  store.indexFileList.shutdown();
}

/** A body of `length` bytes that tells entries apart. */
export function body(seed: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (seed * 31 + i) & 0xff;
  return b;
}

/** Append `count` entries as leader with bodies of varying length (60..139 bytes). */
export function appendMany(store: DLedgerMmapFileStore, count: number, seed = 0): DLedgerEntry[] {
  const out: DLedgerEntry[] = [];
  for (let i = 0; i < count; i++) {
    const n = seed + i;
    out.push(store.appendAsLeader(createEntry(body(n, 60 + ((n * 37) % 80)))));
  }
  return out;
}
