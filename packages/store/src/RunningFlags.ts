/**
 * The store's health bits (Java's RunningFlags, store-ha-config.md §7.4): a consume-queue or index write error, or a
 * full disk, makes the store refuse puts; reads go on.
 */
const NOT_WRITEABLE = 0x2;
const WRITE_LOGICS_QUEUE_ERROR = 0x4;
const WRITE_INDEX_FILE_ERROR = 0x8;
const DISK_FULL = 0x10;

export class RunningFlags {
  private flags = 0;

  isWriteable(): boolean {
    return (this.flags & (NOT_WRITEABLE | WRITE_LOGICS_QUEUE_ERROR | WRITE_INDEX_FILE_ERROR | DISK_FULL)) === 0;
  }

  makeLogicsQueueError(): void {
    this.flags |= WRITE_LOGICS_QUEUE_ERROR;
  }

  makeIndexFileError(): void {
    this.flags |= WRITE_INDEX_FILE_ERROR;
  }

  isDiskFull(): boolean {
    return (this.flags & DISK_FULL) !== 0;
  }

  /** Mark the disk full; returns whether it already was. */
  getAndMakeDiskFull(): boolean {
    const was = this.isDiskFull();
    this.flags |= DISK_FULL;
    return was;
  }

  /** Clear the disk-full mark; returns whether it was set. */
  getAndMakeDiskOK(): boolean {
    const was = this.isDiskFull();
    this.flags &= ~DISK_FULL;
    return was;
  }
}
