/**
 * The bad-peers chaos scenario in short: 20,000 fuzzed frames (random, mutated, every request code,
 * oversized), 300 idle connections per server, dribbling, stalling, chopping and never-reading
 * connections, against a real name server and broker while a good client sends, consumes and asks
 * for routes. The long form (`npm run chaos -- bad-peers`: a million frames, 5,000 idle connections
 * per server) runs by hand.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/cluster.js";

interface KindTally {
  frames: number;
  connections: number;
  closedByServer: number;
  answered: number;
  silent: number;
}

interface ServerTally {
  kinds: Record<"random" | "mutated" | "codes" | "oversized", KindTally>;
  answers: number;
  codesSent: number;
  closedAfterValidFrames: number;
  undecodableAnswers: number;
}

interface Window {
  name: string;
  ops: number;
  sends: number;
  routes: number;
  failures: number;
  mustNotFail: boolean;
}

interface ServerReport {
  crashed: boolean;
  worstRssMiB: number;
  rssSamples: number;
  slowLorisRssGrowthMiB: number;
}

interface BadPeersReport {
  ok: boolean;
  failed: string[];
  summary: string;
  frames: { sent: number; detail: Record<"namesrv" | "broker", ServerTally> };
  idle: { heldAtEndOfPhases: Record<string, { requested: number; opened: number; open: number }> };
  slowLoris: {
    perServer: Record<string, { dribblers: number; bytesDribbled: number; stallers: number; nonReaders: number }>;
  };
  goodClient: {
    ops: number;
    failures: number;
    acknowledged: number;
    received: number;
    lost: number;
    windows: Window[];
  };
  servers: Record<"namesrv" | "broker", ServerReport>;
}

function chaos(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "test", "chaos", "run.mjs"), ...args], { cwd: ROOT });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    child.on("exit", (code) => resolve({ code, stdout }));
  });
}

describe("npm run chaos -- bad-peers", () => {
  it("fuzzed frames, idle and slow connections: no crash, bounded RSS, the good client served", async () => {
    const { code, stdout } = await chaos(["bad-peers", "--frames", "20000", "--idle", "300", "--seconds", "5"]);
    const json = stdout.slice(stdout.indexOf("\n{") + 1, stdout.lastIndexOf("\n}") + 2);
    const report = JSON.parse(json) as BadPeersReport;
    expect(report.failed, report.summary).toEqual([]);
    expect(report.ok).toBe(true);

    // every frame counted, split between the servers and the kinds
    expect(report.frames.sent).toBe(20_000);
    for (const name of ["namesrv", "broker"] as const) {
      const t = report.frames.detail[name];
      const kinds = Object.values(t.kinds);
      expect(kinds.reduce((a, k) => a + k.frames, 0)).toBe(10_000);
      for (const k of kinds) expect(k.frames).toBeGreaterThan(0);
      // what no server may accept is refused: closed, never answered, never left hanging
      expect(t.kinds.oversized.closedByServer).toBe(t.kinds.oversized.connections);
      // random bytes nearly always break the framing rules
      expect(t.kinds.random.closedByServer).toBeGreaterThan(t.kinds.random.connections * 0.9);
      // valid requests are all answered (oneway ones excepted) on connections that stay open
      expect(t.closedAfterValidFrames).toBe(0);
      expect(t.kinds.codes.answered).toBeGreaterThan(t.kinds.codes.frames * 0.8);
      expect(t.codesSent).toBeGreaterThan(150);
      expect(t.undecodableAnswers).toBe(0);

      expect(report.servers[name].crashed).toBe(false);
      expect(report.servers[name].rssSamples).toBeGreaterThan(10);
      // stallers, choppers and non-readers for 20 s: a few tens of MiB (the remoting package before
      // its fixes: several hundred)
      expect(report.servers[name].slowLorisRssGrowthMiB).toBeLessThan(256);
      expect(report.idle.heldAtEndOfPhases[name]).toMatchObject({ requested: 300, opened: 300, open: 300 });
      expect(report.slowLoris.perServer[name]?.bytesDribbled).toBeGreaterThan(0);
      expect(report.slowLoris.perServer[name]?.stallers).toBeGreaterThan(0);
      expect(report.slowLoris.perServer[name]?.nonReaders).toBeGreaterThan(0);
    }

    // the good client worked before the abuse and after each phase of it, without a single failure
    // (during a phase it may be slowed down or refused: that is only reported)
    const good = report.goodClient;
    expect(good.windows.map((w) => w.name)).toEqual([
      "baseline",
      "frames",
      "after-frames",
      "slow-loris",
      "after-slow-loris",
    ]);
    for (const w of good.windows.filter((x) => x.mustNotFail)) {
      expect(w.sends, w.name).toBeGreaterThan(0);
      expect(w.routes, w.name).toBeGreaterThan(0);
      expect(w.failures, w.name).toBe(0);
    }
    expect(good.acknowledged).toBeGreaterThan(100);
    expect(good.lost).toBe(0);
    expect(good.received).toBeGreaterThanOrEqual(good.acknowledged);
    expect(code).toBe(0);
  }, 240_000);
});
