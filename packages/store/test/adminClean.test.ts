/**
 * The clean-ups an administrator asks for: cleanExpiredConsumerQueue (mqadmin cleanExpiredCQ),
 * cleanUnusedTopic, and the manual commit-log delete (deleteExpiredCommitLog) with its pause between
 * two deleted files. Real files in a temp dir; file ages come from the process clock (faketime-safe).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { configDefaults, parseHost, type MessageInner } from "@rocketmq-ts/common";
import {
  DefaultMessageStore,
  MAX_MANUAL_DELETE_FILE_TIMES,
  messageStoreConfigSpec,
  type MessageStoreConfig,
} from "@rocketmq-ts/store";
import { innerMessage } from "./support/messages.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const host = parseHost("127.0.0.1:10911");
const FILE_SIZE = 64 * 1024;

/** An hour of the day other than the current one: rounds then run only when asked for. */
const notNow = (): string => String((new Date().getHours() + 12) % 24);

function openStore(overrides: Partial<MessageStoreConfig> = {}): DefaultMessageStore {
  const root = mkdtempSync(join(tmpdir(), "store-admin-clean-"));
  const store = new DefaultMessageStore(
    {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: root,
      mappedFileSizeCommitLog: FILE_SIZE,
      mappedFileSizeConsumeQueue: 200,
      fileReservedTime: 1,
      deleteWhen: notNow(),
      deleteCommitLogFilesInterval: 0,
      ...overrides,
    },
    { logger: pino({ level: "silent" }), storeHost: host },
  );
  store.load();
  store.start();
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  cleanups.push(() => store.shutdown());
  return store;
}

const message = (topic: string, i: number, extra: Partial<MessageInner> = {}): MessageInner =>
  innerMessage(host, { topic, body: Buffer.alloc(1000, 65 + (i % 26)), ...extra });

async function put(store: DefaultMessageStore, topic: string, n: number, queueId = 0): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await store.putMessage(message(topic, i, { queueId }));
    expect(r.status).toBe("PUT_OK");
  }
}

const commitLogDir = (store: DefaultMessageStore): string => join(store.config.storePathRootDir, "commitlog");
const queueDir = (store: DefaultMessageStore, topic: string, queueId = 0): string =>
  join(store.config.storePathRootDir, "consumequeue", topic, String(queueId));

/** Make the first `count` commit-log files two hours old and the others fresh, by the process clock. */
function ageCommitLogFiles(store: DefaultMessageStore, count: number): void {
  const dir = commitLogDir(store);
  const old = (Date.now() - 2 * 3600 * 1000) / 1000;
  const fresh = Date.now() / 1000;
  readdirSync(dir)
    .sort()
    .forEach((f, i) => utimesSync(join(dir, f), i < count ? old : fresh, i < count ? old : fresh));
}

/** Index of the commit-log file holding the last message of a queue. */
function fileOfLastMessage(store: DefaultMessageStore, topic: string): number {
  const last = store.getMaxOffsetInQueue(topic, 0) - 1;
  return Math.floor(store.getCommitLogOffsetInQueue(topic, 0, last) / FILE_SIZE);
}

describe("manual commit-log delete (executeDeleteFilesManually)", () => {
  it("deletes expired files at any hour for the next 20 rounds, then no more", async () => {
    const store = openStore();
    await put(store, "T", 300);
    const files = readdirSync(commitLogDir(store)).length;
    expect(files).toBeGreaterThan(4);
    ageCommitLogFiles(store, 2);
    // not the deleteWhen hour, disk not full: a round deletes nothing
    expect(await store.deleteExpiredFiles()).toBe(0);

    store.executeDeleteFilesManually();
    expect(await store.deleteExpiredFiles()).toBe(2);
    expect(readdirSync(commitLogDir(store)).length).toBe(files - 2);
    expect(store.getMinPhyOffset()).toBe(2 * FILE_SIZE);
    // only expired files go: the fresh ones stay however many rounds run
    for (let round = 1; round < MAX_MANUAL_DELETE_FILE_TIMES; round++) expect(await store.deleteExpiredFiles()).toBe(0);
    // the request is used up: an expired file now waits for the deleteWhen hour
    ageCommitLogFiles(store, 1);
    expect(await store.deleteExpiredFiles()).toBe(0);
    store.executeDeleteFilesManually();
    expect(await store.deleteExpiredFiles()).toBe(1);
    expect(store.getMinPhyOffset()).toBe(3 * FILE_SIZE);
  });

  it("pauses deleteCommitLogFilesInterval between two deleted files", async () => {
    const store = openStore({ deleteCommitLogFilesInterval: 150 });
    await put(store, "T", 300);
    ageCommitLogFiles(store, 3);
    store.executeDeleteFilesManually();
    const start = Date.now();
    expect(await store.deleteExpiredFiles()).toBe(3);
    // two pauses between three files (none after the last expired one)
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
  });
});

describe("cleanExpiredConsumerQueue", () => {
  it("destroys the queues whose every message is below the commit log's minimum", async () => {
    const store = openStore();
    await put(store, "SCHEDULE_TOPIC_XXXX", 5);
    await put(store, "OLD", 130);
    await put(store, "NEW", 130);
    store.findConsumeQueue("EMPTY", 0); // created, never written
    const lastOldFile = fileOfLastMessage(store, "OLD");
    expect(fileOfLastMessage(store, "NEW")).toBeGreaterThan(lastOldFile);

    // nothing is expired while the commit log still holds every message
    expect(store.cleanExpiredConsumerQueue()).toBe(0);

    ageCommitLogFiles(store, lastOldFile + 1);
    store.executeDeleteFilesManually();
    expect(await store.deleteExpiredFiles()).toBe(lastOldFile + 1);
    expect(store.commitLog.topicQueueTable.get("OLD-0")).toBe(130);

    expect(store.cleanExpiredConsumerQueue()).toBe(1);
    expect(store.getConsumeQueue("OLD", 0)).toBeUndefined();
    expect(existsSync(queueDir(store, "OLD"))).toBe(false);
    expect(store.commitLog.topicQueueTable.has("OLD-0")).toBe(false);
    // the schedule topic, a queue still holding messages and a queue without entries stay
    expect(store.getConsumeQueue("SCHEDULE_TOPIC_XXXX", 0)).toBeDefined();
    expect(store.getMaxOffsetInQueue("NEW", 0)).toBe(130);
    expect(store.getConsumeQueue("EMPTY", 0)).toBeDefined();

    // the topic starts over at queue offset 0
    const again = await store.putMessage(message("OLD", 0));
    expect(again.appendResult?.logicsOffset).toBe(0);
    expect(store.getMessage("OLD", 0, 0, 1).status).toBe("FOUND");
  });
});

describe("cleanUnusedTopic", () => {
  it("destroys the queues of topics the broker no longer has, keeping Java's exceptions", async () => {
    const store = openStore();
    await put(store, "KEPT", 3);
    await put(store, "GONE", 3, 0);
    await put(store, "GONE", 3, 1);
    await put(store, "SCHEDULE_TOPIC_XXXX", 1);
    await put(store, "RMQ_SYS_TRANS_OP_HALF_TOPIC", 1);
    await put(store, "%LMQ%light", 1);

    expect(store.cleanUnusedTopic(new Set(["KEPT"]))).toBe(1);
    expect(store.getConsumeQueue("GONE", 0)).toBeUndefined();
    expect(store.getConsumeQueue("GONE", 1)).toBeUndefined();
    expect(existsSync(queueDir(store, "GONE", 0))).toBe(false);
    expect(existsSync(queueDir(store, "GONE", 1))).toBe(false);
    expect(store.commitLog.topicQueueTable.has("GONE-0")).toBe(false);
    expect(store.commitLog.topicQueueTable.has("GONE-1")).toBe(false);
    for (const topic of ["KEPT", "SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_OP_HALF_TOPIC", "%LMQ%light"])
      expect(store.getMaxOffsetInQueue(topic, 0), topic).toBeGreaterThan(0);
    expect(store.getMaxOffsetInQueue("GONE", 0)).toBe(0);

    // a second run finds nothing more to do
    expect(store.cleanUnusedTopic(new Set(["KEPT"]))).toBe(0);
  });
});
