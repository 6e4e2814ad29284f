/**
 * The captured Java group's PUSH requests from the leader n0 to the follower n1 in term 1 (COMPARE
 * → TRUNCATE → APPEND 1…999 → COMMITs), sent over a socket to our member set up as n1 was (empty
 * store, follower of n0 in term 1 after n0's first heartbeat): every answer is the captured one,
 * byte for byte, and our store ends up holding Java's entries 0…999 at Java's positions, its data
 * and index bytes equal to Java's n1. Then, restarted as n1 was after n0's death, the member gets
 * n2's votes, heartbeats and pushes of term 2 (COMPARE NOT_FOLLOWER, COMPARE SUCCESS, APPEND
 * 1000…1999, COMMITs): the same answers again, and Java's entries 1000…1999.
 */
import { mkdirSync, mkdtempSync, openSync, readSync, closeSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RemotingClient } from "@rocketmq-ts/remoting";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test/support/cluster.js";
import { INDEX_UNIT_SIZE, createDLedgerConfig, DLedgerRequestCode, DLedgerServer } from "../src/index.js";
import { commandOf, dledgerFrames, type DLedgerFrame } from "./support/dledgerCapture.js";
import { decodedEntries, removeDir, unpackJavaDLedgerStore } from "./support/dledgerStoreFixture.js";

const frames = dledgerFrames();
const responses = new Map(frames.filter((f) => f.rpcType === "response").map((f) => [f.requestSeq, f]));
const requestsTo = (from: string, term: number, codes: number[]): DLedgerFrame[] =>
  frames.filter(
    (f) =>
      f.rpcType === "request" &&
      codes.includes(f.header.code) &&
      f.bodyJson?.localId === from &&
      f.bodyJson.remoteId === "n1" &&
      f.bodyJson.term === term,
  );
const fromN0toN1 = (code: number): DLedgerFrame[] => requestsTo("n0", 1, [code]);

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function readRange(file: string, from: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, length, from);
  } finally {
    closeSync(fd);
  }
  return buf;
}

describe("replaying the captured PUSH requests to our n1", () => {
  it("answers n0's PUSHes of term 1 and, restarted, n2's of the failover as Java's n1 did; ends with Java's entries 0…1999", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dledger-replay-push-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, "dledger-n1"), { recursive: true });
    writeFileSync(join(dir, "dledger-n1", "currterm"), "voteLeader=n0\ncurrTerm=1\n");
    const ports = [await freePort(), await freePort(), await freePort()];
    const config = createDLedgerConfig({
      group: "RaftNode00",
      selfId: "n1",
      peers: ["n0", "n1", "n2"].map((id, i) => `${id}-127.0.0.1:${ports[i]}`).join(";"),
      storeBaseDir: dir,
      enableLeaderElector: false,
      mappedFileSizeForEntryData: 4 * 1024 * 1024,
      mappedFileSizeForEntryIndex: INDEX_UNIT_SIZE * 4096,
    });
    let server = new DLedgerServer(config, { bindAddress: "127.0.0.1", enableCleanSpaceService: false });
    await server.start();
    cleanups.push(() => server.shutdown());
    let client = new RemotingClient();
    cleanups.push(() => client.shutdown());
    const addr = `127.0.0.1:${server.listenPort}`;
    const committed: number[] = [];
    server.onCommitted((i) => committed.push(i));

    /** Send a captured request; its answer must be the captured one, byte for byte. */
    const replay = async (request: DLedgerFrame): Promise<void> => {
      const expectedFrame = responses.get(request.seq);
      if (!expectedFrame) throw new Error(`no answer to ${request.seq}`);
      const expected = commandOf(expectedFrame);
      const response = await client.invokeSync(addr, commandOf(request), 5000);
      expect([response.code, response.opaque, response.flag, response.remark]).toEqual([
        expected.code,
        expected.opaque,
        expected.flag,
        expected.remark,
      ]);
      expect(response.body?.toString("utf8"), `answer to seq ${request.seq}`).toBe(expected.body?.toString("utf8"));
    };

    // n0's first heartbeat makes n1 its follower in term 1
    await replay(fromN0toN1(DLedgerRequestCode.HEART_BEAT)[0]!);
    expect([server.role, server.leaderId, server.term]).toEqual(["FOLLOWER", "n0", 1]);

    const pushes = fromN0toN1(DLedgerRequestCode.PUSH);
    expect(pushes.map((p) => p.bodyJson?.type).slice(0, 3)).toEqual(["COMPARE", "TRUNCATE", "APPEND"]);
    expect(pushes.length).toBe(1023);
    for (const push of pushes) await replay(push);

    const store = server.store;
    expect([store.getLedgerBeginIndex(), store.getLedgerEndIndex(), store.getCommittedIndex()]).toEqual([0, 999, 999]);
    expect(committed.at(-1)).toBe(999);
    expect(committed.every((c, i) => i === 0 || c > committed[i - 1]!)).toBe(true);

    // Java's entries (decoded from its stores) at Java's positions
    const java = decodedEntries().filter((e) => e.index <= 999);
    expect(java.length).toBe(1000);
    for (const e of java) {
      const ours = store.get(e.index);
      expect([ours.index, ours.term, ours.pos, ours.size, ours.magic, ours.body.length], `entry ${e.index}`).toEqual([
        e.index,
        e.term,
        e.pos,
        e.size,
        e.magic,
        e.bodySize,
      ]);
      // RocketMQ's record: PHYSICALOFFSET (at body offset 28) is the entry's pos + 48
      expect(Number(ours.body.readBigInt64BE(28)), `physical offset of ${e.index}`).toBe(e.message.physicalOffset);
    }

    // and byte for byte: data and index files as Java's n1 wrote them, up to entry 999
    const last = java.at(-1)!;
    const dataEnd = last.pos + last.size;
    const { root, storeDir } = await unpackJavaDLedgerStore("n1");
    cleanups.push(() => removeDir(root));
    await store.flush();
    const name = "00000000000000000000";
    expect(
      readRange(join(dir, "dledger-n1", "data", name), 0, dataEnd).equals(
        readRange(join(storeDir, "dledger-n1", "data", name), 0, dataEnd),
      ),
    ).toBe(true);
    const indexEnd = 1000 * INDEX_UNIT_SIZE;
    expect(
      readRange(join(dir, "dledger-n1", "index", name), 0, indexEnd).equals(
        readRange(join(storeDir, "dledger-n1", "index", name), 0, indexEnd),
      ),
    ).toBe(true);

    // n0 is killed; n1 restarts as it then was (candidate in term 1, voted for n0, entries 0…999) and
    // follows n2's requests of the failover: votes, then COMPARE answered NOT_FOLLOWER (not yet
    // follower), heartbeat, COMPARE SUCCESS at 999, APPEND 1000…1999, COMMITs
    await server.shutdown();
    await client.shutdown();
    client = new RemotingClient();
    server = new DLedgerServer(config, { bindAddress: "127.0.0.1", enableCleanSpaceService: false });
    await server.start();
    expect([server.role, server.term, server.store.getLedgerEndIndex(), server.store.getCommittedIndex()]).toEqual([
      "CANDIDATE",
      1,
      999,
      999,
    ]);
    const codes = [DLedgerRequestCode.VOTE, DLedgerRequestCode.HEART_BEAT, DLedgerRequestCode.PUSH];
    await replay(requestsTo("n2", 1, codes)[0]!); // VOTE in term 1: REJECT_ALREADY_VOTED
    const failover = requestsTo("n2", 2, codes);
    await replay(failover[0]!); // VOTE in term 2: REJECT_TERM_NOT_READY
    await server.elector.maintainState(); // n1's own move to term 2
    for (const f of failover.slice(1)) await replay(f);
    expect([server.role, server.leaderId, server.term]).toEqual(["FOLLOWER", "n2", 2]);
    expect([server.store.getLedgerEndIndex(), server.store.getCommittedIndex()]).toEqual([1999, 1999]);
    for (const e of decodedEntries().filter((x) => x.index >= 1000)) {
      const ours = server.store.get(e.index);
      expect([ours.index, ours.term, ours.pos, ours.size], `entry ${e.index}`).toEqual([
        e.index,
        e.term,
        e.pos,
        e.size,
      ]);
    }
  }, 60_000);
});
