import { pino, type Logger } from "pino";
import { Writable } from "node:stream";

/** A pino logger that keeps its records in memory so tests can assert on log lines. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const records: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      records.push(chunk.toString());
      cb();
    },
  });
  const logger = pino({ level: "debug" }, stream);
  return {
    logger,
    lines: () =>
      records
        .join("")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Until `cond` holds, within a bound generous enough for a busy CI machine. */
export async function waitFor(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(10);
  }
}
