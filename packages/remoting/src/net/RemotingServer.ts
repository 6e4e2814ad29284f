import net from "node:net";
import { pino, type Logger } from "pino";
import { DEFAULT_FRAME_MAX_LENGTH } from "../codec/frame.js";
import type { RemotingCommand } from "../protocol/RemotingCommand.js";
import { Connection } from "./Connection.js";
import { IoThread } from "./io/IoThread.js";
import { RemotingService } from "./RemotingService.js";
import { TlsAcceptor } from "./tls/TlsAcceptor.js";
import type { ServerTls } from "./tls/TlsSettings.js";
import type { FrameTransport } from "./transport/FrameTransport.js";
import { SERVER_CORK_FRAMES } from "./transport/SocketTransport.js";

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
  /**
   * Threads that own the sockets (reads, writes, frame splitting) while requests are handled in this
   * one — Java's `serverSelectorThreads` (Netty's I/O threads). 0 (the default here): sockets in this
   * thread. Node 20 cannot share one listening socket between threads safely, so more than 1 is
   * used as 1 (see docs/performance.md).
   */
  ioThreads?: number;
  /**
   * TLS on this port (net/tls/: disabled, permissive or enforcing, as 4.9.8's `tls.server.mode`).
   * Absent: plain only, nothing looked at. With an I/O thread the thread does the TLS work too.
   */
  tls?: ServerTls;
  logger?: Logger;
}

const LISTEN_BACKLOG = 1024;

/**
 * Accepts connections, dispatches requests by code to registered processors, and lets upper layers
 * call connected clients (the broker asks consumers and transactional producers).
 *
 * Events: `connect` (conn), `close` (conn, reason), `idle` (conn).
 */
export class RemotingServer extends RemotingService {
  /** Sockets in this thread: the listening server; in an I/O thread: null, and `ioThread` once started. */
  private readonly server: net.Server | null;
  private ioThread: IoThread | null = null;
  /** TLS in this thread: decides each accepted socket before it becomes a connection. */
  private readonly tlsAcceptor: TlsAcceptor | null = null;
  private readonly connections = new Set<Connection>();
  private readonly config: Required<Omit<RemotingServerConfig, "logger" | "tls">>;
  private readonly tls: ServerTls | undefined;
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
      ioThreads: Math.min(1, Math.max(0, config.ioThreads ?? 0)),
    };
    if ((config.ioThreads ?? 0) > 1) {
      this.logger.info(
        { requested: config.ioThreads },
        "one remoting I/O thread: Node 20 cannot share a listening socket between threads",
      );
    }
    this.tls = config.tls;
    if (this.config.ioThreads > 0) {
      this.server = null;
    } else {
      const acceptor = config.tls
        ? new TlsAcceptor({
            tls: config.tls,
            idleTimeoutMs: this.config.serverChannelMaxIdleTimeSeconds * 1000,
            log: this.logger,
            onConnection: (socket) => this.accept(socket),
          })
        : null;
      this.tlsAcceptor = acceptor;
      const server = net.createServer((socket) => (acceptor ? acceptor.accept(socket) : this.accept(socket)));
      server.on("error", (err) => this.logger.error({ err: err.message }, "server socket error"));
      this.server = server;
    }
  }

  /** Start listening; resolves with the bound port (useful with listenPort 0 in tests). */
  async start(): Promise<number> {
    const { server } = this;
    if (!server) {
      // the thread starts listening as soon as it runs: only now, as a server in this thread would
      const ioThread = new IoThread({
        port: this.config.listenPort,
        host: this.config.bindAddress,
        backlog: LISTEN_BACKLOG,
        maxFrameLength: this.config.maxFrameLength,
        idleTimeoutMs: this.config.serverChannelMaxIdleTimeSeconds * 1000,
        writeHighWaterMark: this.config.writeHighWaterMark,
        corkFrames: SERVER_CORK_FRAMES,
        ...(this.tls ? { tls: this.tls } : {}),
        logger: this.logger,
        onConnection: (transport) => this.accept(transport),
      });
      this.ioThread = ioThread;
      this.boundPort = await ioThread.start();
      if (this.tls) this.logger.info({ port: this.boundPort, mode: this.tls.mode }, "remoting server TLS mode");
      this.logger.info({ port: this.boundPort }, "remoting I/O thread listening; requests handled in the main thread");
      return this.boundPort;
    }
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once("error", onError);
      server.listen({ port: this.config.listenPort, host: this.config.bindAddress, backlog: LISTEN_BACKLOG }, () => {
        server.off("error", onError);
        const address = server.address();
        this.boundPort = typeof address === "object" && address ? address.port : this.config.listenPort;
        if (this.tls) this.logger.info({ port: this.boundPort, mode: this.tls.mode }, "remoting server TLS mode");
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

  private accept(socket: net.Socket | FrameTransport): void {
    const conn = new Connection(socket, {
      maxFrameLength: this.config.maxFrameLength,
      idleTimeoutMs: this.config.serverChannelMaxIdleTimeSeconds * 1000,
      writeHighWaterMark: this.config.writeHighWaterMark,
      corkFrames: SERVER_CORK_FRAMES,
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

  /** New TLS credentials for the connections from now on (a certificate rotation, see ServerTlsWatcher). */
  updateTls(tls: ServerTls): void {
    if (!this.tls || this.tls.mode === "disabled") return;
    this.tlsAcceptor?.update(tls);
    this.ioThread?.updateTls(tls);
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
    const { server, ioThread } = this;
    const closed = server
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : (ioThread?.shutdown() ?? Promise.resolve());
    this.tlsAcceptor?.close();
    for (const conn of [...this.connections]) conn.close("server shutdown");
    await closed;
  }
}
