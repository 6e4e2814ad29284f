/**
 * The follower's side: appends at the leader's positions, TRUNCATE back to the leader's log (an
 * entry that differs, one that is already there, an empty follower joining late), and the checks
 * that answer a peer with Java's response codes.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { offset2FileName } from "@rocketmq-ts/store";
import {
  BODY_OFFSET,
  INDEX_UNIT_SIZE,
  createEntry,
  type DLedgerEntry,
  type DLedgerMmapFileStore,
} from "../src/index.js";
import { TestMemberState, removeDir } from "./support/dledgerStoreFixture.js";
import { DATA_FILE_SIZE, appendMany, body, crash, openStore, tempBase } from "./support/smallStore.js";

const bases: string[] = [];
function newBase(label: string): string {
  const b = tempBase(label);
  bases.push(b);
  return b;
}
afterEach(() => {
  for (const b of bases.splice(0)) removeDir(b);
});

/** Matches a DLedgerException by its code; typed Error because vitest's toThrow signature omits the asymmetric matchers it accepts. */
const code = (c: number): Error => expect.objectContaining({ code: c });

/** A copy of `e` as a follower receives it from the leader. */
function asReceived(e: DLedgerEntry): DLedgerEntry {
  return createEntry(Buffer.from(e.body), { magic: e.magic, index: e.index, term: e.term, pos: e.pos });
}

/** The leader's log: entries in term 1 up to `fork`, then from `fork` on entries of term 2 with other bodies. */
function leaderLog(fork: number, total: number): DLedgerEntry[] {
  const base = newBase("leader");
  const ms = new TestMemberState("leader", 1, "n1");
  const { store } = openStore(base, ms);
  const log = appendMany(store, fork);
  ms.term = 2;
  log.push(...appendMany(store, total - fork, 500));
  crash(store);
  return log;
}

function followerWith(
  entries: DLedgerEntry[],
  term = 2,
  leaderId = "n1",
): { store: DLedgerMmapFileStore; ms: TestMemberState; base: string } {
  const base = newBase("follower");
  const ms = new TestMemberState("follower", term, leaderId);
  const { store } = openStore(base, ms);
  for (const e of entries) {
    ms.term = e.term;
    store.appendAsFollower(asReceived(e), e.term, leaderId);
  }
  ms.term = term;
  return { store, ms, base };
}

describe("follower appends", () => {
  it("writes entries at the leader's positions, with Java's checks", () => {
    const log = leaderLog(12, 12);
    const { store, ms } = followerWith(log.slice(0, 10), 1);
    expect([store.ledgerEndIndex, store.ledgerEndTerm]).toEqual([9, 1]);
    expect(ms.ledgerEnd).toEqual({ index: 9, term: 1 });
    expect(store.get(9).body.equals(log[9]!.body)).toBe(true);
    expect(() => store.appendAsFollower(asReceived(log[11]!), 1, "n1")).toThrow(code(408)); // INCONSISTENT_INDEX
    expect(() => store.appendAsFollower(asReceived(log[10]!), 2, "n1")).toThrow(code(407)); // INCONSISTENT_TERM
    expect(() => store.appendAsFollower(asReceived(log[10]!), 1, "n2")).toThrow(code(409)); // INCONSISTENT_LEADER
    ms.role = "candidate";
    expect(() => store.appendAsFollower(asReceived(log[10]!), 1, "n1")).toThrow(code(405)); // NOT_FOLLOWER
    expect(() => store.appendAsLeader(createEntry(body(1, 10)))).toThrow(code(404)); // NOT_LEADER
    crash(store);
  });

  it("the leader refuses appends while transferring leadership or with a full disk", () => {
    const base = newBase("leader-checks");
    const ms = new TestMemberState("leader", 1, "n0");
    const { store } = openStore(base, ms);
    ms.transferee = "n1";
    expect(() => store.appendAsLeader(createEntry(body(1, 10)))).toThrow(code(506)); // LEADER_TRANSFERRING
    ms.transferee = null;
    store.isDiskFull = true;
    expect(() => store.appendAsLeader(createEntry(body(1, 10)))).toThrow(code(415)); // DISK_FULL
    store.isDiskFull = false;
    expect(store.appendAsLeader(createEntry(body(1, 10))).index).toBe(0);
    crash(store);
  });
});

describe("truncate", () => {
  it("cuts a follower's diverging tail and writes the leader's entry; the log goes on from there", () => {
    const leader = leaderLog(6, 14);
    // the follower has the old leader's term-1 entries 6..11 instead
    const oldLog = appendOld(14);
    const { store, ms, base } = followerWith(oldLog.slice(0, 12), 2);
    expect(store.ledgerEndIndex).toBe(11);
    const filesBefore = readdirSync(join(base, "dledger-n0", "data")).length;
    const oldEnd = store.getWritePos();

    expect(store.truncate(asReceived(leader[6]!), 2, "n1")).toBe(6);
    expect([store.ledgerEndIndex, store.ledgerEndTerm]).toEqual([6, 2]);
    expect(ms.ledgerEnd).toEqual({ index: 6, term: 2 });
    expect(store.getWritePos()).toBe(leader[6]!.pos + leader[6]!.size);
    expect(store.indexFileList.getMaxWrotePosition()).toBe(7 * INDEX_UNIT_SIZE);
    expect(store.get(6).body.equals(leader[6]!.body)).toBe(true);
    expect(() => store.get(7)).toThrow(code(410));
    const filesAfter = readdirSync(join(base, "dledger-n0", "data"));
    expect(filesAfter.length).toBeLessThanOrEqual(filesBefore);
    // nothing of the old tail is left past the end in the file holding it
    const end = store.getWritePos();
    const last = readFileSync(join(base, "dledger-n0", "data", offset2FileName(end - (end % DATA_FILE_SIZE))));
    const stop = Math.min(DATA_FILE_SIZE, oldEnd - (end - (end % DATA_FILE_SIZE)));
    expect(last.subarray(end % DATA_FILE_SIZE, Math.max(end % DATA_FILE_SIZE, stop)).every((x) => x === 0)).toBe(true);

    for (const e of leader.slice(7)) store.appendAsFollower(asReceived(e), 2, "n1");
    expect(store.ledgerEndIndex).toBe(13);
    crash(store);
    const reopened = openStore(base, ms).store;
    expect([reopened.ledgerEndIndex, reopened.ledgerEndTerm]).toEqual([13, 2]);
    for (const e of leader) expect(reopened.get(e.index).body.equals(e.body)).toBe(true);
    crash(reopened);
  });

  it("an entry already in place is kept and everything after it goes", () => {
    const log = appendOld(10);
    const { store } = followerWith(log, 1);
    const endOf4 = log[4]!.pos + log[4]!.size;
    expect(store.truncate(asReceived(log[4]!), 1, "n1")).toBe(4);
    expect([store.ledgerEndIndex, store.getWritePos()]).toEqual([4, endOf4]);
    expect(store.get(4).body.equals(log[4]!.body)).toBe(true);
    crash(store);
  });

  it("an empty follower joining late starts its files at the leader's entry (rebuild)", () => {
    const leader = appendOld(20);
    const first = leader[15]!;
    expect(first.pos).toBeGreaterThan(DATA_FILE_SIZE);
    const { store } = followerWith([], 1);
    expect(store.truncate(asReceived(first), 1, "n1")).toBe(15);
    expect([store.getLedgerBeginIndex(), store.ledgerEndIndex]).toEqual([15, 15]);
    expect(store.dataFileList.getMinOffset()).toBe(first.pos);
    expect(store.indexFileList.getMinOffset()).toBe(15 * INDEX_UNIT_SIZE);
    expect(store.get(15).body.equals(first.body)).toBe(true);
    expect(() => store.get(14)).toThrow(code(419)); // INDEX_LESS_THAN_LOCAL_BEGIN
    for (const e of leader.slice(16)) store.appendAsFollower(asReceived(e), 1, "n1");
    expect(store.ledgerEndIndex).toBe(19);
    expect(store.getData(leader[19]!.pos + BODY_OFFSET, leader[19]!.body.length)?.equals(leader[19]!.body)).toBe(true);
    crash(store);
  });

  it("refuses unless a follower of that leader in that term", () => {
    const log = appendOld(3);
    const { store, ms } = followerWith(log, 1);
    expect(() => store.truncate(asReceived(log[1]!), 2, "n1")).toThrow(code(407));
    expect(() => store.truncate(asReceived(log[1]!), 1, "n9")).toThrow(code(409));
    ms.role = "leader";
    expect(() => store.truncate(asReceived(log[1]!), 1, "n1")).toThrow(code(405));
    expect(store.ledgerEndIndex).toBe(2);
    crash(store);
  });
});

/** An old leader's log of `count` term-1 entries (bodies differ from leaderLog's term-2 ones). */
function appendOld(count: number): DLedgerEntry[] {
  const base = newBase("old-leader");
  const { store } = openStore(base, new TestMemberState("leader", 1, "n1"));
  const log = appendMany(store, count);
  crash(store);
  return log;
}
