/**
 * The checks DLedgerServer (0.3.1.2) makes before its handlers run — the request is addressed to
 * this member (`remoteId`, else UNKNOWN_MEMBER) of this group (else UNKNOWN_GROUP), leader-only
 * requests reach the leader — and the dispatch: VOTE / HEART_BEAT / LEADERSHIP_TRANSFER to the
 * elector, METADATA from the member state, PUSH / PULL / APPEND / GET to the replication part.
 * A failed check answers the request's base info with the code and the known leader.
 */
import { pino, type Logger } from "pino";
import type { DLedgerConfig } from "./config/DLedgerConfig.js";
import type { DLedgerLeaderElector } from "./DLedgerLeaderElector.js";
import type { MemberState } from "./MemberState.js";
import { checkPrecondition, DLedgerException, DLedgerResponseCode } from "./protocol/DLedgerResponseCode.js";
import {
  AppendEntryResponseCodec,
  GetEntriesResponseCodec,
  HeartBeatResponseCodec,
  LeadershipTransferResponseCodec,
  MetadataResponseCodec,
  PushEntryResponseCodec,
  VoteResponseCodec,
  copyBaseInfo,
  type AppendEntryRequest,
  type AppendEntryResponse,
  type DLedgerBody,
  type GetEntriesRequest,
  type GetEntriesResponse,
  type HeartBeatRequest,
  type HeartBeatResponse,
  type LeadershipTransferRequest,
  type LeadershipTransferResponse,
  type MetadataRequest,
  type MetadataResponse,
  type PullEntriesRequest,
  type PullEntriesResponse,
  type PushEntryRequest,
  type PushEntryResponse,
  type VoteRequest,
  type VoteResponse,
} from "./protocol/messages.js";
import type { DLedgerProtocolHandler, DLedgerReplication } from "./rpc/DLedgerProtocol.js";
import { sleep, type DLedgerTimer } from "./timer.js";

export interface DLedgerRequestHandlerOptions {
  timer: DLedgerTimer;
  replication?: DLedgerReplication;
  logger?: Logger;
}

export class DLedgerRequestHandler implements DLedgerProtocolHandler {
  private readonly timer: DLedgerTimer;
  private readonly logger: Logger;
  replication: DLedgerReplication;

  constructor(
    private readonly config: DLedgerConfig,
    private readonly memberState: MemberState,
    private readonly elector: DLedgerLeaderElector,
    options: DLedgerRequestHandlerOptions,
  ) {
    this.timer = options.timer;
    this.replication = options.replication ?? {};
    this.logger = options.logger ?? pino({ level: "silent" });
  }

  private checkAddressed(request: DLedgerBody): void {
    const ms = this.memberState;
    checkPrecondition(
      ms.selfId === request.remoteId,
      DLedgerResponseCode.UNKNOWN_MEMBER,
      `${request.remoteId} != ${ms.selfId}`,
    );
    checkPrecondition(ms.group === request.group, DLedgerResponseCode.UNKNOWN_GROUP, `${request.group} != ${ms.group}`);
  }

  /** Run `body`; a DLedgerException becomes `fresh()` with the request's base info, the code and the leader. */
  private async guarded<Req extends DLedgerBody, Res extends DLedgerBody>(
    what: string,
    request: Req,
    fresh: () => Res,
    body: () => Res | Promise<Res>,
  ): Promise<Res> {
    try {
      return await body();
    } catch (err) {
      if (!(err instanceof DLedgerException)) throw err;
      this.logger.error({ self: this.memberState.selfId, err: err.message }, `[${what}] failed`);
      const response = copyBaseInfo(fresh(), request);
      response.code = err.code;
      response.leaderId = this.memberState.leaderId;
      return response;
    }
  }

  handleHeartBeat(request: HeartBeatRequest): Promise<HeartBeatResponse> {
    return this.guarded(
      "HandleHeartBeat",
      request,
      () => HeartBeatResponseCodec.create(),
      () => {
        this.checkAddressed(request);
        return this.elector.handleHeartBeat(request);
      },
    );
  }

  handleVote(request: VoteRequest): Promise<VoteResponse> {
    return this.guarded(
      "HandleVote",
      request,
      () => VoteResponseCodec.create(),
      () => {
        this.checkAddressed(request);
        return this.elector.handleVote(request, false);
      },
    );
  }

  handleMetadata(request: MetadataRequest): Promise<MetadataResponse> {
    return this.guarded(
      "HandleMetadata",
      request,
      () => MetadataResponseCodec.create(),
      () => {
        this.checkAddressed(request);
        return MetadataResponseCodec.create({
          group: this.memberState.group,
          peers: Object.fromEntries(this.memberState.peerMap),
          leaderId: this.memberState.leaderId,
        });
      },
    );
  }

  handleLeadershipTransfer(request: LeadershipTransferRequest): Promise<LeadershipTransferResponse> {
    return this.guarded(
      "handleLeadershipTransfer",
      request,
      () => LeadershipTransferResponseCodec.create(),
      async () => {
        this.checkAddressed(request);
        const ms = this.memberState;
        if (ms.selfId === request.transferId) {
          // the leader, told to hand over
          checkPrecondition(
            ms.isPeerMember(request.transfereeId),
            DLedgerResponseCode.UNKNOWN_MEMBER,
            `transferee=${request.transfereeId} is not a peer member`,
          );
          checkPrecondition(
            ms.currTerm === request.term,
            DLedgerResponseCode.INCONSISTENT_TERM,
            `currTerm(${ms.currTerm}) != request.term(${request.term})`,
          );
          checkPrecondition(
            ms.isLeader(),
            DLedgerResponseCode.NOT_LEADER,
            `selfId=${ms.selfId} is not leader=${ms.leaderId}`,
          );
          const fallBehind = ms.ledgerEndIndex - this.peerWaterMark(request.term, request.transfereeId);
          checkPrecondition(
            fallBehind < this.config.maxLeadershipTransferWaitIndex,
            DLedgerResponseCode.FALL_BEHIND_TOO_MUCH,
            `transferee fall behind too much, diff=${fallBehind}`,
          );
          return this.elector.handleLeadershipTransfer(request);
        }
        if (ms.selfId === request.transfereeId) {
          // the transferee, told to take the leadership: first catch up with the leader's ledger
          checkPrecondition(
            request.transferId === ms.leaderId,
            DLedgerResponseCode.INCONSISTENT_LEADER,
            `transfer=${request.transferId} is not leader`,
          );
          const started = this.timer.now();
          while (request.takeLeadershipLedgerIndex - ms.ledgerEndIndex > 0) {
            if (this.timer.now() - started > this.config.leadershipTransferWaitTimeout) {
              throw new DLedgerException(
                DLedgerResponseCode.TAKE_LEADERSHIP_FAILED,
                `transferee fall behind, wait timeout. timeout = ${this.config.leadershipTransferWaitTimeout}`,
              );
            }
            await sleep(this.timer, 10);
          }
          return this.elector.handleTakeLeadership(request);
        }
        return LeadershipTransferResponseCodec.create({
          term: ms.currTerm,
          code: DLedgerResponseCode.UNEXPECTED_ARGUMENT,
        });
      },
    );
  }

  /** How far the peer has replicated; -1 (Java's initial water mark) until replication exists. */
  peerWaterMark(term: number, peerId: string): number {
    return this.replication.getPeerWaterMark?.(term, peerId) ?? -1;
  }

  handlePush(request: PushEntryRequest): Promise<PushEntryResponse> {
    return this.guarded(
      "HandlePush",
      request,
      () => PushEntryResponseCodec.create(),
      () => {
        this.checkAddressed(request);
        const push = this.replication.handlePush;
        if (!push) throw new DLedgerException(DLedgerResponseCode.UNSUPPORTED, "replication is not attached");
        return push.call(this.replication, request);
      },
    );
  }

  handleAppend(request: AppendEntryRequest): Promise<AppendEntryResponse> {
    return this.guarded(
      "HandleAppend",
      request,
      () => AppendEntryResponseCodec.create(),
      () => {
        this.checkAddressed(request);
        checkPrecondition(this.memberState.isLeader(), DLedgerResponseCode.NOT_LEADER);
        checkPrecondition(this.memberState.transferee === null, DLedgerResponseCode.LEADER_TRANSFERRING);
        const append = this.replication.handleAppend;
        if (!append) throw new DLedgerException(DLedgerResponseCode.UNSUPPORTED, "replication is not attached");
        return append.call(this.replication, request);
      },
    );
  }

  handleGet(request: GetEntriesRequest): Promise<GetEntriesResponse> {
    return this.guarded(
      "HandleGet",
      request,
      () => GetEntriesResponseCodec.create(),
      () => {
        this.checkAddressed(request);
        checkPrecondition(this.memberState.isLeader(), DLedgerResponseCode.NOT_LEADER);
        const get = this.replication.handleGet;
        if (!get) throw new DLedgerException(DLedgerResponseCode.UNSUPPORTED, "the entry store is not attached");
        return get.call(this.replication, request);
      },
    );
  }

  /**
   * dledger 0.3.1.2 has no PULL handler (DLedgerServer.handlePull returns null, so the remoting
   * layer answers SYSTEM_ERROR); the same happens here unless the replication part brings one.
   */
  handlePull(request: PullEntriesRequest): Promise<PullEntriesResponse> {
    const pull = this.replication.handlePull;
    if (!pull) return Promise.reject(new Error("PULL is not handled by DLedger 0.3.1.2 (handlePull returns null)"));
    return pull.call(this.replication, request);
  }
}
