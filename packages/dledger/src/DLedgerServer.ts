/**
 * A DLedger member (DLedgerServer of dledger 0.3.1.2, control plane): config, MemberState (term
 * and vote from currterm), the elector, the request checks and the peer RPC on real sockets, plus
 * the once-a-second preferred-leader check. What a broker uses: start / shutdown, role, term,
 * leader, role-change listeners. Replication attaches through `attachReplication` and the
 * ledger end through `ledgerEnd` (the entry store).
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
import { systemTimer, type Cancel, type DLedgerTimer, type RandomInt } from "./timer.js";

export interface DLedgerServerOptions extends DLedgerRpcServiceOptions {
  timer?: DLedgerTimer;
  random?: RandomInt;
  /** Where the ledger ends (the entry store); -1/-1 until attached. */
  ledgerEnd?: LedgerEndSource;
  replication?: DLedgerReplication;
  logger?: Logger;
}

export class DLedgerServer {
  readonly memberState: MemberState;
  readonly elector: DLedgerLeaderElector;
  readonly handler: DLedgerRequestHandler;
  readonly rpcService: DLedgerRpcService;
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
    this.rpcService = new DLedgerRpcService(config, options);
    this.elector = new DLedgerLeaderElector(config, this.memberState, this.rpcService, {
      timer: this.timer,
      random: options.random,
      logger: this.logger,
    });
    this.handler = new DLedgerRequestHandler(config, this.memberState, this.elector, {
      timer: this.timer,
      replication: options.replication,
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

  /** Listen on the peer port and start electing. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.rpcService.start();
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
    await this.rpcService.shutdown();
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
