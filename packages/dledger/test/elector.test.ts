import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  DLedgerResponseCode,
  LeadershipTransferRequestCodec,
  PreferredLeaderChecker,
  VoteRequestCodec,
} from "../src/index.js";
import { MemoryGroup } from "./support/memoryGroup.js";

const IDS = ["n0", "n1", "n2"];
let group: MemoryGroup | null = null;

afterEach(async () => {
  await group?.close();
  group = null;
});

async function elected(g: MemoryGroup, limitMs = 20_000): Promise<number> {
  return g.timer.advanceUntil(() => g.settled(), limitMs);
}

describe("DLedgerLeaderElector in a 3-member group (fake time, in-memory network)", () => {
  it("elects exactly one leader, the others follow it in its term", async () => {
    for (const seed of [1, 2, 3]) {
      const g = new MemoryGroup(
        IDS.map((id) => id),
        {},
        undefined,
      );
      group = g;
      // vary the random draws per run
      for (const [i, id] of IDS.entries()) g.add(id, seed * 10 + i);
      g.startAll();
      await elected(g);
      expect(g.leaders()).toHaveLength(1);
      // stays settled through several heartbeat intervals
      await g.timer.advance(10_000);
      expect(g.settled()).toBe(true);
      const leader = g.leaders()[0]!;
      expect(leader.roles.at(-1)).toEqual({ term: leader.memberState.currTerm, role: "LEADER" });
      await g.close();
      group = null;
    }
  });

  it("replays the capture's first election: term 0 all REJECT_ALREADY_VOTED, term 1 REJECT_TERM_NOT_READY, then ACCEPT", async () => {
    const g = (group = new MemoryGroup(IDS));
    g.startAll();
    await elected(g);
    const leader = g.leaders()[0]!;
    expect(leader.memberState.currTerm).toBe(1);
    // every member's term-0 round was refused by both others: each had voted for itself
    for (const m of g.members.values()) {
      expect(m.votes.filter((v) => v.term === 0).map((v) => v.result)).toEqual([
        "REJECT_ALREADY_VOTED",
        "REJECT_ALREADY_VOTED",
      ]);
    }
    // the winner asked with term 1 twice: first both not ready (they were in term 0), then both accept
    expect(leader.votes.filter((v) => v.term === 1).map((v) => v.result)).toEqual([
      "REJECT_TERM_NOT_READY",
      "REJECT_TERM_NOT_READY",
      "ACCEPT",
      "ACCEPT",
    ]);
    for (const m of g.members.values()) {
      if (m === leader) continue;
      expect(m.votes.filter((v) => v.term >= 1)).toEqual([]);
      expect(m.memberState.currVoteFor).toBe(leader.id);
      expect(m.roles.map((r) => r.role)).toEqual(["CANDIDATE", "FOLLOWER"]);
    }
  });

  it("elects a new leader after the leader dies, about maxHeartBeatLeak heartbeats later", async () => {
    const g = (group = new MemoryGroup(IDS));
    g.startAll();
    await elected(g);
    const old = g.leaders()[0]!;
    const oldTerm = old.memberState.currTerm;
    await g.timer.advance(3_000);
    await g.kill(old.id);
    const took = await elected(g);
    const leader = g.leaders()[0]!;
    expect(leader.id).not.toBe(old.id);
    expect(leader.memberState.currTerm).toBe(oldTerm + 1);
    // followers wait for 3 x 2000 ms since the last heartbeat (sent at most 2 s before the death)
    expect(took).toBeGreaterThan(4_000);
    expect(took).toBeLessThan(6_000 + 2 * 1_000 + 2_000);
  });

  it("a member with a shorter ledger cannot win", async () => {
    const cases = [
      { n0: { ledgerEndIndex: 5, ledgerEndTerm: 2 }, reject: "REJECT_SMALL_LEDGER_END_INDEX" },
      { n0: { ledgerEndIndex: 100, ledgerEndTerm: 1 }, reject: "REJECT_EXPIRED_LEDGER_TERM" },
    ];
    for (const c of cases) {
      const g = (group = new MemoryGroup(IDS));
      Object.assign(g.member("n0").ledger, c.n0);
      for (const id of ["n1", "n2"]) Object.assign(g.member(id).ledger, { ledgerEndIndex: 9, ledgerEndTerm: 2 });
      g.startAll();
      await elected(g, 60_000);
      // n0 keeps asking (its own round comes first: it wakes first with this seed) but never wins
      await g.timer.advance(20_000);
      expect(g.settled()).toBe(true);
      expect(g.leaders()[0]!.id).not.toBe("n0");
      expect(new Set(g.member("n0").votes.map((v) => v.result))).toContain(c.reject);
      expect(g.member("n0").votes.some((v) => v.result === "ACCEPT")).toBe(false);
      await g.close();
      group = null;
    }
    // and directly: a voter refuses both kinds in its own term
    const g = (group = new MemoryGroup(IDS));
    const n1 = g.member("n1");
    Object.assign(n1.ledger, { ledgerEndIndex: 9, ledgerEndTerm: 2 });
    const ask = (index: number, term: number) =>
      n1.elector.handleVote(
        VoteRequestCodec.create({
          group: "G",
          leaderId: "n0",
          localId: "n0",
          remoteId: "n1",
          term: 0,
          ledgerEndIndex: index,
          ledgerEndTerm: term,
        }),
        false,
      ).voteResult;
    expect(ask(100, 1)).toBe("REJECT_EXPIRED_LEDGER_TERM");
    expect(ask(8, 2)).toBe("REJECT_SMALL_LEDGER_END_INDEX");
    // the ledger checks come before the term checks, so the term is not bumped by such a request
    expect(
      n1.elector.handleVote(VoteRequestCodec.create({ group: "G", leaderId: "n0", term: 7, ledgerEndTerm: 1 }), false)
        .voteResult,
    ).toBe("REJECT_EXPIRED_LEDGER_TERM");
    expect(n1.memberState.currTerm).toBe(0);
    // ledger ok, but a vote term below the voter's ledger term: refused with the ledger term
    const small = n1.elector.handleVote(
      VoteRequestCodec.create({
        group: "G",
        leaderId: "n0",
        remoteId: "n1",
        term: 0,
        ledgerEndIndex: 9,
        ledgerEndTerm: 2,
      }),
      false,
    );
    expect([small.voteResult, small.term]).toEqual(["REJECT_TERM_SMALL_THAN_LEDGER", 2]);
    expect(n1.memberState.currVoteFor).toBe(null);
  });

  it("a partitioned leader steps down; the others elect a new one; healed, it follows", async () => {
    const g = (group = new MemoryGroup(IDS));
    g.startAll();
    await elected(g);
    const old = g.leaders()[0]!;
    for (const id of IDS) if (id !== old.id) g.partition(old.id, id);
    await g.timer.advanceUntil(() => !old.memberState.isLeader(), 12_000);
    expect(old.memberState.role).toBe("CANDIDATE");
    await g.timer.advanceUntil(() => g.leaders().length === 1 && g.leaders()[0] !== old, 20_000);
    const leader = g.leaders()[0]!;
    for (const id of IDS) if (id !== old.id) g.partition(old.id, id, false);
    await elected(g, 30_000);
    expect(g.leaders().length).toBe(1);
    expect(old.memberState.isFollower() || old.memberState.isLeader()).toBe(true);
    expect(g.leaders()[0]!.memberState.currTerm).toBeGreaterThanOrEqual(leader.memberState.currTerm);
  });

  it("persists term and vote in currterm (with .bak) and resumes them after a restart", async () => {
    const g = (group = new MemoryGroup(IDS));
    g.startAll();
    await elected(g);
    const leader = g.leaders()[0]!;
    const term = leader.memberState.currTerm;
    const follower = [...g.members.values()].find((m) => m !== leader)!;
    const file = join(g.dir, `dledger-${follower.id}`, "currterm");
    expect(readFileSync(file, "utf8")).toBe(`voteLeader=${leader.id}\ncurrTerm=${term}\n`);
    expect(readFileSync(`${file}.bak`, "utf8")).toBe(`voteLeader=\ncurrTerm=${term}\n`);
    for (const m of g.members.values()) await m.elector.shutdown();
    const again = g.add(follower.id, 99);
    expect(again.memberState.currTerm).toBe(term);
    expect(again.memberState.currVoteFor).toBe(leader.id);
    expect(again.memberState.role).toBe("CANDIDATE");
    // it refuses another candidate of the same term: it voted already
    const res = again.elector.handleVote(VoteRequestCodec.create({ group: "G", leaderId: "n9", term }), false);
    expect(res.voteResult).toBe("REJECT_UNKNOWN_LEADER");
    const other = IDS.find((id) => id !== leader.id && id !== follower.id)!;
    const res2 = again.elector.handleVote(
      VoteRequestCodec.create({ group: "G", leaderId: other, localId: other, remoteId: follower.id, term }),
      false,
    );
    expect(res2.voteResult).toBe("REJECT_ALREADY_VOTED");
  });

  it("hands the leadership to preferredLeaderIds", async () => {
    const g = (group = new MemoryGroup(IDS, { preferredLeaderIds: "n2" }));
    g.startAll();
    await elected(g);
    let leader = g.leaders()[0]!;
    if (leader.id === "n2") {
      // make another member leader first, then let the check bring it back
      const to = g.member("n0");
      const res = await leader.handler.handleLeadershipTransfer(
        LeadershipTransferRequestCodec.create({
          group: "G",
          remoteId: "n2",
          transferId: "n2",
          transfereeId: "n0",
          term: leader.memberState.currTerm,
        }),
      );
      expect(res.code).toBe(DLedgerResponseCode.SUCCESS);
      await elected(g);
      expect(g.leaders()[0]).toBe(to);
      leader = to;
    }
    const termBefore = leader.memberState.currTerm;
    // after a heartbeat round the leader knows n2 is online
    await g.timer.advance(2_100);
    const checker = new PreferredLeaderChecker(leader.config, leader.memberState, leader.elector, () => -1);
    const pending = checker.check();
    await g.timer.advanceUntil(() => g.member("n2").memberState.isLeader(), 5_000);
    const answer = await pending;
    expect(answer?.code).toBe(DLedgerResponseCode.SUCCESS);
    expect(g.member("n2").memberState.currTerm).toBe(termBefore + 1);
    await elected(g);
    expect(g.leaders()[0]!.id).toBe("n2");
    // n2 is preferred: nothing more to do
    expect(
      await new PreferredLeaderChecker(
        g.member("n2").config,
        g.member("n2").memberState,
        g.member("n2").elector,
        () => -1,
      ).check(),
    ).toBeNull();
  });
});
