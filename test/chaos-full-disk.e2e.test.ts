/**
 * The full-disk chaos scenario in short (`npm run chaos -- full-disk`, one round of each part on a
 * 256 MiB ext4 on a loop device): a broker whose store fills up refuses sends with Java's
 * SERVICE_NOT_AVAILABLE and remark before the disk is full, keeps serving reads, takes sends again
 * once space is freed, and its store checks out after each part. It mounts a file system, so it
 * needs root; whatever happens, nothing stays mounted under the run's directory.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/cluster.js";

const JAVA_REMARK =
  /^service not available now\. It may be caused by one of the following reasons: the broker's disk is full \[CL: [ -]\d\.\d\d CQ: [ -]\d\.\d\d INDEX: [ -]\d\.\d\d\], messages are put to the slave, message store has been shut down, etc\.$/;

interface SendCounts {
  ok?: number;
  refused?: number;
  busy?: number;
  timeout?: number;
  answer?: number;
  error?: number;
}

interface StoreCheckedPart {
  stop: { exit: number | string; cleanShutdown: boolean };
  storeCheck: { records: number; acknowledgedStored: number; errors: string[]; mqstore: { code: number } | null };
  restart: { everyAcknowledgedRead: boolean; missing: number };
}

interface FullDiskReport {
  ok: boolean;
  lost: number;
  acknowledged: number;
  sends: SendCounts;
  problems: string[];
  parts: {
    filledByProducers: StoreCheckedPart & {
      firstRefusal: { usedPercent: number; freeMiB: number; code: number; remark: string };
      consumedAllWhileFull: boolean;
      brokerAlive: boolean;
      sendsWhileFull: SendCounts;
      resumedAfterMs: number | null;
    };
    filledByAnotherProcess: StoreCheckedPart & {
      rounds: {
        freeMiBWhenFilled: number;
        consumedAllWhileFull: boolean;
        brokerAlive: boolean;
        sendsWhileFull: SendCounts;
        resumedAfterMs: number | null;
      }[];
    };
  };
}

/** Root, mkfs.ext4 and loop devices: a tiny image is made, mounted and unmounted. */
const canMount = ((): boolean => {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), "full-disk-probe-"));
  const image = join(dir, "fs.img");
  const mountPoint = join(dir, "mnt");
  try {
    closeSync(openSync(image, "w"));
    truncateSync(image, 4 * 1024 * 1024);
    mkdirSync(mountPoint);
    execFileSync("mkfs.ext4", ["-q", "-F", image], { stdio: "ignore" });
    execFileSync("mount", ["-o", "loop", image, mountPoint], { stdio: "ignore" });
    execFileSync("umount", [mountPoint], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** Mount points at or under `dir` (from /proc/mounts), deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .reverse();
}

let child: ChildProcess | null = null;
let home: string | null = null;

/** Stop the run's processes (its whole process group), unmount what it left mounted, remove its directory. */
async function cleanUp(): Promise<void> {
  const proc = child;
  if (proc?.pid && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once("exit", r));
    process.kill(-proc.pid, "SIGTERM"); // the harness unmounts on SIGTERM; the servers go with it
    const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
    if (!gone) process.kill(-proc.pid, "SIGKILL");
  }
  if (home) {
    for (const m of mountsUnder(home)) {
      try {
        execFileSync("umount", [m], { stdio: "ignore" });
      } catch {
        execFileSync("umount", ["-l", m], { stdio: "ignore" });
      }
    }
    expect(mountsUnder(home)).toEqual([]);
    if (existsSync(home)) rmSync(home, { recursive: true, force: true });
  }
}

afterAll(cleanUp, 60_000);

/** Run the scenario; resolves with its exit code and output (the harness prints the report as JSON). */
function runFullDisk(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(ROOT, "test", "chaos", "run.mjs"), "full-disk", ...args], {
      cwd: ROOT,
      detached: true, // its own process group: cleanUp can stop it with its broker and name server
    });
    child = proc;
    let stdout = "";
    proc.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      home ??= /; home (\S+)/.exec(stdout)?.[1] ?? null;
    });
    proc.stderr?.resume();
    proc.on("exit", (code) => resolve({ code, stdout }));
  });
}

describe.skipIf(!canMount)("npm run chaos -- full-disk", () => {
  it("refuses sends with Java's answer before the disk is full, serves reads, resumes when space returns, keeps the store", async () => {
    const { code, stdout } = await runFullDisk(["--rounds", "1", "--seconds", "2", "--headroom-mib", "4"]);
    const json = stdout.slice(stdout.indexOf("\n{") + 1, stdout.lastIndexOf("\n}") + 2);
    const report = JSON.parse(json) as FullDiskReport;
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.lost).toBe(0);
    expect(report.acknowledged).toBeGreaterThan(0);
    // every failed send was Java's refusal (or Java's flow control), never a timeout or an error
    expect(report.sends.refused).toBeGreaterThan(0);
    expect({ timeout: report.sends.timeout, answer: report.sends.answer, error: report.sends.error }).toEqual({
      timeout: undefined,
      answer: undefined,
      error: undefined,
    });

    const byProducers = report.parts.filledByProducers;
    expect(byProducers.firstRefusal.code).toBe(14);
    expect(byProducers.firstRefusal.remark).toMatch(JAVA_REMARK);
    // refused by the disk check, while statfs still showed free space
    expect(byProducers.firstRefusal.freeMiB).toBeGreaterThan(0);
    expect(byProducers.firstRefusal.usedPercent).toBeGreaterThan(90);
    expect(byProducers.consumedAllWhileFull).toBe(true);
    expect(byProducers.brokerAlive).toBe(true);
    expect(byProducers.sendsWhileFull.ok).toBeUndefined();
    expect(byProducers.resumedAfterMs).not.toBeNull();

    const byAnother = report.parts.filledByAnotherProcess;
    expect(byAnother.rounds).toHaveLength(1);
    for (const round of byAnother.rounds) {
      expect(round.freeMiBWhenFilled).toBe(0);
      expect(round.brokerAlive).toBe(true);
      expect(round.consumedAllWhileFull).toBe(true);
      expect(round.sendsWhileFull.refused).toBeGreaterThan(0);
      expect(round.sendsWhileFull.ok).toBeUndefined();
      expect(round.resumedAfterMs).not.toBeNull();
    }

    for (const part of [byProducers, byAnother]) {
      expect(part.stop).toMatchObject({ exit: 0, cleanShutdown: true });
      expect(part.storeCheck.errors).toEqual([]);
      expect(part.storeCheck.records).toBeGreaterThanOrEqual(part.storeCheck.acknowledgedStored);
      if (part.storeCheck.mqstore) expect(part.storeCheck.mqstore.code).toBe(0);
      expect(part.restart).toMatchObject({ everyAcknowledgedRead: true, missing: 0 });
    }
    expect(code).toBe(0);
  }, 240_000);
});
