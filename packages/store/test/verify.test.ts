/**
 * The store verifier (verify/StoreVerifier.ts) on stores written by the Java 4.9.8 broker
 * (../../../shared/conformance/store: basic, crash, transaction, slave, dledger) and on a store our
 * DefaultMessageStore writes, clean and then with one fault at a time put into its files.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  unlinkSync,
  type Dirent,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configDefaults, parseHost, readLong, type MessageInner } from "@rocketmq-ts/common";
import {
  BLANK_MAGIC_CODE as DLEDGER_BLANK_MAGIC,
  CURRENT_MAGIC,
  decodeEntry,
  decodeIndexUnit,
  INDEX_UNIT_SIZE,
} from "@rocketmq-ts/dledger";
import {
  DefaultMessageStore,
  messageStoreConfigSpec,
  offset2FileName,
  StoreVerifyUsageError,
  verifyStore,
  type DLedgerCodec,
  type StoreVerifyReport,
} from "@rocketmq-ts/store";
import { decodedRecords, STORE_FIXTURES, unpackFixture } from "../../../test/support/storeFixtures.js";
import { FIXTURE_DIR, decodedEntries } from "../../dledger/test/support/dledgerStoreFixture.js";
import { unpackSparse } from "../../dledger/test/support/sparseTar.js";
import { innerMessage } from "./support/messages.js";
import { SingleMemberDLedger } from "./support/singleMemberDLedger.js";

const dledgerCodec: DLedgerCodec = {
  decodeEntry,
  decodeIndexUnit,
  indexUnitSize: INDEX_UNIT_SIZE,
  currentMagic: CURRENT_MAGIC,
  blankMagic: DLEDGER_BLANK_MAGIC,
};

function readBytes(path: string, pos: number, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(length);
    readSync(fd, b, 0, length, pos);
    return b;
  } finally {
    closeSync(fd);
  }
}

function writeBytes(path: string, pos: number, bytes: Buffer): void {
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, pos);
  } finally {
    closeSync(fd);
  }
}

/** Run `fn` with `bytes` written at `pos` of `path`, then put the old bytes back. */
function withPatch<T>(path: string, pos: number, bytes: Buffer, fn: () => T): T {
  const old = readBytes(path, pos, bytes.length);
  writeBytes(path, pos, bytes);
  try {
    return fn();
  } finally {
    writeBytes(path, pos, old);
  }
}

/** `withPatch` of one byte, XORed with 0xFF. */
function withFlippedByte<T>(path: string, pos: number, fn: () => T): T {
  const b = readBytes(path, pos, 1);
  return withPatch(path, pos, Buffer.from([(b[0] as number) ^ 0xff]), fn);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

function long(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n), 0);
  return b;
}

/** Path, size, mtime and content hash of every file under `dir`. */
function snapshot(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((d) => d.isFile())
    .map((d) => {
      const path = join(d.parentPath, d.name);
      const st = statSync(path);
      const hash = createHash("sha256").update(readFileSync(path)).digest("hex");
      return `${path} ${st.size} ${st.mtimeMs} ${hash}`;
    })
    .sort();
}

function kinds(r: StoreVerifyReport): string[] {
  return Object.keys(r.problemKinds).sort();
}

describe("verifyStore on stores written by Java RocketMQ 4.9.8", () => {
  const cases: {
    fixture: string;
    archive: string;
    records: string;
    min: number;
    abort: boolean;
  }[] = [
    { fixture: "basic", archive: "store.tar.gz", records: "messages-decoded.jsonl", min: 0, abort: false },
    { fixture: "crash", archive: "store.tar.gz", records: "crash/messages-decoded.jsonl", min: 0, abort: true },
    {
      fixture: "crash",
      archive: "store-after-java-recovery.tar.gz",
      records: "crash/messages-decoded.jsonl",
      min: 0,
      abort: false,
    },
    {
      fixture: "transaction",
      archive: "store.tar.gz",
      records: "transaction/messages-decoded.jsonl",
      min: 0,
      abort: false,
    },
    {
      fixture: "slave",
      archive: "slave-store.tar.gz",
      records: "slave/messages-decoded-slave.jsonl",
      min: 3145728,
      abort: false,
    },
  ];

  it.each(cases)("$fixture/$archive verifies clean", ({ fixture, archive, records, min, abort }) => {
    const { dir, cleanup } = unpackFixture(fixture, archive);
    try {
      const report = verifyStore({ storePath: join(dir, "store") });
      expect(report.errors).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report.ok).toBe(true);
      const decoded = decodedRecords(join(STORE_FIXTURES, records));
      const messages = decoded.filter((r) => r.kind === "MESSAGE");
      const end = decoded.find((r) => r.kind === "END");
      expect(report.records).toBe(messages.length);
      expect(report.bytes).toBe(messages.reduce((n, r) => n + r.totalSize, 0));
      expect(report.blanks).toBe(decoded.filter((r) => r.kind === "BLANK").length);
      expect(report.commitLogMinOffset).toBe(min);
      expect(report.commitLogMaxOffset).toBe(end?.physicalOffset);
      // every record gets a consume-queue entry in these stores (no PREPARED/ROLLBACK record)
      expect(report.cqEntries).toBe(messages.length);
      expect(report.indexGeometry).toEqual({ hashSlotNum: 50, indexNum: 500 });
      expect(report.abortFile).toBe(abort);
      expect(report.checkpoint?.physicMsgTimestamp).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  });

  it("basic: the counts and checkpoint of the README; nothing in the store is written", () => {
    const { dir, cleanup } = unpackFixture("basic");
    try {
      const before = snapshot(join(dir, "store"));
      const report = verifyStore({ storePath: join(dir, "store") });
      expect(snapshot(join(dir, "store"))).toEqual(before);
      expect(report).toMatchObject({
        files: 4,
        fileSize: 1048576,
        records: 1095,
        commitLogMaxOffset: 3279580,
        blanks: 3,
        topics: 4,
        consumeQueues: 10,
        indexFiles: 7,
        indexEntries: 3254,
        checkpoint: {
          physicMsgTimestamp: 1795396119890,
          logicsMsgTimestamp: 1795396119890,
          indexMsgTimestamp: 1795396108802,
        },
      });
      // and the geometry passed in gives the same result
      const given = verifyStore({ storePath: join(dir, "store"), indexGeometry: { hashSlotNum: 50, indexNum: 500 } });
      expect(given.indexEntries).toBe(3254);
      expect(given.ok).toBe(true);
      // a wrong one is refused per file
      const wrong = verifyStore({ storePath: join(dir, "store"), indexGeometry: { hashSlotNum: 51, indexNum: 500 } });
      expect(wrong.problemKinds["index-geometry"]).toBe(7);
    } finally {
      cleanup();
    }
  });

  it("transaction: a body byte flipped in the ZLIB half gives one CRC error at its offset", () => {
    const { dir, cleanup } = unpackFixture("transaction");
    try {
      const file = join(dir, "store", "commitlog", offset2FileName(0));
      // tx-commit-3-zlib's half record at 3002: its body starts after the 84-byte header + body length
      const report = withFlippedByte(file, 3002 + 84 + 4 + 10, () => verifyStore({ storePath: join(dir, "store") }));
      expect(report.errorCount).toBe(1);
      expect(report.errors[0]).toMatchObject({
        kind: "crc-mismatch",
        file: "commitlog/00000000000000000000",
        offset: 3002,
      });
      expect(report.warningCount).toBe(0);
    } finally {
      cleanup();
    }
  });
});

describe("verifyStore on the Java DLedger stores", () => {
  let root: string;
  const entries = decodedEntries();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "verify-dledger-"));
    mkdirSync(join(root, "n0"));
    mkdirSync(join(root, "n2"));
    await unpackSparse(join(FIXTURE_DIR, "n0-store.tar.gz"), join(root, "n0"));
    await unpackSparse(join(FIXTURE_DIR, "n2-store.tar.gz"), join(root, "n2"));
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const store = (node: string): string => join(root, node, "store");
  const dataFile = (node: string): string => join(store(node), `dledger-${node}`, "data", offset2FileName(0));

  it("n2 (all 2000 entries indexed) verifies clean", () => {
    const report = verifyStore({ storePath: store("n2"), dledgerCodec });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      dledgerDataDir: join(store("n2"), "dledger-n2", "data"),
      dledger: { entries: 2000, firstIndex: 0, lastIndex: 1999, lastTerm: 2, indexUnitsChecked: 2000 },
      records: 2000,
      commitLogMinOffset: 0,
      commitLogMaxOffset: 521780,
      consumeQueues: 4,
      cqEntries: 2000,
      indexEntries: 2000,
      indexGeometry: { hashSlotNum: 5_000_000, indexNum: 20_000_000 },
      checkpoint: { physicMsgTimestamp: 1796378820663, indexMsgTimestamp: 0 },
    });
  });

  it("n0 (its index holds only the term-2 messages) verifies clean", () => {
    const report = verifyStore({ storePath: store("n0"), dledgerCodec });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.records).toBe(2000);
    expect(report.indexEntries).toBe(1000);
  });

  it("needs the DLedger codec", () => {
    expect(() => verifyStore({ storePath: store("n2") })).toThrow(StoreVerifyUsageError);
  });

  it("a flipped body byte of a record inside an entry is one CRC error at pos + 48", () => {
    const e = entries[5] as (typeof entries)[number];
    // the record's body starts after its 84-byte header and the body length
    const report = withFlippedByte(dataFile("n2"), e.pos + 48 + 88 + 2, () =>
      verifyStore({ storePath: store("n2"), dledgerCodec }),
    );
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toMatchObject({
      kind: "crc-mismatch",
      file: `dledger-n2/data/${offset2FileName(0)}`,
      offset: e.pos + 48,
    });
  });

  it("an entry header's body CRC that is not the body's is an error", () => {
    const e = entries[7] as (typeof entries)[number];
    const report = withPatch(dataFile("n2"), e.pos + 40, int32(0x12345678), () =>
      verifyStore({ storePath: store("n2"), dledgerCodec }),
    );
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toMatchObject({ kind: "dledger-body-crc", offset: e.pos });
  });

  it("an entry whose pos field is wrong is skipped: the queue and index entries pointing at it are errors", () => {
    const e = entries[9] as (typeof entries)[number];
    const report = withPatch(dataFile("n2"), e.pos + 24, long(e.pos + 1), () =>
      verifyStore({ storePath: store("n2"), dledgerCodec }),
    );
    expect(report.records).toBe(1999);
    expect(report.errors[0]).toMatchObject({ kind: "dledger-entry", offset: e.pos });
    expect(kinds(report)).toEqual(["cq-no-record", "dledger-entry", "index-no-record"]);
    expect(report.problemKinds["cq-no-record"]).toBe(1);
    expect(report.problemKinds["dledger-entry"]).toBe(1);
  });

  it("an index unit that disagrees with its entry is a warning (DLedger recovery rewrites the index)", () => {
    const indexFile = join(store("n2"), "dledger-n2", "index", offset2FileName(0));
    const report = withPatch(indexFile, 1500 * INDEX_UNIT_SIZE + 12, int32(1), () =>
      verifyStore({ storePath: store("n2"), dledgerCodec }),
    );
    expect(report.ok).toBe(true);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatchObject({ kind: "dledger-index-unit" });
    expect(report.warnings[0]?.detail).toContain("1 entries disagree");
  });
});

describe("verifyStore on a store our DefaultMessageStore wrote", () => {
  const host = parseHost("127.0.0.1:10911");
  const FILE_SIZE = 64 * 1024;
  let root: string;
  /** Physical offsets of the messages put, in order, with their topic/queue. */
  const puts: { offset: number; topic: string; queueId: number; queueOffset: number }[] = [];
  let clean: StoreVerifyReport;

  function message(i: number, extra: Partial<MessageInner> = {}): MessageInner {
    return innerMessage(host, {
      topic: i % 5 === 0 ? "Other" : "T",
      queueId: i % 3,
      body: Buffer.alloc(700 + (i % 50), 65 + (i % 26)),
      propertiesString: `TAGS\u0001tag${i % 4}\u0002KEYS\u0001key-${i} grp-${i % 7}\u0002UNIQ_KEY\u0001U${i}`,
      ...extra,
    });
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "verify-own-"));
    const store = new DefaultMessageStore(
      {
        ...configDefaults(messageStoreConfigSpec()),
        storePathRootDir: root,
        mappedFileSizeCommitLog: FILE_SIZE,
        mappedFileSizeConsumeQueue: 200,
        maxHashSlotNum: 16,
        maxIndexNum: 64,
      },
      { logger: pino({ level: "silent" }), storeHost: host },
    );
    store.load();
    store.start();
    const put = async (msg: MessageInner): Promise<void> => {
      const r = await store.putMessage(msg);
      expect(r.status).toBe("PUT_OK");
      const a = r.appendResult;
      if (!a) throw new Error("no append result");
      puts.push({ offset: a.wroteOffset, topic: msg.topic, queueId: msg.queueId, queueOffset: a.logicsOffset });
    };
    for (let i = 0; i < 200; i++) await put(message(i));
    // transaction records: PREPARED and ROLLBACK get no consume-queue entry, COMMIT does
    await put(message(1000, { sysFlag: 0x4 }));
    await put(message(1001, { sysFlag: 0xc, preparedTransactionOffset: puts.at(-1)?.offset ?? 0 }));
    await put(message(1002, { sysFlag: 0x8 }));
    // a delayed message parked in SCHEDULE_TOPIC_XXXX: its tags code is the delivery time
    await put(
      message(1003, {
        topic: "SCHEDULE_TOPIC_XXXX",
        queueId: 2,
        propertiesString: "DELAY\u00013\u0002REAL_TOPIC\u0001T\u0002REAL_QID\u00011",
      }),
    );
    const batch = await store.putMessages(
      [message(2000), message(2001), message(2002)].map((m) => ({ ...m, topic: "B" })),
    );
    expect(batch.status).toBe("PUT_OK");
    for (let i = 200; i < 260; i++) await put(message(i));
    await store.shutdown();
    clean = verifyStore({ storePath: root });
  }, 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const commitLogFile = (offset: number): string =>
    join(root, "commitlog", offset2FileName(offset - (offset % FILE_SIZE)));
  const cqFile = (topic: string, queueId: number, queueOffset: number): { path: string; pos: number } => {
    const at = queueOffset * 20;
    return {
      path: join(root, "consumequeue", topic, String(queueId), offset2FileName(at - (at % 200))),
      pos: at % 200,
    };
  };
  const verify = (): StoreVerifyReport => verifyStore({ storePath: root });
  /** The put of the i-th message of topic T queue 1. */
  const tq1 = (i: number): (typeof puts)[number] =>
    puts.filter((p) => p.topic === "T" && p.queueId === 1)[i] as (typeof puts)[number];

  it("verifies clean", () => {
    expect(clean.errors).toEqual([]);
    expect(clean.warnings).toEqual([]);
    expect(clean.ok).toBe(true);
    expect(clean.records).toBe(puts.length + 3);
    expect(clean.cqEntries).toBe(puts.length + 3 - 2); // PREPARED and ROLLBACK have none
    expect(clean.files).toBeGreaterThanOrEqual(3);
    expect(clean.blanks).toBe(clean.files - 1);
    expect(clean.indexFiles).toBeGreaterThan(1);
    expect(clean.indexGeometry).toEqual({ hashSlotNum: 16, indexNum: 64 });
    expect(clean.topics).toBe(4);
    expect(clean.abortFile).toBe(false);
  });

  it("one flipped body byte is exactly one CRC error at the record's file and position", () => {
    const p = puts[123] as (typeof puts)[number];
    const report = withFlippedByte(commitLogFile(p.offset), (p.offset % FILE_SIZE) + 200, verify);
    expect(report.errorCount).toBe(1);
    expect(report.warningCount).toBe(0);
    expect(report.errors[0]).toMatchObject({
      kind: "crc-mismatch",
      file: `commitlog/${offset2FileName(p.offset - (p.offset % FILE_SIZE))}`,
      offset: p.offset % FILE_SIZE,
    });
    expect(report.ok).toBe(false);
  });

  it("a flipped body byte in the last record is an error too: it was dispatched, so it is no torn write", () => {
    const p = puts.at(-1) as (typeof puts)[number];
    const report = withFlippedByte(commitLogFile(p.offset), (p.offset % FILE_SIZE) + 200, verify);
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toMatchObject({ kind: "crc-mismatch", offset: p.offset % FILE_SIZE });
    expect(report.warningCount).toBe(0);
  });

  it("a consume-queue entry with another size is one error", () => {
    const p = tq1(4);
    const { path, pos } = cqFile("T", 1, p.queueOffset);
    const report = withPatch(path, pos + 8, int32(99), verify);
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toMatchObject({
      kind: "cq-size-mismatch",
      file: `consumequeue/T/1/${offset2FileName(0)}`,
      offset: pos,
    });
  });

  it("a consume-queue entry pointing between records is one error", () => {
    const p = tq1(5);
    const { path, pos } = cqFile("T", 1, p.queueOffset);
    const report = withPatch(path, pos, long(p.offset + 1), verify);
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toMatchObject({ kind: "cq-no-record", offset: pos });
  });

  it("a consume-queue entry pointing at a record of another topic is one error", () => {
    const p = tq1(6);
    const other = puts.find((x) => x.topic === "Other") as (typeof puts)[number];
    const { path, pos } = cqFile("T", 1, p.queueOffset);
    const report = withPatch(path, pos, long(other.offset), verify);
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toMatchObject({ kind: "cq-wrong-record" });
    expect(report.errors[0]?.detail).toContain(`Other/${other.queueId}`);
  });

  it("two consume-queue entries swapped: queue offsets not contiguous", () => {
    const a = tq1(12);
    const b = tq1(13);
    const at = cqFile("T", 1, a.queueOffset);
    const bt = cqFile("T", 1, b.queueOffset);
    const entryA = readBytes(at.path, at.pos, 20);
    const entryB = readBytes(bt.path, bt.pos, 20);
    const report = withPatch(at.path, at.pos, entryB, () => withPatch(bt.path, bt.pos, entryA, verify));
    expect(report.errorCount).toBe(2);
    expect(report.errors.map((e) => e.kind)).toEqual(["cq-queue-offset", "cq-queue-offset"]);
  });

  it("a missing consume-queue file in the middle: a gap and records without entries", () => {
    const { path } = cqFile("T", 1, 10);
    const saved = readFileSync(path);
    unlinkSync(path);
    let report: StoreVerifyReport;
    try {
      report = verify();
    } finally {
      writeFileSync(path, saved);
    }
    expect(report.ok).toBe(false);
    expect(report.problemKinds["cq-file-gap"]).toBe(1);
    expect(report.problemKinds["cq-missing-entry"]).toBe(10);
    expect(kinds(report)).toEqual(["cq-file-gap", "cq-missing-entry"]);
  });

  it("a consume queue that stops short of the commit log is a warning", () => {
    const last = puts.filter((p) => p.topic === "T" && p.queueId === 2).at(-1) as (typeof puts)[number];
    // the entries of T/2's last file zeroed: not dispatched yet (kill -9 before the reput ran)
    const behind = (last.queueOffset % 10) + 1;
    const { path, pos } = cqFile("T", 2, last.queueOffset - behind + 1);
    expect(pos).toBe(0);
    const report = withPatch(path, 0, Buffer.alloc(20 * behind), verify);
    expect(report.errorCount).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatchObject({ kind: "cq-behind" });
    expect(report.warnings[0]?.detail).toContain(`consume queue T/2 behind commit log by ${behind} records`);
  });

  it("an index entry pointing nowhere is one error; one with a foreign key hash another", () => {
    const indexDir = join(root, "index");
    const name = readdirSync(indexDir).sort()[0] as string;
    const path = join(indexDir, name);
    const entry1 = 40 + 16 * 4 + 20; // entry 1
    const hash = readBytes(path, entry1, 4).readInt32BE(0);
    const phyOffset = readLong(readBytes(path, entry1 + 4, 8), 0);
    const nowhere = withPatch(path, entry1 + 4, long(phyOffset + 3), verify);
    expect(nowhere.errorCount).toBe(1);
    expect(nowhere.errors[0]).toMatchObject({ kind: "index-no-record", file: `index/${name}`, offset: entry1 });
    // same hash slot (hash % 16), so the chains stay sound: only the key is wrong
    const foreign = withPatch(path, entry1, int32(hash > 1 << 30 ? hash - 16000 : hash + 16000), verify);
    expect(foreign.errorCount).toBe(1);
    expect(foreign.errors[0]).toMatchObject({ kind: "index-key-mismatch", offset: entry1 });
  });

  it("garbage after the last record is a torn tail (warning)", () => {
    const endOffset = clean.commitLogMaxOffset;
    const path = commitLogFile(endOffset);
    const report = withPatch(path, endOffset % FILE_SIZE, Buffer.alloc(100, 0xab), verify);
    expect(report.errorCount).toBe(0);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatchObject({ kind: "torn-tail", offset: endOffset % FILE_SIZE });
    expect(report.warnings[0]?.detail).toContain(`torn tail at offset ${endOffset}, 100 bytes`);
  });

  it("half a record after the last one (killed mid-write) is a torn tail", () => {
    const p = puts.at(-1) as (typeof puts)[number];
    const path = commitLogFile(p.offset);
    const record = readBytes(path, p.offset % FILE_SIZE, clean.commitLogMaxOffset - p.offset);
    const half = record.subarray(0, record.length >> 1);
    const report = withPatch(path, clean.commitLogMaxOffset % FILE_SIZE, half, verify);
    expect(report.errorCount).toBe(0);
    expect(report.warnings.map((w) => w.kind)).toEqual(["torn-tail"]);
  });

  it("garbage in the middle is an error; the scan goes on at the next record", () => {
    const p = puts[50] as (typeof puts)[number];
    const report = withPatch(commitLogFile(p.offset), (p.offset % FILE_SIZE) + 4, int32(0x01020304), verify);
    expect(report.ok).toBe(false);
    expect(report.records).toBe(clean.records - 1);
    expect(report.errors.find((e) => e.kind === "bad-magic")).toMatchObject({ offset: p.offset % FILE_SIZE });
    // its consume-queue entry and its three index entries now point nowhere
    expect(report.problemKinds).toEqual({ "bad-magic": 1, "cq-no-record": 1, "index-no-record": 3 });
  });

  it("a file without its BLANK filler while later files hold data is an error", () => {
    const firstFile = join(root, "commitlog", offset2FileName(0));
    const lastRecord = puts.filter((p) => p.offset < FILE_SIZE).reduce((end, p) => Math.max(end, p.offset), 0);
    const blankPos = lastRecord + readBytes(firstFile, lastRecord, 4).readInt32BE(0);
    expect(readBytes(firstFile, blankPos + 4, 4).readInt32BE(0)).toBe(-875286124); // the BLANK magic
    const report = withPatch(firstFile, blankPos, Buffer.alloc(8), verify);
    expect(report.errorCount).toBe(1);
    expect(report.errors[0]).toMatchObject({ kind: "missing-blank", offset: blankPos });
  });

  it("usage errors: no store, no commit-log directory", () => {
    expect(() => verifyStore({ storePath: join(root, "nope") })).toThrow(StoreVerifyUsageError);
    expect(() => verifyStore({ storePath: root, commitLogDir: join(root, "nope") })).toThrow(StoreVerifyUsageError);
    const empty = mkdtempSync(join(tmpdir(), "verify-empty-"));
    try {
      expect(() => verifyStore({ storePath: empty })).toThrow(/does not look like a store root/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("verifyStore on a DLedger store our DefaultMessageStore wrote", () => {
  const host = parseHost("127.0.0.1:10911");
  const FILE_SIZE = 64 * 1024;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "verify-own-dledger-"));
    const config = {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: root,
      mappedFileSizeCommitLog: FILE_SIZE,
      mappedFileSizeConsumeQueue: 2000,
      maxHashSlotNum: 16,
      maxIndexNum: 64,
      dLegerGroup: "RaftNode00",
      dLegerPeers: "n0-127.0.0.1:40911",
      dLegerSelfId: "n0",
    };
    const message = (i: number): MessageInner =>
      innerMessage(host, {
        topic: "DTopic",
        queueId: i % 2,
        body: Buffer.alloc(1500, 48 + (i % 10)),
        propertiesString: `TAGS\u0001TagA\u0002KEYS\u0001dk-${i}\u0002UNIQ_KEY\u0001D${i}`,
      });
    // an old commit log first, then DLedger from the next file boundary (dividedCommitlogOffset)
    const plain = new DefaultMessageStore(config, { logger: pino({ level: "silent" }), storeHost: host });
    plain.load();
    plain.start();
    for (let i = 0; i < 5; i++) expect((await plain.putMessage(message(i))).status).toBe("PUT_OK");
    await plain.shutdown();
    const backend = new SingleMemberDLedger({ storeBaseDir: root, mappedFileSizeForEntryData: FILE_SIZE });
    const store = new DefaultMessageStore(
      { ...config, enableDLegerCommitLog: true },
      { logger: pino({ level: "silent" }), storeHost: host, dledger: backend },
    );
    store.load();
    store.start();
    backend.start();
    for (let i = 5; i < 120; i++) expect((await store.putMessage(message(i))).status).toBe("PUT_OK");
    await store.shutdown();
    await backend.shutdown();
  }, 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("verifies clean: the old commit log and the DLedger entries after it", () => {
    const report = verifyStore({ storePath: root, dledgerCodec });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.records).toBe(120);
    expect(report.dledger).toMatchObject({ entries: 115, firstIndex: 0, lastIndex: 114, indexUnitsChecked: 115 });
    expect(report.commitLogMinOffset).toBe(0);
    expect(report.files).toBeGreaterThanOrEqual(4); // one old file, three or more DLedger files
    expect(report.blanks).toBe(report.files - 1); // every file but the last ends with a filler
    expect(report.cqEntries).toBe(120);
    expect(report.indexEntries).toBe(240);
  });
});
