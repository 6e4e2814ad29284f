/**
 * DLedger's MmapFileList over the store package's MappedFileQueue: a directory of equally sized
 * mapped files named by start offset (the data files or the index files), with DLedger's rules:
 * an append that does not fit in the rest of a file (plus 8 bytes, when blanks are used) first
 * fills that rest with a BLANK entry (magic -1, then the length of the rest, then zeros) and goes
 * to the next file; truncation keeps the files before the offset and deletes those after; the first
 * file may start at a position inside it (`resetOffset`, after a rebuild or when the index follows
 * the first data entry).
 */
import { setTimeout as delay } from "node:timers/promises";
import { MappedFileQueue, type MappedFile } from "@rocketmq-ts/store";

export const MIN_BLANK_LEN = 8;
export const BLANK_MAGIC_CODE = -1;
const DELETE_FILES_BATCH_MAX = 10;

export class MmapFileList {
  private readonly queue: MappedFileQueue;
  /** Positions inside a file before which it holds nothing (Java's per-file startPosition). */
  private readonly startPositions = new WeakMap<MappedFile, number>();

  /**
   * `readAhead`: appends come one after another at the end (the data and index files), so the files
   * are read ahead of the writer as the commit log's are (MappedFile.readAhead): the pages the
   * append's pre-write (MappedFile.prepareWrite) then dirties are in the page cache already.
   */
  constructor(
    readonly storePath: string,
    readonly mappedFileSize: number,
    readAhead = false,
  ) {
    this.queue = new MappedFileQueue(storePath, mappedFileSize, { readAhead });
  }

  /** Map every file of the directory; throws StoreLoadError on a file of another size. */
  load(): void {
    this.queue.load();
  }

  get mappedFiles(): readonly MappedFile[] {
    return this.queue.files;
  }

  get firstMappedFile(): MappedFile | undefined {
    return this.queue.firstMappedFile;
  }

  get lastMappedFile(): MappedFile | undefined {
    return this.queue.lastMappedFile;
  }

  get flushedWhere(): number {
    return this.queue.flushedWhere;
  }

  set flushedWhere(where: number) {
    this.queue.flushedWhere = where;
  }

  startPosition(file: MappedFile): number {
    return this.startPositions.get(file) ?? 0;
  }

  /**
   * The file to append to; when full (or none), a new one after it (the first one at `startOffset`
   * rounded down to a file start: RocketMQ begins a DLedger log after an old commit log this way).
   */
  getLastMappedFile(startOffset = 0, create = true): MappedFile | null {
    return this.queue.getLastMappedFile(startOffset, create);
  }

  /** Files follow each other without gaps. */
  checkSelf(): boolean {
    const files = this.queue.files;
    for (let i = 1; i < files.length; i++) {
      if ((files[i] as MappedFile).fileFromOffset - (files[i - 1] as MappedFile).fileFromOffset !== this.mappedFileSize)
        return false;
    }
    return true;
  }

  getMinOffset(): number {
    const first = this.firstMappedFile;
    return first ? first.fileFromOffset + this.startPosition(first) : 0;
  }

  getMaxWrotePosition(): number {
    return this.queue.getMaxOffset();
  }

  findMappedFileByOffset(offset: number, returnFirstOnNotFound = false): MappedFile | null {
    return this.queue.findMappedFileByOffset(offset, returnFirstOnNotFound);
  }

  /**
   * Where `length` bytes would be written: in the last file if they fit (leaving MIN_BLANK_LEN for
   * a blank when `useBlank`), else at the start of the next file after filling the rest of this
   * one with a blank. -1 when no file can take them.
   */
  preAppend(length: number, useBlank = true): number {
    let file = this.queue.getLastMappedFile(0, true);
    if (!file) return -1;
    const blank = useBlank ? MIN_BLANK_LEN : 0;
    if (length + blank > file.fileSize - file.wrotePosition) {
      if (blank < MIN_BLANK_LEN) return -1;
      const rest = Buffer.alloc(file.fileSize - file.wrotePosition);
      rest.writeInt32BE(BLANK_MAGIC_CODE, 0);
      rest.writeInt32BE(rest.length, 4);
      if (!file.appendBytes(rest)) return -1;
      file = this.queue.getLastMappedFile(0, true);
      if (!file) return -1;
      if (length + blank > file.fileSize) return -1;
    }
    return file.fileFromOffset + file.wrotePosition;
  }

  /** Append `data` (see preAppend); its position, or -1. */
  append(data: Buffer, useBlank = true): number {
    if (this.preAppend(data.length, useBlank) === -1) return -1;
    const file = this.lastMappedFile as MappedFile;
    const position = file.fileFromOffset + file.wrotePosition;
    return file.appendBytes(data) ? position : -1;
  }

  /**
   * A view of the written bytes at `offset`: `size` bytes, or up to the end of the written data of
   * its file. Null outside the written data (a view never crosses a file end).
   */
  getData(offset: number, size?: number): Buffer | null {
    const file = this.findMappedFileByOffset(offset, offset === 0);
    if (!file) return null;
    const pos = offset % this.mappedFileSize;
    if (size === undefined && pos >= file.wrotePosition) return null;
    return file.selectMappedBuffer(pos, size);
  }

  /** Make `offset` the end of the data: positions of the file holding it set there, later files deleted. */
  truncateOffset(offset: number): void {
    this.queue.truncateDirtyFiles(offset);
  }

  /**
   * Zero the written bytes from `offset` to the end of the data (a deliberate addition to Java's
   * truncation, which leaves them: stale entries past the end can then never be taken for data).
   */
  clearFrom(offset: number): void {
    const end = this.getMaxWrotePosition();
    for (const file of this.queue.files) {
      const from = Math.max(offset, file.fileFromOffset);
      const to = Math.min(end, file.fileFromOffset + file.wrotePosition);
      if (from < to) file.buffer.fill(0, from - file.fileFromOffset, to - file.fileFromOffset);
    }
  }

  /** Make `offset` the start of the data: files wholly before it deleted, the one holding it starts there. */
  resetOffset(offset: number): void {
    const gone: MappedFile[] = [];
    for (const file of this.queue.files) {
      if (file.fileFromOffset > offset) continue;
      if (offset < file.fileFromOffset + this.mappedFileSize) {
        this.startPositions.set(file, offset % this.mappedFileSize);
      } else gone.push(file);
    }
    this.queue.deleteFiles(gone);
  }

  /** Drop every file and start again with one file whose data starts and ends at `pos`. */
  rebuildWithPos(pos: number): boolean {
    this.queue.deleteFiles([...this.queue.files]);
    this.queue.getLastMappedFile(pos, true);
    this.truncateOffset(pos);
    this.resetOffset(pos);
    return pos === this.getMaxWrotePosition() && pos === this.getMinOffset();
  }

  /** Set the flush position, unless it is past the written data. */
  updateWherePosition(where: number): void {
    if (where > this.getMaxWrotePosition()) return;
    this.queue.flushedWhere = where;
  }

  /** Flush the file holding the flush position and move the position to what that file flushed. */
  async flush(leastPages = 0): Promise<void> {
    const file = this.findMappedFileByOffset(this.flushedWhere, this.flushedWhere === 0);
    if (!file) return;
    const position = await file.flush(leastPages);
    this.queue.flushedWhere = file.fileFromOffset + position;
  }

  /**
   * Delete leading files (never the last) last modified more than `expiredMs` before `now`, or all
   * of them when `cleanImmediately`; at most 10 per call, `deleteFilesInterval` ms apart. How many went.
   */
  async deleteExpiredFileByTime(
    expiredMs: number,
    deleteFilesInterval: number,
    cleanImmediately: boolean,
    now: number,
  ): Promise<number> {
    const files = [...this.queue.files];
    const gone: MappedFile[] = [];
    for (let i = 0; i < files.length - 1; i++) {
      const file = files[i] as MappedFile;
      if (!cleanImmediately && now < file.lastModifiedTimestamp() + expiredMs) break;
      file.destroy();
      gone.push(file);
      if (gone.length >= DELETE_FILES_BATCH_MAX) break;
      if (deleteFilesInterval > 0 && i + 1 < files.length - 1) await delay(deleteFilesInterval);
    }
    this.queue.deleteFiles(gone);
    return gone.length;
  }

  shutdown(): void {
    this.queue.shutdown();
  }

  destroy(): void {
    this.queue.destroy();
  }
}
