/**
 * One fixed-size file mapped into memory (mmap-io, MAP_SHARED). Writers copy into the mapping;
 * flushing is an asynchronous fdatasync on the file descriptor through libuv, which writes back the
 * mapping's dirty pages without blocking the event loop (a blocking msync would).
 */
import {
  closeSync,
  constants,
  fdatasync,
  fstatSync,
  ftruncateSync,
  openSync,
  read,
  readSync,
  statSync,
  unlinkSync,
  write,
  writeSync,
} from "node:fs";
import { basename } from "node:path";
import { createRequire } from "node:module";

/** The part of mmap-io we use (it is CommonJS and exports these directly; its typings disagree). */
interface MmapIo {
  map(size: number, protection: number, flags: number, fd: number, offset?: number): Buffer;
  advise(buffer: Buffer, offset: number, length: number, advise: number): void;
  readonly PROT_READ: number;
  readonly PROT_WRITE: number;
  readonly MAP_SHARED: number;
  readonly MADV_WILLNEED: number;
}
const mmap = createRequire(import.meta.url)("mmap-io") as MmapIo;

export const OS_PAGE_SIZE = 4096;
/** linux/mman.h: populate (prefault) page tables readable, faulting in all pages in the range. */
const MADV_POPULATE_READ = 22;

/** File name of a mapped file: its start offset, zero-padded to 20 digits. */
export function offset2FileName(offset: number): string {
  return String(offset).padStart(20, "0");
}

/** Zeros written ahead of the write position (see `prepareWrite`). */
const PREWRITE_CHUNK = 64 * 1024;
const ZEROS = Buffer.alloc(PREWRITE_CHUNK);
/** Read-ahead (commit log): chunk size, distance kept ahead of the writer, and where reads land. */
const READ_AHEAD_CHUNK = 1024 * 1024;
const READ_AHEAD_DISTANCE = 8 * 1024 * 1024;
const READ_AHEAD_SINK = Buffer.alloc(READ_AHEAD_CHUNK);
/** Warm-up writes (warmMapedFileEnable). */
const WARM_CHUNK = 1024 * 1024;
const WARM_ZEROS = Buffer.alloc(WARM_CHUNK);
/** One page read and written back by `ensureAllocated`. */
const PAGE_SCRATCH = Buffer.alloc(OS_PAGE_SIZE);

export class MappedFile {
  readonly fileFromOffset: number;
  readonly buffer: Buffer;
  private fd: number;
  wrotePosition = 0;
  flushedPosition = 0;
  /** Created as the first file of an empty queue (a consume queue then pre-fills blank entries). */
  firstCreateInQueue = false;
  /** Store time of the last message appended (for the checkpoint). */
  storeTimestamp = 0;
  private available = true;
  /** Bytes below this offset hold data or were pre-written with zeros through write(2). */
  private prewritten = 0;
  /** Pages `ensureAllocated` wrote back (one bit each), created on first use. */
  private allocatedPages: Uint8Array | null = null;
  /** Read ahead of the writer (the commit log; see `readAhead`). */
  readAheadEnabled = false;
  private readAheadIssued = 0;
  private readAheadBusy = false;
  private flushing: Promise<number> | null = null;
  /** A warm-up under way: its zero writes own the file until it ends (see `warm`). */
  private warming: { stop: boolean } | null = null;
  private closeWhenWarmEnds = false;

  private constructor(
    readonly fileName: string,
    readonly fileSize: number,
    fd: number,
    /** Bytes the file system had allocated when the file was opened: roughly how much data a sparse file holds. */
    readonly allocatedBytes: number,
  ) {
    this.fd = fd;
    this.fileFromOffset = Number(basename(fileName));
    this.buffer = mmap.map(fileSize, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0);
  }

  /** Open (creating if missing) and map a file of exactly `fileSize` bytes; new files are sparse zeros. */
  static open(fileName: string, fileSize: number): MappedFile {
    const fd = openSync(fileName, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      const st = fstatSync(fd);
      if (st.size < fileSize) ftruncateSync(fd, fileSize);
      return new MappedFile(fileName, fileSize, fd, Math.min(fileSize, st.blocks * 512));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /**
   * Make [wrotePosition, end) cheap to store into through the mapping. The first store to a page of
   * a sparse file allocates its block inside a page fault, under the filesystem journal: on ext4
   * that took 2–25 ms per page while a flush ran, on the event loop. Writing the zeros with
   * write(2) first goes through delayed allocation instead. Only bytes at or past the write
   * position are written, and they are zero already, so the content does not change. With the
   * read-ahead the pages are already in the page cache and this write only dirties them.
   * It is also what keeps a full file system from killing the process: a store into a hole that
   * cannot get a block is SIGBUS, while this write(2) throws ENOSPC (`isDiskFullError`) before the
   * caller stored anything — callers prepare before they write.
   */
  prepareWrite(end: number): void {
    if (end <= this.prewritten) return;
    if (this.readAheadEnabled) this.readAhead(end);
    let from = Math.max(this.prewritten, this.wrotePosition);
    const to = Math.min(this.fileSize, Math.ceil(end / PREWRITE_CHUNK) * PREWRITE_CHUNK);
    while (from < to) {
      from += writeSync(this.fd, ZEROS, 0, Math.min(PREWRITE_CHUNK, to - from), from);
    }
    this.prewritten = to;
  }

  /**
   * Make sure the pages of [pos, pos + length) have their file-system blocks before anything is
   * stored into them through the mapping, for writers that store anywhere in the file (index slots,
   * the checkpoint) rather than append. A store into a page that is a hole of the sparse file
   * allocates its block inside the page fault, and on a full file system that fault is SIGBUS: the
   * process dies (the JVM makes it an InternalError; Node cannot catch it). So each page not yet
   * known is written once with write(2) with its own current content — read with read(2), which
   * never allocates — which allocates it without changing a byte, or throws ENOSPC
   * (`isDiskFullError`) before anything was stored. A page that already had its block is merely
   * rewritten.
   */
  ensureAllocated(pos: number, length: number): void {
    if (length <= 0) return;
    const pages = (this.allocatedPages ??= new Uint8Array(Math.ceil(this.fileSize / OS_PAGE_SIZE / 8)));
    const last = Math.floor((Math.min(this.fileSize, pos + length) - 1) / OS_PAGE_SIZE);
    for (let page = Math.floor(pos / OS_PAGE_SIZE); page <= last; page++) {
      const bit = 1 << (page & 7);
      if ((pages[page >> 3] as number) & bit) continue;
      const from = page * OS_PAGE_SIZE;
      const size = Math.min(OS_PAGE_SIZE, this.fileSize - from);
      for (let done = 0; done < size;) {
        const n = readSync(this.fd, PAGE_SCRATCH, done, size - done, from + done);
        if (n === 0) PAGE_SCRATCH.fill(0, done, size); // past the end of a file cut short: zeros
        done = n === 0 ? size : done + n;
      }
      for (let wrote = 0; wrote < size;) wrote += writeSync(this.fd, PAGE_SCRATCH, wrote, size - wrote, from + wrote);
      pages[page >> 3] = (pages[page >> 3] as number) | bit;
    }
  }

  /**
   * Read the file ahead of the writer on libuv's thread pool. Reading a hole of a sparse file puts
   * zero-filled pages into the page cache; allocating them is the expensive part of the pre-write
   * (and of a first store through the mapping), and this moves it off the event loop. Reads never
   * change the file, so they cannot race with the writer.
   */
  private readAhead(end: number): void {
    if (this.readAheadBusy || this.fd < 0) return;
    const from = Math.max(this.readAheadIssued, this.wrotePosition - (this.wrotePosition % OS_PAGE_SIZE));
    if (from >= Math.min(this.fileSize, end + READ_AHEAD_DISTANCE)) return;
    const length = Math.min(READ_AHEAD_CHUNK, this.fileSize - from);
    this.readAheadBusy = true;
    this.readAheadIssued = from + length;
    read(this.fd, READ_AHEAD_SINK, 0, length, from, () => {
      this.readAheadBusy = false;
      // the descriptor may have been closed (even reused) meanwhile: a read changes nothing, and an
      // error just ends the read-ahead, which nothing depends on
      if (this.fd >= 0) this.readAhead(this.wrotePosition);
    });
  }

  /**
   * warmMapedFileEnable: write zeros over the whole file on the thread pool, with an fdatasync every
   * `forceEveryBytes` and at the end when `force` (SYNC_FLUSH), so that its blocks are allocated and
   * initialized before the writer comes; a group commit's fdatasync then writes data only instead of
   * allocating blocks under the journal. Java warms in its allocation thread and makes the put wait;
   * here the queue hands out a file only once its warm-up has ended and abandons one still warming
   * (`destroy` unlinks it; a write under way lands in the unlinked file). Resolves true when the
   * whole file was warmed.
   */
  warm(force: boolean, forceEveryBytes: number): Promise<boolean> {
    const state = { stop: false };
    this.warming = state;
    return new Promise((resolve) => {
      let pos = 0;
      let sinceForce = 0;
      const finish = (ok: boolean): void => {
        this.warming = null;
        if (this.closeWhenWarmEnds) this.closeDescriptor();
        else if (ok) this.prewritten = this.fileSize;
        resolve(ok);
      };
      const step = (): void => {
        if (state.stop) return finish(false);
        if (pos >= this.fileSize) {
          if (force) fdatasync(this.fd, (err) => finish(!err && !state.stop));
          else finish(true);
          return;
        }
        const length = Math.min(WARM_CHUNK, this.fileSize - pos);
        write(this.fd, WARM_ZEROS, 0, length, pos, (err) => {
          if (err) return finish(false);
          pos += length;
          sinceForce += length;
          if (!force || sinceForce < forceEveryBytes) return step();
          sinceForce = 0;
          fdatasync(this.fd, (e) => (e ? finish(false) : step()));
        });
      };
      step();
    });
  }

  /**
   * Ask the kernel to start reading the first `length` bytes now (madvise WILLNEED: asynchronous
   * read-ahead). Recovery touches thousands of consume-queue files one after the other; with a cold
   * page cache each first touch is a disk read, and hinting them all first lets those reads run
   * together instead of one at a time.
   */
  willNeed(length: number): void {
    const end = Math.min(this.fileSize, Math.ceil(length / OS_PAGE_SIZE) * OS_PAGE_SIZE);
    if (end <= 0 || !this.available) return;
    try {
      mmap.advise(this.buffer, 0, end, mmap.MADV_WILLNEED);
    } catch {
      // only a hint
    }
  }

  /**
   * Map the pages of [offset, offset + length) now (madvise MADV_POPULATE_READ, Linux 5.14+; a no-op
   * where unsupported), reading them from disk if needed. A recovery scan then reads the file without
   * one page fault per 4 KiB — on a warm page cache those faults were a third of its time.
   */
  populate(offset: number, length: number): void {
    const from = Math.max(0, offset - (offset % OS_PAGE_SIZE));
    const end = Math.min(this.fileSize, offset + length);
    if (end <= from || !this.available) return;
    try {
      mmap.advise(this.buffer, from, end - from, MADV_POPULATE_READ);
    } catch {
      // an older kernel: the pages fault in as they are read
    }
  }

  get isWarming(): boolean {
    return this.warming !== null;
  }

  get isAvailable(): boolean {
    return this.available;
  }

  isFull(): boolean {
    return this.wrotePosition === this.fileSize;
  }

  get remaining(): number {
    return this.fileSize - this.wrotePosition;
  }

  /** Copy `data` at the write position; false when it does not fit. */
  appendBytes(data: Buffer): boolean {
    if (this.wrotePosition + data.length > this.fileSize) return false;
    this.prepareWrite(this.wrotePosition + data.length);
    data.copy(this.buffer, this.wrotePosition);
    this.wrotePosition += data.length;
    return true;
  }

  /** A view of the written bytes from `pos` (to `pos + size`, or to the write position). */
  selectMappedBuffer(pos: number, size?: number): Buffer | null {
    const end = size === undefined ? this.wrotePosition : pos + size;
    if (pos < 0 || end > this.wrotePosition || pos > end) return null;
    return this.buffer.subarray(pos, end);
  }

  /** Java's isAbleToFlush: full file, or at least `leastPages` dirty pages (any dirty byte when 0). */
  private isAbleToFlush(leastPages: number): boolean {
    const write = this.wrotePosition;
    if (this.isFull()) return this.flushedPosition < write;
    if (leastPages > 0)
      return Math.floor(write / OS_PAGE_SIZE) - Math.floor(this.flushedPosition / OS_PAGE_SIZE) >= leastPages;
    return write > this.flushedPosition;
  }

  /** Flush if enough is dirty; resolves with the flushed position. Concurrent calls share one fdatasync. */
  flush(leastPages: number): Promise<number> {
    if (!this.isAbleToFlush(leastPages) || !this.available) return Promise.resolve(this.flushedPosition);
    if (this.flushing) return this.flushing.then(() => this.flush(leastPages));
    const value = this.wrotePosition;
    this.flushing = new Promise<number>((resolve, reject) => {
      fdatasync(this.fd, (err) => {
        this.flushing = null;
        if (err) return reject(err);
        this.flushedPosition = Math.max(this.flushedPosition, value);
        resolve(this.flushedPosition);
      });
    });
    return this.flushing;
  }

  lastModifiedTimestamp(): number {
    try {
      return statSync(this.fileName).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** Close and delete the file. The mapping itself is released when the Buffer is collected. */
  destroy(): void {
    if (!this.available) return;
    this.available = false;
    this.shutdown();
    try {
      unlinkSync(this.fileName);
    } catch {
      // already gone
    }
  }

  /** Close the descriptor, keeping the file. A warm-up under way stops, and closes it after its last write. */
  shutdown(): void {
    this.available = false;
    if (this.warming) {
      // closing now could hand the descriptor number to another file before that write runs
      this.warming.stop = true;
      this.closeWhenWarmEnds = true;
      return;
    }
    this.closeDescriptor();
  }

  private closeDescriptor(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
