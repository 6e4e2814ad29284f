/**
 * A directory of equally sized mapped files named by start offset: the commit log or one consume
 * queue. Loads with Java's strict rules, creates the next file ahead of need (off the append path),
 * flushes the file holding the flush position, truncates and deletes.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { MappedFile, offset2FileName } from "./MappedFile.js";

export class StoreLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreLoadError";
  }
}

export interface MappedFileQueueOptions {
  /** Create the next file in the background before it is needed (the commit log). */
  preallocate?: boolean;
  /** Read files ahead of the writer (MappedFile.readAhead): for the commit log's sequential stream. */
  readAhead?: boolean;
  /** warmMapedFileEnable: warm pre-created files (MappedFile.warm). */
  warm?: { force: boolean; forceEveryBytes: number };
}

export class MappedFileQueue {
  readonly files: MappedFile[] = [];
  flushedWhere = 0;
  private preallocated: MappedFile | null = null;
  private preallocating = false;
  /** A pre-created file dropped while its warm-up was still writing (see getLastMappedFile). */
  private abandoned: MappedFile | null = null;
  /** Shut down: a pre-creation already scheduled must not run. */
  private closed = false;

  constructor(
    readonly storePath: string,
    readonly mappedFileSize: number,
    private readonly options: MappedFileQueueOptions = {},
  ) {}

  private open(path: string): MappedFile {
    const file = MappedFile.open(path, this.mappedFileSize);
    file.readAheadEnabled = this.options.readAhead === true;
    return file;
  }

  /** Map every file of the directory in name order; each must be exactly the configured size. */
  load(): void {
    if (!existsSync(this.storePath)) return;
    const names = readdirSync(this.storePath).sort();
    for (const [i, name] of names.entries()) {
      const path = join(this.storePath, name);
      const st = statSync(path);
      if (i === names.length - 1 && st.isFile() && st.size === 0) {
        // a crash between creating and sizing the newest file (Java 5.x drops it too)
        unlinkSync(path);
        continue;
      }
      if (!/^\d{20}$/.test(name) || !st.isFile()) {
        throw new StoreLoadError(`${path} is not a mapped file (a name of 20 digits is expected)`);
      }
      if (st.size !== this.mappedFileSize) {
        throw new StoreLoadError(
          `${path} length ${st.size} not matched message store config value ${this.mappedFileSize}, please check it manually`,
        );
      }
      const file = this.open(path);
      file.wrotePosition = this.mappedFileSize;
      file.flushedPosition = this.mappedFileSize;
      this.files.push(file);
    }
  }

  get lastMappedFile(): MappedFile | undefined {
    return this.files[this.files.length - 1];
  }

  get firstMappedFile(): MappedFile | undefined {
    return this.files[0];
  }

  /**
   * The file to append to: the last one unless full; a new one (at `startOffset` rounded down to a
   * file boundary when the queue is empty) when needed and `create` is set.
   */
  getLastMappedFile(startOffset = 0, create = true): MappedFile | null {
    const last = this.lastMappedFile;
    if (last && !last.isFull()) return last;
    if (!create) return last ?? null;
    const createOffset = last
      ? last.fileFromOffset + this.mappedFileSize
      : startOffset - (startOffset % this.mappedFileSize);
    let file: MappedFile;
    if (this.preallocated?.isWarming) {
      // never shared with its warm-up: unlinked, its last zero write lands in the old inode
      this.abandoned = this.preallocated;
      this.discardPreallocated();
    }
    const abandoned = this.abandoned;
    if (abandoned?.isWarming && abandoned.fileFromOffset === createOffset && existsSync(abandoned.fileName)) {
      // the unlink failed: that write could still land on the writer's data
      throw new Error(`${abandoned.fileName} is still being warmed and could not be removed`);
    }
    if (this.preallocated && this.preallocated.fileFromOffset === createOffset) {
      file = this.preallocated;
      this.preallocated = null;
    } else {
      mkdirSync(this.storePath, { recursive: true });
      file = this.open(join(this.storePath, offset2FileName(createOffset)));
    }
    file.firstCreateInQueue = this.files.length === 0;
    this.files.push(file);
    if (this.options.preallocate) this.scheduleNext(createOffset + this.mappedFileSize);
    return file;
  }

  /** Create the file after the current one in the background (Java's AllocateMappedFileService). */
  private scheduleNext(offset: number): void {
    if (this.preallocating || this.preallocated?.fileFromOffset === offset) return;
    this.preallocating = true;
    setImmediate(() => {
      this.preallocating = false;
      try {
        if (this.closed || (this.lastMappedFile && this.lastMappedFile.fileFromOffset >= offset)) return;
        mkdirSync(this.storePath, { recursive: true });
        this.preallocated?.destroy();
        const file = this.open(join(this.storePath, offset2FileName(offset)));
        if (file.allocatedBytes > 0) {
          // a file that holds something is not ours to pre-create (nor to warm or delete unused)
          file.shutdown();
          return;
        }
        this.preallocated = file;
        const warm = this.options.warm;
        if (warm) void file.warm(warm.force, warm.forceEveryBytes);
      } catch {
        // created on demand instead
      }
    });
  }

  /**
   * Pre-create the file the writer will need after the last one (the first file of an empty queue)
   * now, at start, so that a warm-up has time to run before the first put reaches it.
   */
  preallocateNext(): void {
    const last = this.lastMappedFile;
    this.scheduleNext(last ? last.fileFromOffset + this.mappedFileSize : 0);
  }

  /** Drop a pre-created file that was never used (clean shutdown leaves none behind, as Java). */
  discardPreallocated(): void {
    this.preallocated?.destroy();
    this.preallocated = null;
  }

  findMappedFileByOffset(offset: number, returnFirstOnNotFound = false): MappedFile | null {
    const first = this.firstMappedFile;
    const last = this.lastMappedFile;
    if (!first || !last) return null;
    if (offset < first.fileFromOffset || offset >= last.fileFromOffset + this.mappedFileSize) {
      return returnFirstOnNotFound ? first : null;
    }
    const index = Math.floor(offset / this.mappedFileSize) - Math.floor(first.fileFromOffset / this.mappedFileSize);
    const candidate = this.files[index];
    if (candidate && offset >= candidate.fileFromOffset && offset < candidate.fileFromOffset + this.mappedFileSize)
      return candidate;
    return (
      this.files.find((f) => offset >= f.fileFromOffset && offset < f.fileFromOffset + this.mappedFileSize) ??
      (returnFirstOnNotFound ? first : null)
    );
  }

  getMinOffset(): number {
    const first = this.firstMappedFile;
    return first ? first.fileFromOffset : -1;
  }

  /** End of written data. */
  getMaxOffset(): number {
    const last = this.lastMappedFile;
    return last ? last.fileFromOffset + last.wrotePosition : 0;
  }

  /** Flush the file holding the flush position; true when nothing was flushed. */
  async flush(leastPages: number): Promise<boolean> {
    const file = this.findMappedFileByOffset(this.flushedWhere, this.flushedWhere === 0);
    if (!file) return true;
    const position = await file.flush(leastPages);
    const where = file.fileFromOffset + position;
    const nothing = where === this.flushedWhere;
    this.flushedWhere = Math.max(this.flushedWhere, where);
    return nothing;
  }

  /** Set positions so that `offset` is the end of data; delete every file after it. */
  truncateDirtyFiles(offset: number): void {
    const keep: MappedFile[] = [];
    for (const file of this.files) {
      const fileTail = file.fileFromOffset + this.mappedFileSize;
      if (fileTail > offset) {
        if (offset >= file.fileFromOffset) {
          const pos = offset % this.mappedFileSize;
          file.wrotePosition = pos;
          file.flushedPosition = pos;
          keep.push(file);
        } else {
          file.destroy();
        }
      } else keep.push(file);
    }
    this.files.splice(0, this.files.length, ...keep);
  }

  /** Remove (and delete) the given leading files. */
  deleteFiles(files: readonly MappedFile[]): void {
    for (const f of files) f.destroy();
    const gone = new Set(files);
    const kept = this.files.filter((f) => !gone.has(f));
    this.files.splice(0, this.files.length, ...kept);
  }

  /** Shut down or destroyed: no file is to be created or deleted any more. */
  get isClosed(): boolean {
    return this.closed;
  }

  shutdown(): void {
    this.closed = true;
    this.discardPreallocated();
    for (const f of this.files) f.shutdown();
  }

  destroy(): void {
    this.closed = true;
    this.discardPreallocated();
    for (const f of this.files) f.destroy();
    this.files.length = 0;
    this.flushedWhere = 0;
    // the directory goes too when nothing else is left in it (as Java's)
    try {
      rmdirSync(this.storePath);
    } catch {
      // absent, or not empty
    }
  }
}
