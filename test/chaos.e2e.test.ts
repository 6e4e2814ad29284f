/**
 * The chaos harness (`npm run chaos`) in short: two rounds of kill -9 of a DLedger group's leader
 * under load, then the checker. Its long form (20 rounds) runs by hand; its figures are in the
 * session notes. This keeps the harness itself working and holds it to its promise: nothing
 * acknowledged is lost.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/cluster.js";

interface ChaosReport {
  acknowledged: number;
  received: number;
  lost: number;
  duplicated: number;
  rounds: { round: number; victim: string; newLeader: string; electedMs: number }[];
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

describe("npm run chaos -- dledger-leader-kill", () => {
  it("two leader kills under load: a new leader each round, every acknowledged message consumed", async () => {
    const { code, stdout } = await chaos(["dledger-leader-kill", "--rounds", "2", "--seconds", "3"]);
    const json = stdout.slice(stdout.indexOf("\n{") + 1, stdout.lastIndexOf("\n}") + 2);
    const report = JSON.parse(json) as ChaosReport;
    expect(report.rounds).toHaveLength(2);
    for (const r of report.rounds) expect(r.newLeader).not.toBe(r.victim);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.lost).toBe(0);
    expect(report.received).toBeGreaterThanOrEqual(report.acknowledged);
    expect(code).toBe(0);
  }, 300_000);

  it("names its scenarios when asked for an unknown one", async () => {
    const { code } = await chaos(["no-such-scenario"]);
    expect(code).toBe(2);
  });
});
