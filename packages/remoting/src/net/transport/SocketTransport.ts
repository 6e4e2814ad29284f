import type { Socket } from "node:net";
import { FrameDecoder } from "../../codec/FrameDecoder.js";
import { socketLocalAddr, socketRemoteAddr } from "../address.js";
import type { FrameSink, FrameTransport } from "./FrameTransport.js";

export interface SocketTransportOptions {
  maxFrameLength: number;
  /** Report idle after this long with no read and no write (Java: 120 s). 0 disables. */
  idleTimeoutMs: number;
  /** Stop reading from the peer while this many bytes wait to be written to it. */
  writeHighWaterMark: number;
  /** Frames gathered before a write leaves mid-turn (default {@link CLIENT_CORK_FRAMES}). */
  corkFrames?: number;
}

/**
 * Frames gathered before a write leaves without waiting for the end of the turn. Java's Netty
 * flushes every response (a syscall each); waiting for the whole turn instead made 32 in-flight
 * sends on one connection a lock-step exchange — each side idle while the other worked through all
 * 32 — and 8 keeps most of the saving while letting both sides work at once (+40–50 % send TPS with
 * bin/benchmark producer -w 32 on two cores). That is the client's figure: a client writes a request
 * as each answer comes in.
 */
export const CLIENT_CORK_FRAMES = 8;
/**
 * A server answers the frames of one read in one go, and on this path the write syscall (loopback
 * TCP, waking the peer) is the largest single cost: 16 frames per write measured about 1 µs less
 * broker CPU per 1 KB send than 8, at the same or better TPS (5 runs each, bin/benchmark producer -w
 * 32); 32 brought the lock-step back (lower TPS).
 */
export const SERVER_CORK_FRAMES = 16;

/**
 * Frames handed to the socket and not yet to the kernel beyond which we stop reading from the peer,
 * as we do past `writeHighWaterMark` bytes; reading resumes below half of it. A queued frame costs
 * its bytes and some 2 KB of objects besides (its buffers, the socket's write requests), so a peer
 * that sends small requests and never reads the answers held 25-70 MB of a name server's memory per
 * connection under the byte mark alone; this keeps it to a few MB. A healthy client has at most a
 * few hundred answers in flight; a burst of more (one read of many pipelined requests) pauses
 * reading until the socket has taken them.
 */
export const MAX_QUEUED_FRAMES = 1024;

/** Why reading is paused: bits, reading resumes when none is left. */
export const READ_BLOCKED_BY_WRITES = 1;
export const READ_BLOCKED_BY_CONSUMER = 2;

/**
 * A TCP socket in this thread as a {@link FrameTransport}: splits the stream into frames, corks
 * writes, and applies back-pressure — while the peer does not read what we write, we stop reading
 * what it sends.
 */
export class SocketTransport implements FrameTransport {
  readonly remoteAddr: string;
  readonly localAddr: string;
  private readonly decoder: FrameDecoder;
  private sink: FrameSink | null = null;
  private destroyed = false;
  private readBlocked = 0;
  /** Frames written since the socket was corked (0: not corked). */
  private corkedFrames = 0;
  private uncorkScheduled = false;
  private readonly corkFrames: number;
  /** Reading stopped because writes passed a mark (bytes or frames). */
  private writeBlocked = false;
  /** Frames written to the socket whose last part it has not handed to the kernel yet. */
  private queuedFrames = 0;
  /** Called when writes that had passed the mark have drained under it. */
  onWritable: (() => void) | null = null;

  constructor(
    readonly socket: Socket,
    private readonly options: SocketTransportOptions,
  ) {
    this.remoteAddr = socketRemoteAddr(socket);
    this.localAddr = socketLocalAddr(socket);
    this.decoder = new FrameDecoder(options.maxFrameLength);
    this.corkFrames = options.corkFrames ?? CLIENT_CORK_FRAMES;
    socket.setNoDelay(true);
    socket.setKeepAlive(false);
  }

  get isWritable(): boolean {
    return (
      !this.destroyed &&
      this.socket.writableLength < this.options.writeHighWaterMark &&
      this.queuedFrames < MAX_QUEUED_FRAMES
    );
  }

  /** Frames written and not yet handed to the kernel. */
  get pendingWriteFrames(): number {
    return this.queuedFrames;
  }

  get pendingWriteBytes(): number {
    return this.socket.writableLength;
  }

  start(sink: FrameSink): void {
    this.sink = sink;
    const { socket } = this;
    if (this.options.idleTimeoutMs > 0) socket.setTimeout(this.options.idleTimeoutMs, () => this.sink?.idle());
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", this.checkWritable);
    socket.on("error", (err) => this.end(`error: ${err.message}`, err.message));
    socket.on("close", () => this.end("closed by peer"));
  }

  private end(reason: string, error?: string): void {
    const sink = this.sink;
    if (this.destroyed || !sink) return;
    this.destroy();
    sink.end(reason, error);
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      const sink = this.sink;
      this.destroy();
      sink?.malformed((err as Error).message);
      return;
    }
    for (const frame of frames) {
      if (this.destroyed) return;
      this.sink?.frame(frame);
    }
  }

  /** Stop reading for `reason` (a bit) until {@link unblockReading} clears it. */
  blockReading(reason: number): void {
    if (this.readBlocked === 0 && !this.destroyed) this.socket.pause();
    this.readBlocked |= reason;
  }

  unblockReading(reason: number): void {
    if (this.readBlocked === 0) return;
    this.readBlocked &= ~reason;
    if (this.readBlocked === 0 && !this.destroyed) this.socket.resume();
  }

  writeFrame(parts: readonly Buffer[], done?: (err: Error | null) => void): void {
    if (this.destroyed) {
      done?.(new Error("connection closed"));
      return;
    }
    const { socket } = this;
    // Frames written in the same turn of the event loop (every frame read in this turn and the
    // promise continuations it set off) leave together, in syscalls of up to `corkFrames` frames: the
    // peer starts on the first ones while we still produce the rest.
    if (this.corkedFrames === 0) {
      socket.cork();
      if (!this.uncorkScheduled) {
        this.uncorkScheduled = true;
        setImmediate(this.uncork);
      }
    }
    const flushNow = ++this.corkedFrames >= this.corkFrames;
    const last = parts.length - 1;
    let length = 0;
    for (let i = 0; i <= last; i++) length += (parts[i] as Buffer).length;
    // Over our mark after this frame: its write callback (the socket took it) looks again. 'drain'
    // alone would not do — the socket emits it only past its own mark, which may be higher than ours.
    const mayFill = socket.writableLength + length >= this.options.writeHighWaterMark;
    for (let i = 0; i < last; i++) socket.write(parts[i] as Buffer);
    this.queuedFrames++;
    socket.write(parts[last] as Buffer, mayFill || done ? this.written(done, mayFill) : this.frameTaken);
    if (flushNow) this.flushCorked();
    if (socket.writableLength >= this.options.writeHighWaterMark || this.queuedFrames >= MAX_QUEUED_FRAMES) {
      this.writeBlocked = true;
      this.blockReading(READ_BLOCKED_BY_WRITES);
    }
  }

  /** The write callback of a frame's last part: the socket handed the frame to the kernel. */
  private readonly frameTaken = (): void => {
    this.queuedFrames--;
    if (this.writeBlocked) this.checkWritable();
  };

  private written(done: ((err: Error | null) => void) | undefined, check: boolean): (err?: Error | null) => void {
    return (err) => {
      this.queuedFrames--;
      done?.(err ?? null);
      if (check || this.writeBlocked) this.checkWritable();
    };
  }

  /** Once what waits to be written is under the marks again: read again, and tell {@link onWritable}. */
  private readonly checkWritable = (): void => {
    if (
      !this.writeBlocked ||
      this.destroyed ||
      this.socket.writableLength >= this.options.writeHighWaterMark ||
      this.queuedFrames >= MAX_QUEUED_FRAMES / 2
    )
      return;
    this.writeBlocked = false;
    this.unblockReading(READ_BLOCKED_BY_WRITES);
    this.onWritable?.();
  };

  private flushCorked(): void {
    if (this.corkedFrames === 0) return;
    this.corkedFrames = 0;
    this.socket.uncork();
  }

  private readonly uncork = (): void => {
    this.uncorkScheduled = false;
    this.flushCorked();
  };

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sink = null;
    this.socket.destroy();
  }
}
