import net from "node:net";
import tls from "node:tls";
import { pino, type Logger } from "pino";
import { DEFAULT_FRAME_MAX_LENGTH } from "../codec/frame.js";
import type { RemotingCommand } from "../protocol/RemotingCommand.js";
import { parseAddr } from "./address.js";
import { Connection } from "./Connection.js";
import { RemotingConnectException, RemotingSendRequestException, RemotingTimeoutException } from "./errors.js";
import { RemotingService } from "./RemotingService.js";
import { clientConnectOptions, type ClientTls } from "./tls/TlsSettings.js";

export interface RemotingClientConfig {
  /** Java `com.rocketmq.remoting.client.connect.timeout` (3000). */
  connectTimeoutMillis?: number;
  /** Java `clientChannelMaxIdleTimeSeconds` (120). */
  clientChannelMaxIdleTimeSeconds?: number;
  /** Java `clientCloseSocketIfTimeout` (true): a sync call that times out closes its connection. */
  clientCloseSocketIfTimeout?: boolean;
  clientOnewaySemaphoreValue?: number;
  clientAsyncSemaphoreValue?: number;
  maxFrameLength?: number;
  writeHighWaterMark?: number;
  /**
   * Choosing a name server: when one has not connected after this long, the next one in the list is
   * tried as well, and the first to connect is chosen (not in Java; see the class comment). 0 tries
   * them one after the other, each for up to `connectTimeoutMillis`, as Java does.
   */
  namesrvConnectHedgeMillis?: number;
  /**
   * Java `useTLS`: every connection is a TLS session (Java's NettyClientConfig, false by default).
   * The connect timeout covers the handshake.
   */
  useTLS?: boolean;
  /**
   * What the TLS sessions present and trust (net/tls/TlsSettings, from `tls.client.*`); without it
   * Java's defaults: no client certificate, any server trusted.
   */
  tls?: ClientTls;
  logger?: Logger;
}

/**
 * Connects to servers by `ip:port`, one connection per address, created on first use and again
 * after it closes. `addr = null` means "the name server": one chosen address from the list is used
 * until a call to it fails, then the next one in the list is tried (Java's choose-then-rotate).
 *
 * Difference from Java, on purpose: Java tries the candidates one after the other, each for up to
 * the connect timeout (3 s), inside the call's own timeout (3 s for a client's route lookup, 5 s for
 * mqadmin). A name server that is silently unreachable (a partition, a dead host: no RST) costs the
 * whole 3 s, and two such in a row fail the call although half the list answers. Here a candidate
 * that has not connected after `namesrvConnectHedgeMillis` (1 s) gets the next one tried alongside,
 * and the first connection wins; with every name server up nothing changes.
 *
 * Events: `connect` (addr, conn), `close` (addr, conn, reason), `idle` (addr, conn).
 */
export class RemotingClient extends RemotingService {
  private readonly config: Required<Omit<RemotingClientConfig, "logger" | "useTLS" | "tls">>;
  /** Node's `tls.connect` options when connections use TLS, else null. */
  private readonly tlsOptions: tls.ConnectionOptions | null;
  private readonly connections = new Map<string, Promise<Connection>>();
  private namesrvAddrList: string[] = [];
  private namesrvAddrChosen: string | null = null;
  private namesrvIndex = Math.floor(Math.random() * 999);
  private namesrvLock: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Sockets still connecting: shutdown ends them rather than waiting out their connect timeout. */
  private readonly connecting = new Set<net.Socket>();

  constructor(config: RemotingClientConfig = {}) {
    const logger = config.logger ?? pino({ level: "silent" });
    super(logger, {
      onewayPermits: config.clientOnewaySemaphoreValue ?? 65535,
      asyncPermits: config.clientAsyncSemaphoreValue ?? 65535,
    });
    this.config = {
      connectTimeoutMillis: config.connectTimeoutMillis ?? 3000,
      clientChannelMaxIdleTimeSeconds: config.clientChannelMaxIdleTimeSeconds ?? 120,
      clientCloseSocketIfTimeout: config.clientCloseSocketIfTimeout ?? true,
      clientOnewaySemaphoreValue: config.clientOnewaySemaphoreValue ?? 65535,
      clientAsyncSemaphoreValue: config.clientAsyncSemaphoreValue ?? 65535,
      maxFrameLength: config.maxFrameLength ?? DEFAULT_FRAME_MAX_LENGTH,
      writeHighWaterMark: config.writeHighWaterMark ?? 4 * 1024 * 1024,
      namesrvConnectHedgeMillis: config.namesrvConnectHedgeMillis ?? 1000,
    };
    this.tlsOptions = config.useTLS ? clientConnectOptions(config.tls ?? { verifyServer: false }) : null;
  }

  /** Whether connections are TLS sessions. */
  get useTLS(): boolean {
    return this.tlsOptions !== null;
  }

  /** Replace the name server list (Java shuffles a changed list and drops a chosen address no longer in it). */
  updateNameServerAddressList(addrs: readonly string[]): void {
    const next = addrs.map((a) => a.trim()).filter((a) => a.length > 0);
    const same = next.length === this.namesrvAddrList.length && next.every((a) => this.namesrvAddrList.includes(a));
    if (same) return;
    for (let i = next.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [next[i], next[j]] = [next[j] as string, next[i] as string];
    }
    this.namesrvAddrList = next;
    if (this.namesrvAddrChosen !== null && !next.includes(this.namesrvAddrChosen)) {
      this.closeChannel(this.namesrvAddrChosen);
    }
  }

  getNameServerAddressList(): string[] {
    return [...this.namesrvAddrList];
  }

  /** The name server currently in use, if any. */
  get chosenNameServer(): string | null {
    return this.namesrvAddrChosen;
  }

  private connect(addr: string): Promise<Connection> {
    const existing = this.connections.get(addr);
    if (existing) return existing;
    const created = this.openConnection(addr);
    this.connections.set(addr, created);
    created.catch(() => {
      if (this.connections.get(addr) === created) this.connections.delete(addr);
    });
    return created;
  }

  private openConnection(addr: string): Promise<Connection> {
    if (this.stopped) return Promise.reject(new RemotingConnectException(addr, "client shut down"));
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseAddr(addr));
    } catch (err) {
      return Promise.reject(new RemotingConnectException(addr, (err as Error).message));
    }
    return new Promise((resolve, reject) => {
      const tlsOptions = this.tlsOptions;
      const socket = tlsOptions ? tls.connect({ ...tlsOptions, host, port }) : net.connect({ host, port });
      this.connecting.add(socket);
      const timer = setTimeout(() => {
        this.connecting.delete(socket);
        socket.destroy();
        reject(new RemotingConnectException(addr, `timeout ${this.config.connectTimeoutMillis}ms`));
      }, this.config.connectTimeoutMillis);
      socket.once("error", (err) => {
        this.connecting.delete(socket);
        clearTimeout(timer);
        reject(new RemotingConnectException(addr, err.message));
      });
      socket.once("close", () => {
        // destroyed by shutdown() before it connected
        if (!this.connecting.delete(socket)) return;
        clearTimeout(timer);
        reject(new RemotingConnectException(addr, "client shut down"));
      });
      socket.once(tlsOptions ? "secureConnect" : "connect", () => {
        this.connecting.delete(socket);
        clearTimeout(timer);
        socket.removeAllListeners("error");
        const conn = new Connection(socket, {
          maxFrameLength: this.config.maxFrameLength,
          idleTimeoutMs: this.config.clientChannelMaxIdleTimeSeconds * 1000,
          writeHighWaterMark: this.config.writeHighWaterMark,
          logger: this.logger,
        });
        conn.on("request", (cmd: RemotingCommand) => this.processRequest(conn, cmd));
        conn.on("idle", () => this.emit("idle", addr, conn));
        conn.once("close", (reason: string) => {
          const current = this.connections.get(addr);
          void current?.then((c) => {
            if (c === conn && this.connections.get(addr) === current) this.connections.delete(addr);
          });
          if (this.namesrvAddrChosen === addr) this.namesrvAddrChosen = null;
          this.logger.info({ addr, reason }, "closeChannel: close the connection to remote address");
          this.emit("close", addr, conn, reason);
        });
        this.logger.info({ addr, ...(tlsOptions ? { tls: true } : {}) }, "createChannel: connect remote host success");
        this.emit("connect", addr, conn);
        resolve(conn);
      });
    });
  }

  /** Pick (or keep) a name server: the chosen one while it works, else the next in the list that connects. */
  private nameServerConnection(): Promise<{ addr: string; conn: Connection }> {
    const attempt = async (): Promise<{ addr: string; conn: Connection }> => {
      const chosen = this.namesrvAddrChosen;
      if (chosen !== null) {
        try {
          const conn = await this.connect(chosen);
          if (!conn.isClosed) return { addr: chosen, conn };
        } catch {
          this.namesrvAddrChosen = null;
        }
      }
      const list = this.namesrvAddrList;
      if (list.length === 0)
        throw new RemotingConnectException("<no name server>", "name server address list is empty");
      const candidates: string[] = [];
      for (let i = 0; i < list.length; i++) {
        this.namesrvIndex = (this.namesrvIndex + 1) & 0x7fffffff;
        candidates.push(list[this.namesrvIndex % list.length] as string);
      }
      return this.firstNameServerToConnect(candidates);
    };
    // Serialize selection so concurrent callers agree on one choice.
    const result = this.namesrvLock.then(attempt, attempt);
    this.namesrvLock = result.catch(() => undefined);
    return result;
  }

  /**
   * Connect to `candidates` in order, starting the next one when the previous has failed or has not
   * connected within the hedge delay; the first to connect is chosen. Rejects when all have failed.
   */
  private firstNameServerToConnect(candidates: string[]): Promise<{ addr: string; conn: Connection }> {
    const hedge = this.config.namesrvConnectHedgeMillis;
    return new Promise((resolve, reject) => {
      let started = 0;
      let failed = 0;
      let done = false;
      const startNext = (): void => {
        if (done || started >= candidates.length) return;
        const addr = candidates[started++] as string;
        const timer = hedge > 0 ? setTimeout(startNext, hedge) : undefined;
        this.connect(addr).then(
          (conn) => {
            clearTimeout(timer);
            if (done) return;
            done = true;
            this.namesrvAddrChosen = addr;
            this.logger.info({ addr }, "new name server is chosen");
            resolve({ addr, conn });
          },
          (err: unknown) => {
            clearTimeout(timer);
            failed++;
            this.logger.warn({ addr, err: (err as Error).message }, "name server connect failed, trying the next");
            if (done) return;
            if (failed === candidates.length) {
              done = true;
              this.namesrvAddrChosen = null;
              reject(new RemotingConnectException(candidates.join(";")));
            } else startNext(); // a failure starts the next at once (its hedge timer is cleared)
          },
        );
      };
      startNext();
    });
  }

  private async resolveTarget(addr: string | null): Promise<{ addr: string; conn: Connection }> {
    if (addr === null) return this.nameServerConnection();
    return { addr, conn: await this.connect(addr) };
  }

  /**
   * Request and wait for the response; the timeout covers connecting too. On timeout the connection
   * is closed (Java's default), on a send failure it is closed as well.
   */
  async invokeSync(addr: string | null, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const started = Date.now();
    const target = await this.resolveTarget(addr);
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) throw new RemotingTimeoutException(`invokeSync call the addr[${target.addr}] timeout`);
    this.beforeRequest(target.conn.remoteAddr, request);
    try {
      const response = await this.invokeOnConnection(target.conn, request, left);
      this.afterResponse(target.conn.remoteAddr, request, response);
      return response;
    } catch (err) {
      if (err instanceof RemotingTimeoutException) {
        if (this.config.clientCloseSocketIfTimeout) this.closeChannel(target.addr);
        this.logger.warn({ addr: target.addr }, "invokeSync: wait response timeout exception");
      } else if (err instanceof RemotingSendRequestException) {
        this.closeChannel(target.addr);
      }
      throw err;
    }
  }

  /** Request bounded by the async semaphore; a timeout does not close the connection. */
  async invokeAsync(addr: string | null, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const started = Date.now();
    const target = await this.resolveTarget(addr);
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) throw new RemotingTimeoutException(`invokeAsync call the addr[${target.addr}] timeout`);
    this.beforeRequest(target.conn.remoteAddr, request);
    try {
      const response = await this.invokeAsyncOnConnection(target.conn, request, left);
      this.afterResponse(target.conn.remoteAddr, request, response);
      return response;
    } catch (err) {
      if (err instanceof RemotingSendRequestException) this.closeChannel(target.addr);
      throw err;
    }
  }

  /** Fire-and-forget; resolves once the frame is written. */
  async invokeOneway(addr: string | null, request: RemotingCommand, timeoutMs: number): Promise<void> {
    const target = await this.resolveTarget(addr);
    this.beforeRequest(target.conn.remoteAddr, request);
    try {
      await this.invokeOnewayOnConnection(target.conn, request, timeoutMs);
    } catch (err) {
      if (err instanceof RemotingSendRequestException) this.closeChannel(target.addr);
      throw err;
    }
  }

  /** Close the connection to `addr` (if any); the next call reconnects. */
  closeChannel(addr: string): void {
    const conn = this.connections.get(addr);
    this.connections.delete(addr);
    if (this.namesrvAddrChosen === addr) this.namesrvAddrChosen = null;
    void conn?.then(
      (c) => c.close("closed by client"),
      () => undefined,
    );
  }

  /** Connections currently open, by address. */
  async openConnections(): Promise<Map<string, Connection>> {
    const out = new Map<string, Connection>();
    for (const [addr, p] of this.connections) {
      try {
        const c = await p;
        if (!c.isClosed) out.set(addr, c);
      } catch {
        // not connected
      }
    }
    return out;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const socket of this.connecting) socket.destroy();
    for (const addr of [...this.connections.keys()]) this.closeChannel(addr);
  }
}
