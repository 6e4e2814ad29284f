import { DEFAULT_FRAME_MAX_LENGTH } from "./frame.js";
import { RemotingCodecError } from "./RemotingCodecError.js";

/**
 * A chunk shorter than this that arrives while a frame is incomplete is copied into the
 * accumulation buffer instead of being kept: each Buffer costs some hundred bytes of its own, so a
 * frame sent a byte per TCP segment would otherwise cost the server a hundred times its size until
 * it completes (a name server measured +64 bytes of RSS per byte so received).
 */
const SMALL_CHUNK = 1024;
/** Bounds of the accumulation buffer's size, which follows the bytes held (see `accumulate`). */
const TAIL_MIN = 256;
const TAIL_MAX = 64 * 1024;

/**
 * Incremental length-prefixed frame splitter for a TCP stream: accepts chunks of any size, yields
 * complete frame payloads (without the length prefix). Chunks are kept as a list with a read
 * position in the first; a frame inside one chunk is a view of it, a frame spread over several is
 * joined once. Small chunks are first gathered into an accumulation buffer (Netty's cumulation), so
 * what a connection holds stays within about twice the bytes it has received, however they were cut.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private offset = 0;
  /** Bytes held, in `chunks` and in the accumulation buffer. */
  private buffered = 0;
  private expected = -1; // payload length of the frame being read, -1 until its prefix is known
  /** Accumulation buffer for small chunks: [tailSealed, tailLength) not yet in `chunks`. */
  private tail: Buffer | null = null;
  private tailSealed = 0;
  private tailLength = 0;

  constructor(readonly maxFrameLength: number = DEFAULT_FRAME_MAX_LENGTH) {}

  /** Bytes held that do not yet form a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Buffers this decoder holds on to (chunks and the accumulation buffer): what bounds its overhead. */
  get heldBuffers(): number {
    return this.chunks.length + (this.tail === null ? 0 : 1);
  }

  /** Feed a chunk; returns the frames it completes. Throws RemotingCodecError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      // a small chunk is copied only while a frame waits for more: one that starts afresh usually
      // holds whole frames and goes at once
      if (chunk.length < SMALL_CHUNK && this.buffered > 0) this.accumulate(chunk);
      else {
        this.sealTail();
        this.chunks.push(chunk);
      }
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        this.sealTail();
        const length = this.readInt32();
        // Java (LengthFieldBasedFrameDecoder) counts the prefix towards the limit.
        if (length < 4 || length > this.maxFrameLength - 4) {
          throw new RemotingCodecError(
            length < 4
              ? `Illegal frame length ${length}`
              : `Frame length ${length + 4} exceeds the limit ${this.maxFrameLength}`,
          );
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      this.sealTail();
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    if (this.buffered === 0) {
      // between frames: the next small chunk starts a small accumulation buffer again
      this.tail = null;
      this.tailSealed = this.tailLength = 0;
    }
    return frames;
  }

  /**
   * Copy a small chunk into the accumulation buffer. When it is full, what it holds joins `chunks`
   * and a new one is allocated, about as large as the bytes now held (within TAIL_MIN..TAIL_MAX):
   * the buffers' total stays within about twice the bytes held, and their number grows by one per
   * TAIL_MAX bytes once past the first few.
   */
  private accumulate(chunk: Buffer): void {
    if (this.tail === null || this.tail.length - this.tailLength < chunk.length) {
      this.sealTail();
      const size = Math.min(TAIL_MAX, Math.max(TAIL_MIN, this.buffered, chunk.length));
      this.tail = Buffer.allocUnsafe(size);
      this.tailSealed = this.tailLength = 0;
    }
    chunk.copy(this.tail, this.tailLength);
    this.tailLength += chunk.length;
  }

  /** Make the accumulated bytes readable: they join `chunks` as a view (the buffer keeps filling after them). */
  private sealTail(): void {
    if (this.tail === null || this.tailLength === this.tailSealed) return;
    this.chunks.push(this.tail.subarray(this.tailSealed, this.tailLength));
    this.tailSealed = this.tailLength;
  }

  /** Consume the big-endian int32 at the front (at least 4 bytes are in `chunks`). */
  private readInt32(): number {
    const first = this.chunks[0] as Buffer;
    if (first.length - this.offset >= 4) {
      const value = first.readInt32BE(this.offset);
      this.skip(4);
      return value;
    }
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.chunks[0] as Buffer;
      value = (value << 8) | (c[this.offset] as number);
      this.skip(1);
    }
    return value;
  }

  /** Drop `n` bytes from the front, all in the first chunk. */
  private skip(n: number): void {
    this.offset += n;
    this.buffered -= n;
    this.dropConsumedHead();
  }

  private dropConsumedHead(): void {
    const first = this.chunks[0];
    if (first !== undefined && this.offset === first.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  /** The next `n` bytes (all in `chunks`): a view when they lie in one chunk, else a copy joining them. */
  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    let out: Buffer;
    if (first.length - this.offset >= n) {
      out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      this.dropConsumedHead();
    } else {
      out = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const c = this.chunks[0] as Buffer;
        const take = Math.min(c.length - this.offset, n - copied);
        c.copy(out, copied, this.offset, this.offset + take);
        copied += take;
        this.offset += take;
        this.dropConsumedHead();
      }
    }
    this.buffered -= n;
    return out;
  }
}
