/**
 * One log file with logback's size-triggered fixed-window rolling: when the file reaches
 * `maxFileSize`, `otherdays/<name>.1.log.gz` … `<name>.<maxIndex>.log.gz` shift up by one (the last
 * is dropped), the file moves to index 1 and is compressed in the background, and a fresh file starts.
 * Writes go through pino's sonic-boom destination in its synchronous mode (one write per line).
 */
import { createReadStream, createWriteStream, fstatSync, mkdirSync, openSync, renameSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { destination } from "pino";

type Destination = ReturnType<typeof destination>;

export interface RollingPolicy {
  /** Roll once the file holds this many bytes (counted as UTF-16 units written, so roughly). */
  maxFileSize: number;
  /** How many rolled files `otherdays/` keeps (logback's maxIndex; minIndex is 1). */
  maxIndex: number;
}

export const MB = 1024 * 1024;

function ignoreMissing(action: () => void): void {
  try {
    action();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

export class RollingFileAppender {
  private stream: Destination;
  private size: number;
  /** Streams of rolled files still writing their last lines. */
  private readonly ending = new Set<Destination>();
  /** Background compressions of rolled files, for tests and shutdown to await. */
  private compressing: Promise<void> = Promise.resolve();
  private readonly stem: string;

  constructor(
    readonly file: string,
    private readonly archiveDir: string,
    private readonly policy: RollingPolicy,
  ) {
    this.stem = basename(file).replace(/\.log$/, "");
    mkdirSync(dirname(file), { recursive: true });
    [this.stream, this.size] = this.open();
  }

  private open(): [Destination, number] {
    // Each line is written when it is logged (as logback's file appender does): an asynchronous
    // destination can leave a write in flight that a flush at exit overtakes or never completes,
    // reordering or losing the last lines. Nothing logs per message, so the syscall per line is cheap.
    const fd = openSync(this.file, "a");
    const stream = destination({ dest: fd, sync: true });
    // a full disk must not bring the server down with it: the line is lost, as with logback
    stream.on("error", () => undefined);
    return [stream, fstatSync(fd).size];
  }

  write(line: string): void {
    this.stream.write(line);
    this.size += line.length;
    if (this.size >= this.policy.maxFileSize) {
      try {
        this.roll();
      } catch {
        this.size = 0; // cannot roll now (e.g. otherdays/ not writable): try again one file size later
      }
    }
  }

  private archived(index: number, gz = true): string {
    return join(this.archiveDir, `${this.stem}.${index}.log${gz ? ".gz" : ""}`);
  }

  private roll(): void {
    mkdirSync(this.archiveDir, { recursive: true });
    ignoreMissing(() => unlinkSync(this.archived(this.policy.maxIndex)));
    for (let i = this.policy.maxIndex - 1; i >= 1; i--) {
      ignoreMissing(() => renameSync(this.archived(i), this.archived(i + 1)));
    }
    const plain = this.archived(1, false);
    renameSync(this.file, plain); // the old descriptor keeps writing into the moved file
    const old = this.stream;
    [this.stream, this.size] = this.open();
    this.ending.add(old);
    const closed = new Promise<void>((resolve) => old.once("close", () => resolve()));
    old.end();
    this.compressing = this.compressing
      .then(() => closed)
      .then(async () => {
        this.ending.delete(old);
        await pipeline(createReadStream(plain), createGzip(), createWriteStream(this.archived(1)));
        unlinkSync(plain);
      })
      .catch(() => undefined); // a failed compression leaves the plain rolled file in place
  }

  /** Resolves when rolled files are compressed. */
  whenArchived(): Promise<void> {
    return this.compressing;
  }

  /** Write everything buffered now (exit paths). */
  flushSync(): void {
    for (const s of [...this.ending, this.stream]) {
      try {
        s.flushSync();
      } catch {
        // a destination already closed has nothing left to write
      }
    }
  }

  end(): void {
    this.flushSync();
    this.stream.end();
  }
}
