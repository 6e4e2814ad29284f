import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { innerMessage } from "./support/messages.js";
import { pino } from "pino";
import { configDefaults, parseHost, type MessageInner } from "@rocketmq-ts/common";
import { javaStringHashCode } from "@rocketmq-ts/remoting";
import { DefaultMessageStore, messageStoreConfigSpec, type MessageStoreConfig } from "@rocketmq-ts/store";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const host = parseHost("127.0.0.1:10911");

function openStore(
  overrides: Partial<MessageStoreConfig> = {},
  options: { diskSpaceWarningLevelRatio?: number } = {},
): DefaultMessageStore {
  const root = mkdtempSync(join(tmpdir(), "store-unit-"));
  const store = new DefaultMessageStore(
    {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: root,
      mappedFileSizeCommitLog: 64 * 1024,
      mappedFileSizeConsumeQueue: 200,
      maxHashSlotNum: 16,
      maxIndexNum: 64,
      ...overrides,
    },
    { logger: pino({ level: "silent" }), storeHost: host, ...options },
  );
  store.load();
  store.start();
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  cleanups.push(() => store.shutdown());
  return store;
}

function message(i: number, extra: Partial<MessageInner> = {}): MessageInner {
  return innerMessage(host, {
    body: Buffer.alloc(1000, 65 + (i % 26)),
    propertiesString: `TAGS\u0001tag${i % 3}\u0002KEYS\u0001key-${i}\u0002UNIQ_KEY\u0001U${i}`,
    ...extra,
  });
}

describe("DefaultMessageStore", () => {
  it("makes a message readable as soon as the put returns (dispatch before ack)", async () => {
    const store = openStore();
    const res = await store.putMessage(message(0));
    expect(res.status).toBe("PUT_OK");
    const got = store.getMessage("T", 0, 0, 32);
    expect(got.status).toBe("FOUND");
    expect(got.messages.length).toBe(1);
    expect(store.findConsumeQueue("T", 0).getEntry(0)?.tagsCode).toBe(javaStringHashCode("tag0"));
    expect(
      store
        .queryMessage("T", "key-0", 32, 0, Number.MAX_SAFE_INTEGER)
        .messages.map((m) => m.properties.get("UNIQ_KEY")),
    ).toEqual(["U0"]);
  });

  it("rolls files with a BLANK filler and keeps queue offsets across them", async () => {
    const store = openStore();
    for (let i = 0; i < 200; i++) expect((await store.putMessage(message(i))).status).toBe("PUT_OK");
    expect(store.getMaxPhyOffset()).toBeGreaterThan(2 * 64 * 1024); // more than two files
    expect(store.getMaxOffsetInQueue("T", 0)).toBe(200);
    for (let q = 0; q < 200; q++) {
      const offset = store.getCommitLogOffsetInQueue("T", 0, q);
      expect(store.lookMessageByOffset(offset)?.properties.get("UNIQ_KEY")).toBe(`U${q}`);
    }
    // a batch goes into one file, consecutive offsets
    const batch = await store.putMessages([message(1000), message(1001), message(1002)]);
    expect(batch.appendResult?.msgNum).toBe(3);
    expect(batch.appendResult?.logicsOffset).toBe(200);
    expect(batch.appendResult?.msgId.split(",").length).toBe(3);
  });

  it("refuses illegal messages with Java's statuses", async () => {
    const store = openStore({ maxMessageSize: 2000 });
    expect((await store.putMessage(message(0, { body: Buffer.alloc(2001) }))).status).toBe("MESSAGE_ILLEGAL");
    expect((await store.putMessage(message(0, { topic: "x".repeat(128) }))).status).toBe("MESSAGE_ILLEGAL");
    expect((await store.putMessage(message(0, { propertiesString: `a\u0001${"v".repeat(33000)}` }))).status).toBe(
      "PROPERTIES_SIZE_EXCEEDED",
    );
    // prepared transaction halves get queue offset 0 and no consume-queue entry
    const half = await store.putMessage(message(1, { sysFlag: 0x4 }));
    expect(half.appendResult?.logicsOffset).toBe(0);
    expect(store.getMaxOffsetInQueue("T", 0)).toBe(0);
  });

  it("SYNC_FLUSH: writers waiting together share one flush", async () => {
    const store = openStore({ flushDiskType: "SYNC_FLUSH", mappedFileSizeCommitLog: 1024 * 1024 });
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => store.putMessage(message(i))));
    expect(results.every((r) => r.status === "PUT_OK")).toBe(true);
    expect(store.commitLog.flushedWhere).toBe(store.getMaxPhyOffset());
    // WAIT=false does not wait for the flush, but the flush still comes (Java wakes the group commit)
    const noWait = await store.putMessage(message(99, { propertiesString: "WAIT\u0001false" }));
    expect(noWait.status).toBe("PUT_OK");
    const until = Date.now() + 3000;
    while (store.commitLog.flushedWhere < store.getMaxPhyOffset() && Date.now() < until)
      await new Promise((r) => setTimeout(r, 5));
    expect(store.commitLog.flushedWhere).toBe(store.getMaxPhyOffset());
  });

  it("SYNC_FLUSH: reports FLUSH_DISK_TIMEOUT when the flush does not complete in time, the message stays stored", async () => {
    const store = openStore({ flushDiskType: "SYNC_FLUSH", syncFlushTimeout: 50 });
    // a disk slower than the timeout
    const realFlush = store.commitLog.flush.bind(store.commitLog);
    store.commitLog.flush = (leastPages: number) => new Promise((r) => setTimeout(() => r(realFlush(leastPages)), 300));
    const res = await store.putMessage(message(0));
    expect(res.status).toBe("FLUSH_DISK_TIMEOUT");
    expect(store.getMessage("T", 0, 0, 1).status).toBe("FOUND");
  });

  it("ASYNC_FLUSH: flushes in the background", async () => {
    const store = openStore({ flushIntervalCommitLog: 20, flushCommitLogThoroughInterval: 0 });
    await store.putMessage(message(0));
    const until = Date.now() + 3000;
    while (store.commitLog.flushedWhere < store.getMaxPhyOffset() && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    expect(store.commitLog.flushedWhere).toBe(store.getMaxPhyOffset());
  });

  it("deletes expired commit-log files; consume queues and index follow", async () => {
    const store = openStore({ fileReservedTime: 1, deleteWhen: String(new Date().getHours()) });
    for (let i = 0; i < 300; i++) await store.putMessage(message(i));
    const dir = join(store.config.storePathRootDir, "commitlog");
    const files = readdirSync(dir).sort();
    // every file's age is set from the process clock: the kernel stamps mtimes with its own clock,
    // which differs from ours under faketime (the suite must pass on any date)
    const old = (Date.now() - 2 * 3600 * 1000) / 1000;
    const fresh = Date.now() / 1000;
    files.forEach((f, i) => utimesSync(join(dir, f), i < 3 ? old : fresh, i < 3 ? old : fresh));
    expect(await store.deleteExpiredFiles()).toBe(3);
    expect(readdirSync(dir).length).toBe(files.length - 3);
    const minPhy = store.getMinPhyOffset();
    expect(minPhy).toBe(3 * 64 * 1024);
    const min = store.getMinOffsetInQueue("T", 0);
    expect(min).toBeGreaterThan(0);
    expect(store.getCommitLogOffsetInQueue("T", 0, min)).toBeGreaterThanOrEqual(minPhy);
    expect(store.getMessage("T", 0, 0, 32).status).toBe("OFFSET_TOO_SMALL");
    expect(store.getMessage("T", 0, min, 32).status).toBe("FOUND");
  });

  it("refuses writes when the disk is full and keeps serving reads", async () => {
    const store = openStore({}, { diskSpaceWarningLevelRatio: 0 });
    await store.putMessage(message(0)); // written before the check
    store.checkDiskSpace();
    expect(store.isDiskFull()).toBe(true);
    expect((await store.putMessage(message(1))).status).toBe("SERVICE_NOT_AVAILABLE");
    expect(store.getMessage("T", 0, 0, 32).status).toBe("FOUND");
  });

  it("restarts cleanly: no abort file, offsets continue", async () => {
    const root = mkdtempSync(join(tmpdir(), "store-restart-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const cfg = {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: root,
      mappedFileSizeCommitLog: 64 * 1024,
      mappedFileSizeConsumeQueue: 200,
    };
    const a = new DefaultMessageStore(cfg, { logger: pino({ level: "silent" }), storeHost: host });
    a.load();
    a.start();
    for (let i = 0; i < 100; i++) await a.putMessage(message(i));
    await a.shutdown();
    expect(existsSync(join(root, "abort"))).toBe(false);
    const b = new DefaultMessageStore(cfg, { logger: pino({ level: "silent" }), storeHost: host });
    b.load();
    b.start();
    cleanups.push(() => b.shutdown());
    const res = await b.putMessage(message(100));
    expect(res.appendResult?.logicsOffset).toBe(100);
    // 99 is the last entry of a consume-queue file: like Java, a pull stops at the file end
    expect(b.getMessage("T", 0, 99, 2)).toMatchObject({ status: "FOUND", nextBeginOffset: 100 });
    expect(b.getMessage("T", 0, 100, 2).messages.length).toBe(1);
  });
});
