// Process figures: memory (RSS) and open-files limits, read from /proc.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** VmRSS and VmHWM (peak) of `pid` in bytes from /proc/<pid>/status, or null once it is gone. */
export function memoryOf(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** The soft and hard "Max open files" of `pid` (or "self"), from /proc/<pid>/limits. */
export function openFilesLimit(pid = "self") {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const [soft, hard] = line
      .trim()
      .split(/\s{2,}/)
      .slice(1, 3);
    const n = (v) => (v === "unlimited" ? Infinity : Number(v));
    return { soft: n(soft), hard: n(hard) };
  } catch {
    return null;
  }
}

/**
 * Make sure this process may open `needed` files: raises its soft limit towards the hard one with
 * prlimit(1) when it is lower (servers started afterwards inherit it). Returns the limit now in force.
 */
export function ensureOpenFiles(needed) {
  const before = openFilesLimit();
  if (!before || before.soft >= needed) return { before, after: before, raised: false };
  const target = Math.min(before.hard, Math.max(needed, before.soft));
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${target}:${before.hard}`], { stdio: "ignore" });
  } catch {
    // no prlimit: the caller sees the limit unchanged and says so
  }
  const after = openFilesLimit();
  return { before, after, raised: after !== null && after.soft > before.soft };
}
