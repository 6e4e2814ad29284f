import { randomInt } from "node:crypto";
import type { Command } from "commander";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A message body of `size` random letters and digits (Java's RandomStringUtils.randomAlphanumeric). */
export function randomAlphanumericBody(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, () => ALNUM[randomInt(ALNUM.length)]).join(""));
}

/** This process's CPU time (user + system) since `start` (a `process.cpuUsage()`), per message, in µs. */
export function cpuMicrosPerMessage(start: NodeJS.CpuUsage, messages: number): number {
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / Math.max(1, messages);
}

/** The benchmarks' 1 s snapshots (last 10 kept) and Java's rate arithmetic over them. */
export class SnapshotWindow {
  private readonly snapshots: number[][] = [];

  constructor(private readonly take: () => number[]) {}

  /** Snapshot[0] is the wall clock in ms; the rest are counters. */
  tick(): void {
    this.snapshots.push([Date.now(), ...this.take()]);
    if (this.snapshots.length > 10) this.snapshots.shift();
  }

  get size(): number {
    return this.snapshots.length;
  }

  /** [first, last] snapshot of the window. */
  ends(): [number[], number[]] {
    const first = this.snapshots[0] ?? [Date.now(), ...this.take()];
    const last = this.snapshots[this.snapshots.length - 1] ?? first;
    return [first, last];
  }
}

/**
 * Java's 1 s snapshot timer and 10 s print timer of both benchmarks; returns the function that
 * stops them.
 */
export function startStatsTimers(window: SnapshotWindow, print: () => void): () => void {
  const tick = setInterval(() => window.tick(), 1000);
  const printer = setInterval(print, 10_000);
  return () => {
    clearInterval(tick);
    clearInterval(printer);
  };
}

/** Parsed benchmark options: string values (commander's), Java's `Boolean.parseBoolean`, the name server. */
export interface BenchmarkArgs {
  str(key: string): string | undefined;
  bool(key: string): boolean;
  flag(key: string): boolean;
  namesrvAddr: string | undefined;
}

/** Parse `argv` with `program` (exitOverride set); null when commander refused it (it printed why). */
export function parseBenchmarkArgs(program: Command, argv: string[]): BenchmarkArgs | null {
  try {
    program.parse(argv, { from: "user" });
  } catch {
    return null;
  }
  const o = program.opts<Record<string, string | boolean | undefined>>();
  const str = (k: string): string | undefined => (typeof o[k] === "string" ? o[k] : undefined);
  return {
    str,
    bool: (k) => str(k)?.toLowerCase() === "true",
    flag: (k) => o[k] === true,
    namesrvAddr: str("namesrvAddr") ?? process.env["NAMESRV_ADDR"],
  };
}

/** `UtilAll.timeMillisToHumanString2`: yyyy-MM-dd HH:mm:ss,SSS in local time. */
export function humanString2(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

/** Cooperative stop: resolves on SIGINT/SIGTERM or after `seconds` (0 = never). */
export function stopSignal(seconds: number): { promise: Promise<void>; stopped: () => boolean; dispose: () => void } {
  let done = false;
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  const stop = (): void => {
    done = true;
    resolve();
  };
  const timer = seconds > 0 ? setTimeout(stop, seconds * 1000) : null;
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    promise,
    stopped: () => done,
    dispose: () => {
      if (timer) clearTimeout(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}
