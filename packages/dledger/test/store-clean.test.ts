/**
 * The clean service: expired data files go at a `deleteWhen` hour (or when the disk fills), the
 * ledger then begins at the first remaining entry; a full disk refuses appends. Times come from an
 * injected clock and file times are set relative to it.
 */
import { readdirSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  DLedgerCleanSpaceService,
  createEntry,
  isItTimeToDo,
  type DLedgerMmapFileStore,
  type DLedgerStoreConfig,
} from "../src/index.js";
import { removeDir, silentLogger } from "./support/dledgerStoreFixture.js";
import { DATA_FILE_SIZE, appendMany, body, crash, openStore, smallConfig, tempBase } from "./support/smallStore.js";

const bases: string[] = [];
afterEach(() => {
  for (const b of bases.splice(0)) removeDir(b);
});

const HOUR = 3600_000;
/** 04:30 local time: Java's default deleteWhen hour. */
const AT_FOUR = new Date(2026, 5, 1, 4, 30).getTime();

describe("isItTimeToDo", () => {
  it("matches the local hour against `;`-separated hours", () => {
    expect(isItTimeToDo("04", AT_FOUR)).toBe(true);
    expect(isItTimeToDo("01;04;09", AT_FOUR)).toBe(true);
    expect(isItTimeToDo("05", AT_FOUR)).toBe(false);
    expect(isItTimeToDo("4", AT_FOUR)).toBe(true);
  });
});

function storeWithFiles(overrides: Partial<DLedgerStoreConfig> = {}): {
  store: DLedgerMmapFileStore;
  config: DLedgerStoreConfig;
  files: string[];
  dir: string;
} {
  const base = tempBase("clean");
  bases.push(base);
  const { store } = openStore(base, undefined, overrides);
  appendMany(store, 30);
  const dir = join(base, "dledger-n0", "data");
  const files = readdirSync(dir);
  expect(files.length).toBeGreaterThanOrEqual(4);
  // files 0 and 1 last written 80 hours ago, the rest an hour ago
  files.forEach((f, i) => {
    const t = (AT_FOUR - (i < 2 ? 80 : 1) * HOUR) / 1000;
    utimesSync(join(dir, f), t, t);
  });
  return { store, config: smallConfig(base, overrides), files, dir };
}

function firstEntryOfFile(store: DLedgerMmapFileStore, fileOffset: number): number {
  for (let i = store.getLedgerBeginIndex(); i <= store.ledgerEndIndex; i++) {
    if (store.get(i).pos >= fileOffset) return i;
  }
  throw new Error("no entry");
}

describe("DLedgerCleanSpaceService", () => {
  it("at a deleteWhen hour deletes the files older than fileReservedHours; the ledger begins after them", async () => {
    const { store, config, files, dir } = storeWithFiles();
    const expectedBegin = firstEntryOfFile(store, 2 * DATA_FILE_SIZE);
    const service = new DLedgerCleanSpaceService(
      store,
      config,
      silentLogger,
      () => AT_FOUR,
      () => 0.1,
    );
    expect(await service.doWork()).toBe(2);
    expect(readdirSync(dir)).toEqual(files.slice(2));
    expect(store.getLedgerBeginIndex()).toBe(expectedBegin);
    expect(() => store.get(expectedBegin - 1)).toThrow(expect.objectContaining({ code: 419 }));
    expect(store.get(expectedBegin).index).toBe(expectedBegin);
    // index files wholly before the new begin are gone too
    expect(store.indexFileList.getMinOffset()).toBe(expectedBegin * 32);
    expect(await service.doWork()).toBe(0);
    crash(store);
  });

  it("outside the deleteWhen hours with a roomy disk nothing goes", async () => {
    const { store, config, files, dir } = storeWithFiles();
    const service = new DLedgerCleanSpaceService(
      store,
      config,
      silentLogger,
      () => AT_FOUR + 2 * HOUR,
      () => 0.1,
    );
    expect(await service.doWork()).toBe(0);
    expect(readdirSync(dir)).toEqual(files);
    crash(store);
  });

  it("a disk above the force-clean ratio deletes files regardless of age; above the full ratio appends are refused", async () => {
    const { store, config, files, dir } = storeWithFiles();
    const service = new DLedgerCleanSpaceService(
      store,
      config,
      silentLogger,
      () => AT_FOUR + 2 * HOUR,
      () => 0.97,
    );
    expect(await service.doWork()).toBe(files.length - 1);
    expect(readdirSync(dir)).toEqual(files.slice(-1));
    expect(store.isDiskFull).toBe(true);
    expect(() => store.appendAsLeader(createEntry(body(1, 10)))).toThrow(expect.objectContaining({ code: 415 }));
    const roomy = new DLedgerCleanSpaceService(
      store,
      config,
      silentLogger,
      () => AT_FOUR + 2 * HOUR,
      () => 0.5,
    );
    await roomy.doWork();
    expect(store.isDiskFull).toBe(false);
    expect(store.appendAsLeader(createEntry(body(1, 10))).index).toBe(30);
    crash(store);
  });

  it("force cleaning can be turned off (enableDiskForceClean=false): only expired files go", async () => {
    const { store, config, files, dir } = storeWithFiles({ enableDiskForceClean: false });
    const service = new DLedgerCleanSpaceService(
      store,
      config,
      silentLogger,
      () => AT_FOUR + 2 * HOUR,
      () => 0.97,
    );
    expect(await service.doWork()).toBe(2);
    expect(readdirSync(dir)).toEqual(files.slice(2));
    crash(store);
  });
});
