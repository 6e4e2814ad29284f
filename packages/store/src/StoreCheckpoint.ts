/** The 4096-byte `checkpoint` file: physic, logics and index message timestamps (store-ha-config.md §5.1). */
import { readLong, writeLong } from "@rocketmq-ts/common";
import { MappedFile } from "./MappedFile.js";

export class StoreCheckpoint {
  private readonly file: MappedFile;
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;

  /**
   * Opens (creating) the file. Its page gets its block now (MappedFile.ensureAllocated): a new
   * checkpoint is a hole, and the first flush storing into it on a full disk would be SIGBUS; here a
   * full disk throws ENOSPC at load instead.
   */
  constructor(path: string) {
    this.file = MappedFile.open(path, 4096);
    try {
      this.file.ensureAllocated(0, 4096);
    } catch (err) {
      this.file.shutdown();
      throw err;
    }
    const b = this.file.buffer;
    this.physicMsgTimestamp = readLong(b, 0);
    this.logicsMsgTimestamp = readLong(b, 8);
    this.indexMsgTimestamp = readLong(b, 16);
  }

  /** After a commit-log flush: the store time of the newest record it covers (0: nothing stored yet). */
  commitLogFlushed(lastStoreTimestamp: number): void {
    if (lastStoreTimestamp > 0) this.physicMsgTimestamp = lastStoreTimestamp;
  }

  /** max(0, min(physic, logics) − 3 s): where abnormal recovery may start. */
  getMinTimestamp(): number {
    return Math.max(0, Math.min(this.physicMsgTimestamp, this.logicsMsgTimestamp) - 3000);
  }

  getMinTimestampIndex(): number {
    return Math.min(this.getMinTimestamp(), this.indexMsgTimestamp);
  }

  async flush(): Promise<void> {
    const b = this.file.buffer;
    writeLong(b, this.physicMsgTimestamp, 0);
    writeLong(b, this.logicsMsgTimestamp, 8);
    writeLong(b, this.indexMsgTimestamp, 16);
    this.file.wrotePosition = 4096; // whole page dirty
    this.file.flushedPosition = 0;
    await this.file.flush(0);
  }

  shutdown(): void {
    this.file.shutdown();
  }
}
