/**
 * The store's `lock` file: "lock" written in it and byte 0 held with an exclusive POSIX record lock
 * (fcntl), exactly what Java's FileChannel.tryLock(0, 1, false) takes — so a second broker on the
 * same directory, ours or Java's, is refused.
 */
import { closeSync, openSync, writeSync, constants } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

interface OsLock {
  lock(fd: number, start: number, length: number, options: { exclusive: boolean; immediate: boolean }): Promise<void>;
  unlock(fd: number, start: number, length: number): Promise<void>;
}
const osLock = createRequire(import.meta.url)("os-lock") as OsLock;

export class StoreLockError extends Error {
  constructor(readonly path: string) {
    super("Lock failed,MQ already started");
    this.name = "StoreLockError";
  }
}

export class StoreLock {
  private fd = -1;

  constructor(private readonly rootDir: string) {}

  get path(): string {
    return join(this.rootDir, "lock");
  }

  async acquire(): Promise<void> {
    const fd = openSync(this.path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      await osLock.lock(fd, 0, 1, { exclusive: true, immediate: true });
    } catch {
      closeSync(fd);
      throw new StoreLockError(this.path);
    }
    writeSync(fd, Buffer.from("lock"), 0, 4, 0);
    this.fd = fd;
  }

  async release(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      await osLock.unlock(fd, 0, 1);
    } finally {
      closeSync(fd);
    }
  }
}
