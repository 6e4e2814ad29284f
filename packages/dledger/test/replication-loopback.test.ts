/**
 * Three DLedgerServers on loopback sockets (free ports, temp dirs): election, 1,000 appends
 * committed on all three, the leader killed, a new leader taking appends, the old one restarted on
 * its store catching up to the same committed index.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test/support/cluster.js";
import {
  createDLedgerConfig,
  DLedgerResponseCode,
  DLedgerServer,
  INDEX_UNIT_SIZE,
  type DLedgerAppendResult,
  type DLedgerConfig,
} from "../src/index.js";

const servers = new Set<DLedgerServer>();
let dir = "";
afterAll(async () => {
  for (const s of servers) await s.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(cond: () => boolean, limitMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`${what}: not reached within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function settled(group: DLedgerServer[]): boolean {
  const leaders = group.filter((s) => s.isLeader);
  if (leaders.length !== 1) return false;
  const leader = leaders[0]!;
  return group.every(
    (s) => s === leader || (s.role === "FOLLOWER" && s.leaderId === leader.selfId && s.term === leader.term),
  );
}

/** Per server instance: every committed index its listener heard. */
const commits = new Map<DLedgerServer, number[]>();
function start(config: DLedgerConfig): Promise<DLedgerServer> {
  const server = new DLedgerServer(config, { bindAddress: "127.0.0.1", enableCleanSpaceService: false });
  servers.add(server);
  const seen: number[] = [];
  commits.set(server, seen);
  server.onCommitted((i) => seen.push(i));
  return server.start().then(() => server);
}

const bodyOf = (i: number): Buffer => Buffer.from(`loopback-${i}-`.padEnd(64 + (i % 29), "m"));

function sameLogs(a: DLedgerServer, b: DLedgerServer): void {
  expect(a.store.getLedgerEndIndex()).toBe(b.store.getLedgerEndIndex());
  for (let i = 0; i <= a.store.getLedgerEndIndex(); i++) {
    const x = a.store.get(i);
    const y = b.store.get(i);
    if (x.term !== y.term || x.pos !== y.pos || !x.body.equals(y.body)) {
      throw new Error(`entry ${i} differs between ${a.selfId} and ${b.selfId}`);
    }
  }
}

describe("DLedger replication on loopback sockets", () => {
  it("elects, commits 1,000 appends on all three, fails over, and the restarted old leader catches up", async () => {
    dir = mkdtempSync(join(tmpdir(), "dledger-loopback-"));
    const ids = ["n0", "n1", "n2"];
    const ports: number[] = [];
    for (const _ of ids) ports.push(await freePort());
    const peers = ids.map((id, i) => `${id}-127.0.0.1:${ports[i]}`).join(";");
    const configs = ids.map((selfId) =>
      createDLedgerConfig({
        group: "RaftNode00",
        selfId,
        peers,
        storeBaseDir: dir,
        heartBeatTimeIntervalMs: 1000,
        // 1,000 appends at once must all reach a quorum on a loaded 2-core machine too: Java's 2.5 s bound
        // on the quorum wait is not what this test is about
        maxWaitAckTimeMs: 60_000,
        mappedFileSizeForEntryData: 1024 * 1024,
        mappedFileSizeForEntryIndex: INDEX_UNIT_SIZE * 1024,
      }),
    );
    let group = await Promise.all(configs.map((c) => start(c)));
    await until(() => settled(group), 20_000, "first election");
    const first = group.find((s) => s.isLeader)!;
    const aFollower = group.find((s) => !s.isLeader)!;
    expect(await aFollower.appendAsLeader(bodyOf(0))).toEqual({
      code: DLedgerResponseCode.NOT_LEADER,
      index: -1,
      pos: -1,
    });

    const results = await Promise.all([...Array(1000).keys()].map((i) => first.appendAsLeader(bodyOf(i))));
    expect(results.filter((r) => r.code !== DLedgerResponseCode.SUCCESS)).toEqual([]);
    expect(results.map((r) => r.index)).toEqual([...Array(1000).keys()]);
    for (const r of results) expect(first.store.get(r.index).pos).toBe(r.pos);
    await until(
      () => group.every((s) => s.store.getLedgerEndIndex() === 999 && s.store.getCommittedIndex() === 999),
      15_000,
      "all three committed 999",
    );
    for (const s of group) if (s !== first) sameLogs(s, first);

    // the leader goes; the other two elect a leader of a later term, which takes appends
    await first.shutdown();
    servers.delete(first);
    const rest = group.filter((s) => s !== first);
    await until(() => settled(rest) && rest[0]!.term > first.term, 20_000, "failover");
    const second = rest.find((s) => s.isLeader)!;
    const more: DLedgerAppendResult[] = await Promise.all(
      [...Array(100).keys()].map((i) => second.appendAsLeader(bodyOf(1000 + i))),
    );
    expect(more.every((r) => r.code === DLedgerResponseCode.SUCCESS)).toBe(true);
    expect(more.map((r) => r.index)).toEqual([...Array(100).keys()].map((i) => 1000 + i));
    const batch = await second.appendBatchAsLeader([0, 1, 2].map((i) => bodyOf(2000 + i)));
    expect([batch.code, batch.index, batch.positions]).toEqual([
      DLedgerResponseCode.SUCCESS,
      1102,
      [1100, 1101, 1102].map((i) => second.store.get(i).pos),
    ]);

    // the old leader restarts on its store and catches up
    const restarted = await start(configs[ids.indexOf(first.selfId)]!);
    expect(restarted.store.getLedgerEndIndex()).toBe(999);
    group = [...rest, restarted];
    await until(
      () =>
        settled(group) &&
        group.every((s) => s.store.getLedgerEndIndex() === 1102 && s.store.getCommittedIndex() === 1102),
      25_000,
      "the restarted member caught up",
    );
    expect(restarted.leaderId).toBe(second.selfId);
    for (const s of group) if (s !== second) sameLogs(s, second);
    for (const [server, seen] of commits) {
      expect(seen.length).toBeGreaterThan(0);
      expect(
        seen.every((c, i) => i === 0 || c > seen[i - 1]!),
        `committed index of ${server.selfId} never moves back`,
      ).toBe(true);
    }
  }, 40_000);
});
