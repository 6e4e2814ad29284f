/**
 * Replication (DLedgerEntryPusher) in a 3-member group in memory: fake time, real entry stores in
 * temp dirs, links that go down and come back.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  AppendEntryRequestCodec,
  DLedgerResponseCode,
  GetEntriesRequestCodec,
  PeerWaterMarks,
  type AppendEntryResponse,
  type DLedgerEntry,
} from "../src/index.js";
import { ReplicationGroup, type ReplMember } from "./support/replicationGroup.js";

const groups: ReplicationGroup[] = [];
afterEach(async () => {
  for (const g of groups.splice(0)) await g.close();
});

function group(overrides = {}): ReplicationGroup {
  const g = new ReplicationGroup(["n0", "n1", "n2"], overrides);
  groups.push(g);
  return g;
}

const bodyOf = (i: number): Buffer => Buffer.from(`message-${i}-`.padEnd(40 + (i % 17), "x"));

/** Append through the handler's path, collecting the answers as they come. */
function appendAll(leader: ReplMember, from: number, count: number): AppendEntryResponse[] {
  const answers: AppendEntryResponse[] = [];
  for (let i = from; i < from + count; i++) {
    void leader.pusher.appendAsLeader(bodyOf(i)).future.promise.then((r) => answers.push(r));
  }
  return answers;
}

const sameEntries = (a: DLedgerEntry[], b: DLedgerEntry[]): void => {
  expect(a.length).toBe(b.length);
  for (const [i, e] of a.entries()) {
    const o = b[i]!;
    expect([e.index, e.term, e.pos, e.size], `entry ${i}`).toEqual([o.index, o.term, o.pos, o.size]);
    expect(e.body.equals(o.body), `body of entry ${i}`).toBe(true);
  }
};

const monotonic = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

describe("DLedgerEntryPusher in a group in memory", () => {
  it("commits a leader's appends once 2 of 3 have them; followers learn the committed index; GET reads an entry", async () => {
    const g = group();
    const leader = await g.electLeader();
    const answers = appendAll(leader, 0, 50);
    await g.timer.advanceUntil(() => answers.length === 50, 10_000);
    expect(answers.map((a) => a.code)).toEqual(new Array(50).fill(DLedgerResponseCode.SUCCESS));
    expect(answers.map((a) => a.index).sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(leader.store.getCommittedIndex()).toBe(49);
    // followers hear of the committed index with the next push or the once-a-second COMMIT
    await g.timer.advanceUntil(() => g.live().every((m) => m.store.getCommittedIndex() === 49), 3000);
    for (const m of g.live()) {
      sameEntries(g.entries(m.id), g.entries(leader.id));
      expect(monotonic(m.commits)).toBe(true);
      expect(m.commits.at(-1)).toBe(49);
    }
    expect(g.pushes.some((p) => p.request.type === "COMMIT" && p.request.commitIndex === 49)).toBe(true);

    const get = await leader.handler.handleGet(
      GetEntriesRequestCodec.create({ group: "G", remoteId: leader.id, beginIndex: 7 }),
    );
    expect(get.code).toBe(DLedgerResponseCode.SUCCESS);
    expect(get.entries[0]?.body?.equals(bodyOf(7))).toBe(true);
    const follower = g.live().find((m) => m !== leader)!;
    const notLeader = await follower.handler.handleGet(
      GetEntriesRequestCodec.create({ group: "G", remoteId: follower.id, beginIndex: 7 }),
    );
    expect([notLeader.code, notLeader.leaderId]).toEqual([DLedgerResponseCode.NOT_LEADER, leader.id]);
  });

  it("a follower answers APPEND (50001) NOT_LEADER; the leader answers it with index and pos once committed", async () => {
    const g = group();
    const leader = await g.electLeader();
    const follower = g.live().find((m) => m !== leader)!;
    const refused = await follower.handler.handleAppend(
      AppendEntryRequestCodec.create({ group: "G", remoteId: follower.id, body: Buffer.from("x") }),
    );
    expect([refused.code, refused.leaderId, refused.index, refused.pos]).toEqual([
      DLedgerResponseCode.NOT_LEADER,
      leader.id,
      -1,
      -1,
    ]);
    const pending = leader.handler.handleAppend(
      AppendEntryRequestCodec.create({ group: "G", remoteId: leader.id, body: Buffer.from("hello") }),
    );
    let answer: AppendEntryResponse | null = null;
    void pending.then((a) => (answer = a));
    await g.timer.advanceUntil(() => answer !== null, 5000);
    expect(answer).toMatchObject({
      code: 200,
      index: 0,
      pos: 0,
      leaderId: leader.id,
      term: leader.memberState.currTerm,
    });
  });

  it("a follower that is down does not block commits; back on its store it catches up (retried APPENDs), an empty one via COMPARE → TRUNCATE → APPEND", async () => {
    const g = group();
    const leader = await g.electLeader();
    const [f1, f2] = g.live().filter((m) => m !== leader) as [ReplMember, ReplMember];
    let answers = appendAll(leader, 0, 20);
    await g.timer.advanceUntil(() => answers.length === 20, 10_000);
    await g.kill(f2.id);
    answers = appendAll(leader, 20, 30);
    await g.timer.advanceUntil(() => answers.length === 30, 10_000);
    expect(answers.every((a) => a.code === DLedgerResponseCode.SUCCESS)).toBe(true);
    expect(leader.store.getCommittedIndex()).toBe(49);

    const since = g.pushes.length;
    g.add(f2.id);
    await g.timer.advanceUntil(() => g.member(f2.id).store.getLedgerEndIndex() === 49, 20_000);
    // the leader's dispatcher stayed in APPEND (a refused connection changes no state, as Java's):
    // it pushes again the first entry not acknowledged after maxPushTimeOutMs, one after the other
    const retried = g.pushes.slice(since).filter((p) => p.to === f2.id && p.request.type !== "COMMIT");
    expect(retried.every((p) => p.request.type === "APPEND")).toBe(true);
    expect(retried.map((p) => p.request.entry?.index)).toEqual([...Array(30).keys()].map((i) => 20 + i));
    sameEntries(g.entries(f2.id), g.entries(leader.id));
    await g.timer.advanceUntil(() => g.member(f2.id).store.getCommittedIndex() === 49, 3000);

    // a member that lost its store comes back empty: COMPARE → TRUNCATE (entry 0) → APPEND 1…
    await g.kill(f1.id);
    const { rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    rmSync(join(g.dir, `dledger-${f1.id}`, "data"), { recursive: true, force: true });
    rmSync(join(g.dir, `dledger-${f1.id}`, "index"), { recursive: true, force: true });
    rmSync(join(g.dir, `dledger-${f1.id}`, "checkpoint"), { force: true });
    const since2 = g.pushes.length;
    g.add(f1.id);
    await g.timer.advanceUntil(() => g.member(f1.id).memberState.isFollower(), 20_000);
    // the next append reaches it beyond its (empty) end: after a second the follower answers it
    // INCONSISTENT_STATE, and the leader compares (nothing in common), truncates to entry 0, appends
    answers = appendAll(leader, 50, 1);
    await g.timer.advanceUntil(() => g.member(f1.id).store.getLedgerEndIndex() === 50, 20_000);
    expect(answers.map((a) => a.code)).toEqual([DLedgerResponseCode.SUCCESS]);
    const toF1 = g.pushes.slice(since2).filter((p) => p.to === f1.id && p.request.type !== "COMMIT");
    const compareAt = toF1.findIndex((p) => p.request.type === "COMPARE");
    // entry 50 (and its retry after maxPushTimeOutMs, answered REPEATED_PUSH) until the fast-forward answer
    expect(toF1.slice(0, compareAt).every((p) => p.request.type === "APPEND" && p.request.entry?.index === 50)).toBe(
      true,
    );
    expect(toF1.slice(0, compareAt).map((p) => p.response?.code)).toContain(DLedgerResponseCode.INCONSISTENT_STATE);
    expect(toF1.slice(compareAt, compareAt + 2).map((p) => [p.request.type, p.request.entry?.index])).toEqual([
      ["COMPARE", 50],
      ["TRUNCATE", 0],
    ]);
    expect(toF1[compareAt]!.response).toMatchObject({
      code: DLedgerResponseCode.INCONSISTENT_STATE,
      beginIndex: -1,
      endIndex: -1,
    });
    expect(toF1.slice(compareAt + 2).every((p) => p.request.type === "APPEND")).toBe(true);
    sameEntries(g.entries(f1.id), g.entries(leader.id));
  });

  it("a cut-off leader's appends end WAIT_QUORUM_ACK_TIMEOUT; its diverged tail (older term) is truncated to the new leader's log", async () => {
    const g = group();
    const old = await g.electLeader();
    const oldTerm = old.memberState.currTerm;
    let answers = appendAll(old, 0, 10);
    await g.timer.advanceUntil(() => answers.length === 10, 10_000);
    const others = g.live().filter((m) => m !== old);
    for (const o of others) g.partition(old.id, o.id);
    const start = g.timer.now();
    const cutOff = appendAll(old, 100, 3);
    await g.timer.advanceUntil(() => cutOff.length === 3, 10_000);
    expect(cutOff.map((a) => a.code)).toEqual(new Array(3).fill(DLedgerResponseCode.WAIT_QUORUM_ACK_TIMEOUT));
    expect(cutOff.map((a) => a.index)).toEqual([10, 11, 12]);
    expect(g.timer.now() - start).toBeGreaterThanOrEqual(old.config.maxWaitAckTimeMs);
    expect(old.store.getCommittedIndex()).toBe(9);

    // the other two elect a leader of a later term and take appends at the same indexes
    await g.timer.advanceUntil(() => others.some((o) => o.memberState.isLeader()), 30_000);
    const leader = others.find((o) => o.memberState.isLeader())!;
    expect(leader.memberState.currTerm).toBeGreaterThan(oldTerm);
    answers = appendAll(leader, 200, 5);
    await g.timer.advanceUntil(() => answers.length === 5, 10_000);
    expect(answers.every((a) => a.code === DLedgerResponseCode.SUCCESS)).toBe(true);
    expect(old.store.get(12).term).toBe(oldTerm);

    for (const o of others) g.partition(old.id, o.id, false);
    await g.timer.advanceUntil(
      () => old.memberState.isFollower() && old.store.getLedgerEndIndex() === leader.store.getLedgerEndIndex(),
      30_000,
    );
    sameEntries(g.entries(old.id), g.entries(leader.id));
    expect(old.store.get(10).body.equals(bodyOf(200))).toBe(true);
    const toOld = g.pushes.filter((p) => p.to === old.id && p.from === leader.id).map((p) => p.request.type);
    expect(toOld).toContain("TRUNCATE");
    for (const m of g.live()) expect(monotonic(m.commits)).toBe(true);
  });

  it("with isEnableBatchPush the leader pushes batches of up to maxBatchPushSize bytes; a follower down and back gets them again", async () => {
    const g = group({ enableBatchPush: true, maxBatchPushSize: 300 });
    const leader = await g.electLeader();
    let answers = appendAll(leader, 0, 40);
    await g.timer.advanceUntil(() => answers.length === 40, 10_000);
    expect(answers.every((a) => a.code === DLedgerResponseCode.SUCCESS)).toBe(true);
    const batches = g.pushes.filter((p) => p.request.type === "APPEND");
    expect(batches.every((p) => p.request.entry === null && p.request.batchEntry.length > 0)).toBe(true);
    expect(batches.some((p) => p.request.batchEntry.length > 1)).toBe(true);
    for (const p of batches) {
      expect(p.request.totalSize).toBe(p.request.batchEntry.reduce((n, e) => n + e.size, 0));
      if (p.response?.code === DLedgerResponseCode.SUCCESS) {
        expect(p.response.count).toBe(p.request.batchEntry.length);
        expect(p.response.index).toBe(p.request.batchEntry[0]!.index);
      }
    }
    const follower = g.live().find((m) => m !== leader)!;
    await g.kill(follower.id);
    answers = appendAll(leader, 40, 20);
    await g.timer.advanceUntil(() => answers.length === 20, 10_000);
    g.add(follower.id);
    await g.timer.advanceUntil(() => g.member(follower.id).store.getLedgerEndIndex() === 59, 20_000);
    sameEntries(g.entries(follower.id), g.entries(leader.id));
  });

  it("a batch append (RocketMQ's batch put) writes one entry per body and resolves with the last one's quorum", async () => {
    const g = group();
    const leader = await g.electLeader();
    const { entries, future } = leader.pusher.appendBatchAsLeader([0, 1, 2, 3, 4].map(bodyOf));
    expect(entries.map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
    let answer: AppendEntryResponse | null = null;
    void future.promise.then((a) => (answer = a));
    await g.timer.advanceUntil(() => answer !== null, 5000);
    expect(answer).toMatchObject({ code: DLedgerResponseCode.SUCCESS, index: 4, pos: entries[4]!.pos });
    expect(entries.map((e) => e.pos)).toEqual([0, 1, 2, 3, 4].map((i) => leader.store.get(i).pos));
    expect(() => leader.pusher.appendBatchAsLeader([])).toThrow(
      expect.objectContaining({ code: DLedgerResponseCode.REQUEST_WITH_EMPTY_BODYS }),
    );
    await g.timer.advanceUntil(() => g.live().every((m) => m.store.getCommittedIndex() === 4), 3000);
  });

  it("LEADER_PENDING_FULL over maxPendingRequestsNum; NOT_LEADER on a follower", async () => {
    const g = group({ maxPendingRequestsNum: 5 });
    const leader = await g.electLeader();
    const follower = g.live().find((m) => m !== leader)!;
    for (const o of g.live()) if (o !== leader) g.partition(leader.id, o.id);
    const first = [...Array(6).keys()].map((i) => leader.pusher.appendAsLeader(bodyOf(i)));
    expect(first.every((a) => a.entry !== null)).toBe(true);
    const full = leader.pusher.appendAsLeader(bodyOf(99));
    expect(full.entry).toBeNull();
    const response = await full.future.promise;
    expect([response.code, response.index, response.pos, response.leaderId]).toEqual([
      DLedgerResponseCode.LEADER_PENDING_FULL,
      -1,
      -1,
      leader.id,
    ]);
    expect(leader.store.getLedgerEndIndex()).toBe(5);
    expect(() => follower.pusher.appendAsLeader(bodyOf(1))).toThrow(
      expect.objectContaining({ code: DLedgerResponseCode.NOT_LEADER }),
    );
  });
});

describe("PeerWaterMarks", () => {
  it("count only the current term's marks; a mark never moves back", () => {
    const marks = new PeerWaterMarks(["n0", "n1", "n2"]);
    marks.update(1, "n0", 9);
    marks.update(1, "n1", 9);
    expect(marks.quorumIndex(1)).toBe(9);
    // a new term starts from -1 for everybody: term 1's acks do not commit anything in term 2
    marks.update(2, "n0", 12);
    expect(marks.quorumIndex(2)).toBe(-1);
    marks.update(2, "n2", 11);
    expect(marks.quorumIndex(2)).toBe(11);
    marks.update(2, "n2", 3);
    expect(marks.get(2, "n2")).toBe(11);
    marks.retainOnly(2);
    expect(Object.keys(marks.snapshot())).toEqual(["2"]);
  });
});
