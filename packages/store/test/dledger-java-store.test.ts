/**
 * The store of a Java RocketMQ 4.9.8 DLedger broker (node n2 of ../../../shared/conformance/store/dledger:
 * 2000 entries of TopicTest, 4 queues × 500, committed index 1999) opened by our DefaultMessageStore
 * in DLedger mode: every message read through Java's consume queues, then again through queues our
 * reput rebuilt from the entries.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRecord, configDefaults, parseHost } from "@rocketmq-ts/common";
import { DefaultMessageStore, messageStoreConfigSpec } from "@rocketmq-ts/store";
import { FIXTURE_DIR, decodedEntries, type DecodedEntry } from "../../dledger/test/support/dledgerStoreFixture.js";
import { unpackSparse } from "../../dledger/test/support/sparseTar.js";
import { SingleMemberDLedger } from "./support/singleMemberDLedger.js";

const TOPIC = "TopicTest";
let root: string;
let entries: DecodedEntry[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "store-dledger-java-"));
  await unpackSparse(join(FIXTURE_DIR, "n2-store.tar.gz"), root);
  entries = decodedEntries();
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function withJavaStore(read: (store: DefaultMessageStore) => void): Promise<void> {
  const storeRoot = join(root, "store");
  // a follower: the member never appends here
  const backend = new SingleMemberDLedger({ storeBaseDir: storeRoot, selfId: "n2", role: "follower" });
  const store = new DefaultMessageStore(
    {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: storeRoot,
      storePathCommitLog: join(storeRoot, "commitlog"),
      enableDLegerCommitLog: true,
      dLegerGroup: "RaftNode00",
      dLegerPeers: "n0-127.0.0.1:24941;n1-127.0.0.1:24942;n2-127.0.0.1:24943",
      dLegerSelfId: "n2",
    },
    { logger: pino({ level: "silent" }), storeHost: parseHost("127.0.0.1:24931"), dledger: backend },
  );
  store.load();
  store.start();
  backend.start();
  try {
    read(store);
  } finally {
    await store.shutdown();
    await backend.shutdown();
  }
}

function expectAllMessages(store: DefaultMessageStore): void {
  expect(store.getMaxPhyOffset()).toBe(521780);
  expect(store.getMinPhyOffset()).toBe(0);
  const byQueue = new Map<number, DecodedEntry[]>();
  for (const e of entries) byQueue.set(e.message.queueId, [...(byQueue.get(e.message.queueId) ?? []), e]);
  expect([...byQueue.keys()].sort()).toEqual([0, 1, 2, 3]);
  let read = 0;
  for (const [queueId, expected] of byQueue) {
    expected.sort((a, b) => a.message.queueOffset - b.message.queueOffset);
    expect(store.getMaxOffsetInQueue(TOPIC, queueId)).toBe(500);
    let offset = 0;
    while (offset < 500) {
      const r = store.getMessage(TOPIC, queueId, offset, 32);
      expect(r.status).toBe("FOUND");
      r.messages.forEach((buf, i) => {
        const e = expected[offset + i] as DecodedEntry;
        const check = checkRecord(buf, 0, buf.length, true);
        if (check.kind !== "message") throw new Error(`queue ${queueId} offset ${offset + i}: not a record`);
        expect(check.msg.commitLogOffset).toBe(e.pos + 48);
        expect(check.msg.queueOffset).toBe(offset + i);
        expect(check.msg.body?.toString()).toBe(e.message.body);
        expect(r.msgQueueOffsets[i]).toBe(offset + i);
        read++;
      });
      offset = r.nextBeginOffset;
    }
  }
  expect(read).toBe(2000);
}

describe("a Java 4.9.8 DLedger broker store", () => {
  it("reads all 2000 messages through Java's consume queues, at entry pos + 48", async () => {
    await withJavaStore(expectAllMessages);
  });

  it("rebuilds the consume queues from the committed entries and reads them the same", async () => {
    rmSync(join(root, "store", "consumequeue"), { recursive: true, force: true });
    await withJavaStore((store) => {
      expectAllMessages(store);
      // the last entry's record: PHYSICALOFFSET 521567, as the fixture's README says
      const last = entries[entries.length - 1] as DecodedEntry;
      const cq = store.getConsumeQueue(TOPIC, last.message.queueId);
      expect(cq?.getEntry(last.message.queueOffset)?.offset).toBe(521567);
    });
  });
});
