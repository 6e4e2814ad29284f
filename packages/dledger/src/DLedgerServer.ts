/**
 * A DLedger member (DLedgerServer of dledger 0.3.1.2): config, MemberState (term and vote from
 * currterm), the entry store at `<storeBaseDir>/dledger-<selfId>` (its ledger end feeds the member
 * state), the elector, the entry pusher (replication), the request checks and the peer RPC on real
 * sockets, plus the once-a-second preferred-leader check. What a broker uses: start / shutdown,
 * role, term, leader, role-change listeners, `store`, `appendAsLeader`, `onCommitted`.
 */
import { pino, type Logger } from "pino";
import type { DLedgerConfig } from "./config/DLedgerConfig.js";
import { validateDLedgerConfig } from "./config/DLedgerConfig.js";
import { DLedgerLeaderElector, type RoleChangeListener } from "./DLedgerLeaderElector.js";
import { DLedgerRequestHandler } from "./DLedgerRequestHandler.js";
import { MemberState, type LedgerEndSource, type MemberRole } from "./MemberState.js";
import { PREFERRED_LEADER_CHECK_INTERVAL_MS, PreferredLeaderChecker } from "./PreferredLeaderChecker.js";
import type { DLedgerReplication } from "./rpc/DLedgerProtocol.js";
import { DLedgerRpcService, type DLedgerRpcServiceOptions } from "./rpc/DLedgerRpcService.js";
import { DLedgerException, DLedgerResponseCode } from "./protocol/DLedgerResponseCode.js";
import { DLedgerEntryPusher, type CommittedListener } from "./replication/DLedgerEntryPusher.js";
import { DLedgerMmapFileStore } from "./store/DLedgerMmapFileStore.js";
import { systemTimer, type Cancel, type DLedgerTimer, type RandomInt } from "./timer.js";

export interface DLedgerServerOptions extends DLedgerRpcServiceOptions {
  timer?: DLedgerTimer;
  random?: RandomInt;
  /** Where the ledger ends, instead of the entry store (tests that play a member's state). */
  ledgerEnd?: LedgerEndSource;
  /** Replaces the entry pusher as the request handler's replication part (tests). */
  replication?: DLedgerReplication;
  logger?: Logger;
  /** Run the store's clean service (Java's enableCleanSpaceService, default true). */
  enableCleanSpaceService?: boolean;
}

/** What an append as leader came to: `code` is a DLedgerResponseCode (SUCCESS once a quorum has the entry). */
export interface DLedgerAppendResult {
  code: number;
  /** The entry's index (-1 when not appended). */
  index: number;
  /** The entry's position in the data files (-1 when not appended); RocketMQ's record sits at pos + 48. */
  pos: number;
}

/** What a batch append as leader came to (see appendBatchAsLeader). */
export interface DLedgerBatchAppendResult {
  code: number;
  /** The last entry's index (-1 when nothing was appended). */
  index: number;
  /** Every entry's position in the data files, in order. */
  positions: number[];
}

export class DLedgerServer {
  readonly memberState: MemberState;
  readonly elector: DLedgerLeaderElector;
  readonly handler: DLedgerRequestHandler;
  readonly rpcService: DLedgerRpcService;
  readonly entryPusher: DLedgerEntryPusher;
  private readonly dLedgerStore: DLedgerMmapFileStore;
  private readonly preferredLeader: PreferredLeaderChecker;
  private readonly timer: DLedgerTimer;
  private readonly logger: Logger;
  private started = false;
  private cancelPreferredCheck: Cancel | null = null;

  constructor(
    readonly config: DLedgerConfig,
    options: DLedgerServerOptions = {},
  ) {
    validateDLedgerConfig(config);
    this.timer = options.timer ?? systemTimer;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.memberState = new MemberState(config, { ledgerEnd: options.ledgerEnd, logger: this.logger });
    this.dLedgerStore = new DLedgerMmapFileStore({
      config,
      memberState: this.memberState,
      logger: this.logger,
      now: () => this.timer.now(),
      enableCleanSpaceService: options.enableCleanSpaceService,
    });
    this.rpcService = new DLedgerRpcService(config, options);
    this.entryPusher = new DLedgerEntryPusher({
      config,
      memberState: this.memberState,
      store: this.dLedgerStore,
      transport: this.rpcService,
      timer: this.timer,
      logger: this.logger,
    });
    this.elector = new DLedgerLeaderElector(config, this.memberState, this.rpcService, {
      timer: this.timer,
      random: options.random,
      logger: this.logger,
    });
    this.handler = new DLedgerRequestHandler(config, this.memberState, this.elector, {
      timer: this.timer,
      replication: options.replication ?? this.entryPusher,
      logger: this.logger,
    });
    this.rpcService.bindHandler(this.handler);
    this.preferredLeader = new PreferredLeaderChecker(
      config,
      this.memberState,
      this.elector,
      (term, peerId) => this.handler.peerWaterMark(term, peerId),
      this.logger,
    );
  }

  /** Load and recover the store, listen on the peer port, start replicating and electing. */
  async start(): Promise<void> {
    if (this.started) return;
    this.dLedgerStore.startup();
    await this.rpcService.start();
    this.entryPusher.startup();
    this.elector.startup();
    this.started = true;
    this.schedulePreferredCheck();
    this.logger.info({ selfId: this.config.selfId, port: this.rpcService.listenPort }, "DLedger server started");
  }

  private schedulePreferredCheck(): void {
    this.cancelPreferredCheck = this.timer.schedule(PREFERRED_LEADER_CHECK_INTERVAL_MS, () => {
      if (!this.started) return;
      void this.preferredLeader.check().finally(() => {
        if (this.started) this.schedulePreferredCheck();
      });
    });
  }

  async shutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.cancelPreferredCheck?.();
    await this.elector.shutdown();
    this.entryPusher.stop();
    await this.rpcService.shutdown();
    await this.entryPusher.join();
    await this.dLedgerStore.shutdown();
  }

  /** The member's entry store. */
  get store(): DLedgerMmapFileStore {
    return this.dLedgerStore;
  }

  /**
   * Append one entry body as leader; resolves when a quorum has it, or with the failure code. Never
   * rejects. The entry is written before this returns (appends keep their call order).
   */
  appendAsLeader(body: Buffer): Promise<DLedgerAppendResult> {
    try {
      const { entry, future } = this.entryPusher.appendAsLeader(body);
      const index = entry?.index ?? -1;
      const pos = entry?.pos ?? -1;
      return future.promise.then((response) => ({ code: response.code, index, pos }));
    } catch (err) {
      const code = err instanceof DLedgerException ? err.code : DLedgerResponseCode.INTERNAL_ERROR;
      if (!(err instanceof DLedgerException))
        this.logger.error({ err: (err as Error).message }, "appendAsLeader failed");
      return Promise.resolve({ code, index: -1, pos: -1 });
    }
  }

  /**
   * Append several bodies as leader, one entry each (RocketMQ's batch put, Java's
   * BatchAppendEntryRequest); resolves when a quorum has the last one. `index` is the last entry's,
   * `positions` every entry's (empty when nothing was appended). Never rejects.
   */
  appendBatchAsLeader(bodies: readonly Buffer[]): Promise<DLedgerBatchAppendResult> {
    try {
      const { entries, future } = this.entryPusher.appendBatchAsLeader(bodies);
      const index = entries.at(-1)?.index ?? -1;
      const positions = entries.map((e) => e.pos);
      return future.promise.then((response) => ({ code: response.code, index, positions }));
    } catch (err) {
      const code = err instanceof DLedgerException ? err.code : DLedgerResponseCode.INTERNAL_ERROR;
      if (!(err instanceof DLedgerException))
        this.logger.error({ err: (err as Error).message }, "appendBatchAsLeader failed");
      return Promise.resolve({ code, index: -1, positions: [] });
    }
  }

  /** Called after the committed index moved forward (on leader and followers), with the new committed index. */
  onCommitted(listener: CommittedListener): void {
    this.entryPusher.onCommitted(listener);
  }

  /** The replication part (PUSH / PULL / APPEND / GET and peer water marks). */
  attachReplication(replication: DLedgerReplication): void {
    this.handler.replication = replication;
  }

  /** Where the ledger ends, from the entry store. */
  attachLedgerEnd(source: LedgerEndSource): void {
    this.memberState.attachLedgerEnd(source);
  }

  addRoleChangeListener(listener: RoleChangeListener): void {
    this.elector.addRoleChangeListener(listener);
  }

  removeRoleChangeListener(listener: RoleChangeListener): void {
    this.elector.removeRoleChangeListener(listener);
  }

  get selfId(): string {
    return this.memberState.selfId;
  }
  get role(): MemberRole {
    return this.memberState.role;
  }
  get term(): number {
    return this.memberState.currTerm;
  }
  get leaderId(): string | null {
    return this.memberState.leaderId;
  }
  get leaderAddr(): string | undefined {
    return this.memberState.leaderAddr;
  }
  get isLeader(): boolean {
    return this.memberState.isLeader();
  }
  get listenPort(): number {
    return this.rpcService.listenPort;
  }
}
