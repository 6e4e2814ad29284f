import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import { HeaderDecodeError, javaExceptionDesc } from "../header/defineHeader.js";
import { ResponseCode } from "../protocol/codes.js";
import {
  createResponse,
  defaultSerializeType,
  FLAG_RESPONSE,
  isOneway,
  type RemotingCommand,
} from "../protocol/RemotingCommand.js";
import type { Connection } from "./Connection.js";
import { isJavaDescribedError, RemotingTooMuchRequestException } from "./errors.js";
import type { RPCHook } from "./RPCHook.js";
import { Semaphore } from "./Semaphore.js";

export interface RequestContext {
  readonly connection: Connection;
  readonly remoteAddr: string;
}

/**
 * Handles one request code. Returns the response (its opaque, flag and encoding are filled in by
 * the service), or null to answer nothing now (oneway handling, long polling answering later via
 * `ctx.connection.write`).
 */
export type RequestProcessor = (
  request: RemotingCommand,
  ctx: RequestContext,
) => RemotingCommand | null | Promise<RemotingCommand | null>;

export interface InvokeLimits {
  onewayPermits: number;
  asyncPermits: number;
}

/**
 * What RemotingServer and RemotingClient share (Java's NettyRemotingAbstract): the processor table,
 * RPC hooks, request dispatch and the three invoke styles over a connection. The hooks run around
 * every request this side processes; RemotingClient runs them around the requests it sends too, a
 * server does not around its requests to clients (Java: NettyRemotingAbstract's invoke*Impl run no
 * hooks, NettyRemotingClient's invoke* do), so the broker's ACL check never sees its own
 * CHECK_TRANSACTION_STATE or NOTIFY_CONSUMER_IDS_CHANGED.
 */
export abstract class RemotingService extends EventEmitter {
  protected readonly processors = new Map<number, RequestProcessor>();
  protected defaultProcessor: RequestProcessor | null = null;
  protected readonly rpcHooks: RPCHook[] = [];
  private readonly onewaySemaphore: Semaphore;
  private readonly asyncSemaphore: Semaphore;

  protected constructor(
    protected readonly logger: Logger,
    limits: InvokeLimits,
  ) {
    super();
    this.onewaySemaphore = new Semaphore(limits.onewayPermits);
    this.asyncSemaphore = new Semaphore(limits.asyncPermits);
  }

  registerProcessor(code: number, processor: RequestProcessor): void {
    this.processors.set(code, processor);
  }

  registerDefaultProcessor(processor: RequestProcessor): void {
    this.defaultProcessor = processor;
  }

  registerRPCHook(hook: RPCHook): void {
    if (!this.rpcHooks.includes(hook)) this.rpcHooks.push(hook);
  }

  protected beforeRequest(remoteAddr: string, request: RemotingCommand): void {
    for (const hook of this.rpcHooks) hook.doBeforeRequest(remoteAddr, request);
  }

  protected afterResponse(remoteAddr: string, request: RemotingCommand, response: RemotingCommand | null): void {
    for (const hook of this.rpcHooks) hook.doAfterResponse(remoteAddr, request, response);
  }

  /**
   * Dispatch a request that arrived on `conn` and write its response unless it is oneway. A
   * processor that answers at once is answered in the same turn, without a promise.
   */
  protected processRequest(conn: Connection, request: RemotingCommand): void {
    const processor = this.processors.get(request.code) ?? this.defaultProcessor;
    if (!processor) {
      const remark = ` request type ${request.code} not supported`;
      this.logger.error({ remote: conn.remoteAddr }, remark);
      if (!isOneway(request)) {
        // Java builds a fresh command here, so it goes out in the process default encoding.
        const response = createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, {
          remark,
          serializeType: defaultSerializeType,
        });
        this.writeQuietly(conn, response);
      }
      return;
    }
    let answer: RemotingCommand | null | Promise<RemotingCommand | null>;
    try {
      this.beforeRequest(conn.remoteAddr, request);
      answer = processor(request, { connection: conn, remoteAddr: conn.remoteAddr });
    } catch (err) {
      this.answerFailure(conn, request, err);
      return;
    }
    if (answer instanceof Promise) {
      answer.then(
        (response) => this.answer(conn, request, response),
        (err: unknown) => this.answerFailure(conn, request, err),
      );
    } else this.answer(conn, request, answer);
  }

  private answer(conn: Connection, request: RemotingCommand, response: RemotingCommand | null): void {
    try {
      this.afterResponse(conn.remoteAddr, request, response);
    } catch (err) {
      this.answerFailure(conn, request, err);
      return;
    }
    this.respond(conn, request, response);
  }

  /** A processor (or hook) threw: logged, and answered SYSTEM_ERROR with the exception unless oneway. */
  private answerFailure(conn: Connection, request: RemotingCommand, err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.logger.error(
      { remote: conn.remoteAddr, code: request.code, err: e.message, stack: e.stack },
      "process request exception",
    );
    if (isOneway(request)) return;
    const remark =
      e instanceof HeaderDecodeError
        ? javaExceptionDesc(e)
        : isJavaDescribedError(e)
          ? e.javaDesc
          : `${e.name}: ${e.message}`;
    this.respond(conn, request, createResponse(request, ResponseCode.SYSTEM_ERROR, { remark }));
  }

  /** Write `response` as the answer to `request` (its opaque, the response flag, its encoding); none to a oneway. */
  private respond(conn: Connection, request: RemotingCommand, response: RemotingCommand | null): void {
    if (isOneway(request) || response === null) return;
    response.opaque = request.opaque;
    response.flag |= FLAG_RESPONSE;
    response.serializeType = request.serializeType;
    this.writeQuietly(conn, response);
  }

  /** Write a response without waiting for it; a failure is logged as Java does. */
  private writeQuietly(conn: Connection, response: RemotingCommand): void {
    conn.send(response, (err) => {
      if (err)
        this.logger.warn({ remote: conn.remoteAddr, err: err.message }, "process request over, but response failed");
    });
  }

  protected invokeOnConnection(
    conn: Connection,
    request: RemotingCommand,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    return conn.request(request, timeoutMs);
  }

  protected async invokeAsyncOnConnection(
    conn: Connection,
    request: RemotingCommand,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    const started = Date.now();
    if (!(await this.asyncSemaphore.tryAcquire(timeoutMs))) {
      throw new RemotingTooMuchRequestException(
        `invokeAsync tryAcquire semaphore timeout, ${timeoutMs}ms, waiting thread nums: ${this.asyncSemaphore.available}`,
      );
    }
    try {
      return await this.invokeOnConnection(conn, request, Math.max(1, timeoutMs - (Date.now() - started)));
    } finally {
      this.asyncSemaphore.release();
    }
  }

  protected async invokeOnewayOnConnection(
    conn: Connection,
    request: RemotingCommand,
    timeoutMs: number,
  ): Promise<void> {
    request.flag |= 2;
    if (!(await this.onewaySemaphore.tryAcquire(timeoutMs))) {
      throw new RemotingTooMuchRequestException(`invokeOneway tryAcquire semaphore timeout, ${timeoutMs}ms`);
    }
    try {
      await conn.write(request);
    } finally {
      this.onewaySemaphore.release();
    }
  }
}
