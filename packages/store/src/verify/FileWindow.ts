/**
 * Read-only, chunked access to one store file for the verifier. A commit-log file may be 1 GiB (and
 * an index file 420 MB, mostly holes): instead of mapping it, the verifier reads a window of a few
 * MiB with pread(2) and moves it forward. `cover(pos, length)` makes a byte range available; a
 * record that straddles the window's end is read again from its start (a range longer than the
 * chunk gets a bigger buffer). Reading holes of a sparse file this way costs ~0.1 s per GiB, far
 * less than faulting them in through a mapping, and a file that shrinks under the verifier yields a
 * short read instead of SIGBUS.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export const DEFAULT_CHUNK = 8 * 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(64 * 1024);

export class FileWindow {
  /** File size when opened. */
  readonly size: number;
  private fd: number;
  private buf: Buffer;
  /** File position of buf[0]. */
  private startPos = 0;
  /** File position after the last valid byte of buf. */
  private endPos = 0;

  constructor(
    readonly path: string,
    private readonly chunk = DEFAULT_CHUNK,
  ) {
    this.fd = openSync(path, "r");
    try {
      this.size = fstatSync(this.fd).size;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
    this.buf = Buffer.allocUnsafe(Math.min(chunk, Math.max(this.size, 1)));
  }

  /** File position of `buffer[0]` after the last `cover`. */
  get start(): number {
    return this.startPos;
  }

  /** File position after the last byte available in `buffer`. */
  get end(): number {
    return this.endPos;
  }

  get buffer(): Buffer {
    return this.buf;
  }

  /**
   * Make [pos, pos + length) available in `buffer` (clipped to the file's end), reading ahead a
   * whole chunk when the window has to move. Returns the buffer; the range starts at `pos - start`.
   */
  cover(pos: number, length: number): Buffer {
    const want = Math.min(pos + length, this.size);
    if (pos >= this.startPos && want <= this.endPos) return this.buf;
    const readLength = Math.min(Math.max(this.chunk, want - pos), this.size - pos);
    if (readLength > this.buf.length) this.buf = Buffer.allocUnsafe(readLength);
    let got = 0;
    while (got < readLength) {
      const n = readSync(this.fd, this.buf, got, readLength - got, pos + got);
      if (n === 0) break; // the file shrank
      got += n;
    }
    this.startPos = pos;
    this.endPos = pos + got;
    return this.buf;
  }

  /** Read [pos, pos + length) into a new buffer (shorter at the file's end). */
  read(pos: number, length: number): Buffer {
    const buf = this.cover(pos, length);
    const from = pos - this.startPos;
    return Buffer.from(buf.subarray(from, Math.min(from + length, this.endPos - this.startPos)));
  }

  /**
   * Position of the last non-zero byte in [from, to), or -1 when the range is all zeros. Reads the
   * whole range (holes of sparse files read fast).
   */
  lastNonZero(from: number, to: number): number {
    let last = -1;
    const end = Math.min(to, this.size);
    for (let pos = from; pos < end;) {
      const buf = this.cover(pos, this.chunk);
      const chunkEnd = Math.min(end, this.endPos);
      if (chunkEnd <= pos) break;
      const found = lastNonZeroIn(buf, pos - this.startPos, chunkEnd - this.startPos);
      if (found >= 0) last = this.startPos + found;
      pos = chunkEnd;
    }
    return last;
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/** Index of the last non-zero byte of buf[from, to), or -1. */
function lastNonZeroIn(buf: Buffer, from: number, to: number): number {
  for (let blockEnd = to; blockEnd > from;) {
    const blockStart = Math.max(from, blockEnd - ZERO_BLOCK.length);
    if (ZERO_BLOCK.compare(buf, blockStart, blockEnd, 0, blockEnd - blockStart) !== 0) {
      for (let i = blockEnd - 1; i >= blockStart; i--) if (buf[i] !== 0) return i;
    }
    blockEnd = blockStart;
  }
  return -1;
}
