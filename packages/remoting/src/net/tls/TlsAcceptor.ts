/**
 * What a server does with a new connection before it speaks the remoting protocol, as 4.9.8's
 * `NettyRemotingServer.HandshakeHandler`: the first byte decides. 0x16 (a TLS handshake record)
 * starts a TLS session — refused when the mode is disabled; anything else is a plain client —
 * refused when the mode is enforcing. Permissive serves both on one port. Refusals close that
 * connection with a log line (Java's are warnings too); nothing here can end the process.
 *
 * The byte is peeked, not taken: the chunk goes back to the socket (`unshift`) before the socket is
 * handed on, either to the server as it is or to a `tls.Server` that never listens, through its
 * `connection` event (Node's documented way of giving a TLS server a stream; the TLS socket reads
 * what was put back). That server does the handshake (10 s at most, as Netty's), knows whether a
 * client certificate chained to the trusted ones, and takes new credentials on a reload.
 *
 * Client certificates (`need.client.auth` optional / require) are judged once the handshake is done,
 * before the connection is handed on: none under require, or one that does not chain to the trusted
 * certificates while `authClient` is on, closes it with the reason in the log. Java fails such
 * handshakes with an alert instead; either way the client's calls fail and nothing it sent is read.
 *
 * A connection that sends nothing within the server's idle time is closed before it is decided.
 */
import type net from "node:net";
import tls from "node:tls";
import { socketRemoteAddr } from "../address.js";
import {
  secureContextOptions,
  serverContextOptions,
  type ServerTls,
  type ServerTlsContext,
  type TlsLogger,
  TLS_HANDSHAKE_TIMEOUT_MS,
} from "./TlsSettings.js";
import { TlsKey, type TlsMode } from "./TlsSystemConfig.js";

/** The first byte of a TLS handshake record (ContentType handshake). */
export const TLS_HANDSHAKE_RECORD = 0x16;

export interface TlsAcceptorOptions {
  tls: ServerTls;
  /** Close a connection that sends nothing for this long before it is decided (0: never). */
  idleTimeoutMs: number;
  log: TlsLogger;
  /** A connection ready for the remoting protocol: plain, or TLS with its handshake and checks done. */
  onConnection: (socket: net.Socket) => void;
  /** The hard limit of a handshake (default Netty's 10 s; tests shorten it). */
  handshakeTimeoutMs?: number;
}

export class TlsAcceptor {
  readonly mode: TlsMode;
  private context: ServerTlsContext | null;
  private readonly tlsServer: tls.Server | null = null;
  /** Sockets until they close: undecided, in their handshake, or under a TLS session (a TLS socket shares its handle). */
  private readonly pending = new Set<net.Socket>();
  /**
   * A hard limit per handshake by the peer's address, as Netty's SslHandler has (Node's
   * `handshakeTimeout` restarts with every byte, so a peer dribbling bytes would hold one forever).
   */
  private readonly handshakes = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: TlsAcceptorOptions) {
    this.mode = options.tls.mode;
    this.context = options.tls.context;
    if (this.mode === "disabled") return;
    const context = this.context;
    if (!context) throw new Error(`TLS mode ${this.mode} needs a certificate and key`);
    const server = tls.createServer(serverContextOptions(context));
    server.on("secureConnection", (socket: tls.TLSSocket) => this.onSecure(socket));
    server.on("tlsClientError", (err: Error, socket: tls.TLSSocket) => {
      if (!this.closed)
        options.log.warn({ remote: socketRemoteAddr(socket), err: err.message }, "TLS handshake failed, closing");
      socket.destroy();
    });
    this.tlsServer = server;
  }

  /** A socket just accepted. */
  accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const remote = socketRemoteAddr(socket);
    this.pending.add(socket);
    const settle = (): void => {
      socket.off("data", onData);
      socket.off("timeout", onIdle);
      socket.off("error", onError);
      socket.setTimeout(0);
    };
    const onData = (chunk: Buffer): void => {
      settle();
      socket.pause();
      socket.unshift(chunk);
      this.decide(socket, chunk[0] === TLS_HANDSHAKE_RECORD, remote);
    };
    const onIdle = (): void => {
      settle();
      this.options.log.warn({ remote }, "connection sent nothing within the idle time, closing");
      socket.destroy();
    };
    const onError = (): void => settle(); // 'close' follows
    socket.on("data", onData);
    socket.on("error", onError);
    socket.once("close", () => {
      settle();
      this.pending.delete(socket);
    });
    if (this.options.idleTimeoutMs > 0) {
      socket.setTimeout(this.options.idleTimeoutMs);
      socket.on("timeout", onIdle);
    }
  }

  private decide(socket: net.Socket, isTls: boolean, remote: string): void {
    const { log } = this.options;
    if (isTls && this.tlsServer) {
      // the raw socket stays pending (its 'close' comes with the TLS socket's); errors go to the TLS socket
      socket.on("error", () => undefined);
      const limit = this.options.handshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.handshakes.delete(remote);
        log.warn({ remote }, `TLS handshake not done within ${limit} ms, closing`);
        socket.destroy();
      }, limit);
      timer.unref();
      this.handshakes.set(remote, timer);
      socket.once("close", () => {
        clearTimeout(timer);
        if (this.handshakes.get(remote) === timer) this.handshakes.delete(remote);
      });
      this.tlsServer.emit("connection", socket);
      return;
    }
    if (isTls) {
      log.warn({ remote }, `TLS connection refused: ${TlsKey.SERVER_MODE} is disabled`);
      socket.destroy();
      return;
    }
    if (this.mode === "enforcing") {
      log.warn({ remote }, `plain connection refused: ${TlsKey.SERVER_MODE} is enforcing`);
      socket.destroy();
      return;
    }
    this.pending.delete(socket);
    // flowing again from the next tick; whoever takes the socket listens (or pauses it) before then
    socket.resume();
    this.options.onConnection(socket);
  }

  private onSecure(socket: tls.TLSSocket): void {
    const context = this.context;
    if (this.closed || !context) {
      socket.destroy();
      return;
    }
    const remote = socketRemoteAddr(socket);
    const handshake = this.handshakes.get(remote);
    if (handshake) {
      clearTimeout(handshake);
      this.handshakes.delete(remote);
    }
    const refuse = (why: string): void => {
      this.options.log.warn({ remote }, `TLS client refused: ${why}`);
      socket.destroy();
    };
    if (context.clientAuth !== "none") {
      const presented = Object.keys(socket.getPeerCertificate()).length > 0;
      if (!presented && context.clientAuth === "require")
        return refuse(`no client certificate (${TlsKey.SERVER_NEED_CLIENT_AUTH}=require)`);
      if (presented && context.verifyClient && !socket.authorized)
        return refuse(`client certificate not trusted (${String(socket.authorizationError)})`);
    }
    this.options.log.info(
      { remote, protocol: socket.getProtocol(), cipher: socket.getCipher().name },
      "TLS session established",
    );
    this.options.onConnection(socket);
  }

  /** New credentials for connections from now on (a certificate rotation); the mode stays. */
  update(next: ServerTls): void {
    if (!this.tlsServer || !next.context) return;
    this.tlsServer.setSecureContext(secureContextOptions(next.context));
    this.context = next.context;
  }

  /** Refuse new connections and close every socket this acceptor saw that is still open. */
  close(): void {
    this.closed = true;
    for (const socket of this.pending) socket.destroy();
    this.pending.clear();
    for (const timer of this.handshakes.values()) clearTimeout(timer);
    this.handshakes.clear();
  }
}
