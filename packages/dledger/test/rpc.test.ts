import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequest, RemotingClient, ResponseCode } from "@rocketmq-ts/remoting";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../test/support/cluster.js";
import {
  createDLedgerConfig,
  DLedgerRequestCode,
  DLedgerResponseCode,
  DLedgerServer,
  HeartBeatRequestCodec,
  HeartBeatResponseCodec,
  MetadataRequestCodec,
  MetadataResponseCodec,
  PushEntryRequestCodec,
  PushEntryResponseCodec,
  VoteRequestCodec,
  type MemberRole,
} from "../src/index.js";

const servers: DLedgerServer[] = [];
const dirs: string[] = [];
const clients: RemotingClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.shutdown();
  for (const s of servers.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until(cond: () => boolean, limitMs: number): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`not reached within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

async function startGroup(ids: string[], over: Record<string, unknown> = {}): Promise<DLedgerServer[]> {
  const dir = mkdtempSync(join(tmpdir(), "dledger-rpc-"));
  dirs.push(dir);
  const ports: number[] = [];
  for (const _ of ids) ports.push(await freePort());
  const peers = ids.map((id, i) => `${id}-127.0.0.1:${ports[i]}`).join(";");
  const group = ids.map(
    (id) =>
      new DLedgerServer(createDLedgerConfig({ group: "RaftNode00", selfId: id, peers, storeBaseDir: dir, ...over }), {
        bindAddress: "127.0.0.1",
      }),
  );
  servers.push(...group);
  await Promise.all(group.map((s) => s.start()));
  return group;
}

function settled(group: DLedgerServer[]): boolean {
  const leaders = group.filter((s) => s.isLeader);
  if (leaders.length !== 1) return false;
  const leader = leaders[0]!;
  return group.every(
    (s) => s === leader || (s.role === "FOLLOWER" && s.leaderId === leader.selfId && s.term === leader.term),
  );
}

describe("DLedgerRpcService on loopback sockets", () => {
  it("three members elect exactly one leader; after the leader's transport stops, the other two elect a new one", async () => {
    const group = await startGroup(["n0", "n1", "n2"], { heartBeatTimeIntervalMs: 1000 });
    const seen: { id: string; term: number; role: MemberRole }[] = [];
    for (const s of group) s.addRoleChangeListener((term, role) => seen.push({ id: s.selfId, term, role }));
    await until(() => settled(group), 20_000);
    const old = group.find((s) => s.isLeader)!;
    expect(seen).toContainEqual({ id: old.selfId, term: old.term, role: "LEADER" });
    await old.shutdown();
    const rest = group.filter((s) => s !== old);
    await until(() => settled(rest) && rest.some((s) => s.term > old.term), 30_000);
    const leader = rest.find((s) => s.isLeader)!;
    expect(leader.selfId).not.toBe(old.selfId);
    expect(leader.leaderAddr).toBe(leader.memberState.selfAddr);
  }, 60_000);

  it("answers like Java outside the election: METADATA, PUSH to a candidate, unknown codes, bad bodies; failures come back as results", async () => {
    const [n0, n1] = await startGroup(["n0", "n1"], { enableLeaderElector: false });
    const client = new RemotingClient();
    clients.push(client);
    const addr = `127.0.0.1:${n0!.listenPort}`;
    const call = (code: number, body: Buffer | null) => client.invokeSync(addr, createRequest(code, { body }), 3000);

    const md = await call(
      DLedgerRequestCode.METADATA,
      MetadataRequestCodec.encode(MetadataRequestCodec.create({ group: "RaftNode00", remoteId: "n0" })),
    );
    expect(md.code).toBe(200);
    expect(MetadataResponseCodec.decode(md.body).peers).toEqual({
      n0: n0!.memberState.selfAddr,
      n1: n0!.memberState.peerAddr("n1"),
    });

    const push = await call(
      DLedgerRequestCode.PUSH,
      PushEntryRequestCodec.encode(
        PushEntryRequestCodec.create({
          group: "RaftNode00",
          remoteId: "n0",
          leaderId: "n1",
          localId: "n1",
          term: 1,
          type: "COMMIT",
        }),
      ),
    );
    expect(push.code).toBe(200);
    // n0 is no follower: the queued COMMIT is answered NOT_FOLLOWER with Java's fields (no index / count for COMMIT)
    expect(push.body?.toString("utf8")).toBe(
      '{"beginIndex":-1,"code":405,"count":0,"endIndex":-1,"group":"RaftNode00","term":1}',
    );
    expect(PushEntryResponseCodec.decode(push.body).code).toBe(DLedgerResponseCode.NOT_FOLLOWER);

    expect((await call(50003, null)).code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect((await call(DLedgerRequestCode.VOTE, Buffer.from("{not json"))).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await call(DLedgerRequestCode.PULL, Buffer.from("{}"))).code).toBe(ResponseCode.SYSTEM_ERROR);

    // n1 answers; once stopped, VOTE resolves UNKNOWN and HEART_BEAT NETWORK_ERROR
    const ok = await n0!.rpcService.vote(
      VoteRequestCodec.create({ group: "RaftNode00", remoteId: "n1", leaderId: "n0", localId: "n0", term: 1 }),
    );
    expect(ok.voteResult).toBe("REJECT_TERM_NOT_READY");
    await n1!.shutdown();
    const vote = await n0!.rpcService.vote(
      VoteRequestCodec.create({ group: "RaftNode00", remoteId: "n1", leaderId: "n0", term: 1 }),
    );
    expect([vote.voteResult, vote.code]).toEqual(["UNKNOWN", 200]);
    const hb = await n0!.rpcService.heartBeat(
      HeartBeatRequestCodec.create({ group: "RaftNode00", remoteId: "n1", term: 1 }),
    );
    expect(HeartBeatResponseCodec.encode(hb).toString()).toBe('{"code":302,"term":-1}');
    // a member of another group has no address
    const other = await n0!.rpcService.heartBeat(HeartBeatRequestCodec.create({ group: "Other", remoteId: "n0" }));
    expect(other.code).toBe(DLedgerResponseCode.NETWORK_ERROR);
  });
});
