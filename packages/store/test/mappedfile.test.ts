import { mkdtempSync, openSync, readSync, readdirSync, closeSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { innerMessage } from "./support/messages.js";
import { pino } from "pino";
import { configDefaults, decodeRecordAt, parseHost } from "@rocketmq-ts/common";
import { javaStringHashCode } from "@rocketmq-ts/remoting";
import {
  DefaultMessageStore,
  indexKeyHash,
  MappedFile,
  MappedFileQueue,
  messageStoreConfigSpec,
  topicKeyHash,
} from "@rocketmq-ts/store";

const MB = 1024 * 1024;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mapped-file-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function readFromDisk(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const out = Buffer.alloc(length);
    readSync(fd, out, 0, length, position);
    return out;
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("MappedFile", () => {
  it("knows how much of a sparse file holds data, and takes read-ahead hints of any length", () => {
    const dir = tempDir();
    const path = join(dir, "00000000000000000000");
    const created = MappedFile.open(path, 4 * MB);
    expect(created.allocatedBytes).toBe(0);
    const data = randomBytes(100 * 1024);
    created.appendBytes(data);
    created.shutdown();
    const reopened = MappedFile.open(path, 4 * MB);
    cleanups.push(() => reopened.shutdown());
    expect(reopened.allocatedBytes).toBeGreaterThanOrEqual(100 * 1024);
    expect(reopened.allocatedBytes).toBeLessThan(4 * MB);
    for (const length of [0, 5, reopened.allocatedBytes, 10 * MB]) reopened.willNeed(length);
    expect(reopened.buffer.subarray(0, data.length).equals(data)).toBe(true);
  });
});

describe("warmMapedFileEnable", () => {
  it("a warmed file has every block allocated and still reads as zeros", async () => {
    const path = join(tempDir(), "00000000000000000000");
    const file = MappedFile.open(path, 4 * MB);
    cleanups.push(() => file.shutdown());
    expect(statSync(path).blocks * 512).toBeLessThan(MB); // sparse when created
    expect(await file.warm(true, MB)).toBe(true);
    expect(file.isWarming).toBe(false);
    expect(statSync(path).blocks * 512).toBeGreaterThanOrEqual(4 * MB);
    expect(readFromDisk(path, 0, 4 * MB).equals(Buffer.alloc(4 * MB))).toBe(true);
    const data = randomBytes(1000);
    expect(file.appendBytes(data)).toBe(true);
    expect(file.selectMappedBuffer(0, 1000)?.equals(data)).toBe(true);
  });

  it("a file still warming when the writer needs it is abandoned: the writer's data is never overwritten", async () => {
    const dir = tempDir();
    const queue = new MappedFileQueue(dir, 64 * MB, {
      preallocate: true,
      warm: { force: true, forceEveryBytes: 16 * MB },
    });
    cleanups.push(() => queue.shutdown());
    queue.preallocateNext();
    await new Promise((resolve) => setImmediate(resolve)); // pre-created, first zero write under way
    const file = queue.getLastMappedFile(0);
    expect(file).not.toBeNull();
    if (!file) return;
    expect(file.isWarming).toBe(false);
    // 8 MiB written before the warm-up could advance past its first chunk: a warm-up still running
    // on this file would now write its zeros over them
    const data = randomBytes(8 * MB);
    expect(file.appendBytes(data)).toBe(true);
    await sleep(300);
    await file.flush(0);
    expect(readFromDisk(join(dir, "00000000000000000000"), 0, data.length).equals(data)).toBe(true);
  });

  it("never warms a file that already holds data, and pre-creates nothing after shutdown", async () => {
    const dir = tempDir();
    const first = join(dir, "00000000000000000000");
    const data = randomBytes(300 * 1024);
    const existing = MappedFile.open(first, 4 * MB);
    existing.appendBytes(data);
    await existing.flush(0);
    existing.shutdown();
    // a queue that did not load the directory pre-creates offset 0, which is that file
    const careless = new MappedFileQueue(dir, 4 * MB, {
      preallocate: true,
      warm: { force: true, forceEveryBytes: MB },
    });
    careless.preallocateNext();
    await sleep(200);
    careless.shutdown();
    expect(readFromDisk(first, 0, data.length).equals(data)).toBe(true);

    const queue = new MappedFileQueue(dir, 4 * MB, { preallocate: true });
    queue.load();
    queue.shutdown(); // a pre-creation scheduled now must not run
    queue.preallocateNext();
    await sleep(50);
    expect(readdirSync(dir)).toEqual(["00000000000000000000"]);
  });

  it("a SYNC_FLUSH store with warm-up rolls through warmed and abandoned files and reads every message back", async () => {
    const root = tempDir();
    const host = parseHost("127.0.0.1:10911");
    const store = new DefaultMessageStore(
      {
        ...configDefaults(messageStoreConfigSpec()),
        storePathRootDir: root,
        flushDiskType: "SYNC_FLUSH",
        warmMapedFileEnable: true,
        flushLeastPagesWhenWarmMapedFile: 16,
        mappedFileSizeCommitLog: 256 * 1024,
      },
      { logger: pino({ level: "silent" }), storeHost: host },
    );
    store.load();
    store.start();
    cleanups.push(() => store.shutdown());
    const bodies: Buffer[] = [];
    for (let i = 0; i < 600; i++) {
      const body = randomBytes(1000 + (i % 7));
      bodies.push(body);
      const res = await store.putMessage(innerMessage(host, { topic: "WarmTopic", body }));
      expect(res.status).toBe("PUT_OK");
      if (i % 50 === 0) await sleep(20); // some files finish warming before they are needed, some not
    }
    expect(store.getMaxPhyOffset()).toBeGreaterThan(2 * 256 * 1024); // more than two files
    let offset = 0;
    for (;;) {
      const got = store.getMessage("WarmTopic", 0, offset, 32);
      if (got.status !== "FOUND") break;
      for (const record of got.messages) {
        expect(decodeRecordAt(record, 0).body?.equals(bodies[offset] as Buffer)).toBe(true);
        offset++;
      }
    }
    expect(offset).toBe(600);
  });
});

describe("index key hash", () => {
  it("topicKeyHash(topic, key) is the hash of `topic#key` for any strings", () => {
    const alphabet = ["a", "Z", "9", "#", " ", "é", "中", "\u{1F600}", "\u0000", "\uffff"];
    const pick = (n: number): string =>
      Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
    for (let i = 0; i < 5000; i++) {
      const topic = pick(1 + Math.floor(Math.random() * 40));
      const key = pick(Math.floor(Math.random() * (i % 10 === 0 ? 600 : 60)));
      expect(topicKeyHash(topic, key)).toBe(indexKeyHash(`${topic}#${key}`));
    }
    // a key whose `T#key` hash is Integer.MIN_VALUE: both map it to 0 (Java's Math.abs rule)
    const prefix = javaStringHashCode("T#");
    let target = (2 ** 31 - (Math.imul(prefix, 887503681) >>> 0) + 2 ** 32) % 2 ** 32; // 31^6 mod 2^32
    const units: number[] = [];
    for (let p = 5; p >= 0; p--) {
      const weight = 31 ** p;
      units.push(Math.floor(target / weight));
      target %= weight;
    }
    const key = String.fromCharCode(...units);
    expect(javaStringHashCode(`T#${key}`)).toBe(-2147483648);
    expect(indexKeyHash(`T#${key}`)).toBe(0);
    expect(topicKeyHash("T", key)).toBe(0);
  });
});
