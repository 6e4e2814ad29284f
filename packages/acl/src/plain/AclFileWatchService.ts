import { statSync } from "node:fs";
import type { Logger } from "pino";

/**
 * Java's AclFileWatchService: every 5 s, list the ACL files again; when their number changed or a
 * file's modification time did, call `onChange` (the manager reloads). Polling, as Java, so it
 * works on every filesystem and through editors that replace files by rename.
 */
export class AclFileWatchService {
  static readonly WATCH_INTERVAL_MS = 5000;
  private timer: NodeJS.Timeout | null = null;
  private mtimes: Map<string, number>;

  constructor(
    private readonly listFiles: () => string[],
    private readonly onChange: () => void,
    private readonly logger: Logger,
    private readonly intervalMs = AclFileWatchService.WATCH_INTERVAL_MS,
  ) {
    this.mtimes = this.snapshot();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
    this.logger.info("Succeed to start AclFileWatchService");
  }

  /** One round of the watch loop; true when it found a change. */
  check(): boolean {
    try {
      const current = this.snapshot();
      const changed =
        current.size !== this.mtimes.size || [...current].some(([file, mtime]) => this.mtimes.get(file) !== mtime);
      this.mtimes = current;
      if (changed) {
        this.logger.info({ files: [...current.keys()] }, "ACL files changed, reloading");
        this.onChange();
      }
      return changed;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "AclFileWatchService service has exception.");
      return false;
    }
  }

  private snapshot(): Map<string, number> {
    const out = new Map<string, number>();
    for (const file of this.listFiles()) {
      try {
        const st = statSync(file);
        out.set(file, st.mtimeMs * 1000 + (st.size % 1000));
      } catch {
        out.set(file, -1);
      }
    }
    return out;
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
