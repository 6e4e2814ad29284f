/**
 * `{storePathRootDir}/timerwheel`: Java 5.3.3's TimerWheel, one file of 2 · slotsTotal slots of 32
 * bytes (slotsTotal = 7 days of seconds: 38,707,200 bytes). The slot of time T is
 * (T / precision) mod (2 · slotsTotal); it holds, big-endian:
 *
 *   +0 long T / precision   +8 long firstPos   +16 long lastPos   +24 int num   +28 int magic
 *
 * and counts for T only while its first long equals T / precision (else it is empty for T). A file
 * of another length is refused at start, as Java. The file is sparse until slots are written; each
 * page gets its block before the first store into it (MappedFile.ensureAllocated), so a full disk
 * throws ENOSPC instead of killing the process.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { readLong, writeLong } from "@rocketmq-ts/common";
import { MappedFile } from "../MappedFile.js";

export const SLOT_SIZE = 32;

export interface Slot {
  /** The slot's time (ms, a multiple of the precision), −1 for an empty slot. */
  timeMs: number;
  firstPos: number;
  lastPos: number;
  num: number;
  magic: number;
}

const EMPTY: Readonly<Slot> = { timeMs: -1, firstPos: -1, lastPos: -1, num: 0, magic: 0 };

export class TimerWheelLengthError extends Error {}

export class TimerWheel {
  readonly wheelLength: number;
  private readonly file: MappedFile;
  private dirty = false;

  constructor(
    readonly fileName: string,
    readonly slotsTotal: number,
    readonly precisionMs: number,
  ) {
    this.wheelLength = slotsTotal * 2 * SLOT_SIZE;
    if (existsSync(fileName)) {
      const size = statSync(fileName).size;
      if (size !== 0 && size !== this.wheelLength)
        throw new TimerWheelLengthError(`Timer wheel length:${size} != expected:${this.wheelLength}`);
    }
    mkdirSync(dirname(fileName), { recursive: true });
    this.file = MappedFile.open(fileName, this.wheelLength);
  }

  getSlotIndex(timeMs: number): number {
    return Math.floor(timeMs / this.precisionMs) % (this.slotsTotal * 2);
  }

  /** The slot as stored, whatever time it belongs to. */
  getRawSlot(timeMs: number): Slot {
    const at = this.getSlotIndex(timeMs) * SLOT_SIZE;
    const b = this.file.buffer;
    return {
      timeMs: readLong(b, at) * this.precisionMs,
      firstPos: readLong(b, at + 8),
      lastPos: readLong(b, at + 16),
      num: b.readInt32BE(at + 24),
      magic: b.readInt32BE(at + 28),
    };
  }

  /** The slot of `timeMs`, or an empty one (timeMs −1) when the stored slot is another time's. */
  getSlot(timeMs: number): Slot {
    const slot = this.getRawSlot(timeMs);
    return slot.timeMs === this.floor(timeMs) ? slot : { ...EMPTY };
  }

  /** Write a whole slot (num and magic included when given; Java's 3-argument form leaves them). */
  putSlot(timeMs: number, firstPos: number, lastPos: number, num?: number, magic?: number): void {
    const at = this.getSlotIndex(timeMs) * SLOT_SIZE;
    this.file.ensureAllocated(at, SLOT_SIZE);
    const b = this.file.buffer;
    writeLong(b, Math.floor(timeMs / this.precisionMs), at);
    writeLong(b, firstPos, at + 8);
    writeLong(b, lastPos, at + 16);
    if (num !== undefined) b.writeInt32BE(num | 0, at + 24);
    if (magic !== undefined) b.writeInt32BE(magic | 0, at + 28);
    this.dirty = true;
  }

  /**
   * Java's reviseSlot (recovery): on the slot of `timeMs` set firstPos / lastPos (−1 leaves one
   * as is); a slot holding another time is overwritten only when `force`.
   */
  reviseSlot(timeMs: number, firstPos: number, lastPos: number, force: boolean): void {
    const at = this.getSlotIndex(timeMs) * SLOT_SIZE;
    if (readLong(this.file.buffer, at) !== Math.floor(timeMs / this.precisionMs)) {
      if (force) this.putSlot(timeMs, firstPos !== -1 ? firstPos : lastPos, lastPos);
      return;
    }
    this.file.ensureAllocated(at, SLOT_SIZE);
    if (firstPos !== -1) writeLong(this.file.buffer, firstPos, at + 8);
    if (lastPos !== -1) writeLong(this.file.buffer, lastPos, at + 16);
    this.dirty = true;
  }

  /**
   * Java's checkPhyPos: the smallest firstPos of the slots from `timeStartMs` on (one full turn)
   * whose lastPos lies beyond `maxOffset`: where the timer log must be re-read from to re-point them.
   */
  checkPhyPos(timeStartMs: number, maxOffset: number): number {
    let minFirst = Number.MAX_SAFE_INTEGER;
    const total = this.slotsTotal * 2;
    const first = this.getSlotIndex(timeStartMs);
    const start = Math.floor(timeStartMs / this.precisionMs);
    const b = this.file.buffer;
    for (let i = 0; i < total; i++) {
      const at = ((first + i) % total) * SLOT_SIZE;
      if (readLong(b, at) !== start + i) continue;
      const firstPos = readLong(b, at + 8);
      if (readLong(b, at + 16) > maxOffset && firstPos < minFirst) minFirst = firstPos;
    }
    return minFirst;
  }

  /** Messages counted in the slot of `timeMs`. */
  getNum(timeMs: number): number {
    return this.getSlot(timeMs).num;
  }

  /** Messages counted in every slot from `timeStartMs` on (one full turn). */
  getAllNum(timeStartMs: number): number {
    let all = 0;
    const total = this.slotsTotal * 2;
    const first = this.getSlotIndex(timeStartMs);
    const start = Math.floor(timeStartMs / this.precisionMs);
    const b = this.file.buffer;
    for (let i = 0; i < total; i++) {
      const at = ((first + i) % total) * SLOT_SIZE;
      if (readLong(b, at) === start + i) all += b.readInt32BE(at + 24);
    }
    return all;
  }

  private floor(timeMs: number): number {
    return Math.floor(timeMs / this.precisionMs) * this.precisionMs;
  }

  /** Write the wheel's dirty pages to disk (fdatasync, off the event loop). */
  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    this.file.wrotePosition = this.wheelLength;
    this.file.flushedPosition = 0;
    await this.file.flush(0);
  }

  shutdown(): void {
    this.file.shutdown();
  }
}
