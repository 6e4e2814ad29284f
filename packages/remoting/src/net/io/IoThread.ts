import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { ServerTls } from "../tls/TlsSettings.js";
import type { FrameSink, FrameTransport } from "../transport/FrameTransport.js";
import { FrameRing } from "./FrameRing.js";
import { IoRecord, type FromIoThread, type IoThreadData, type ToIoThread } from "./ioProtocol.js";
import { RingReader, RingWriter } from "./RingEnds.js";

/** Bytes of each ring (one per direction); payloads over a quarter of it go beside the ring. */
const RING_CAPACITY = 4 * 1024 * 1024;
const EMPTY: Uint8Array[] = [];

export interface IoThreadOptions {
  port: number;
  host: string;
  backlog: number;
  maxFrameLength: number;
  idleTimeoutMs: number;
  writeHighWaterMark: number;
  corkFrames: number;
  tls?: ServerTls;
  logger: Logger;
  /** A connection the thread accepted, to be given a sink. */
  onConnection: (transport: FrameTransport) => void;
}

/**
 * The compiled entry next to this module; when running from the TypeScript sources (the unit tests)
 * that is the package's `dist/` build of it.
 */
function workerEntry(): URL {
  const sibling = new URL("./ioThreadMain.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL(sibling.href.replace("/src/net/io/", "/dist/net/io/"));
}

/**
 * An I/O thread seen from the thread that owns the connections: starts it listening, turns its
 * records into {@link FrameTransport}s, and stops it.
 */
export class IoThread {
  private readonly worker: Worker;
  private readonly transports = new Map<number, RingTransport>();
  private readonly toIo: RingWriter;
  private readonly fromIo: RingReader;
  private readonly listening: Promise<number>;
  private stopped: Promise<void> | null = null;
  private exited = false;
  /** The ring to the thread is full (the thread is behind): hold every connection's requests. */
  outboundBlocked = false;

  constructor(private readonly options: IoThreadOptions) {
    const inbound = FrameRing.allocate(RING_CAPACITY);
    const outbound = FrameRing.allocate(RING_CAPACITY);
    const data: IoThreadData = {
      port: options.port,
      host: options.host,
      backlog: options.backlog,
      maxFrameLength: options.maxFrameLength,
      idleTimeoutMs: options.idleTimeoutMs,
      writeHighWaterMark: options.writeHighWaterMark,
      corkFrames: options.corkFrames,
      ...(options.tls ? { tls: options.tls } : {}),
      inbound,
      outbound,
    };
    this.worker = new Worker(workerEntry(), { workerData: data });
    const post = (message: ToIoThread, transfer?: ArrayBuffer[]): void => this.worker.postMessage(message, transfer);
    this.toIo = new RingWriter(
      new FrameRing(outbound),
      (message) => post(message, [message.bytes]),
      (blocked) => this.onOutboundBlocked(blocked),
    );
    this.fromIo = new RingReader(new FrameRing(inbound), (type, id, payload) => this.onRecord(type, id, payload));
    this.listening = new Promise((resolve, reject) => {
      this.worker.on("message", (message: FromIoThread) => {
        switch (message.kind) {
          case "listening":
            this.fromIo.start();
            resolve(message.port);
            break;
          case "listenError":
            reject(Object.assign(new Error(message.message), { code: message.code }));
            break;
          case "large":
            this.fromIo.deliverLarge(message);
            break;
          case "log":
            options.logger[message.level]({ thread: "io", ...message.fields }, message.message);
            break;
          case "stopped":
            void this.worker.terminate();
            break;
        }
      });
      this.worker.on("error", (err) => {
        options.logger.error({ err: err.message }, "remoting I/O thread failed");
        reject(err);
      });
      this.worker.on("exit", () => {
        this.exited = true;
        this.fromIo.stop();
        for (const transport of [...this.transports.values()]) transport.ended("I/O thread exited");
        reject(new Error("remoting I/O thread exited"));
      });
    });
    this.listening.catch(() => undefined); // heard by whoever awaits start(); never unhandled
  }

  /** Resolves with the bound port once the thread listens. */
  start(): Promise<number> {
    return this.listening;
  }

  /** New TLS credentials for the thread's next connections. */
  updateTls(tls: ServerTls): void {
    if (!this.exited) this.worker.postMessage({ kind: "tls", tls } satisfies ToIoThread);
  }

  /** Close every socket and the listener, then end the thread. */
  shutdown(): Promise<void> {
    if (!this.stopped) {
      this.stopped = this.exited
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.worker.once("exit", () => resolve());
            this.worker.postMessage({ kind: "stop" } satisfies ToIoThread);
          });
    }
    return this.stopped;
  }

  /**
   * While the thread cannot take our writes, requests are not handled (their answers would pile up
   * here): the inbound ring is left to fill, which makes the thread stop reading its sockets.
   */
  private onOutboundBlocked(blocked: boolean): void {
    this.outboundBlocked = blocked;
    if (blocked) {
      this.fromIo.pause();
      return;
    }
    this.fromIo.resume();
    for (const transport of [...this.transports.values()]) transport.deliverHeld();
  }

  private onRecord(type: number, id: number, payload: Buffer): void {
    if (type === IoRecord.OPEN) {
      const [remote = "", local = ""] = payload.toString("utf8").split("\n");
      const transport = new RingTransport(id, remote, local, this, this.options.writeHighWaterMark);
      this.transports.set(id, transport);
      this.options.onConnection(transport);
      return;
    }
    const transport = this.transports.get(id);
    if (!transport) return; // we closed it already; the thread's last word about it
    switch (type) {
      case IoRecord.FRAME: {
        // The ring's bytes are reused once this returns; the command decoded from them lives on.
        const frame = Buffer.allocUnsafe(payload.length);
        payload.copy(frame);
        transport.deliver(frame);
        break;
      }
      case IoRecord.IDLE:
        transport.sink?.idle();
        break;
      case IoRecord.ACK:
        transport.acknowledged(payload.readUInt32LE(0));
        break;
      case IoRecord.END:
        transport.ended(payload.toString("utf8"));
        break;
      case IoRecord.END_ERROR: {
        const error = payload.toString("utf8");
        transport.ended(`error: ${error}`, error);
        break;
      }
      case IoRecord.MALFORMED:
        this.transports.delete(id);
        transport.malformed(payload.toString("utf8"));
        break;
    }
  }

  /** @internal */
  send(type: number, id: number, parts: readonly Uint8Array[], length: number): void {
    this.toIo.write(type, id, parts, length);
  }

  /** @internal */
  forget(id: number): void {
    this.transports.delete(id);
  }
}

/**
 * A socket owned by an I/O thread, as the connection's thread sees it. Requests of a peer that does
 * not read our answers wait here unhandled (the thread has stopped reading that socket), as a
 * {@link SocketTransport} stops reading: what one peer makes us buffer stays bounded.
 */
class RingTransport implements FrameTransport {
  sink: FrameSink | null = null;
  /** Bytes written to the thread that it has not yet seen the socket take. */
  private unacked = 0;
  private destroyed = false;
  private readonly held: Buffer[] = [];

  constructor(
    private readonly id: number,
    readonly remoteAddr: string,
    readonly localAddr: string,
    private readonly thread: IoThread,
    private readonly writeHighWaterMark: number,
  ) {}

  get isWritable(): boolean {
    return !this.destroyed && this.unacked < this.writeHighWaterMark && !this.thread.outboundBlocked;
  }

  get pendingWriteBytes(): number {
    return this.unacked;
  }

  start(sink: FrameSink): void {
    this.sink = sink;
    this.deliverHeld(); // frames that came before the sink
  }

  private get canDeliver(): boolean {
    return this.sink !== null && this.unacked < this.writeHighWaterMark && !this.thread.outboundBlocked;
  }

  /** A frame from the thread: handled now, or held while the peer or the thread is behind. */
  deliver(frame: Buffer): void {
    if (this.held.length === 0 && this.canDeliver) this.sink?.frame(frame);
    else if (!this.destroyed) this.held.push(frame);
  }

  acknowledged(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    this.deliverHeld();
  }

  deliverHeld(): void {
    while (this.held.length > 0 && this.canDeliver) this.sink?.frame(this.held.shift() as Buffer);
  }

  writeFrame(parts: readonly Buffer[], done?: (err: Error | null) => void): void {
    if (this.destroyed) {
      done?.(new Error("connection closed"));
      return;
    }
    let length = 0;
    for (const part of parts) length += part.length;
    this.thread.send(IoRecord.FRAME, this.id, parts, length);
    this.unacked += length;
    done?.(null);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sink = null;
    this.held.length = 0;
    this.thread.forget(this.id);
    this.thread.send(IoRecord.CLOSE, this.id, EMPTY, 0);
  }

  /** The thread closed the socket. */
  ended(reason: string, error?: string): void {
    const sink = this.sink;
    this.destroyed = true;
    this.sink = null;
    this.thread.forget(this.id);
    sink?.end(reason, error);
  }

  malformed(reason: string): void {
    const sink = this.sink;
    this.destroyed = true;
    this.sink = null;
    sink?.malformed(reason);
  }
}
