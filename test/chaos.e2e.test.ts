/**
 * The chaos harness (`npm run chaos`) in short: two rounds of kill -9 of a DLedger group's leader
 * under load, then the checker. Its long form (20 rounds) runs by hand; its figures are in the
 * session notes. This keeps the harness itself working and holds it to its promise: nothing
 * acknowledged is lost.
 */
import { describe, expect, it } from "vitest";
import { runChaos } from "./support/chaos.js";

interface ChaosReport {
  acknowledged: number;
  received: number;
  lost: number;
  duplicated: number;
  rounds: { round: number; victim: string; newLeader: string; electedMs: number }[];
}

describe("npm run chaos -- dledger-leader-kill", () => {
  it("two leader kills under load: a new leader each round, every acknowledged message consumed", async () => {
    const { code, report } = await runChaos<ChaosReport>(["dledger-leader-kill", "--rounds", "2", "--seconds", "3"]);
    expect(report.rounds).toHaveLength(2);
    for (const r of report.rounds) expect(r.newLeader).not.toBe(r.victim);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.lost).toBe(0);
    expect(report.received).toBeGreaterThanOrEqual(report.acknowledged);
    expect(code).toBe(0);
  }, 300_000);

  it("names its scenarios when asked for an unknown one", async () => {
    await expect(runChaos(["no-such-scenario"])).rejects.toThrow(/single-master-kill/);
  });
});
