/**
 * The two sides of the DLedger peer protocol (DLedgerProtocol / DLedgerProtocolHandler of dledger
 * 0.3.1.2): what a member asks of another, and what it answers. Every call resolves with a body;
 * failures travel as result codes in it.
 */
import type {
  AppendEntryRequest,
  AppendEntryResponse,
  GetEntriesRequest,
  GetEntriesResponse,
  HeartBeatRequest,
  HeartBeatResponse,
  LeadershipTransferRequest,
  LeadershipTransferResponse,
  MetadataRequest,
  MetadataResponse,
  PullEntriesRequest,
  PullEntriesResponse,
  PushEntryRequest,
  PushEntryResponse,
  VoteRequest,
  VoteResponse,
} from "../protocol/messages.js";

/** The client side: requests to the member named by the request's `remoteId`. */
export interface DLedgerProtocol {
  vote(request: VoteRequest): Promise<VoteResponse>;
  heartBeat(request: HeartBeatRequest): Promise<HeartBeatResponse>;
  leadershipTransfer(request: LeadershipTransferRequest): Promise<LeadershipTransferResponse>;
  push(request: PushEntryRequest): Promise<PushEntryResponse>;
  pull(request: PullEntriesRequest): Promise<PullEntriesResponse>;
  append(request: AppendEntryRequest): Promise<AppendEntryResponse>;
  get(request: GetEntriesRequest): Promise<GetEntriesResponse>;
  metadata(request: MetadataRequest): Promise<MetadataResponse>;
}

/** The server side: one handler per request code. */
export interface DLedgerProtocolHandler {
  handleVote(request: VoteRequest): Promise<VoteResponse>;
  handleHeartBeat(request: HeartBeatRequest): Promise<HeartBeatResponse>;
  handleLeadershipTransfer(request: LeadershipTransferRequest): Promise<LeadershipTransferResponse>;
  handleMetadata(request: MetadataRequest): Promise<MetadataResponse>;
  handlePush(request: PushEntryRequest): Promise<PushEntryResponse>;
  handlePull(request: PullEntriesRequest): Promise<PullEntriesResponse>;
  handleAppend(request: AppendEntryRequest): Promise<AppendEntryResponse>;
  handleGet(request: GetEntriesRequest): Promise<GetEntriesResponse>;
}

/**
 * The replication part (DLedgerEntryPusher and the entry store, not in the control plane): the
 * request handler hands PUSH / PULL / APPEND / GET to it, and asks it how far a peer has
 * replicated (for leadership transfer). Each part may be missing until it exists.
 */
export interface DLedgerReplication {
  handlePush?(request: PushEntryRequest): Promise<PushEntryResponse>;
  handlePull?(request: PullEntriesRequest): Promise<PullEntriesResponse>;
  handleAppend?(request: AppendEntryRequest): Promise<AppendEntryResponse>;
  handleGet?(request: GetEntriesRequest): Promise<GetEntriesResponse>;
  /** The peer's replicated index in `term` (Java's getPeerWaterMark; -1 when unknown). */
  getPeerWaterMark?(term: number, peerId: string): number;
}
