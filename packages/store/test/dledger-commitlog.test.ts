/**
 * The DLedger commit log under DefaultMessageStore with a real one-member DLedger backend (dledger's
 * mmap entry store in a temp dir, committing each append at once or when told): records at entry
 * pos + 48 with PHYSICALOFFSET written by the append hook, batches as consecutive entries, the put
 * statuses of refused and unacknowledged appends, dispatch of committed entries only, restart
 * recovery, and the old commit log kept below `dividedCommitlogOffset`.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { checkRecord, configDefaults, createMessageId, parseHost, type MessageExt } from "@rocketmq-ts/common";
import { DLedgerResponseCode } from "@rocketmq-ts/dledger";
import {
  DLedgerCode,
  DLedgerCommitLog,
  DefaultMessageStore,
  messageStoreConfigSpec,
  putStatusOfDLedger,
  type MessageStoreConfig,
} from "@rocketmq-ts/store";
import { innerMessage } from "./support/messages.js";
import { SingleMemberDLedger } from "./support/singleMemberDLedger.js";

const host = parseHost("127.0.0.1:10911");
const FILE_SIZE = 64 * 1024;
const TOPIC = "TopicTest";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "store-dledger-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

function storeConfig(root: string, overrides: Partial<MessageStoreConfig> = {}): MessageStoreConfig {
  return {
    ...configDefaults(messageStoreConfigSpec()),
    storePathRootDir: root,
    mappedFileSizeCommitLog: FILE_SIZE,
    mappedFileSizeConsumeQueue: 20 * 100,
    enableDLegerCommitLog: true,
    dLegerGroup: "RaftNode00",
    dLegerPeers: "n0-127.0.0.1:40911",
    dLegerSelfId: "n0",
    ...overrides,
  };
}

interface Opened {
  store: DefaultMessageStore;
  backend: SingleMemberDLedger;
  close(): Promise<void>;
}

/** A store in DLedger mode over a one-member backend, as the broker wires them: load, start, then the member. */
function openStore(root: string, options: { role?: "leader" | "follower"; autoCommit?: boolean } = {}): Opened {
  const backend = new SingleMemberDLedger({
    storeBaseDir: root,
    mappedFileSizeForEntryData: FILE_SIZE,
    role: options.role,
  });
  backend.autoCommit = options.autoCommit ?? true;
  const store = new DefaultMessageStore(storeConfig(root), {
    logger: pino({ level: "silent" }),
    storeHost: host,
    dledger: backend,
  });
  store.load();
  store.start();
  backend.start();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await store.shutdown();
    await backend.shutdown();
  };
  cleanups.push(close);
  return { store, backend, close };
}

const message = (i: number, queueId = 0) =>
  innerMessage(host, { topic: TOPIC, queueId, body: Buffer.from(`Hello RocketMQ ${i}`), propertiesString: "" });

function readQueue(store: DefaultMessageStore, queueId: number, from = 0): MessageExt[] {
  const out: MessageExt[] = [];
  let offset = from;
  for (;;) {
    const r = store.getMessage(TOPIC, queueId, offset, 32);
    if (r.status !== "FOUND") return out;
    for (const buf of r.messages) {
      const check = checkRecord(buf, 0, buf.length, true);
      if (check.kind !== "message") throw new Error(`not a record at queue offset ${offset}`);
      out.push(check.msg);
    }
    offset = r.nextBeginOffset;
  }
}

describe("DLedger commit log: put and read", () => {
  it("stores each message as an entry whose record sits at pos + 48, with PHYSICALOFFSET, consume queue and msgId on it", async () => {
    const { store, backend } = openStore(tempRoot());
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await store.putMessage(message(i)));
    expect(results.map((r) => r.status)).toEqual(["PUT_OK", "PUT_OK", "PUT_OK"]);
    expect(store.commitLog).toBeInstanceOf(DLedgerCommitLog);
    for (let i = 0; i < 3; i++) {
      const entry = backend.store.get(i);
      const append = results[i]?.appendResult;
      expect(append?.wroteOffset).toBe(entry.pos + 48);
      expect(append?.logicsOffset).toBe(i);
      expect(append?.msgId).toBe(createMessageId(host, entry.pos + 48));
      // the entry body is the record, its PHYSICALOFFSET patched by the hook
      const record = checkRecord(entry.body, 0, entry.body.length, true);
      expect(record.kind === "message" && record.msg.commitLogOffset).toBe(entry.pos + 48);
      expect(entry.size).toBe(48 + (append?.wroteBytes ?? 0));
    }
    const entry1 = backend.store.get(1);
    expect(entry1.pos).toBe(backend.store.get(0).pos + backend.store.get(0).size);
    const msgs = readQueue(store, 0);
    expect(msgs.map((m) => m.body?.toString())).toEqual(["Hello RocketMQ 0", "Hello RocketMQ 1", "Hello RocketMQ 2"]);
    expect(msgs.map((m) => m.commitLogOffset)).toEqual(results.map((r) => r.appendResult?.wroteOffset));
    expect(msgs.map((m) => m.queueOffset)).toEqual([0, 1, 2]);
    const cq = store.getConsumeQueue(TOPIC, 0);
    expect([0, 1, 2].map((i) => cq?.getEntry(i)?.offset)).toEqual(msgs.map((m) => m.commitLogOffset));
    // max offset = committed position = end of the last entry; min offset = the first entry's start
    expect(store.getMaxPhyOffset()).toBe(backend.store.getCommittedPos());
    expect(store.getMaxPhyOffset()).toBe(entry1.pos + entry1.size + backend.store.get(2).size);
    expect(store.getMinPhyOffset()).toBe(0);
    expect(store.lookMessageByOffset(msgs[2]?.commitLogOffset ?? -1)?.body?.toString()).toBe("Hello RocketMQ 2");
    expect(store.getEarliestCommitLogTime()).toBe(msgs[0]?.storeTimestamp);
    // no commitlog/ directory in DLedger mode; the disk checks look at dledger-n0/data
    expect(store.getStorePathPhysic()).toBe(join(store.config.storePathRootDir, "dledger-n0", "data"));
    expect(existsSync(join(store.config.storePathRootDir, "commitlog"))).toBe(false);
  });

  it("appends a batch as consecutive entries: one queue offset each, offsets 48 bytes apart, msgIds joined", async () => {
    const { store, backend } = openStore(tempRoot());
    await store.putMessage(message(0, 1));
    const batch = [1, 2, 3].map((i) => message(i, 1));
    const r = await store.putMessages(batch);
    expect(r.status).toBe("PUT_OK");
    const append = r.appendResult;
    expect(append?.msgNum).toBe(3);
    expect(append?.logicsOffset).toBe(1);
    const entries = [1, 2, 3].map((i) => backend.store.get(i));
    expect(append?.wroteOffset).toBe((entries[0]?.pos ?? -1) + 48);
    expect(append?.msgId).toBe(entries.map((e) => createMessageId(host, e.pos + 48)).join(","));
    expect(append?.wroteBytes).toBe(entries.reduce((n, e) => n + e.size - 48, 0));
    const msgs = readQueue(store, 1);
    expect(msgs.map((m) => m.queueOffset)).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < msgs.length; i++) {
      const prev = msgs[i - 1] as MessageExt;
      expect(msgs[i]?.commitLogOffset).toBe(prev.commitLogOffset + prev.storeSize + 48);
    }
  });
});

describe("DLedger commit log: put statuses", () => {
  it("maps DLedger results as 4.9.8 (codes are dledger's)", () => {
    for (const name of Object.keys(DLedgerCode) as (keyof typeof DLedgerCode)[])
      expect(DLedgerCode[name]).toBe(DLedgerResponseCode[name]);
    expect(putStatusOfDLedger(DLedgerCode.SUCCESS, 0)).toBe("PUT_OK");
    for (const code of [
      DLedgerCode.NOT_LEADER,
      DLedgerCode.INCONSISTENT_LEADER,
      DLedgerCode.LEADER_NOT_READY,
      DLedgerCode.DISK_FULL,
    ]) {
      expect(putStatusOfDLedger(code, 100)).toBe("SERVICE_NOT_AVAILABLE");
      expect(putStatusOfDLedger(code, -1)).toBe("SERVICE_NOT_AVAILABLE");
    }
    expect(putStatusOfDLedger(DLedgerCode.WAIT_QUORUM_ACK_TIMEOUT, 100)).toBe("OS_PAGECACHE_BUSY");
    expect(putStatusOfDLedger(DLedgerCode.LEADER_PENDING_FULL, -1)).toBe("OS_PAGECACHE_BUSY");
    expect(putStatusOfDLedger(DLedgerResponseCode.LEADER_TRANSFERRING, -1)).toBe("OS_PAGECACHE_BUSY");
    expect(putStatusOfDLedger(DLedgerResponseCode.TERM_CHANGED, 100)).toBe("UNKNOWN_ERROR");
  });

  it("a member that is not leader refuses the put with SERVICE_NOT_AVAILABLE and nothing is stored or queued", async () => {
    const { store, backend } = openStore(tempRoot(), { role: "follower" });
    const r = await store.putMessage(message(0));
    expect(r.status).toBe("SERVICE_NOT_AVAILABLE");
    expect(backend.store.getLedgerEndIndex()).toBe(-1);
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0);
    // the queue offset was not taken: the next put as leader gets queue offset 0
    backend.memberState.role = "leader";
    const ok = await store.putMessage(message(1));
    expect(ok.status).toBe("PUT_OK");
    expect(ok.appendResult?.logicsOffset).toBe(0);
  });

  it("an append the quorum did not acknowledge in time answers OS_PAGECACHE_BUSY", async () => {
    const { store, backend } = openStore(tempRoot(), { autoCommit: false });
    const pending = store.putMessage(message(0));
    backend.failWaiting(DLedgerCode.WAIT_QUORUM_ACK_TIMEOUT);
    expect((await pending).status).toBe("OS_PAGECACHE_BUSY");
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0);
  });
});

describe("DLedger commit log: dispatch and recovery", () => {
  it("dispatches only committed entries, and as soon as the commit is announced", async () => {
    const { store, backend } = openStore(tempRoot(), { autoCommit: false });
    const puts = [store.putMessage(message(0)), store.putMessage(message(1))];
    expect(backend.store.getLedgerEndIndex()).toBe(1);
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0);
    expect(store.getMaxPhyOffset()).toBe(0);
    expect(store.getMessage(TOPIC, 0, 0, 32).status).not.toBe("FOUND");
    backend.commitAll();
    // the commit listener ran the reput before any put resolved
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(2);
    expect((await Promise.all(puts)).map((r) => r.status)).toEqual(["PUT_OK", "PUT_OK"]);
    expect(readQueue(store, 0).map((m) => m.body?.toString())).toEqual(["Hello RocketMQ 0", "Hello RocketMQ 1"]);
    expect(store.dispatchBehindBytes()).toBe(0);
  });

  it("after a restart keeps the consume queues, re-dispatches lost ones from committed entries only", async () => {
    const root = tempRoot();
    const first = openStore(root);
    for (let i = 0; i < 10; i++) expect((await first.store.putMessage(message(i, i % 2))).status).toBe("PUT_OK");
    // two more appended but never committed
    first.backend.autoCommit = false;
    const unacked = [first.store.putMessage(message(10, 0)), first.store.putMessage(message(11, 1))];
    await first.close();
    first.backend.failWaiting(DLedgerCode.WAIT_QUORUM_ACK_TIMEOUT);
    await Promise.all(unacked);

    const second = openStore(root, { autoCommit: false });
    expect(second.backend.store.getCommittedIndex()).toBe(9);
    expect(second.backend.store.getLedgerEndIndex()).toBe(11);
    expect(readQueue(second.store, 0).length).toBe(5);
    expect(readQueue(second.store, 1).length).toBe(5);
    await second.close();

    // consume queues lost: the start-up reput rebuilds them from the committed entries
    rmSync(join(root, "consumequeue"), { recursive: true, force: true });
    const third = openStore(root, { autoCommit: false });
    expect(readQueue(third.store, 0).map((m) => m.body?.toString())).toEqual(
      [0, 2, 4, 6, 8].map((i) => `Hello RocketMQ ${i}`),
    );
    expect(readQueue(third.store, 1).length).toBe(5);
    // the tail commits once the quorum says so; a new leader then takes its next queue offsets from
    // the queues (the broker's role-change handler does this before it takes writes)
    third.backend.commitAll();
    expect(readQueue(third.store, 0).map((m) => m.queueOffset)).toEqual([0, 1, 2, 3, 4, 5]);
    third.store.recoverTopicQueueTable();
    const next = third.store.putMessage(message(12, 1));
    third.backend.commitAll();
    expect((await next).appendResult?.logicsOffset).toBe(6);
  });

  it("keeps an old commit log: DLedger starts at the next file boundary (dividedCommitlogOffset), old messages stay readable", async () => {
    const root = tempRoot();
    const plain = new DefaultMessageStore(storeConfig(root, { enableDLegerCommitLog: false }), {
      logger: pino({ level: "silent" }),
      storeHost: host,
    });
    plain.load();
    plain.start();
    for (let i = 0; i < 5; i++) expect((await plain.putMessage(message(i))).status).toBe("PUT_OK");
    const oldEnd = plain.getMaxPhyOffset();
    await plain.shutdown();

    const { store, close } = openStore(root);
    const log = store.commitLog as DLedgerCommitLog;
    expect(log.dividedCommitlogOffset).toBe(FILE_SIZE);
    expect(readdirSync(join(root, "dledger-n0", "data"))).toEqual([String(FILE_SIZE).padStart(20, "0")]);
    expect(store.getMinPhyOffset()).toBe(0);
    expect(store.getMaxPhyOffset()).toBe(FILE_SIZE);
    const r = await store.putMessage(message(5));
    expect(r.appendResult?.wroteOffset).toBe(FILE_SIZE + 48);
    expect(r.appendResult?.logicsOffset).toBe(5);
    const msgs = readQueue(store, 0);
    expect(msgs.map((m) => m.body?.toString())).toEqual([0, 1, 2, 3, 4, 5].map((i) => `Hello RocketMQ ${i}`));
    expect(msgs[4]?.commitLogOffset).toBeLessThan(oldEnd);
    await close();

    // on later starts DLedger's first file marks the division; a lost queue is rebuilt across both logs
    rmSync(join(root, "consumequeue"), { recursive: true, force: true });
    const again = openStore(root);
    expect((again.store.commitLog as DLedgerCommitLog).dividedCommitlogOffset).toBe(FILE_SIZE);
    expect(readQueue(again.store, 0).map((m) => m.commitLogOffset)).toEqual(msgs.map((m) => m.commitLogOffset));
  });
});
