import { afterEach, describe, expect, it } from "vitest";
import {
  DLedgerResponseCode,
  HeartBeatRequestCodec,
  LeadershipTransferRequestCodec,
  MetadataRequestCodec,
  PullEntriesRequestCodec,
  PushEntryRequestCodec,
  PushEntryResponseCodec,
  VoteRequestCodec,
} from "../src/index.js";
import { MemoryGroup } from "./support/memoryGroup.js";

let group: MemoryGroup | null = null;
afterEach(async () => {
  await group?.close();
  group = null;
});

const hb = (over: Record<string, unknown>) =>
  HeartBeatRequestCodec.create({ group: "G", localId: "n0", remoteId: "n1", leaderId: "n0", term: 0, ...over });

describe("DLedgerRequestHandler and the elector's answers", () => {
  it("refuses requests for another member or group with the request's base info and the known leader", async () => {
    const g = (group = new MemoryGroup(["n0", "n1", "n2"]));
    const n1 = g.member("n1");
    const wrongMember = await n1.handler.handleVote(
      VoteRequestCodec.create({ group: "G", remoteId: "n2", leaderId: "n0", localId: "n0", term: 3 }),
    );
    expect(wrongMember).toMatchObject({
      code: DLedgerResponseCode.UNKNOWN_MEMBER,
      term: 3,
      remoteId: "n2",
      localId: "n0",
      leaderId: null,
      voteResult: "UNKNOWN",
    });
    const wrongGroup = await n1.handler.handleHeartBeat(hb({ group: "other" }));
    expect(wrongGroup).toMatchObject({ code: DLedgerResponseCode.UNKNOWN_GROUP, group: "other", term: 0 });
    expect(
      (await n1.handler.handleMetadata(MetadataRequestCodec.create({ group: "G", remoteId: "n1" }))).peers,
    ).toEqual({
      n0: "127.0.0.1:40000",
      n1: "127.0.0.1:40001",
      n2: "127.0.0.1:40002",
    });
  });

  it("answers heartbeats as Java: follow, EXPIRED_TERM, INCONSISTENT_LEADER, TERM_NOT_READY, UNKNOWN_MEMBER", async () => {
    const g = (group = new MemoryGroup(["n0", "n1", "n2"]));
    const n1 = g.member("n1");
    // a leader of the current term while none is known: follow it
    expect(await n1.handler.handleHeartBeat(hb({}))).toEqual(HeartBeatRequestCodec.create({ code: 200, term: -1 }));
    expect([n1.memberState.role, n1.memberState.leaderId]).toEqual(["FOLLOWER", "n0"]);
    // another leader in the same term
    expect((await n1.handler.handleHeartBeat(hb({ leaderId: "n2", localId: "n2" }))).code).toBe(
      DLedgerResponseCode.INCONSISTENT_LEADER,
    );
    // a larger term: candidate first, TERM_NOT_READY (term not filled in)
    const larger = await n1.handler.handleHeartBeat(hb({ term: 2 }));
    expect([larger.code, larger.term]).toEqual([DLedgerResponseCode.TERM_NOT_READY, -1]);
    expect(n1.memberState.role).toBe("CANDIDATE");
    // the next pass moves to term 2; then a term-1 heartbeat has expired
    await n1.elector.maintainState();
    expect(n1.memberState.currTerm).toBe(2);
    const expired = await n1.handler.handleHeartBeat(hb({ term: 1 }));
    expect([expired.code, expired.term]).toEqual([DLedgerResponseCode.EXPIRED_TERM, 2]);
    expect((await n1.handler.handleHeartBeat(hb({ leaderId: "n7", term: 2 }))).code).toBe(
      DLedgerResponseCode.UNKNOWN_MEMBER,
    );
    expect((await n1.handler.handleHeartBeat(hb({ leaderId: "n1", term: 2 }))).code).toBe(
      DLedgerResponseCode.UNEXPECTED_MEMBER,
    );
  });

  it("a vote of a larger term is REJECT_TERM_NOT_READY and moves the voter on; then the vote is given once", async () => {
    const g = (group = new MemoryGroup(["n0", "n1", "n2"]));
    const n1 = g.member("n1");
    const ask = (leaderId: string, term: number) =>
      n1.elector.handleVote(
        VoteRequestCodec.create({ group: "G", leaderId, localId: leaderId, remoteId: "n1", term }),
        false,
      );
    expect(ask("n0", 1)).toMatchObject({ voteResult: "REJECT_TERM_NOT_READY", term: 0 });
    await n1.elector.maintainState();
    expect(ask("n0", 1)).toMatchObject({ voteResult: "ACCEPT", term: 1 });
    expect(ask("n0", 1).voteResult).toBe("ACCEPT"); // repeated: let it go
    expect(ask("n2", 1).voteResult).toBe("REJECT_ALREADY_VOTED");
    expect(ask("n2", 0)).toMatchObject({ voteResult: "REJECT_EXPIRED_VOTE_TERM", term: 1 });
    expect(ask("n1", 1).voteResult).toBe("REJECT_UNEXPECTED_LEADER");
  });

  it("leaves replication requests to the replication part: UNSUPPORTED until it is attached", async () => {
    const g = (group = new MemoryGroup(["n0", "n1", "n2"]));
    const n1 = g.member("n1");
    const push = PushEntryRequestCodec.create({
      group: "G",
      remoteId: "n1",
      localId: "n0",
      leaderId: "n0",
      term: 1,
      type: "COMMIT",
    });
    expect(await n1.handler.handlePush(push)).toMatchObject({
      code: DLedgerResponseCode.UNSUPPORTED,
      term: 1,
      group: "G",
    });
    n1.handler.replication = { handlePush: async () => PushEntryResponseCodec.create({ code: 200, term: 9 }) };
    expect((await n1.handler.handlePush(push)).term).toBe(9);
    await expect(n1.handler.handlePull(PullEntriesRequestCodec.create())).rejects.toThrow(/PULL/);
  });

  it("refuses a leadership transfer the leader cannot make", async () => {
    const g = (group = new MemoryGroup(["n0", "n1", "n2"]));
    const n0 = g.member("n0");
    const transfer = (over: Record<string, unknown>) =>
      n0.handler.handleLeadershipTransfer(
        LeadershipTransferRequestCodec.create({
          group: "G",
          remoteId: "n0",
          transferId: "n0",
          transfereeId: "n1",
          term: 0,
          ...over,
        }),
      );
    expect((await transfer({ transfereeId: "n9" })).code).toBe(DLedgerResponseCode.UNKNOWN_MEMBER);
    expect((await transfer({ term: 5 })).code).toBe(DLedgerResponseCode.INCONSISTENT_TERM);
    expect((await transfer({})).code).toBe(DLedgerResponseCode.NOT_LEADER);
    expect((await transfer({ transferId: "n2", transfereeId: "n1" })).code).toBe(
      DLedgerResponseCode.UNEXPECTED_ARGUMENT,
    );
  });
});
