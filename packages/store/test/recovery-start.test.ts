// Where recovery starts reading (Java 4.9.8 CommitLog.recoverNormally / recoverAbnormally /
// isMappedFileMatchedRecover): after a clean shutdown from the start of the third-last commit-log
// file, after a crash from the newest file whose first message is at or before the checkpoint's safe
// time; the first invalid record (bad magic, lengths, body CRC) ends the valid data, and everything
// after it — commit-log files and consume-queue entries — is cut. Real files in temp dirs: bytes
// are corrupted on disk between runs and each recovery's result shows which files it read.
import { existsSync, mkdtempSync, openSync, readdirSync, rmSync, closeSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { configDefaults, parseHost } from "@rocketmq-ts/common";
import {
  DefaultMessageStore,
  messageStoreConfigSpec,
  offset2FileName,
  StoreCheckpoint,
  type MessageStoreConfig,
} from "@rocketmq-ts/store";
import { innerMessage } from "./support/messages.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const FILE = 64 * 1024;
const FILES = 6;
const QUEUES = 4;
const host = parseHost("127.0.0.1:40911");
const logger = pino({ level: "silent" });

function config(root: string, overrides: Partial<MessageStoreConfig> = {}): MessageStoreConfig {
  return {
    ...configDefaults(messageStoreConfigSpec()),
    storePathRootDir: root,
    mappedFileSizeCommitLog: FILE,
    mappedFileSizeConsumeQueue: 20 * 50,
    maxHashSlotNum: 64,
    maxIndexNum: 4000,
    ...overrides,
  };
}

interface Written {
  offset: number;
  size: number;
  storeTimestamp: number;
  key: string;
  queueId: number;
}

/** A store of FILES commit-log files of ~1 KB messages, one second apart, shut down cleanly. */
async function writeStore(): Promise<{ root: string; written: Written[]; end: number }> {
  const root = mkdtempSync(join(tmpdir(), "recovery-start-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  let now = 1_700_000_000_000;
  const store = new DefaultMessageStore(config(root), { logger, storeHost: host, clock: () => (now += 1000) });
  store.load();
  store.start();
  const written: Written[] = [];
  const body = Buffer.alloc(1000, 7);
  for (let i = 0; store.getMaxPhyOffset() < (FILES - 1) * FILE + FILE / 2; i++) {
    const key = `k${i}`;
    const queueId = i % QUEUES;
    const res = await store.putMessage(
      innerMessage(host, { topic: "Recover", queueId, body, propertiesString: `KEYS\u0001${key}\u0002TAGS\u0001t` }),
    );
    if (res.status !== "PUT_OK" || !res.appendResult) throw new Error(res.status);
    const { wroteOffset, wroteBytes, storeTimestamp } = res.appendResult;
    written.push({ offset: wroteOffset, size: wroteBytes, storeTimestamp, key, queueId });
  }
  const end = store.getMaxPhyOffset();
  await store.shutdown();
  expect(readdirSync(join(root, "commitlog"))).toHaveLength(FILES);
  return { root, written, end };
}

function open(root: string, overrides: Partial<MessageStoreConfig> = {}): DefaultMessageStore {
  const store = new DefaultMessageStore(config(root, overrides), { logger, storeHost: host });
  store.load();
  store.start();
  cleanups.push(() => store.shutdown());
  return store;
}

function commitLogFile(root: string, fileIndex: number): string {
  return join(root, "commitlog", offset2FileName(fileIndex * FILE));
}

/** Overwrite bytes at a commit-log offset on disk. */
function corrupt(root: string, offset: number, bytes: Buffer): void {
  const fd = openSync(commitLogFile(root, Math.floor(offset / FILE)), "r+");
  writeSync(fd, bytes, 0, bytes.length, offset % FILE);
  closeSync(fd);
}

/** A magic code no record has: the record at `offset` (and the scan) ends there. */
const badMagic = (root: string, offset: number): void => corrupt(root, offset + 4, Buffer.alloc(4));

/** The first message stored at least `within` bytes into commit-log file `fileIndex`. */
function messageIn(written: Written[], fileIndex: number, within = 0): Written {
  const m = written.find((w) => w.offset >= fileIndex * FILE + within);
  if (!m || Math.floor(m.offset / FILE) !== fileIndex) throw new Error(`no message in file ${fileIndex}`);
  return m;
}

/** The crash marker and a checkpoint whose safe time (min(physic, logics) − 3 s) is `safe`. */
async function markCrashed(root: string, safe: number): Promise<void> {
  writeFileSync(join(root, "abort"), "");
  const checkpoint = new StoreCheckpoint(join(root, "checkpoint"));
  checkpoint.physicMsgTimestamp = safe + 3000;
  checkpoint.logicsMsgTimestamp = safe + 3000;
  checkpoint.indexMsgTimestamp = 0;
  await checkpoint.flush();
  checkpoint.shutdown();
}

/** Entries in every queue, and the largest end (offset + size) they point to. */
function queueSummary(store: DefaultMessageStore): { entries: number; maxEnd: number } {
  let entries = 0;
  let maxEnd = 0;
  for (const cq of store.allConsumeQueues()) {
    for (let i = cq.getMinOffsetInQueue(); i < cq.getMaxOffsetInQueue(); i++) {
      const e = cq.getEntry(i);
      if (!e) continue;
      entries++;
      maxEnd = Math.max(maxEnd, e.offset + e.size);
    }
  }
  return { entries, maxEnd };
}

describe("normal recovery (clean shutdown) reads from the start of the third-last file", () => {
  it("ignores a corrupt record in an earlier file, which a scan starting before it stops at", async () => {
    const { root, written, end } = await writeStore();
    const early = messageIn(written, 1, FILE / 2); // file 1 of 6: before the third-last (3)
    badMagic(root, early.offset);

    const store = open(root);
    expect(store.getMaxPhyOffset()).toBe(end);
    expect(readdirSync(join(root, "commitlog"))).toHaveLength(FILES);
    expect(queueSummary(store)).toEqual({ entries: written.length, maxEnd: end });
    await store.shutdown();

    // the same bytes seen by a scan from the first file (a crash with a checkpoint older than every file)
    await markCrashed(root, 0);
    const crashed = open(root);
    expect(crashed.getMaxPhyOffset()).toBe(early.offset);
    expect(readdirSync(join(root, "commitlog"))).toEqual([offset2FileName(0), offset2FileName(FILE)]);
    expect(queueSummary(crashed)).toEqual({
      entries: written.filter((w) => w.offset < early.offset).length,
      maxEnd: early.offset,
    });
  });

  it("cuts the commit log and the consume queues at a corrupt record in the third-last file", async () => {
    const { root, written } = await writeStore();
    const bad = messageIn(written, FILES - 3, FILE / 2);
    badMagic(root, bad.offset);

    const store = open(root);
    expect(store.getMaxPhyOffset()).toBe(bad.offset);
    expect(existsSync(commitLogFile(root, FILES - 2))).toBe(false);
    expect(existsSync(commitLogFile(root, FILES - 1))).toBe(false);
    const kept = written.filter((w) => w.offset < bad.offset);
    expect(queueSummary(store)).toEqual({ entries: kept.length, maxEnd: bad.offset });
    // the queues continue where the kept messages end, and the next message goes where the bad one was
    for (let q = 0; q < QUEUES; q++)
      expect(store.getMaxOffsetInQueue("Recover", q)).toBe(kept.filter((w) => w.queueId === q).length);
    const res = await store.putMessage(innerMessage(host, { topic: "Recover", queueId: 0, body: Buffer.from("x") }));
    expect(res.status === "PUT_OK" && res.appendResult?.wroteOffset).toBe(bad.offset);
  });

  it("checks body CRCs when checkCRCOnRecover (Java's default), not otherwise", async () => {
    const { root, written, end } = await writeStore();
    const last = written[written.length - 1] as Written;
    corrupt(root, last.offset + last.size - 60, Buffer.from([0x55])); // a body byte: only the CRC notices

    const unchecked = open(root, { checkCRCOnRecover: false });
    expect(unchecked.getMaxPhyOffset()).toBe(end);
    await unchecked.shutdown();

    const checked = open(root);
    expect(checked.getMaxPhyOffset()).toBe(last.offset);
    expect(queueSummary(checked).entries).toBe(written.length - 1);
  });
});

describe("abnormal recovery (abort file) starts at the checkpoint's file", () => {
  for (const startFile of [FILES - 2, FILES - 3]) {
    it(`re-dispatches from file ${startFile}, the newest whose first message is at or before the safe time`, async () => {
      const { root, written, end } = await writeStore();
      const first = messageIn(written, startFile);
      // earlier files are never read: a corrupt record there changes nothing
      badMagic(root, messageIn(written, startFile - 1, FILE / 2).offset);
      // safe time between the start file's first message and the next one's
      await markCrashed(root, first.storeTimestamp + 500);

      const store = open(root);
      expect(store.getMaxPhyOffset()).toBe(end);
      expect(readdirSync(join(root, "commitlog"))).toHaveLength(FILES);
      // the index files were newer than the checkpoint (dropped, as Java): re-dispatch rebuilt keys
      // from the start file on, and only those
      const found = (w: Written): boolean =>
        store
          .queryMessage("Recover", w.key, 8, 0, Number.MAX_SAFE_INTEGER)
          .messages.some((m) => m.commitLogOffset === w.offset);
      const before = written[written.indexOf(first) - 1] as Written;
      expect(found(first)).toBe(true);
      expect(found(written[written.length - 1] as Written)).toBe(true);
      expect(found(before)).toBe(false);
    });
  }

  it("truncates a dirty tail: records after the last valid one and the queue entries pointing at them", async () => {
    const { root, written, end } = await writeStore();
    // a crash mid-write: a last record whose body CRC does not match
    const last = written[written.length - 1] as Written;
    corrupt(root, last.offset + last.size - 60, Buffer.from([0x55]));
    const first = messageIn(written, FILES - 1);
    await markCrashed(root, first.storeTimestamp);

    const store = open(root);
    expect(store.getMaxPhyOffset()).toBe(last.offset);
    expect(queueSummary(store)).toEqual({ entries: written.length - 1, maxEnd: last.offset });
    expect(store.getMaxOffsetInQueue("Recover", last.queueId)).toBe(
      written.filter((w) => w.queueId === last.queueId).length - 1,
    );
    const res = await store.putMessage(
      innerMessage(host, { topic: "Recover", queueId: last.queueId, body: Buffer.from("again") }),
    );
    expect(res.status === "PUT_OK" && res.appendResult).toMatchObject({
      wroteOffset: last.offset,
      logicsOffset: written.filter((w) => w.queueId === last.queueId).length - 1,
    });
    expect(end).toBeGreaterThan(last.offset);
  });
});
