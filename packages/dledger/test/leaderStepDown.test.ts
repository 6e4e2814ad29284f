import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createDLedgerConfig,
  DLedgerLeaderElector,
  DLedgerResponseCode,
  HeartBeatResponseCodec,
  LeadershipTransferResponseCodec,
  MemberState,
  VoteResponseCodec,
  type HeartBeatRequest,
} from "../src/index.js";
import { FakeTimer, seededRandom } from "./support/fakeTimer.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A leader of term 1 whose peers answer heartbeats with `answer`. */
function leaderWith(answer: (req: HeartBeatRequest) => { code: number; term?: number }) {
  const dir = mkdtempSync(join(tmpdir(), "dledger-stepdown-"));
  dirs.push(dir);
  const config = createDLedgerConfig({ group: "G", selfId: "n0", peers: "n0-h:1;n1-h:2;n2-h:3", storeBaseDir: dir });
  const timer = new FakeTimer();
  const memberState = new MemberState(config);
  const sent: HeartBeatRequest[] = [];
  const elector = new DLedgerLeaderElector(
    config,
    memberState,
    {
      heartBeat: (req) => {
        sent.push(req);
        return Promise.resolve(HeartBeatResponseCodec.create(answer(req)));
      },
      vote: () => Promise.resolve(VoteResponseCodec.create()),
      leadershipTransfer: () => Promise.resolve(LeadershipTransferResponseCodec.create()),
    },
    { timer, random: seededRandom(7) },
  );
  memberState.nextTerm();
  elector.changeRoleToLeader(1);
  return { elector, memberState, timer, sent };
}

describe("a leader reading heartbeat answers", () => {
  it("sends HEART_BEAT to each follower with its term and id, and again every heartBeatTimeIntervalMs", async () => {
    const { elector, timer, sent } = leaderWith(() => ({ code: 200 }));
    await elector.maintainState();
    expect(sent.map((r) => [r.remoteId, r.leaderId, r.localId, r.term, r.group])).toEqual([
      ["n1", "n0", "n0", 1, "G"],
      ["n2", "n0", "n0", 1, "G"],
    ]);
    await elector.maintainState();
    expect(sent).toHaveLength(2);
    await timer.advance(2001);
    await elector.maintainState();
    expect(sent).toHaveLength(4);
  });

  it("steps down to the larger term an EXPIRED_TERM answer names", async () => {
    const { elector, memberState } = leaderWith(() => ({ code: DLedgerResponseCode.EXPIRED_TERM, term: 9 }));
    await elector.maintainState();
    expect([memberState.role, memberState.currTerm]).toEqual(["CANDIDATE", 1]);
    // the term itself moves when the candidate next increases it: straight to the known maximum
    expect(memberState.nextTerm()).toBe(9);
  });

  it("steps down on INCONSISTENT_LEADER", async () => {
    const { elector, memberState } = leaderWith(() => ({ code: DLedgerResponseCode.INCONSISTENT_LEADER }));
    await elector.maintainState();
    expect([memberState.role, memberState.currTerm]).toEqual(["CANDIDATE", 1]);
  });

  it("stays leader and beats again at once when a quorum is only TERM_NOT_READY", async () => {
    const { elector, memberState, sent } = leaderWith(() => ({ code: DLedgerResponseCode.TERM_NOT_READY }));
    await elector.maintainState();
    await elector.maintainState();
    expect(memberState.role).toBe("LEADER");
    expect(sent).toHaveLength(4);
  });

  it("steps down after maxHeartBeatLeak intervals without a quorum of answers", async () => {
    let code: number = DLedgerResponseCode.SUCCESS;
    const { elector, memberState, timer } = leaderWith(() => ({ code }));
    await elector.maintainState();
    expect(memberState.peersLiveTable.get("n1")).toBe(true);
    code = DLedgerResponseCode.NETWORK_ERROR;
    for (let i = 0; i < 2; i++) {
      await timer.advance(2001);
      await elector.maintainState();
      expect(memberState.role).toBe("LEADER");
    }
    expect(memberState.peersLiveTable.get("n1")).toBe(false);
    await timer.advance(2001);
    await elector.maintainState(); // 6.003 s since the last quorum > 3 x 2 s
    expect(memberState.role).toBe("CANDIDATE");
  });

  it("a new leader without any answer steps down at once (lastSuccHeartBeatTime starts at -1, as Java)", async () => {
    const { elector, memberState } = leaderWith(() => ({ code: DLedgerResponseCode.NETWORK_ERROR }));
    await elector.maintainState();
    expect(memberState.role).toBe("CANDIDATE");
  });
});
