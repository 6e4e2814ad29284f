/**
 * A DLedger group in memory: N members (config, MemberState, elector, request handler) on one
 * FakeTimer, talking through a transport that can cut links. A cut link fails as a refused
 * connection does in Java (VOTE → empty VoteResponse, HEART_BEAT / LEADERSHIP_TRANSFER → NETWORK_ERROR).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  copyBaseInfo,
  createDLedgerConfig,
  DLedgerLeaderElector,
  DLedgerRequestHandler,
  DLedgerResponseCode,
  HeartBeatResponseCodec,
  LeadershipTransferResponseCodec,
  MemberState,
  VoteResponseCodec,
  type DLedgerConfig,
  type ElectorTransport,
  type MemberRole,
} from "../../src/index.js";
import { FakeTimer, seededRandom } from "./fakeTimer.js";

/** One-way delivery time of the in-memory network (fake milliseconds). */
export const LATENCY_MS = 1;

export interface Member {
  id: string;
  config: DLedgerConfig;
  memberState: MemberState;
  elector: DLedgerLeaderElector;
  handler: DLedgerRequestHandler;
  ledger: { ledgerEndIndex: number; ledgerEndTerm: number };
  roles: { term: number; role: MemberRole }[];
  /** Vote answers this member received, in order. */
  votes: { to: string; term: number; result: string }[];
}

export class MemoryGroup {
  readonly timer = new FakeTimer();
  readonly members = new Map<string, Member>();
  readonly dir: string;
  private readonly down = new Set<string>();
  private readonly cut = new Set<string>();

  constructor(
    readonly ids: string[],
    private readonly overrides: Partial<DLedgerConfig> = {},
    dir?: string,
  ) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), "dledger-elect-"));
    for (const [i, id] of ids.entries()) this.add(id, i + 1);
  }

  get peers(): string {
    return this.ids.map((id, i) => `${id}-127.0.0.1:${40000 + i}`).join(";");
  }

  /** (Re)create a member from its store directory (a restart). */
  add(id: string, seed: number): Member {
    const config = createDLedgerConfig({
      group: "G",
      selfId: id,
      peers: this.peers,
      storeBaseDir: this.dir,
      ...this.overrides,
    });
    const ledger = { ledgerEndIndex: -1, ledgerEndTerm: -1 };
    const memberState = new MemberState(config, { ledgerEnd: ledger });
    const transport = this.transportFrom(id);
    const elector = new DLedgerLeaderElector(config, memberState, transport, {
      timer: this.timer,
      random: seededRandom(seed),
    });
    const handler = new DLedgerRequestHandler(config, memberState, elector, { timer: this.timer });
    const member: Member = { id, config, memberState, elector, handler, ledger, roles: [], votes: [] };
    elector.addRoleChangeListener((term, role) => member.roles.push({ term, role }));
    this.members.set(id, member);
    return member;
  }

  member(id: string): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  private reachable(from: string, to: string): Member | null {
    if (this.down.has(from) || this.down.has(to) || this.cut.has(`${from}>${to}`) || this.cut.has(`${to}>${from}`))
      return null;
    return this.members.get(to) ?? null;
  }

  private wire(): Promise<void> {
    return new Promise((resolve) => this.timer.schedule(LATENCY_MS, resolve));
  }

  private transportFrom(from: string): ElectorTransport {
    return {
      vote: async (request) => {
        await this.wire();
        const to = this.reachable(from, request.remoteId ?? "");
        const response = to ? await to.handler.handleVote(request) : VoteResponseCodec.create();
        await this.wire();
        this.members
          .get(from)
          ?.votes.push({ to: request.remoteId ?? "", term: request.term, result: response.voteResult });
        return response;
      },
      heartBeat: async (request) => {
        await this.wire();
        const to = this.reachable(from, request.remoteId ?? "");
        const response = to
          ? await to.handler.handleHeartBeat(request)
          : HeartBeatResponseCodec.create({ code: DLedgerResponseCode.NETWORK_ERROR });
        await this.wire();
        return response;
      },
      leadershipTransfer: async (request) => {
        await this.wire();
        const to = this.reachable(from, request.remoteId ?? "");
        if (to) return to.handler.handleLeadershipTransfer(request);
        const response = copyBaseInfo(LeadershipTransferResponseCodec.create(), request);
        response.code = DLedgerResponseCode.NETWORK_ERROR;
        return response;
      },
    };
  }

  startAll(): void {
    for (const m of this.members.values()) m.elector.startup();
  }

  /** Stop a member (its elector halts, every link to it fails). */
  async kill(id: string): Promise<void> {
    this.down.add(id);
    await this.member(id).elector.shutdown();
  }

  revive(id: string): void {
    this.down.delete(id);
  }

  /** Cut (or heal) the link between two members, both ways. */
  partition(a: string, b: string, cut = true): void {
    if (cut) this.cut.add(`${a}>${b}`);
    else {
      this.cut.delete(`${a}>${b}`);
      this.cut.delete(`${b}>${a}`);
    }
  }

  leaders(): Member[] {
    return [...this.members.values()].filter((m) => !this.down.has(m.id) && m.memberState.isLeader());
  }

  /** Exactly one live leader, and every other live member follows it in its term. */
  settled(): boolean {
    const leaders = this.leaders();
    if (leaders.length !== 1) return false;
    const leader = leaders[0]!;
    return [...this.members.values()]
      .filter((m) => !this.down.has(m.id) && m !== leader)
      .every(
        (m) =>
          m.memberState.isFollower() &&
          m.memberState.leaderId === leader.id &&
          m.memberState.currTerm === leader.memberState.currTerm,
      );
  }

  async close(): Promise<void> {
    for (const m of this.members.values()) await m.elector.shutdown();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
