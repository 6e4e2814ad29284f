/**
 * SYNC_FLUSH's group commit (Java's GroupCommitService): writers wait for one shared fdatasync;
 * requests not covered by their deadline fail (store-ha-config.md §6.2). One watcher timer checks deadlines, as Java's
 * FlushDiskWatcher, instead of a timer per put.
 */
import type { CommitLogStore } from "./CommitLogStore.js";

export class GroupCommitService {
  private waiting: { nextOffset: number; deadline: number; resolve: (ok: boolean) => void; done: boolean }[] = [];
  private running = false;
  private watcher: NodeJS.Timeout | null = null;

  constructor(
    private readonly commitLog: Pick<CommitLogStore, "flush" | "flushedWhere">,
    private readonly timeoutMs: number,
    private readonly onFlushed: () => void,
  ) {}

  /** Resolves true once everything up to `nextOffset` is on disk, false at the timeout. */
  submit(nextOffset: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting.push({ nextOffset, deadline: Date.now() + this.timeoutMs, resolve, done: false });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.run());
      }
      this.watcher ??= setInterval(() => this.expire(), Math.max(1, Math.min(this.timeoutMs, 100)));
    });
  }

  private expire(): void {
    const now = Date.now();
    for (const r of this.inFlight) {
      if (!r.done && r.deadline <= now) {
        r.done = true;
        r.resolve(false);
      }
    }
    for (const r of this.waiting) {
      if (!r.done && r.deadline <= now) {
        r.done = true;
        r.resolve(false);
      }
    }
    if (this.waiting.length === 0 && this.inFlight.length === 0 && this.watcher) {
      clearInterval(this.watcher);
      this.watcher = null;
    }
  }

  private inFlight: GroupCommitService["waiting"] = [];

  private async run(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        this.inFlight = this.waiting;
        this.waiting = [];
        let target = 0;
        for (const r of this.inFlight) target = Math.max(target, r.nextOffset);
        // the data may end in the next file: at most two flushes. A failed fdatasync (EIO, ENOSPC on
        // some file systems) leaves flushedWhere where it was: the writers get FLUSH_DISK_TIMEOUT, as
        // Java's MappedFile.flush logs the error and carries on (it never takes the broker down)
        try {
          for (let i = 0; i < 2 && this.commitLog.flushedWhere < target; i++) await this.commitLog.flush(0);
        } catch {
          // the answers below say what reached the disk
        }
        this.onFlushed();
        const flushed = this.commitLog.flushedWhere;
        for (const r of this.inFlight) {
          if (r.done) continue;
          r.done = true;
          r.resolve(flushed >= r.nextOffset && Date.now() <= r.deadline);
        }
        this.inFlight = [];
      }
    } finally {
      this.running = false;
    }
  }

  shutdown(): void {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = null;
  }
}
