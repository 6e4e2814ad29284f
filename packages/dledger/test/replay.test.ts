/**
 * The captured Java group's VOTE and HEART_BEAT requests, sent to our DLedger server over a socket
 * with our member in the state the Java member was in: the answers are byte-identical bodies.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RemotingClient } from "@rocketmq-ts/remoting";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../test/support/cluster.js";
import { createDLedgerConfig, DLedgerRequestCode, DLedgerServer, VoteRequestCodec } from "../src/index.js";
import { commandOf, dledgerFrames, type DLedgerFrame } from "./support/dledgerCapture.js";

const frames = dledgerFrames();
const bySeq = new Map(frames.map((f) => [f.seq, f]));
const responseTo = (seq: number): DLedgerFrame => {
  const r = frames.find((f) => f.rpcType === "response" && f.requestSeq === seq);
  if (!r) throw new Error(`no response to seq ${seq}`);
  return r;
};
const requestsOn = (conn: string, code: number): DLedgerFrame[] =>
  frames.filter((f) => f.conn === conn && f.rpcType === "request" && f.header.code === code);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Replayer {
  server: DLedgerServer;
  ledger: { ledgerEndIndex: number; ledgerEndTerm: number };
  /** Send the captured request of `seq`; expect the captured answer's body, byte for byte. */
  replay(seq: number): Promise<void>;
}

async function memberAs(
  selfId: string,
  currterm: string | null,
  ledger = { ledgerEndIndex: -1, ledgerEndTerm: -1 },
): Promise<Replayer> {
  const dir = mkdtempSync(join(tmpdir(), "dledger-replay-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  if (currterm !== null) {
    mkdirSync(join(dir, `dledger-${selfId}`), { recursive: true });
    writeFileSync(join(dir, `dledger-${selfId}`, "currterm"), currterm);
  }
  const ports = [await freePort(), await freePort(), await freePort()];
  const peers = ["n0", "n1", "n2"].map((id, i) => `${id}-127.0.0.1:${ports[i]}`).join(";");
  // the elector's state maintainer is off: the test runs its passes where Java's ran
  const config = createDLedgerConfig({
    group: "RaftNode00",
    selfId,
    peers,
    storeBaseDir: dir,
    enableLeaderElector: false,
  });
  const server = new DLedgerServer(config, { bindAddress: "127.0.0.1", ledgerEnd: ledger });
  await server.start();
  cleanups.push(() => server.shutdown());
  const client = new RemotingClient();
  cleanups.push(() => client.shutdown());
  const addr = `127.0.0.1:${server.listenPort}`;
  return {
    server,
    ledger,
    async replay(seq) {
      const request = bySeq.get(seq);
      if (!request) throw new Error(`no frame ${seq}`);
      const expected = commandOf(responseTo(seq));
      const response = await client.invokeSync(addr, commandOf(request), 3000);
      expect({
        code: response.code,
        flag: response.flag,
        opaque: response.opaque,
        ext: response.extFields,
        remark: response.remark,
      }).toEqual({
        code: expected.code,
        flag: expected.flag,
        opaque: expected.opaque,
        ext: expected.extFields,
        remark: expected.remark,
      });
      expect(response.body?.toString("utf8"), `answer to seq ${seq}`).toBe(expected.body?.toString("utf8"));
    },
  };
}

describe("replaying the captured Java DLedger group against our server", () => {
  it("n1 in the first election: REJECT_ALREADY_VOTED, REJECT_TERM_NOT_READY, ACCEPT, then n0's heartbeats", async () => {
    const n1 = await memberAs("n1", null);
    // n1's own first round: it voted for itself in term 0
    n1.server.elector.handleVote(
      VoteRequestCodec.create({ group: "RaftNode00", leaderId: "n1", localId: "n1", remoteId: "n1", term: 0 }),
      true,
    );
    await n1.replay(2); // n2 asks, term 0
    await n1.replay(5); // n0 asks, term 0
    await n1.replay(10); // n0 asks, term 1: not ready
    await n1.server.elector.maintainState(); // n1 moves to term 1
    expect(n1.server.term).toBe(1);
    await n1.replay(15); // n0 asks again: ACCEPT
    const beats = requestsOn("44886->24942", DLedgerRequestCode.HEART_BEAT);
    expect(beats.length).toBe(19);
    for (const f of beats) await n1.replay(f.seq);
    expect([n1.server.role, n1.server.leaderId, n1.server.term]).toEqual(["FOLLOWER", "n0", 1]);
  });

  it("n1 at the failover and at n0's rejoin: REJECT_ALREADY_VOTED, TERM_NOT_READY, ACCEPT n2, then REJECT_EXPIRED_LEDGER_TERM", async () => {
    const n1 = await memberAs("n1", "voteLeader=n0\ncurrTerm=1\n", { ledgerEndIndex: 999, ledgerEndTerm: 1 });
    expect([n1.server.role, n1.server.term, n1.server.memberState.currVoteFor]).toEqual(["CANDIDATE", 1, "n0"]);
    await n1.replay(6307); // n2 asks with term 1: n1 voted for n0
    await n1.replay(6310); // n2 asks with term 2
    await n1.server.elector.maintainState();
    await n1.replay(6312); // ACCEPT in term 2
    for (const f of requestsOn("44882->24942", DLedgerRequestCode.HEART_BEAT)) await n1.replay(f.seq);
    expect([n1.server.role, n1.server.leaderId]).toEqual(["FOLLOWER", "n2"]);
    // by the time n0 came back, n1 held n2's entries 1000..1999 of term 2
    Object.assign(n1.ledger, { ledgerEndIndex: 1999, ledgerEndTerm: 2 });
    for (const seq of [10395, 10405, 10419]) await n1.replay(seq);
    expect([n1.server.role, n1.server.leaderId, n1.server.term]).toEqual(["FOLLOWER", "n2", 2]);
  });

  it("the restarted n0 answers n2's first heartbeat TERM_NOT_READY, the next one after moving to term 2", async () => {
    const n0 = await memberAs("n0", "voteLeader=n0\ncurrTerm=1\n", { ledgerEndIndex: 999, ledgerEndTerm: 1 });
    const beats = requestsOn("57084->24941", DLedgerRequestCode.HEART_BEAT);
    await n0.replay(beats[0]!.seq);
    expect(n0.server.role).toBe("CANDIDATE");
    await n0.server.elector.maintainState();
    expect(n0.server.term).toBe(2);
    await n0.replay(beats[1]!.seq);
    expect([n0.server.role, n0.server.leaderId]).toEqual(["FOLLOWER", "n2"]);
  });
});
