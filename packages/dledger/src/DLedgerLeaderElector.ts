/**
 * DLedgerLeaderElector of dledger 0.3.1.2: the election state machine. A state maintainer runs
 * every 10 ms: a candidate asks for votes (randomised back-off between minVoteIntervalMs and
 * maxVoteIntervalMs), a leader sends heartbeats every heartBeatTimeIntervalMs and steps down when a
 * quorum stops answering, a follower turns candidate after maxHeartBeatLeak missed heartbeats. It
 * also answers VOTE and HEART_BEAT and carries out leadership transfer (take-leadership side).
 * Time, randomness and the peer transport are injected. One file because the three roles and the
 * transfer share the timing state (last heartbeat sent / received / answered, next vote time).
 */
import { pino, type Logger } from "pino";
import type { DLedgerConfig } from "./config/DLedgerConfig.js";
import { preferredLeaderIdList } from "./config/DLedgerConfig.js";
import type { MemberRole, MemberState } from "./MemberState.js";
import { DLedgerResponseCode } from "./protocol/DLedgerResponseCode.js";
import {
  HeartBeatRequestCodec,
  HeartBeatResponseCodec,
  LeadershipTransferRequestCodec,
  LeadershipTransferResponseCodec,
  VoteRequestCodec,
  VoteResponseCodec,
  copyBaseInfo,
  type HeartBeatRequest,
  type HeartBeatResponse,
  type LeadershipTransferRequest,
  type LeadershipTransferResponse,
  type VoteRequest,
  type VoteResponse,
} from "./protocol/messages.js";
import type { VoteParseResult, VoteResult } from "./protocol/VoteResult.js";
import { mathRandomInt, TimedLatch, type Cancel, type DLedgerTimer, type RandomInt } from "./timer.js";

/** What the elector asks of the other members (DLedgerRpcService's client side). Never rejects: failures come back as results. */
export interface ElectorTransport {
  vote(request: VoteRequest): Promise<VoteResponse>;
  heartBeat(request: HeartBeatRequest): Promise<HeartBeatResponse>;
  leadershipTransfer(request: LeadershipTransferRequest): Promise<LeadershipTransferResponse>;
}

/** Told of every role change (RocketMQ's DLedgerRoleChangeHandler switches the broker master/slave). */
export type RoleChangeListener = (term: number, role: MemberRole) => void;

export interface ElectorOptions {
  timer: DLedgerTimer;
  random?: RandomInt;
  logger?: Logger;
}

/** The state maintainer's pause between two passes (Java sleeps 10 ms). */
export const STATE_MAINTAINER_INTERVAL_MS = 10;

function voteResponseTo(request: VoteRequest, term: number, voteResult: VoteResult): VoteResponse {
  const response = copyBaseInfo(VoteResponseCodec.create(), request);
  response.term = term;
  response.voteResult = voteResult;
  return response;
}

function heartBeatResponse(code: number, term = -1): HeartBeatResponse {
  return HeartBeatResponseCodec.create({ code, term });
}

function transferResponse(code: number, term: number): LeadershipTransferResponse {
  return LeadershipTransferResponseCodec.create({ code, term });
}

export class DLedgerLeaderElector {
  private readonly timer: DLedgerTimer;
  private readonly random: RandomInt;
  private readonly logger: Logger;
  private readonly listeners: RoleChangeListener[] = [];

  private lastLeaderHeartBeatTime = -1;
  private lastSendHeartBeatTime = -1;
  private lastSuccHeartBeatTime = -1;
  private nextTimeToRequestVote = -1;
  private needIncreaseTermImmediately = false;
  private lastParseResult: VoteParseResult = "WAIT_TO_REVOTE";
  private lastVoteCost = 0;

  /** The pending take-leadership answer of a transferee (TakeLeadershipTask). */
  private takeLeadership: {
    request: LeadershipTransferRequest;
    resolve: (r: LeadershipTransferResponse) => void;
  } | null = null;

  private running = false;
  private cancelNextPass: Cancel | null = null;
  private passInFlight: Promise<void> | null = null;

  constructor(
    private readonly config: DLedgerConfig,
    readonly memberState: MemberState,
    private readonly transport: ElectorTransport,
    options: ElectorOptions,
  ) {
    this.timer = options.timer;
    this.random = options.random ?? mathRandomInt;
    this.logger = options.logger ?? pino({ level: "silent" });
  }

  private get heartBeatTimeIntervalMs(): number {
    return this.config.heartBeatTimeIntervalMs;
  }
  private get maxHeartBeatLeak(): number {
    return this.config.maxHeartBeatLeak;
  }
  private elapsed(since: number): number {
    return this.timer.now() - since;
  }

  /** The outcome of the last vote round (for tests and monitoring). */
  get lastVoteResult(): VoteParseResult {
    return this.lastParseResult;
  }
  get lastVoteCostMs(): number {
    return this.lastVoteCost;
  }

  addRoleChangeListener(listener: RoleChangeListener): void {
    if (!this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeRoleChangeListener(listener: RoleChangeListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Start the state maintainer (a pass every 10 ms while enableLeaderElector). */
  startup(): void {
    if (this.running) return;
    this.running = true;
    this.cancelNextPass = this.timer.schedule(0, () => this.runPass());
  }

  /** Stop the state maintainer; resolves when a pass in flight has ended. */
  async shutdown(): Promise<void> {
    this.running = false;
    this.cancelNextPass?.();
    this.cancelNextPass = null;
    await this.passInFlight;
  }

  private runPass(): void {
    if (!this.running) return;
    const pass = (async () => {
      try {
        if (this.config.enableLeaderElector) await this.maintainState();
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, "Error in heartbeat");
      }
    })();
    this.passInFlight = pass;
    void pass.then(() => {
      this.passInFlight = null;
      if (this.running) this.cancelNextPass = this.timer.schedule(STATE_MAINTAINER_INTERVAL_MS, () => this.runPass());
    });
  }

  /** One pass of the state maintainer, by role. */
  async maintainState(): Promise<void> {
    if (this.memberState.isLeader()) await this.maintainAsLeader();
    else if (this.memberState.isFollower()) this.maintainAsFollower();
    else await this.maintainAsCandidate();
  }

  // ---- answering peers -------------------------------------------------------------------

  handleHeartBeat(request: HeartBeatRequest): HeartBeatResponse {
    const ms = this.memberState;
    if (!ms.isPeerMember(request.leaderId)) {
      this.logger.warn({ leaderId: request.leaderId }, "[BUG] [HandleHeartBeat] unknown member");
      return heartBeatResponse(DLedgerResponseCode.UNKNOWN_MEMBER, ms.currTerm);
    }
    if (ms.selfId === request.leaderId) {
      this.logger.warn({ leaderId: request.leaderId }, "[BUG] [HandleHeartBeat] heartbeat from self");
      return heartBeatResponse(DLedgerResponseCode.UNEXPECTED_MEMBER, ms.currTerm);
    }
    if (request.term < ms.currTerm) return heartBeatResponse(DLedgerResponseCode.EXPIRED_TERM, ms.currTerm);
    if (request.term === ms.currTerm) {
      if (ms.leaderId === null) {
        this.changeRoleToFollower(request.term, request.leaderId);
        return heartBeatResponse(DLedgerResponseCode.SUCCESS);
      }
      if (request.leaderId === ms.leaderId) {
        this.lastLeaderHeartBeatTime = this.timer.now();
        return heartBeatResponse(DLedgerResponseCode.SUCCESS);
      }
      this.logger.error(
        { self: ms.selfId, term: ms.currTerm, leader: ms.leaderId, received: request.leaderId },
        "[BUG] the term has another leader",
      );
      return heartBeatResponse(DLedgerResponseCode.INCONSISTENT_LEADER);
    }
    // a larger term: become candidate first, the state maintainer moves to the term
    this.changeRoleToCandidate(request.term);
    this.needIncreaseTermImmediately = true;
    return heartBeatResponse(DLedgerResponseCode.TERM_NOT_READY);
  }

  /** Answer a vote request; `self` is the candidate's own vote. The checks run in Java's order. */
  handleVote(request: VoteRequest, self: boolean): VoteResponse {
    const ms = this.memberState;
    const reply = (result: VoteResult, term = ms.currTerm): VoteResponse => voteResponseTo(request, term, result);
    if (!ms.isPeerMember(request.leaderId)) {
      this.logger.warn({ leaderId: request.leaderId }, "[BUG] [HandleVote] unknown member");
      return reply("REJECT_UNKNOWN_LEADER");
    }
    if (!self && ms.selfId === request.leaderId) {
      this.logger.warn({ leaderId: request.leaderId }, "[BUG] [HandleVote] vote request from self");
      return reply("REJECT_UNEXPECTED_LEADER");
    }
    if (request.ledgerEndTerm < ms.ledgerEndTerm) return reply("REJECT_EXPIRED_LEDGER_TERM");
    if (request.ledgerEndTerm === ms.ledgerEndTerm && request.ledgerEndIndex < ms.ledgerEndIndex) {
      return reply("REJECT_SMALL_LEDGER_END_INDEX");
    }
    if (request.term < ms.currTerm) return reply("REJECT_EXPIRED_VOTE_TERM");
    if (request.term === ms.currTerm) {
      const votedFor = ms.currVoteFor;
      if (votedFor !== null && votedFor !== request.leaderId) {
        return reply(ms.leaderId !== null ? "REJECT_ALREADY_HAS_LEADER" : "REJECT_ALREADY_VOTED");
      }
    } else {
      // stepped down by a larger term; a vote is only given within the voter's own term
      this.changeRoleToCandidate(request.term);
      this.needIncreaseTermImmediately = true;
      return reply("REJECT_TERM_NOT_READY");
    }
    if (request.term < ms.ledgerEndTerm) return reply("REJECT_TERM_SMALL_THAN_LEDGER", ms.ledgerEndTerm);
    if (
      !self &&
      this.isTakingLeadership() &&
      request.ledgerEndTerm === ms.ledgerEndTerm &&
      ms.ledgerEndIndex >= request.ledgerEndIndex
    ) {
      return reply("REJECT_TAKING_LEADERSHIP");
    }
    ms.setCurrVoteFor(request.leaderId);
    return reply("ACCEPT");
  }

  // ---- role changes ----------------------------------------------------------------------

  changeRoleToLeader(term: number): void {
    const ms = this.memberState;
    if (ms.currTerm !== term) {
      this.logger.warn({ self: ms.selfId, term, currTerm: ms.currTerm }, "skip to be the leader");
      return;
    }
    ms.changeToLeader(term);
    this.lastSendHeartBeatTime = -1;
    this.handleRoleChange(term, "LEADER");
    this.logger.info({ self: ms.selfId, term }, "[ChangeRoleToLeader]");
  }

  changeRoleToCandidate(term: number): void {
    const ms = this.memberState;
    if (term < ms.currTerm) {
      this.logger.info({ self: ms.selfId, term, currTerm: ms.currTerm }, "skip to be candidate");
      return;
    }
    ms.changeToCandidate(term);
    this.handleRoleChange(term, "CANDIDATE");
    this.logger.info({ self: ms.selfId, term, currTerm: ms.currTerm }, "[ChangeRoleToCandidate]");
  }

  changeRoleToFollower(term: number, leaderId: string): void {
    this.logger.info({ self: this.memberState.selfId, term, leaderId }, "[ChangeRoleToFollower]");
    this.lastParseResult = "WAIT_TO_REVOTE";
    this.memberState.changeToFollower(term, leaderId);
    this.lastLeaderHeartBeatTime = this.timer.now();
    this.handleRoleChange(term, "FOLLOWER");
  }

  private handleRoleChange(term: number, role: MemberRole): void {
    try {
      this.checkTakeLeadership(term, role);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, term, role }, "takeLeadershipTask.check failed");
    }
    for (const listener of this.listeners) {
      try {
        listener(term, role);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, term, role }, "Handle role change failed");
      }
    }
  }

  // ---- leader ----------------------------------------------------------------------------

  private async maintainAsLeader(): Promise<void> {
    if (this.elapsed(this.lastSendHeartBeatTime) <= this.heartBeatTimeIntervalMs) return;
    const ms = this.memberState;
    if (!ms.isLeader()) return;
    const term = ms.currTerm;
    const leaderId = ms.leaderId ?? ms.selfId;
    this.lastSendHeartBeatTime = this.timer.now();
    await this.sendHeartbeats(term, leaderId);
  }

  private async sendHeartbeats(term: number, leaderId: string): Promise<void> {
    const ms = this.memberState;
    let allNum = 1;
    let succNum = 1;
    let notReadyNum = 0;
    let maxTerm = -1;
    let inconsistentLeader = false;
    const latch = new TimedLatch(this.timer, this.heartBeatTimeIntervalMs);
    const started = this.timer.now();
    for (const id of ms.peerMap.keys()) {
      if (id === ms.selfId) continue;
      const request = HeartBeatRequestCodec.create({
        group: ms.group,
        localId: ms.selfId,
        remoteId: id,
        leaderId,
        term,
      });
      this.transport.heartBeat(request).then(
        (x) => {
          switch (x.code) {
            case DLedgerResponseCode.SUCCESS:
              succNum++;
              break;
            case DLedgerResponseCode.EXPIRED_TERM:
              maxTerm = x.term;
              break;
            case DLedgerResponseCode.INCONSISTENT_LEADER:
              inconsistentLeader = true;
              break;
            case DLedgerResponseCode.TERM_NOT_READY:
              notReadyNum++;
              break;
          }
          ms.peersLiveTable.set(id, x.code !== DLedgerResponseCode.NETWORK_ERROR);
          if (ms.isQuorum(succNum) || ms.isQuorum(succNum + notReadyNum)) latch.open();
          if (++allNum === ms.peerSize()) latch.open();
        },
        (err: unknown) => {
          ms.peersLiveTable.set(id, false);
          this.logger.error({ err: (err as Error).message, peer: id }, "heartbeat response failed");
          if (++allNum === ms.peerSize()) latch.open();
        },
      );
    }
    await latch.wait();
    if (ms.isQuorum(succNum)) {
      this.lastSuccHeartBeatTime = this.timer.now();
      return;
    }
    this.logger.info(
      { self: ms.selfId, cost: this.elapsed(started), term, allNum, succNum, notReadyNum, inconsistentLeader, maxTerm },
      "Parse heartbeat responses",
    );
    if (ms.isQuorum(succNum + notReadyNum)) this.lastSendHeartBeatTime = -1;
    else if (maxTerm > term) this.changeRoleToCandidate(maxTerm);
    else if (inconsistentLeader) this.changeRoleToCandidate(term);
    else if (this.elapsed(this.lastSuccHeartBeatTime) > this.maxHeartBeatLeak * this.heartBeatTimeIntervalMs) {
      this.changeRoleToCandidate(term);
    }
  }

  // ---- follower --------------------------------------------------------------------------

  private maintainAsFollower(): void {
    if (this.elapsed(this.lastLeaderHeartBeatTime) <= 2 * this.heartBeatTimeIntervalMs) return;
    const ms = this.memberState;
    if (
      ms.isFollower() &&
      this.elapsed(this.lastLeaderHeartBeatTime) > this.maxHeartBeatLeak * this.heartBeatTimeIntervalMs
    ) {
      this.logger.info(
        { self: ms.selfId, lastLeaderHeartBeatTime: this.lastLeaderHeartBeatTime, leader: ms.leaderId },
        "[HeartBeatTimeOut]",
      );
      this.changeRoleToCandidate(ms.currTerm);
    }
  }

  // ---- candidate -------------------------------------------------------------------------

  private isTakingLeadership(): boolean {
    const preferred = preferredLeaderIdList(this.config);
    if (preferred !== null && this.memberState.termToTakeLeadership === this.memberState.currTerm) {
      return preferred.includes(this.memberState.selfId);
    }
    return false;
  }

  private getNextTimeToRequestVote(): number {
    if (this.isTakingLeadership()) {
      const min = this.config.minTakeLeadershipVoteIntervalMs;
      return this.timer.now() + min + this.random(this.config.maxTakeLeadershipVoteIntervalMs - min);
    }
    const min = this.config.minVoteIntervalMs;
    return this.timer.now() + min + this.random(this.config.maxVoteIntervalMs - min);
  }

  private voteForQuorumResponses(term: number, ledgerEndTerm: number, ledgerEndIndex: number): Promise<VoteResponse>[] {
    const ms = this.memberState;
    return [...ms.peerMap.keys()].map((id) => {
      const request = VoteRequestCodec.create({
        group: ms.group,
        ledgerEndIndex,
        ledgerEndTerm,
        leaderId: ms.selfId,
        term,
        remoteId: id,
        localId: ms.selfId,
      });
      return id === ms.selfId ? Promise.resolve(this.handleVote(request, true)) : this.transport.vote(request);
    });
  }

  private async maintainAsCandidate(): Promise<void> {
    if (this.timer.now() < this.nextTimeToRequestVote && !this.needIncreaseTermImmediately) return;
    const ms = this.memberState;
    if (!ms.isCandidate()) return;
    let term: number;
    if (this.lastParseResult === "WAIT_TO_VOTE_NEXT" || this.needIncreaseTermImmediately) {
      const prevTerm = ms.currTerm;
      term = ms.nextTerm();
      this.logger.info({ self: ms.selfId, from: prevTerm, to: term }, "[INCREASE_TERM]");
      this.lastParseResult = "WAIT_TO_REVOTE";
    } else {
      term = ms.currTerm;
    }
    const ledgerEndIndex = ms.ledgerEndIndex;
    const ledgerEndTerm = ms.ledgerEndTerm;
    if (this.needIncreaseTermImmediately) {
      this.nextTimeToRequestVote = this.getNextTimeToRequestVote();
      this.needIncreaseTermImmediately = false;
      return;
    }

    const started = this.timer.now();
    const responses = this.voteForQuorumResponses(term, ledgerEndTerm, ledgerEndIndex);
    let knownMaxTermInGroup = term;
    let allNum = 0;
    let validNum = 0;
    let acceptedNum = 0;
    let notReadyTermNum = 0;
    let biggerLedgerNum = 0;
    let alreadyHasLeader = false;
    const latch = new TimedLatch(this.timer, 2000 + this.random(this.config.maxVoteIntervalMs));
    for (const response of responses) {
      response.then(
        (x) => {
          this.logger.info({ self: ms.selfId, response: x }, "[GetVoteResponse]");
          if (x.voteResult !== "UNKNOWN") validNum++;
          switch (x.voteResult) {
            case "ACCEPT":
              acceptedNum++;
              break;
            case "REJECT_ALREADY_HAS_LEADER":
              alreadyHasLeader = true;
              break;
            case "REJECT_TERM_SMALL_THAN_LEDGER":
            case "REJECT_EXPIRED_VOTE_TERM":
              if (x.term > knownMaxTermInGroup) knownMaxTermInGroup = x.term;
              break;
            case "REJECT_EXPIRED_LEDGER_TERM":
            case "REJECT_SMALL_LEDGER_END_INDEX":
              biggerLedgerNum++;
              break;
            case "REJECT_TERM_NOT_READY":
              notReadyTermNum++;
              break;
            default:
              break;
          }
          if (alreadyHasLeader || ms.isQuorum(acceptedNum) || ms.isQuorum(acceptedNum + notReadyTermNum)) latch.open();
          if (++allNum === ms.peerSize()) latch.open();
        },
        (err: unknown) => {
          this.logger.error({ err: (err as Error).message }, "vote response failed");
          if (++allNum === ms.peerSize()) latch.open();
        },
      );
    }
    await latch.wait();

    this.lastVoteCost = this.elapsed(started);
    let parseResult: VoteParseResult;
    if (knownMaxTermInGroup > term) {
      parseResult = "WAIT_TO_VOTE_NEXT";
      this.nextTimeToRequestVote = this.getNextTimeToRequestVote();
      this.changeRoleToCandidate(knownMaxTermInGroup);
    } else if (alreadyHasLeader) {
      parseResult = "WAIT_TO_REVOTE";
      this.nextTimeToRequestVote =
        this.getNextTimeToRequestVote() + this.heartBeatTimeIntervalMs * this.maxHeartBeatLeak;
    } else if (!ms.isQuorum(validNum)) {
      parseResult = "WAIT_TO_REVOTE";
      this.nextTimeToRequestVote = this.getNextTimeToRequestVote();
    } else if (!ms.isQuorum(validNum - biggerLedgerNum)) {
      parseResult = "WAIT_TO_REVOTE";
      this.nextTimeToRequestVote = this.getNextTimeToRequestVote() + this.config.maxVoteIntervalMs;
    } else if (ms.isQuorum(acceptedNum)) {
      parseResult = "PASSED";
    } else if (ms.isQuorum(acceptedNum + notReadyTermNum)) {
      parseResult = "REVOTE_IMMEDIATELY";
    } else {
      parseResult = "WAIT_TO_VOTE_NEXT";
      this.nextTimeToRequestVote = this.getNextTimeToRequestVote();
    }
    this.lastParseResult = parseResult;
    this.logger.info(
      {
        self: ms.selfId,
        cost: this.lastVoteCost,
        term,
        memberNum: ms.peerSize(),
        allNum,
        acceptedNum,
        notReadyTermNum,
        biggerLedgerNum,
        alreadyHasLeader,
        maxTerm: knownMaxTermInGroup,
        result: parseResult,
      },
      "[PARSE_VOTE_RESULT]",
    );
    if (parseResult === "PASSED") {
      this.logger.info({ self: ms.selfId, term }, "[VOTE_RESULT] has been elected to be the leader");
      this.changeRoleToLeader(term);
    }
  }

  // ---- leadership transfer ---------------------------------------------------------------

  /**
   * The leader's side of a transfer (after DLedgerRequestHandler's checks): mark the transferee
   * and ask it to take the leadership; the answer is the transferee's.
   */
  async handleLeadershipTransfer(request: LeadershipTransferRequest): Promise<LeadershipTransferResponse> {
    const ms = this.memberState;
    if (ms.currTerm !== request.term) {
      return transferResponse(DLedgerResponseCode.INCONSISTENT_TERM, ms.currTerm);
    }
    if (!ms.isLeader()) return transferResponse(DLedgerResponseCode.NOT_LEADER, ms.currTerm);
    if (ms.transferee !== null) return transferResponse(DLedgerResponseCode.LEADER_TRANSFERRING, ms.currTerm);
    ms.setTransferee(request.transfereeId);
    const takeLeadership = LeadershipTransferRequestCodec.create({
      group: ms.group,
      leaderId: ms.leaderId,
      localId: ms.selfId,
      remoteId: request.transfereeId,
      term: request.term,
      takeLeadershipLedgerIndex: ms.ledgerEndIndex,
      transferId: ms.selfId,
      transfereeId: request.transfereeId,
    });
    const response = await this.transport.leadershipTransfer(takeLeadership);
    if (response.code !== DLedgerResponseCode.SUCCESS || (ms.currTerm === request.term && ms.transferee !== null)) {
      this.logger.warn({ response }, "leadershipTransfer failed, set transferee to null");
      // Java's setTransferee throws when no longer leader; a role change has cleared it then
      if (ms.isLeader()) ms.setTransferee(null);
    }
    return response;
  }

  /** The transferee's side: become candidate for the next term at once; answered when that election ends. */
  handleTakeLeadership(request: LeadershipTransferRequest): Promise<LeadershipTransferResponse> {
    const ms = this.memberState;
    if (ms.currTerm !== request.term) {
      return Promise.resolve(transferResponse(DLedgerResponseCode.INCONSISTENT_TERM, ms.currTerm));
    }
    const targetTerm = request.term + 1;
    ms.termToTakeLeadership = targetTerm;
    const answer = new Promise<LeadershipTransferResponse>((resolve) => {
      this.takeLeadership = { request, resolve };
    });
    this.changeRoleToCandidate(targetTerm);
    this.needIncreaseTermImmediately = true;
    return answer;
  }

  private checkTakeLeadership(term: number, role: MemberRole): void {
    const ms = this.memberState;
    const task = this.takeLeadership;
    if (ms.termToTakeLeadership === -1 || task === null) return;
    let code: number;
    if (term > ms.termToTakeLeadership) code = DLedgerResponseCode.EXPIRED_TERM;
    else if (term === ms.termToTakeLeadership) {
      if (role === "LEADER") code = DLedgerResponseCode.SUCCESS;
      else if (role === "FOLLOWER") code = DLedgerResponseCode.TAKE_LEADERSHIP_FAILED;
      else return;
    } else {
      // a heartbeat may make the candidate a follower before its term moved
      code = role === "FOLLOWER" ? DLedgerResponseCode.TAKE_LEADERSHIP_FAILED : DLedgerResponseCode.INTERNAL_ERROR;
    }
    const response = transferResponse(code, term);
    this.logger.info({ request: task.request, response, term, role }, "TakeLeadershipTask finished");
    ms.termToTakeLeadership = -1;
    this.takeLeadership = null;
    task.resolve(response);
  }
}
