/**
 * A DLedger group in memory with real entry stores: N members (MemberState, DLedgerMmapFileStore in
 * a temp dir, elector, entry pusher, request handler) on one FakeTimer, talking through a transport
 * that can take members down and cut links. A down member's requests fail as a refused connection
 * does in Java (VOTE → empty VoteResponse, the others NETWORK_ERROR). Every PUSH is recorded.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import {
  copyBaseInfo,
  createDLedgerConfig,
  DLedgerEntryPusher,
  DLedgerLeaderElector,
  DLedgerMmapFileStore,
  DLedgerRequestHandler,
  DLedgerResponseCode,
  HeartBeatResponseCodec,
  LeadershipTransferResponseCodec,
  MemberState,
  PushEntryResponseCodec,
  VoteResponseCodec,
  type DLedgerConfig,
  type DLedgerEntry,
  type ElectorTransport,
  type PushEntryRequest,
  type PushEntryResponse,
} from "../../src/index.js";
import { FakeTimer, seededRandom } from "./fakeTimer.js";

export const LATENCY_MS = 1;
const silent = pino({ level: "silent" });

export interface ReplMember {
  id: string;
  config: DLedgerConfig;
  memberState: MemberState;
  store: DLedgerMmapFileStore;
  elector: DLedgerLeaderElector;
  pusher: DLedgerEntryPusher;
  handler: DLedgerRequestHandler;
  /** Every committed index the listener heard, in order. */
  commits: number[];
}

export interface PushRecord {
  from: string;
  to: string;
  request: PushEntryRequest;
  response: PushEntryResponse | null;
}

export class ReplicationGroup {
  readonly timer = new FakeTimer();
  readonly members = new Map<string, ReplMember>();
  readonly dir: string;
  readonly pushes: PushRecord[] = [];
  private readonly down = new Set<string>();
  private readonly cut = new Set<string>();
  private seed = 1;

  constructor(
    readonly ids: string[],
    private readonly overrides: Partial<DLedgerConfig> = {},
  ) {
    this.dir = mkdtempSync(join(tmpdir(), "dledger-repl-"));
    for (const id of ids) this.add(id);
  }

  get peers(): string {
    return this.ids.map((id, i) => `${id}-127.0.0.1:${41000 + i}`).join(";");
  }

  /** (Re)create a member on its store directory and start it (a restart). */
  add(id: string): ReplMember {
    const config = createDLedgerConfig({
      group: "G",
      selfId: id,
      peers: this.peers,
      storeBaseDir: this.dir,
      mappedFileSizeForEntryData: 64 * 1024,
      mappedFileSizeForEntryIndex: 32 * 1024,
      ...this.overrides,
    });
    const memberState = new MemberState(config, { logger: silent });
    const store = new DLedgerMmapFileStore({
      config,
      memberState,
      logger: silent,
      now: () => this.timer.now(),
      enableCleanSpaceService: false,
    });
    store.load();
    store.recover();
    const pusher = new DLedgerEntryPusher({
      config,
      memberState,
      store,
      transport: { push: (request) => this.push(id, request) },
      timer: this.timer,
      logger: silent,
    });
    const elector = new DLedgerLeaderElector(config, memberState, this.electorTransport(id), {
      timer: this.timer,
      random: seededRandom(this.seed++),
    });
    const handler = new DLedgerRequestHandler(config, memberState, elector, { timer: this.timer, replication: pusher });
    const member: ReplMember = { id, config, memberState, store, elector, pusher, handler, commits: [] };
    pusher.onCommitted((index) => member.commits.push(index));
    this.members.set(id, member);
    this.down.delete(id);
    pusher.startup();
    elector.startup();
    return member;
  }

  member(id: string): ReplMember {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  private reachable(from: string, to: string): ReplMember | null {
    if (this.down.has(from) || this.down.has(to) || this.cut.has(`${from}>${to}`) || this.cut.has(`${to}>${from}`))
      return null;
    return this.members.get(to) ?? null;
  }

  private wire(): Promise<void> {
    return new Promise((resolve) => this.timer.schedule(LATENCY_MS, resolve));
  }

  private async push(from: string, request: PushEntryRequest): Promise<PushEntryResponse> {
    const record: PushRecord = { from, to: request.remoteId ?? "", request, response: null };
    this.pushes.push(record);
    await this.wire();
    const to = this.reachable(from, record.to);
    let response: PushEntryResponse;
    if (to) {
      response = await to.handler.handlePush(request);
    } else {
      response = copyBaseInfo(PushEntryResponseCodec.create(), request);
      response.code = DLedgerResponseCode.NETWORK_ERROR;
    }
    await this.wire();
    record.response = response;
    return response;
  }

  private electorTransport(from: string): ElectorTransport {
    return {
      vote: async (request) => {
        await this.wire();
        const to = this.reachable(from, request.remoteId ?? "");
        const response = to ? await to.handler.handleVote(request) : VoteResponseCodec.create();
        await this.wire();
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

  /** Stop a member as a crash would not: loops end, the store is flushed and closed; links to it fail. */
  async kill(id: string): Promise<void> {
    this.down.add(id);
    const m = this.member(id);
    await m.elector.shutdown();
    m.pusher.stop();
    await this.untilDone(m.pusher.join());
    await m.store.shutdown();
  }

  /** Advance fake time until `promise` settles (loops may sit in a timed wait). */
  private async untilDone(promise: Promise<void>): Promise<void> {
    let done = false;
    void promise.then(() => {
      done = true;
    });
    await this.timer.advanceUntil(() => done, 10_000);
  }

  partition(a: string, b: string, cut = true): void {
    if (cut) this.cut.add(`${a}>${b}`);
    else {
      this.cut.delete(`${a}>${b}`);
      this.cut.delete(`${b}>${a}`);
    }
  }

  live(): ReplMember[] {
    return [...this.members.values()].filter((m) => !this.down.has(m.id));
  }

  leaders(): ReplMember[] {
    return this.live().filter((m) => m.memberState.isLeader());
  }

  /** Exactly one live leader, followed by every other live member in its term. */
  settled(): boolean {
    const leaders = this.leaders();
    if (leaders.length !== 1) return false;
    const leader = leaders[0]!;
    return this.live()
      .filter((m) => m !== leader)
      .every(
        (m) =>
          m.memberState.isFollower() &&
          m.memberState.leaderId === leader.id &&
          m.memberState.currTerm === leader.memberState.currTerm,
      );
  }

  async electLeader(limitMs = 30_000): Promise<ReplMember> {
    await this.timer.advanceUntil(() => this.settled(), limitMs);
    return this.leaders()[0]!;
  }

  /** The entries of a member's store, index 0 … end. */
  entries(id: string): DLedgerEntry[] {
    const store = this.member(id).store;
    const out: DLedgerEntry[] = [];
    for (let i = store.getLedgerBeginIndex(); i >= 0 && i <= store.getLedgerEndIndex(); i++) out.push(store.get(i));
    return out;
  }

  pushTypesTo(id: string, since = 0): string[] {
    return this.pushes
      .slice(since)
      .filter((p) => p.to === id)
      .map((p) => p.request.type);
  }

  async close(): Promise<void> {
    for (const m of this.live()) {
      await m.elector.shutdown();
      m.pusher.stop();
    }
    for (const m of this.live()) {
      await this.untilDone(m.pusher.join());
      await m.store.shutdown();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
