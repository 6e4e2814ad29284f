import { DEFAULT_FRAME_MAX_LENGTH } from "./frame.js";
import { RemotingCodecError } from "./RemotingCodecError.js";

/**
 * Incremental length-prefixed frame splitter for a TCP stream: accepts chunks of any size, yields
 * complete frame payloads (without the length prefix). Chunks are kept as a list with a read
 * position in the first; a frame inside one chunk is a view of it, a frame spread over several is
 * joined once.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private offset = 0;
  private buffered = 0;
  private expected = -1; // payload length of the frame being read, -1 until its prefix is known

  constructor(readonly maxFrameLength: number = DEFAULT_FRAME_MAX_LENGTH) {}

  /** Bytes held that do not yet form a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feed a chunk; returns the frames it completes. Throws RemotingCodecError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        const length = this.peekInt32();
        // Java (LengthFieldBasedFrameDecoder) counts the prefix towards the limit.
        if (length < 4 || length > this.maxFrameLength - 4) {
          throw new RemotingCodecError(
            length < 4
              ? `Illegal frame length ${length}`
              : `Frame length ${length + 4} exceeds the limit ${this.maxFrameLength}`,
          );
        }
        this.skip(4);
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  private peekInt32(): number {
    const first = this.chunks[0] as Buffer;
    if (first.length - this.offset >= 4) return first.readInt32BE(this.offset);
    const head = Buffer.concat([first.subarray(this.offset), ...this.chunks.slice(1)], this.buffered);
    this.chunks = [head];
    this.offset = 0;
    return head.readInt32BE(0);
  }

  /** Drop `n` bytes from the front (they are in the first chunk: see `peekInt32`). */
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

  /** The next `n` bytes: a view when they lie in one chunk, else a copy joining them. */
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
