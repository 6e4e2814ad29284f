import net from "node:net";
import { pino, type Logger } from "pino";
import { DEFAULT_FRAME_MAX_LENGTH } from "../codec/frame.js";
import type { RemotingCommand } from "../protocol/RemotingCommand.js";
import { Connection } from "./Connection.js";
import { RemotingService } from "./RemotingService.js";

export interface RemotingServerConfig {
  listenPort: number;
  /** Bind address; Java binds all interfaces. */
  bindAddress?: string;
  /** Java `serverChannelMaxIdleTimeSeconds` (120). */
  serverChannelMaxIdleTimeSeconds?: number;
  maxFrameLength?: number;
  writeHighWaterMark?: number;
  /** Java `serverOnewaySemaphoreValue` (256) / `serverAsyncSemaphoreValue` (64). */
  serverOnewaySemaphoreValue?: number;
  serverAsyncSemaphoreValue?: number;
  logger?: Logger;
}

/**
 * Accepts connections, dispatches requests by code to registered processors, and lets upper layers
 * call connected clients (the broker asks consumers and transactional producers).
 *
 * Events: `connect` (conn), `close` (conn, reason), `idle` (conn).
 */
export class RemotingServer extends RemotingService {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly config: Required<Omit<RemotingServerConfig, "logger">>;
  private boundPort = 0;

  constructor(config: RemotingServerConfig) {
    const logger = config.logger ?? pino({ level: "silent" });
    super(logger, {
      onewayPermits: config.serverOnewaySemaphoreValue ?? 256,
      asyncPermits: config.serverAsyncSemaphoreValue ?? 64,
    });
    this.config = {
      listenPort: config.listenPort,
      bindAddress: config.bindAddress ?? "0.0.0.0",
      serverChannelMaxIdleTimeSeconds: config.serverChannelMaxIdleTimeSeconds ?? 120,
      maxFrameLength: config.maxFrameLength ?? DEFAULT_FRAME_MAX_LENGTH,
      writeHighWaterMark: config.writeHighWaterMark ?? 4 * 1024 * 1024,
      serverOnewaySemaphoreValue: config.serverOnewaySemaphoreValue ?? 256,
      serverAsyncSemaphoreValue: config.serverAsyncSemaphoreValue ?? 64,
    };
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.on("error", (err) => this.logger.error({ err: err.message }, "server socket error"));
  }

  /** Start listening; resolves with the bound port (useful with listenPort 0 in tests). */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once("error", onError);
      this.server.listen({ port: this.config.listenPort, host: this.config.bindAddress, backlog: 1024 }, () => {
        this.server.off("error", onError);
        const address = this.server.address();
        this.boundPort = typeof address === "object" && address ? address.port : this.config.listenPort;
        resolve(this.boundPort);
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(socket: net.Socket): void {
    const conn = new Connection(socket, {
      maxFrameLength: this.config.maxFrameLength,
      idleTimeoutMs: this.config.serverChannelMaxIdleTimeSeconds * 1000,
      writeHighWaterMark: this.config.writeHighWaterMark,
      logger: this.logger,
    });
    if (!conn.remoteAddr) {
      // Peer vanished between accept and now.
      conn.close("no remote address");
      return;
    }
    this.connections.add(conn);
    conn.on("request", (cmd: RemotingCommand) => this.processRequest(conn, cmd));
    conn.on("idle", () => {
      this.logger.warn({ remote: conn.remoteAddr }, "NETTY SERVER PIPELINE: IDLE exception");
      this.emit("idle", conn);
    });
    conn.once("close", (reason: string) => {
      this.connections.delete(conn);
      this.logger.info({ remote: conn.remoteAddr, reason }, "NETTY SERVER PIPELINE: channelInactive");
      this.emit("close", conn, reason);
    });
    this.logger.info({ remote: conn.remoteAddr }, "NETTY SERVER PIPELINE: channelActive");
    this.emit("connect", conn);
  }

  /** Request to a connected client, waiting for its answer (Java invokeSync). */
  invokeSync(conn: Connection, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    return this.invokeOnConnection(conn, request, timeoutMs);
  }

  /** Like invokeSync but bounded by the async semaphore (Java invokeAsync). */
  invokeAsync(conn: Connection, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    return this.invokeAsyncOnConnection(conn, request, timeoutMs);
  }

  /** Fire-and-forget request to a connected client; resolves once written. */
  invokeOneway(conn: Connection, request: RemotingCommand, timeoutMs: number): Promise<void> {
    return this.invokeOnewayOnConnection(conn, request, timeoutMs);
  }

  /** Stop accepting, close every connection. */
  async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of [...this.connections]) conn.close("server shutdown");
    await closed;
  }
}
