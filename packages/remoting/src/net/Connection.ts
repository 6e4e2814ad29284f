import { EventEmitter } from "node:events";
import { Socket } from "node:net";
import type { Logger } from "pino";
import { encodeFrameParts, decodeFramePayload } from "../codec/frame.js";
import { isResponse, type RemotingCommand } from "../protocol/RemotingCommand.js";
import { RemotingSendRequestException, RemotingTimeoutException } from "./errors.js";
import type { FrameSink, FrameTransport } from "./transport/FrameTransport.js";
import { SocketTransport, type SocketTransportOptions } from "./transport/SocketTransport.js";

export interface ConnectionOptions extends SocketTransportOptions {
  logger: Logger;
}

interface Pending {
  resolve: (cmd: RemotingCommand) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

let connectionIds = 0;

/**
 * One connection speaking the remoting protocol over a {@link FrameTransport} (a socket in this
 * thread, or one an I/O thread owns): decodes frames, matches responses to pending requests by
 * opaque, hands requests to `onRequest`.
 *
 * Events: `request` (cmd), `idle`, `close` (reason).
 */
export class Connection extends EventEmitter {
  readonly id = ++connectionIds;
  readonly remoteAddr: string;
  readonly localAddr: string;
  /** Free slot for upper layers (e.g. the broker's client-channel info). */
  attachment: unknown;

  readonly transport: FrameTransport;
  private readonly logger: Logger;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  /** Over a socket of this thread (with the options' framing limits), or over a given transport. */
  constructor(socketOrTransport: Socket | FrameTransport, options: ConnectionOptions) {
    super();
    this.transport =
      socketOrTransport instanceof Socket ? new SocketTransport(socketOrTransport, options) : socketOrTransport;
    this.logger = options.logger;
    this.remoteAddr = this.transport.remoteAddr;
    this.localAddr = this.transport.localAddr;
    const sink: FrameSink = {
      frame: (payload) => this.onFrame(payload),
      malformed: (reason) => {
        this.logger.error({ remote: this.remoteAddr, err: reason }, "malformed frame, closing connection");
        this.close(`malformed frame: ${reason}`);
      },
      idle: () => {
        this.emit("idle");
        this.close("idle");
      },
      end: (reason, error) => {
        if (error !== undefined) this.logger.warn({ remote: this.remoteAddr, err: error }, "connection error");
        this.close(reason);
      },
    };
    this.transport.start(sink);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get pendingRequests(): number {
    return this.pending.size;
  }

  /** True while the peer keeps up with what we write (Netty's `isWritable`). */
  get isWritable(): boolean {
    return !this.closed && this.transport.isWritable;
  }

  private onFrame(payload: Buffer): void {
    if (this.closed) return;
    let cmd: RemotingCommand;
    try {
      cmd = decodeFramePayload(payload);
    } catch (err) {
      this.logger.error(
        { remote: this.remoteAddr, err: (err as Error).message },
        "undecodable frame, closing connection",
      );
      this.close(`undecodable frame: ${(err as Error).message}`);
      return;
    }
    if (isResponse(cmd)) this.onResponse(cmd);
    else this.emit("request", cmd);
  }

  private onResponse(cmd: RemotingCommand): void {
    const pending = this.pending.get(cmd.opaque);
    if (!pending) {
      this.logger.warn(
        { remote: this.remoteAddr, opaque: cmd.opaque, code: cmd.code },
        "response matches no pending request, dropped",
      );
      return;
    }
    this.pending.delete(cmd.opaque);
    clearTimeout(pending.timer);
    pending.resolve(cmd);
  }

  /** Write a command. Resolves once handed on; rejects if the connection is closed. */
  write(cmd: RemotingCommand): Promise<void> {
    return new Promise((resolve, reject) => this.send(cmd, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Write a command without a promise (the responses of the request path): `done` hears once the
   * frame is handed on, or why it could not be written (synchronously when it cannot be encoded or
   * the connection is closed).
   */
  send(cmd: RemotingCommand, done?: (err: Error | null) => void): void {
    if (this.closed) {
      done?.(new RemotingSendRequestException(this.remoteAddr, "connection closed"));
      return;
    }
    let parts: Buffer[];
    try {
      parts = encodeFrameParts(cmd);
    } catch (err) {
      done?.(err as Error);
      return;
    }
    this.transport.writeFrame(
      parts,
      done && ((err) => done(err ? new RemotingSendRequestException(this.remoteAddr, err.message) : null)),
    );
  }

  /** Send a request and wait for the response with the same opaque. */
  request(cmd: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (this.closed) return Promise.reject(new RemotingSendRequestException(this.remoteAddr, "connection closed"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cmd.opaque);
        reject(
          new RemotingTimeoutException(`wait response on the channel <${this.remoteAddr}> timeout, ${timeoutMs}(ms)`),
        );
      }, timeoutMs);
      this.pending.set(cmd.opaque, { resolve, reject, timer });
      this.write(cmd).catch((err: Error) => {
        const p = this.pending.get(cmd.opaque);
        if (!p) return;
        this.pending.delete(cmd.opaque);
        clearTimeout(p.timer);
        reject(err);
      });
    });
  }

  close(reason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.destroy();
    const err = new RemotingSendRequestException(this.remoteAddr, `connection closed (${reason})`);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.emit("close", reason);
  }
}
