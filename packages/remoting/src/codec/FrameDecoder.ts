import { DEFAULT_FRAME_MAX_LENGTH } from "./frame.js";
import { RemotingCodecError } from "./RemotingCodecError.js";

/**
 * Incremental length-prefixed frame splitter for a TCP stream: accepts chunks of any size, yields
 * complete frame payloads (without the length prefix). Chunks are kept as a list and joined once
 * per frame, so a large frame arriving in many small chunks costs one copy.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
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
        this.consume(4);
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.consume(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  private peekInt32(): number {
    const first = this.chunks[0] as Buffer;
    if (first.length >= 4) return first.readInt32BE(0);
    return this.join(4).readInt32BE(0);
  }

  /** Join the first `n` bytes into the head chunk (used for prefixes split across chunks). */
  private join(n: number): Buffer {
    const head = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [head];
    return head.subarray(0, n);
  }

  private consume(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const c = this.chunks[0] as Buffer;
        const take = Math.min(c.length, n - copied);
        c.copy(out, copied, 0, take);
        copied += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
    }
    this.buffered -= n;
    return out;
  }
}
