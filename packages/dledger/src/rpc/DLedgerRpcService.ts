/**
 * DLedgerRpcNettyService of dledger 0.3.1.2 on our remoting layer: a server on this member's
 * `peers` port answering the eight DLedger request codes (remoting code 200, the DLedger result in
 * the body; other codes get the remoting layer's REQUEST_CODE_NOT_SUPPORTED, a body that does not
 * parse SYSTEM_ERROR), and a client sending typed requests to members by id. A request that fails
 * on the way (no connection, timeout, an answer without a DLedger body) resolves as Java's does:
 * VOTE with an empty VoteResponse (voteResult UNKNOWN), the others with code NETWORK_ERROR.
 */
import {
  createRequest,
  createResponse,
  RemotingClient,
  RemotingServer,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { pino, type Logger } from "pino";
import { dledgerSelfAddress, parsePeers, type DLedgerConfig } from "../config/DLedgerConfig.js";
import type { BodyCodec } from "../protocol/bodyCodec.js";
import { DLedgerRequestCode } from "../protocol/DLedgerRequestCode.js";
import { DLedgerResponseCode } from "../protocol/DLedgerResponseCode.js";
import {
  AppendEntryRequestCodec,
  AppendEntryResponseCodec,
  GetEntriesRequestCodec,
  GetEntriesResponseCodec,
  HeartBeatRequestCodec,
  HeartBeatResponseCodec,
  LeadershipTransferRequestCodec,
  LeadershipTransferResponseCodec,
  MetadataRequestCodec,
  MetadataResponseCodec,
  PullEntriesRequestCodec,
  PullEntriesResponseCodec,
  PushEntryRequestCodec,
  PushEntryResponseCodec,
  VoteRequestCodec,
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
} from "../protocol/messages.js";
import type { DLedgerProtocol, DLedgerProtocolHandler } from "./DLedgerProtocol.js";

/** Java invokes every peer request with a 3000 ms timeout. */
export const DLEDGER_RPC_TIMEOUT_MS = 3000;

export interface DLedgerRpcServiceOptions {
  /** Overrides the port of this member's `peers` entry (0: any free port, for tests). */
  listenPort?: number;
  /** Java binds all interfaces. */
  bindAddress?: string;
  requestTimeoutMs?: number;
  /** Connect timeout of the client (Java's 3000 ms). */
  connectTimeoutMillis?: number;
  logger?: Logger;
}

export class DLedgerRpcService implements DLedgerProtocol {
  private readonly server: RemotingServer;
  private readonly client: RemotingClient;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  /** `group#id` → address, as Java's peerAddressMap. */
  private readonly peerAddressMap: Map<string, string>;
  private handler: DLedgerProtocolHandler | null = null;
  private started = false;

  constructor(
    private readonly config: DLedgerConfig,
    options: DLedgerRpcServiceOptions = {},
  ) {
    this.logger = options.logger ?? pino({ level: "silent" });
    this.timeoutMs = options.requestTimeoutMs ?? DLEDGER_RPC_TIMEOUT_MS;
    this.peerAddressMap = new Map(parsePeers(config.peers).map((p) => [`${config.group}#${p.id}`, p.addr]));
    const selfAddr = dledgerSelfAddress(config);
    const port = options.listenPort ?? Number(selfAddr.slice(selfAddr.lastIndexOf(":") + 1));
    this.server = new RemotingServer({ listenPort: port, bindAddress: options.bindAddress, logger: this.logger });
    this.client = new RemotingClient({ connectTimeoutMillis: options.connectTimeoutMillis, logger: this.logger });
    this.registerProcessors();
  }

  /** Who answers the requests this member receives (the DLedger server's request handler). */
  bindHandler(handler: DLedgerProtocolHandler): void {
    this.handler = handler;
  }

  /** Listen on the peer port; resolves with the bound port. */
  async start(): Promise<number> {
    const port = await this.server.start();
    this.started = true;
    return port;
  }

  get listenPort(): number {
    return this.server.port;
  }

  async shutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.client.shutdown();
    await this.server.shutdown();
  }

  /** The address of member `id` of `group`, if it is one of the configured peers. */
  peerAddr(group: string | null, id: string | null): string | undefined {
    return this.peerAddressMap.get(`${group}#${id}`);
  }

  // ---- server side ----------------------------------------------------------------------

  private registerProcessors(): void {
    const serve = <Req, Res>(
      code: number,
      requestCodec: BodyCodec<Req>,
      responseCodec: BodyCodec<Res>,
      handle: (handler: DLedgerProtocolHandler, request: Req) => Promise<Res>,
    ): void => {
      this.server.registerProcessor(code, async (command: RemotingCommand) => {
        const handler = this.handler;
        if (!handler) throw new Error("DLedger request handler is not bound");
        const request = requestCodec.decode(command.body);
        const response = await handle(handler, request);
        return createResponse(command, DLedgerResponseCode.SUCCESS, { body: responseCodec.encode(response) });
      });
    };
    serve(DLedgerRequestCode.METADATA, MetadataRequestCodec, MetadataResponseCodec, (h, r) => h.handleMetadata(r));
    serve(DLedgerRequestCode.APPEND, AppendEntryRequestCodec, AppendEntryResponseCodec, (h, r) => h.handleAppend(r));
    serve(DLedgerRequestCode.GET, GetEntriesRequestCodec, GetEntriesResponseCodec, (h, r) => h.handleGet(r));
    serve(DLedgerRequestCode.PULL, PullEntriesRequestCodec, PullEntriesResponseCodec, (h, r) => h.handlePull(r));
    serve(DLedgerRequestCode.PUSH, PushEntryRequestCodec, PushEntryResponseCodec, (h, r) => h.handlePush(r));
    serve(DLedgerRequestCode.VOTE, VoteRequestCodec, VoteResponseCodec, (h, r) => h.handleVote(r));
    serve(DLedgerRequestCode.HEART_BEAT, HeartBeatRequestCodec, HeartBeatResponseCodec, (h, r) => h.handleHeartBeat(r));
    serve(
      DLedgerRequestCode.LEADERSHIP_TRANSFER,
      LeadershipTransferRequestCodec,
      LeadershipTransferResponseCodec,
      (h, r) => h.handleLeadershipTransfer(r),
    );
  }

  // ---- client side ----------------------------------------------------------------------

  private async invoke<Req extends DLedgerBody, Res>(
    code: number,
    requestCodec: BodyCodec<Req>,
    responseCodec: BodyCodec<Res>,
    request: Req,
  ): Promise<Res | null> {
    const addr = this.peerAddr(request.group, request.remoteId);
    if (addr === undefined) {
      this.logger.error({ group: request.group, remoteId: request.remoteId }, "no address for the peer");
      return null;
    }
    try {
      const command = createRequest(code, { body: requestCodec.encode(request) });
      const response = await this.client.invokeAsync(addr, command, this.timeoutMs);
      if (!response.body || response.body.length === 0) {
        this.logger.error({ addr, code: response.code, remark: response.remark }, "DLedger answer without a body");
        return null;
      }
      return responseCodec.decode(response.body);
    } catch (err) {
      this.logger.error(
        { addr, code, remoteId: request.remoteId, term: request.term, err: (err as Error).message },
        "DLedger request failed",
      );
      return null;
    }
  }

  private networkError<Res extends DLedgerBody>(codec: BodyCodec<Res>, request: DLedgerBody): Res {
    const response = copyBaseInfo(codec.create(), request);
    response.code = DLedgerResponseCode.NETWORK_ERROR;
    return response;
  }

  async vote(request: VoteRequest): Promise<VoteResponse> {
    const response = await this.invoke(DLedgerRequestCode.VOTE, VoteRequestCodec, VoteResponseCodec, request);
    return response ?? VoteResponseCodec.create();
  }

  async heartBeat(request: HeartBeatRequest): Promise<HeartBeatResponse> {
    const response = await this.invoke(
      DLedgerRequestCode.HEART_BEAT,
      HeartBeatRequestCodec,
      HeartBeatResponseCodec,
      request,
    );
    return response ?? HeartBeatResponseCodec.create({ code: DLedgerResponseCode.NETWORK_ERROR });
  }

  async leadershipTransfer(request: LeadershipTransferRequest): Promise<LeadershipTransferResponse> {
    const response = await this.invoke(
      DLedgerRequestCode.LEADERSHIP_TRANSFER,
      LeadershipTransferRequestCodec,
      LeadershipTransferResponseCodec,
      request,
    );
    return response ?? this.networkError(LeadershipTransferResponseCodec, request);
  }

  async push(request: PushEntryRequest): Promise<PushEntryResponse> {
    const response = await this.invoke(DLedgerRequestCode.PUSH, PushEntryRequestCodec, PushEntryResponseCodec, request);
    return response ?? this.networkError(PushEntryResponseCodec, request);
  }

  async append(request: AppendEntryRequest): Promise<AppendEntryResponse> {
    const response = await this.invoke(
      DLedgerRequestCode.APPEND,
      AppendEntryRequestCodec,
      AppendEntryResponseCodec,
      request,
    );
    return response ?? this.networkError(AppendEntryResponseCodec, request);
  }

  /** Java invokes PULL synchronously and lets a failure surface: this rejects. */
  async pull(request: PullEntriesRequest): Promise<PullEntriesResponse> {
    const response = await this.invoke(
      DLedgerRequestCode.PULL,
      PullEntriesRequestCodec,
      PullEntriesResponseCodec,
      request,
    );
    if (response === null) throw new Error(`PULL to ${request.remoteId} failed`);
    return response;
  }

  /** dledger 0.3.1.2's peer service does not send GET: it answers UNSUPPORTED itself. */
  get(request: GetEntriesRequest): Promise<GetEntriesResponse> {
    void request;
    return Promise.resolve(GetEntriesResponseCodec.create({ code: DLedgerResponseCode.UNSUPPORTED }));
  }

  /** dledger 0.3.1.2's peer service does not send METADATA: it answers UNSUPPORTED itself. */
  metadata(request: MetadataRequest): Promise<MetadataResponse> {
    void request;
    return Promise.resolve(MetadataResponseCodec.create({ code: DLedgerResponseCode.UNSUPPORTED }));
  }
}
