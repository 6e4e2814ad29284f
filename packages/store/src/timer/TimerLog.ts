/**
 * `{storePathRootDir}/timerlog/`: Java 5.3.3's TimerLog, a queue of mapped files (mappedFileSizeTimerLog,
 * 100 MiB by default) of 52-byte units, appended in write order; each unit links to the previous unit
 * of the same wheel slot. Layout (big-endian, byte-exact with Java so either broker reads the other's):
 *
 *   +0  int  size (52)            +4  long prevPos (previous unit of the slot, −1 none)
 *   +12 int  magic (1 default, 2 roll, 4 delete)
 *   +16 long enqueueTime (the timer's write time when appended)
 *   +24 int  delay (delayedTime − enqueueTime)
 *   +28 long commit-log offset    +36 int  message size
 *   +40 int  real topic hash (Java String.hashCode)   +44 long reserved (0)
 *
 * A unit that would leave less than 16 bytes at the file end is not written there: the end gets a
 * blank `int remaining | long 0 | int BLANK_MAGIC_CODE` and the unit starts the next file.
 */
import { readLong, writeLong } from "@rocketmq-ts/common";
import type { MappedFile } from "../MappedFile.js";
import { MappedFileQueue } from "../MappedFileQueue.js";
import { isMagicOK } from "./TimerConstants.js";

export const UNIT_SIZE = 52;
/** Offset of the commit-log offset inside a unit (Java's UNIT_PRE_SIZE_FOR_MSG). */
export const UNIT_PRE_SIZE_FOR_MSG = 28;
const MIN_BLANK_LEN = 16;
/** 0xBBCCDDEE ^ (1880681586 + 8), as a signed int. */
export const BLANK_MAGIC_CODE = (0xbbccddee ^ 1880681594) | 0;

export interface TimerLogUnit {
  /** Position of the previous unit of the same slot, −1 for none. */
  prevPos: number;
  magic: number;
  enqueueTime: number;
  /** delayedTime − enqueueTime. */
  delay: number;
  offsetPy: number;
  sizePy: number;
  topicHash: number;
}

export function encodeUnit(u: TimerLogUnit, out: Buffer = Buffer.alloc(UNIT_SIZE), at = 0): Buffer {
  out.writeInt32BE(UNIT_SIZE, at);
  writeLong(out, u.prevPos, at + 4);
  out.writeInt32BE(u.magic, at + 12);
  writeLong(out, u.enqueueTime, at + 16);
  out.writeInt32BE(u.delay | 0, at + 24);
  writeLong(out, u.offsetPy, at + 28);
  out.writeInt32BE(u.sizePy, at + 36);
  out.writeInt32BE(u.topicHash | 0, at + 40);
  writeLong(out, 0, at + 44);
  return out;
}

/** The unit at `pos` of `buf` (no validation: see `isValidUnit`). */
export function decodeUnit(buf: Buffer, pos: number): TimerLogUnit & { size: number } {
  return {
    size: buf.readInt32BE(pos),
    prevPos: readLong(buf, pos + 4),
    magic: buf.readInt32BE(pos + 12),
    enqueueTime: readLong(buf, pos + 16),
    delay: buf.readInt32BE(pos + 24),
    offsetPy: readLong(buf, pos + 28),
    sizePy: buf.readInt32BE(pos + 36),
    topicHash: buf.readInt32BE(pos + 40),
  };
}

/** Java's getOffsetForLastUnit: where the last unit of a full file starts. */
export function offsetForLastUnit(fileSize: number): number {
  return fileSize - ((fileSize - MIN_BLANK_LEN) % UNIT_SIZE) - MIN_BLANK_LEN - UNIT_SIZE;
}

export class TimerLog {
  readonly mappedFileQueue: MappedFileQueue;
  private readonly scratch = Buffer.alloc(UNIT_SIZE);

  constructor(
    storePath: string,
    readonly fileSize: number,
  ) {
    this.mappedFileQueue = new MappedFileQueue(storePath, fileSize);
  }

  load(): void {
    this.mappedFileQueue.load();
  }

  /** Append one unit; its position. Throws when the file system refuses the write (ENOSPC). */
  append(unit: TimerLogUnit): number {
    let file = this.mappedFileQueue.getLastMappedFile(0, true) as MappedFile;
    if (UNIT_SIZE + MIN_BLANK_LEN > file.remaining) {
      const blank = Buffer.alloc(MIN_BLANK_LEN);
      blank.writeInt32BE(file.remaining, 0);
      blank.writeInt32BE(BLANK_MAGIC_CODE, 12);
      file.appendBytes(blank);
      file.wrotePosition = file.fileSize;
      file = this.mappedFileQueue.getLastMappedFile(0, true) as MappedFile;
    }
    const pos = file.fileFromOffset + file.wrotePosition;
    file.appendBytes(encodeUnit(unit, this.scratch));
    return pos;
  }

  /** The unit at a timer-log position, or null when no file holds it. */
  getUnit(pos: number): (TimerLogUnit & { size: number }) | null {
    const file = this.mappedFileQueue.findMappedFileByOffset(pos);
    if (!file) return null;
    const at = pos - file.fileFromOffset;
    if (at + UNIT_SIZE > file.fileSize) return null;
    return decodeUnit(file.buffer, at);
  }

  getMaxOffset(): number {
    return this.mappedFileQueue.getMaxOffset();
  }

  /**
   * Java's recoverAndRevise: walk the units from the file holding `beginOffset` on, calling
   * `onUnit(delayedTime, pos)` for each valid one. With `checkTimerLog` the walk covers whole files,
   * stops at the first invalid unit, and the log is truncated there; without, it reads to each
   * file's write position. Returns the offset where the walk ended.
   */
  recoverAndRevise(
    beginOffset: number,
    checkTimerLog: boolean,
    onUnit: (delayedTime: number, pos: number) => void,
  ): number {
    const files = this.mappedFileQueue.files;
    if (files.length === 0) return 0;
    let index = files.length - 1;
    while (index > 0 && beginOffset < (files[index] as MappedFile).fileFromOffset) index--;
    let checkOffset = (files[index] as MappedFile).fileFromOffset;
    for (; index < files.length; index++) {
      const file = files[index] as MappedFile;
      const end = checkTimerLog ? file.fileSize : file.wrotePosition;
      const buf = file.buffer;
      let position = 0;
      let stop = false;
      for (; position + MIN_BLANK_LEN <= end; position += UNIT_SIZE) {
        const size = buf.readInt32BE(position);
        const magic = buf.readInt32BE(position + 12);
        if (magic === BLANK_MAGIC_CODE) break;
        const valid = size === UNIT_SIZE && isMagicOK(magic) && position + UNIT_SIZE <= end;
        if (checkTimerLog && !valid) {
          stop = true;
          break;
        }
        if (valid)
          onUnit(readLong(buf, position + 16) + buf.readInt32BE(position + 24), file.fileFromOffset + position);
      }
      checkOffset = file.fileFromOffset + Math.min(position, file.fileSize);
      if (stop) break;
    }
    if (checkTimerLog) {
      this.mappedFileQueue.truncateDirtyFiles(checkOffset);
      this.mappedFileQueue.flushedWhere = checkOffset;
    }
    return checkOffset;
  }

  /**
   * Java's deleteExpiredFileByOffsetForTimerLog: delete leading files (never the last) whose last
   * unit refers to a commit-log offset below `minPhyOffset`. Returns how many went.
   */
  deleteExpiredFiles(minPhyOffset: number): number {
    const files = this.mappedFileQueue.files;
    const lastUnit = offsetForLastUnit(this.fileSize);
    const gone: MappedFile[] = [];
    for (let i = 0; i < files.length - 1; i++) {
      const file = files[i] as MappedFile;
      const buf = file.buffer;
      if (buf.readInt32BE(lastUnit) !== UNIT_SIZE || !isMagicOK(buf.readInt32BE(lastUnit + 12))) break;
      if (readLong(buf, lastUnit + UNIT_PRE_SIZE_FOR_MSG) >= minPhyOffset) break;
      gone.push(file);
    }
    if (gone.length > 0) this.mappedFileQueue.deleteFiles(gone);
    return gone.length;
  }

  flush(): Promise<boolean> {
    return this.mappedFileQueue.flush(0);
  }

  shutdown(): void {
    this.mappedFileQueue.shutdown();
  }
}
