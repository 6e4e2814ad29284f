/**
 * Appends across file ends (Java's blank filler) and recovery after crashes, with small files:
 * a torn last entry, an index unit without its entry, a lost or damaged index, the checkpoint.
 */
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { offset2FileName } from "@rocketmq-ts/store";
import {
  BLANK_MAGIC_CODE,
  BODY_OFFSET,
  INDEX_UNIT_SIZE,
  createEntry,
  decodeEntry,
  encodeEntry,
  encodeIndexUnit,
  loadCheckpoint,
  DLedgerMmapFileStore,
  type DLedgerEntry,
} from "../src/index.js";
import { TestMemberState, removeDir, silentLogger } from "./support/dledgerStoreFixture.js";
import {
  DATA_FILE_SIZE,
  INDEX_FILE_SIZE,
  appendMany,
  body,
  crash,
  openStore,
  smallConfig,
  tempBase,
} from "./support/smallStore.js";

const bases: string[] = [];
function newBase(label: string): string {
  const b = tempBase(label);
  bases.push(b);
  return b;
}
afterEach(() => {
  for (const b of bases.splice(0)) removeDir(b);
});

const dataDir = (base: string): string => join(base, "dledger-n0", "data");
const indexDir = (base: string): string => join(base, "dledger-n0", "index");

/** Write raw bytes at absolute position `pos` of a file list (as a crash would leave them). */
function writeAt(dir: string, fileSize: number, pos: number, bytes: Buffer): void {
  const fd = openSync(join(dir, offset2FileName(pos - (pos % fileSize))), "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, pos % fileSize);
  } finally {
    closeSync(fd);
  }
}

function readAt(dir: string, fileSize: number, pos: number, length: number): Buffer {
  const file = readFileSync(join(dir, offset2FileName(pos - (pos % fileSize))));
  return file.subarray(pos % fileSize, (pos % fileSize) + length);
}

function expectSameEntries(store: DLedgerMmapFileStore, entries: DLedgerEntry[]): void {
  for (const e of entries) {
    const got = store.get(e.index);
    expect({ index: got.index, term: got.term, pos: got.pos, size: got.size }).toEqual({
      index: e.index,
      term: e.term,
      pos: e.pos,
      size: e.size,
    });
    expect(got.body.equals(e.body)).toBe(true);
  }
}

describe("appends across file ends", () => {
  it("an entry that does not leave 8 bytes goes to the next file after a BLANK filler; recovery follows it", async () => {
    const base = newBase("blank");
    const { store, memberState } = openStore(base);
    const a = store.appendAsLeader(createEntry(body(1, 968 - BODY_OFFSET))); // 0..968, 56 left
    const b = store.appendAsLeader(createEntry(body(2, 1))); // 49 + 8 > 56: next file
    expect([a.pos, b.pos]).toEqual([0, 1024]);
    const blank = readAt(dataDir(base), DATA_FILE_SIZE, 968, 56);
    expect(blank.readInt32BE(0)).toBe(BLANK_MAGIC_CODE);
    expect(blank.readInt32BE(4)).toBe(56);
    expect(blank.subarray(8).every((x) => x === 0)).toBe(true);

    const c = store.appendAsLeader(createEntry(body(3, 920 - BODY_OFFSET))); // 1073..1993, 55 left
    const d = store.appendAsLeader(createEntry(Buffer.alloc(0))); // 48 + 8 > 55: next file
    const e = store.appendAsLeader(createEntry(body(5, 968 - BODY_OFFSET))); // 2096..3064: 8 left
    const f = store.appendAsLeader(createEntry(body(6, 4)));
    expect([c.pos, d.pos, e.pos, f.pos]).toEqual([1073, 2048, 2096, 3072]);
    expect(readAt(dataDir(base), DATA_FILE_SIZE, 3064, 8).readInt32BE(4)).toBe(8);
    expect(readdirSync(dataDir(base))).toEqual([0, 1024, 2048, 3072].map(offset2FileName));
    const all = [a, b, c, d, e, f];
    expectSameEntries(store, all);
    await store.shutdown();

    const reopened = openStore(base, memberState).store;
    expect([reopened.ledgerEndIndex, reopened.ledgerEndTerm, reopened.getLedgerBeginIndex()]).toEqual([5, 1, 0]);
    expect(reopened.getWritePos()).toBe(3072 + f.size);
    expectSameEntries(reopened, all);
    const g = reopened.appendAsLeader(createEntry(body(7, 10)));
    expect([g.index, g.pos]).toEqual([6, 3072 + f.size]);
    await reopened.shutdown();
  });

  it("many entries over many files recover to the same log, index files included", async () => {
    const base = newBase("many");
    const { store, memberState } = openStore(base);
    const entries = appendMany(store, 40);
    for (const e of entries) expect((e.pos % DATA_FILE_SIZE) + e.size + 8).toBeLessThanOrEqual(DATA_FILE_SIZE);
    expect(readdirSync(indexDir(base))).toHaveLength(Math.ceil((40 * INDEX_UNIT_SIZE) / INDEX_FILE_SIZE));
    crash(store);
    const reopened = openStore(base, memberState).store;
    expect(reopened.ledgerEndIndex).toBe(39);
    expect(memberState.ledgerEnd).toEqual({ index: 39, term: 1 });
    expectSameEntries(reopened, entries);
    crash(reopened);
  });
});

describe("recovery after a crash", () => {
  function crashedAfter(count: number, label: string): { base: string; entries: DLedgerEntry[]; end: number } {
    const base = newBase(label);
    const { store } = openStore(base);
    const entries = appendMany(store, count);
    const end = store.getWritePos();
    crash(store);
    return { base, entries, end };
  }

  it("a torn header (20 bytes of the next entry) is cut off: the log ends at the last whole entry", async () => {
    const { base, entries, end } = crashedAfter(12, "torn-header");
    const next = encodeEntry(createEntry(body(99, 70), { magic: 1, index: 12, term: 1, pos: end }));
    writeAt(dataDir(base), DATA_FILE_SIZE, end, next.subarray(0, 20));
    const { store } = openStore(base);
    expect([store.ledgerEndIndex, store.getWritePos()]).toEqual([11, end]);
    expect(store.indexFileList.getMaxWrotePosition()).toBe(12 * INDEX_UNIT_SIZE);
    expectSameEntries(store, entries);
    // the next append takes the torn entry's place
    const e = store.appendAsLeader(createEntry(body(100, 30)));
    expect([e.index, e.pos]).toEqual([12, end]);
    crash(store);
    const again = openStore(base).store;
    expect(again.ledgerEndIndex).toBe(12);
    expect(again.get(12).body.equals(body(100, 30))).toBe(true);
    crash(again);
  });

  it("a whole header with half a body is kept, as Java (the body is not checked); its index unit is written", () => {
    const { base, end } = crashedAfter(5, "torn-body");
    const next = encodeEntry(createEntry(body(99, 80), { magic: 1, index: 5, term: 1, pos: end }));
    writeAt(dataDir(base), DATA_FILE_SIZE, end, next.subarray(0, BODY_OFFSET + 40));
    const { store } = openStore(base);
    expect(store.ledgerEndIndex).toBe(5);
    const got = store.get(5);
    expect(got.body.subarray(0, 40).equals(body(99, 80).subarray(0, 40))).toBe(true);
    expect(got.body.subarray(40).every((x) => x === 0)).toBe(true);
    crash(store);
  });

  it("an index unit written without its entry is dropped", () => {
    const { base, entries, end } = crashedAfter(7, "index-only");
    writeAt(
      indexDir(base),
      INDEX_FILE_SIZE,
      7 * INDEX_UNIT_SIZE,
      encodeIndexUnit({ magic: 1, pos: end, size: 100, index: 7, term: 1 }),
    );
    const { store } = openStore(base);
    expect([store.ledgerEndIndex, store.getWritePos()]).toEqual([6, end]);
    expect(store.indexFileList.getMaxWrotePosition()).toBe(7 * INDEX_UNIT_SIZE);
    expect(() => store.get(7)).toThrow(expect.objectContaining({ code: 410 }));
    expectSameEntries(store, entries);
    const e = store.appendAsLeader(createEntry(body(7, 33)));
    expect(store.get(7)).toMatchObject({ index: 7, pos: end, size: 33 + BODY_OFFSET });
    expect(e.index).toBe(7);
    crash(store);
  });

  it("a lost index is rebuilt from the data, byte for byte", () => {
    const { base, entries } = crashedAfter(30, "index-lost");
    const before = readdirSync(indexDir(base)).map((f) => readFileSync(join(indexDir(base), f)));
    rmSync(indexDir(base), { recursive: true });
    const { store } = openStore(base);
    expect(store.ledgerEndIndex).toBe(29);
    expectSameEntries(store, entries);
    crash(store);
    const after = readdirSync(indexDir(base)).map((f) => readFileSync(join(indexDir(base), f)));
    expect(after).toEqual(before);
  });

  it("an index unit that disagrees with its entry is rewritten from there on", () => {
    const { base, entries } = crashedAfter(10, "index-bad");
    const good = readAt(indexDir(base), INDEX_FILE_SIZE, 4 * INDEX_UNIT_SIZE, INDEX_UNIT_SIZE);
    const bad = Buffer.from(good);
    bad.writeInt32BE(bad.readInt32BE(12) + 1, 12); // size
    writeAt(indexDir(base), INDEX_FILE_SIZE, 4 * INDEX_UNIT_SIZE, bad);
    const { store } = openStore(base);
    expect(store.ledgerEndIndex).toBe(9);
    expect(readAt(indexDir(base), INDEX_FILE_SIZE, 4 * INDEX_UNIT_SIZE, INDEX_UNIT_SIZE)).toEqual(good);
    expectSameEntries(store, entries);
    crash(store);
  });

  it("an entry whose index does not follow ends the log (stale data past the end)", () => {
    const { base, end } = crashedAfter(6, "stale");
    const stale = encodeEntry(createEntry(body(1, 50), { magic: 1, index: 9, term: 1, pos: end }));
    writeAt(dataDir(base), DATA_FILE_SIZE, end, stale);
    const { store } = openStore(base);
    expect([store.ledgerEndIndex, store.getWritePos()]).toEqual([5, end]);
    crash(store);
  });

  it("an empty store recovers to nothing", () => {
    const base = newBase("empty");
    const { store } = openStore(base);
    expect([store.ledgerEndIndex, store.getLedgerBeginIndex(), store.getCommittedIndex(), store.getWritePos()]).toEqual(
      [-1, -1, -1, 0],
    );
    expect(() => store.get(0)).toThrow(expect.objectContaining({ code: 410 }));
    crash(store);
  });
});

describe("committed index and checkpoint", () => {
  it("the committed index survives a restart through the checkpoint; committedPos is its entry's end", async () => {
    const base = newBase("checkpoint");
    const memberState = new TestMemberState("leader", 1, "n0");
    const { store } = openStore(base, memberState);
    const entries = appendMany(store, 8);
    store.updateCommittedIndex(1, 5);
    expect([store.getCommittedIndex(), store.getCommittedPos()]).toEqual([5, entries[5]!.pos + entries[5]!.size]);
    // older term, lower index, unchanged: ignored
    store.updateCommittedIndex(0, 7);
    store.updateCommittedIndex(1, 3);
    expect(store.getCommittedIndex()).toBe(5);
    // beyond the end: the end
    store.updateCommittedIndex(1, 100);
    expect(store.getCommittedIndex()).toBe(7);
    await store.shutdown();
    expect(readFileSync(join(base, "dledger-n0", "checkpoint"), "utf8")).toBe("committedIndex=7\nendIndex=7\n");
    expect(loadCheckpoint(join(base, "dledger-n0"))).toEqual({ committedIndex: 7, endIndex: 7 });

    const reopened = openStore(base, memberState).store;
    expect([reopened.getCommittedIndex(), reopened.getCommittedPos()]).toEqual([7, reopened.getWritePos()]);
    // the record RocketMQ stores in the body is read at pos + 48
    const e = entries[3]!;
    expect(reopened.getData(e.pos + BODY_OFFSET, e.body.length)?.equals(e.body)).toBe(true);
    expect(decodeEntry(reopened.getData(e.pos)!).index).toBe(3);
    await reopened.shutdown();
  });

  it("the flush service writes the checkpoint every checkPointInterval", async () => {
    const base = newBase("flush-service");
    const memberState = new TestMemberState("leader", 1, "n0");
    let now = 1_000_000;
    const store = new DLedgerMmapFileStore({
      config: smallConfig(base, { flushFileInterval: 5, checkPointInterval: 3000 }),
      memberState,
      logger: silentLogger,
      now: () => now,
      enableCleanSpaceService: false,
    });
    store.startup();
    appendMany(store, 3);
    store.updateCommittedIndex(1, 2);
    const path = join(base, "dledger-n0", "checkpoint");
    // flushed, but the interval has not passed on the store's clock
    await waitFor(() => store.getFlushPos() === store.getWritePos());
    expect(existsSync(path)).toBe(false);
    now += 3001;
    const text = (): string => (existsSync(path) ? readFileSync(path, "utf8") : "");
    await waitFor(() => text() === "committedIndex=2\nendIndex=2\n");
    await store.shutdown();
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}
