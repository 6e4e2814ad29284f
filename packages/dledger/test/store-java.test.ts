/**
 * Interoperability with a Java DLedger store (dledger 0.3.1.2 under RocketMQ 4.9.8, node n2 of the
 * `dledger` fixture): our store loads and recovers it to Java's ledger, reads every entry and index
 * unit as decoded independently, and writing the same entries produces byte-identical files.
 */
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PHYSICAL_OFFSET_POS, decodeRecordAt, formatHost, readLong } from "@rocketmq-ts/common";
import {
  BODY_OFFSET,
  DLedgerMmapFileStore,
  INDEX_UNIT_SIZE,
  createEntry,
  decodeIndexUnit,
  defaultDLedgerStoreConfig,
} from "../src/index.js";
import {
  type DecodedEntry,
  TestMemberState,
  decodedEntries,
  decodedIndexUnits,
  removeDir,
  silentLogger,
  unpackJavaDLedgerStore,
} from "./support/dledgerStoreFixture.js";

const DATA_FILE = "00000000000000000000";
const DATA_END = 521780;

let root: string;
let storeDir: string;
let entries: DecodedEntry[];

beforeAll(async () => {
  ({ root, storeDir } = await unpackJavaDLedgerStore("n2"));
  entries = decodedEntries();
});

afterAll(() => {
  if (root) removeDir(root);
});

function readRange(path: string, start: number, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, start);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** The RocketMQ append hook: PHYSICALOFFSET of the record = entry pos + 48. */
function physicalOffsetHook(entry: { pos: number }, buffer: Buffer, bodyOffset: number): void {
  buffer.writeBigInt64BE(BigInt(entry.pos + bodyOffset), bodyOffset + PHYSICAL_OFFSET_POS);
}

describe("Java store (n2) read by our store", () => {
  it("unpacked sparsely at Java's file sizes", () => {
    const dir = join(storeDir, "dledger-n2");
    expect(statSync(join(dir, "data", DATA_FILE)).size).toBe(1073741824);
    expect(statSync(join(dir, "index", DATA_FILE)).size).toBe(167772160);
    expect(statSync(join(dir, "data", DATA_FILE)).blocks * 512).toBeLessThan(4 * 1024 * 1024);
  });

  it("loads and recovers to Java's ledger; every entry and index unit as decoded; records at pos + 48", async () => {
    const memberState = new TestMemberState("follower", 2, "n2");
    const config = defaultDLedgerStoreConfig({ storeBaseDir: storeDir, selfId: "n2" });
    const store = new DLedgerMmapFileStore({
      config,
      memberState,
      logger: silentLogger,
      enableCleanSpaceService: false,
    });
    store.load();
    store.recover();
    try {
      expect(store.getLedgerBeginIndex()).toBe(0);
      expect(store.ledgerEndIndex).toBe(1999);
      expect(store.ledgerEndTerm).toBe(2);
      expect(memberState.ledgerEnd).toEqual({ index: 1999, term: 2 });
      expect(store.getWritePos()).toBe(DATA_END);
      expect(store.indexFileList.getMaxWrotePosition()).toBe(2000 * INDEX_UNIT_SIZE);
      // the committed index comes from the checkpoint
      expect(store.getCommittedIndex()).toBe(1999);
      expect(store.getCommittedPos()).toBe(DATA_END);

      expect(entries).toHaveLength(2000);
      for (const expected of entries) {
        const entry = store.get(expected.index);
        expect({
          index: entry.index,
          term: entry.term,
          pos: entry.pos,
          size: entry.size,
          magic: entry.magic,
          channel: entry.channel,
          chainCrc: entry.chainCrc,
          bodyCrc: entry.bodyCrc,
          bodySize: entry.body.length,
        }).toEqual({
          index: expected.index,
          term: expected.term,
          pos: expected.pos,
          size: expected.size,
          magic: expected.magic,
          channel: expected.channel,
          chainCrc: expected.chainCrc,
          bodyCrc: expected.bodyCrc,
          bodySize: expected.bodySize,
        });
        // the body is a RocketMQ record, readable at pos + 48 as RocketMQ reads it
        const record = store.getData(entry.pos + BODY_OFFSET, entry.body.length);
        expect(record?.equals(entry.body)).toBe(true);
        const msg = decodeRecordAt(entry.body, 0);
        const m = expected.message;
        expect(msg.commitLogOffset).toBe(entry.pos + BODY_OFFSET);
        expect({
          physicalOffset: msg.commitLogOffset,
          storeSize: msg.storeSize,
          queueId: msg.queueId,
          queueOffset: msg.queueOffset,
          bornTimestamp: msg.bornTimestamp,
          storeTimestamp: msg.storeTimestamp,
          storeHost: formatHost(msg.storeHost),
          topic: msg.topic,
          properties: Object.fromEntries(msg.properties),
          body: msg.body?.toString("utf8"),
        }).toEqual({
          physicalOffset: m.physicalOffset,
          storeSize: m.storeSize,
          queueId: m.queueId,
          queueOffset: m.queueOffset,
          bornTimestamp: m.bornTimestamp,
          storeTimestamp: m.storeTimestamp,
          storeHost: m.storeHost,
          topic: m.topic,
          properties: m.properties,
          body: m.body,
        });
      }

      const units = decodedIndexUnits();
      expect(units).toHaveLength(2000);
      for (const u of units) {
        const bytes = store.indexFileList.getData(u.filePosition, INDEX_UNIT_SIZE);
        expect(bytes).not.toBeNull();
        expect(decodeIndexUnit(bytes!)).toEqual({
          magic: u.magic,
          pos: u.pos,
          size: u.size,
          index: u.index,
          term: u.term,
        });
      }
      // the data view from a position runs to the end of the written data
      expect(store.getData(entries[1999]!.pos)?.length).toBe(entries[1999]!.size);
      expect(store.getData(DATA_END)).toBeNull();
    } finally {
      store.dataFileList.shutdown();
      store.indexFileList.shutdown();
    }
  });

  it("reads the checkpoint Java wrote", () => {
    const dir = join(storeDir, "dledger-n2");
    expect(readFileSync(join(dir, "checkpoint"), "utf8")).toBe("committedIndex=1999\nendIndex=1999\n");
  });
});

describe("our store writing what Java wrote", () => {
  const javaData = (): string => join(storeDir, "dledger-n2", "data", DATA_FILE);
  const javaIndex = (): string => join(storeDir, "dledger-n2", "index", DATA_FILE);

  it("as leader (terms 1 then 2, PHYSICALOFFSET set by the append hook): byte-identical data, index and checkpoint", async () => {
    const base = mkdtempSync(join(tmpdir(), "dledger-write-leader-"));
    try {
      const memberState = new TestMemberState("leader", 1, "n2");
      const config = defaultDLedgerStoreConfig({ storeBaseDir: base, selfId: "n2" });
      const store = new DLedgerMmapFileStore({
        config,
        memberState,
        logger: silentLogger,
        enableCleanSpaceService: false,
      });
      store.addAppendHook(physicalOffsetHook);
      store.startup();
      for (const e of entries) {
        memberState.term = e.term;
        const javaBody = readRange(javaData(), e.pos + BODY_OFFSET, e.bodySize);
        // the hook must produce the offset: hand it a record whose PHYSICALOFFSET is 0
        const unpatched = Buffer.from(javaBody);
        unpatched.writeBigInt64BE(0n, PHYSICAL_OFFSET_POS);
        const written = store.appendAsLeader(createEntry(unpatched));
        expect({ index: written.index, term: written.term, pos: written.pos, size: written.size }).toEqual({
          index: e.index,
          term: e.term,
          pos: e.pos,
          size: e.size,
        });
        expect(readLong(written.body, PHYSICAL_OFFSET_POS)).toBe(e.pos + BODY_OFFSET);
      }
      store.updateCommittedIndex(2, 1999);
      expect(store.getCommittedPos()).toBe(DATA_END);
      await store.shutdown();
      const dir = join(base, "dledger-n2");
      const ourData = join(dir, "data", DATA_FILE);
      const ourIndex = join(dir, "index", DATA_FILE);
      expect(statSync(ourData).size).toBe(statSync(javaData()).size);
      expect(statSync(ourIndex).size).toBe(statSync(javaIndex()).size);
      // the written range and the zeros after it (up to a megabyte beyond)
      const span = DATA_END + 1024 * 1024;
      expect(readRange(ourData, 0, span).equals(readRange(javaData(), 0, span))).toBe(true);
      const indexSpan = 2000 * INDEX_UNIT_SIZE + 64 * 1024;
      expect(readRange(ourIndex, 0, indexSpan).equals(readRange(javaIndex(), 0, indexSpan))).toBe(true);
      expect(readFileSync(join(dir, "checkpoint"), "utf8")).toBe(
        readFileSync(join(storeDir, "dledger-n2", "checkpoint"), "utf8"),
      );
      expect(existsSync(join(dir, "checkpoint.tmp"))).toBe(false);
    } finally {
      removeDir(base);
    }
  });

  it("as follower (entries as the leader pushed them): byte-identical data and index; .bak as Java", async () => {
    const base = mkdtempSync(join(tmpdir(), "dledger-write-follower-"));
    try {
      const memberState = new TestMemberState("follower", 2, "n2");
      const config = defaultDLedgerStoreConfig({ storeBaseDir: base, selfId: "n0" });
      const store = new DLedgerMmapFileStore({
        config,
        memberState,
        logger: silentLogger,
        enableCleanSpaceService: false,
      });
      store.startup();
      for (const e of entries) {
        const body = readRange(javaData(), e.pos + BODY_OFFSET, e.bodySize);
        store.appendAsFollower(
          createEntry(body, { magic: e.magic, index: e.index, term: e.term, pos: e.pos }),
          2,
          "n2",
        );
      }
      store.updateCommittedIndex(2, 1999);
      store.persistCheckPoint();
      await store.shutdown();
      const dir = join(base, "dledger-n0");
      const span = DATA_END + 64 * 1024;
      expect(readRange(join(dir, "data", DATA_FILE), 0, span).equals(readRange(javaData(), 0, span))).toBe(true);
      const indexSpan = 2000 * INDEX_UNIT_SIZE;
      expect(readRange(join(dir, "index", DATA_FILE), 0, indexSpan).equals(readRange(javaIndex(), 0, indexSpan))).toBe(
        true,
      );
      // two writes of the same checkpoint: the .bak holds the previous one, as Java's n2 has it
      for (const name of ["checkpoint", "checkpoint.bak"]) {
        expect(readFileSync(join(dir, name), "utf8")).toBe(readFileSync(join(storeDir, "dledger-n2", name), "utf8"));
      }
    } finally {
      removeDir(base);
    }
  });
});
