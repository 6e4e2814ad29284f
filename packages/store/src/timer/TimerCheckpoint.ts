/**
 * `{storePathRootDir}/config/timercheck`: Java 5.3.3's TimerCheckpoint, one mapped 4096-byte page of
 * which 56 bytes are used (big-endian longs):
 *
 *   0 lastReadTimeMs   8 lastTimerLogFlushPos   16 lastTimerQueueOffset   24 masterTimerQueueOffset
 *   32 dataVersion.stateVersion   40 dataVersion.timestamp   48 dataVersion.counter
 *
 * A new file starts with zeros and a data-version timestamp of now, as Java's.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { readLong, writeLong } from "@rocketmq-ts/common";
import { MappedFile, OS_PAGE_SIZE } from "../MappedFile.js";

export const TIMER_CHECKPOINT_SIZE = 56;

/** Java's BrokerPathConfigHelper.getTimerCheckPath. */
export function timerCheckPath(storePathRootDir: string): string {
  return join(storePathRootDir, "config", "timercheck");
}

export interface TimerCheckpointData {
  lastReadTimeMs: number;
  lastTimerLogFlushPos: number;
  lastTimerQueueOffset: number;
  masterTimerQueueOffset: number;
  stateVersion: number;
  timestamp: number;
  counter: number;
}

export function encodeTimerCheckpoint(
  d: TimerCheckpointData,
  out: Buffer = Buffer.alloc(TIMER_CHECKPOINT_SIZE),
): Buffer {
  writeLong(out, d.lastReadTimeMs, 0);
  writeLong(out, d.lastTimerLogFlushPos, 8);
  writeLong(out, d.lastTimerQueueOffset, 16);
  writeLong(out, d.masterTimerQueueOffset, 24);
  writeLong(out, d.stateVersion, 32);
  writeLong(out, d.timestamp, 40);
  writeLong(out, d.counter, 48);
  return out;
}

export function decodeTimerCheckpoint(b: Buffer): TimerCheckpointData {
  return {
    lastReadTimeMs: readLong(b, 0),
    lastTimerLogFlushPos: readLong(b, 8),
    lastTimerQueueOffset: readLong(b, 16),
    masterTimerQueueOffset: readLong(b, 24),
    stateVersion: readLong(b, 32),
    timestamp: readLong(b, 40),
    counter: readLong(b, 48),
  };
}

export class TimerCheckpoint implements TimerCheckpointData {
  lastReadTimeMs = 0;
  lastTimerLogFlushPos = 0;
  lastTimerQueueOffset = 0;
  masterTimerQueueOffset = 0;
  stateVersion = 0;
  timestamp: number;
  counter = 0;
  private readonly file: MappedFile;
  private flushed = false;

  constructor(path: string, now: () => number = Date.now) {
    this.timestamp = now();
    const existed = existsSync(path);
    mkdirSync(dirname(path), { recursive: true });
    this.file = MappedFile.open(path, OS_PAGE_SIZE);
    try {
      this.file.ensureAllocated(0, OS_PAGE_SIZE);
    } catch (err) {
      this.file.shutdown();
      throw err;
    }
    if (existed) Object.assign(this, decodeTimerCheckpoint(this.file.buffer));
  }

  /** DataVersion.nextVersion(stateVersion). */
  updateDataVersion(stateVersion: number, now: number): void {
    this.timestamp = now;
    this.stateVersion = stateVersion;
    this.counter++;
  }

  /** Write the values and fdatasync the page (skipped while nothing changed since the last flush). */
  async flush(): Promise<void> {
    const bytes = encodeTimerCheckpoint(this);
    if (this.flushed && bytes.equals(this.file.buffer.subarray(0, TIMER_CHECKPOINT_SIZE))) return;
    bytes.copy(this.file.buffer);
    this.flushed = false;
    this.file.wrotePosition = OS_PAGE_SIZE;
    this.file.flushedPosition = 0;
    await this.file.flush(0);
    this.flushed = true;
  }

  shutdown(): void {
    this.file.shutdown();
  }
}
