/**
 * Short versions of the chaos scenarios of issue 18 (`npm run chaos -- <scenario>`; the long runs'
 * figures are in the session notes): each starts real processes — on loopback or, for partitions, on
 * hosts the harness makes as network namespaces — injects its faults and must end with nothing
 * acknowledged lost.
 */
import { describe, expect, it } from "vitest";
import { canMakeNamespaces, runChaos } from "./support/chaos.js";

interface Report {
  ok: boolean;
  acknowledged: number;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  rounds: Record<string, unknown>[];
  verifications?: { ok: boolean }[];
}

function expectNothingLost(code: number | null, report: Report, rounds: number): void {
  expect(report.rounds).toHaveLength(rounds);
  expect(report.acknowledged).toBeGreaterThan(0);
  expect(report.lost).toBe(0);
  for (const v of report.verifications ?? []) expect(v.ok).toBe(true);
  expect(report.ok).toBe(true);
  expect(code).toBe(0);
}

describe("chaos scenarios, short", () => {
  it("single master, SYNC_FLUSH, kill -9 four times under load: nothing acknowledged lost, order kept", async () => {
    const { code, report } = await runChaos<Report>([
      "single-master-kill",
      "--rounds",
      "4",
      "--seconds",
      "1",
      "--verify-every",
      "2",
    ]);
    expectNothingLost(code, report, 4);
    expect(report.outOfOrder).toBe(0);
    expect(report.verifications?.length).toBeGreaterThanOrEqual(2);
  }, 300_000);

  it.skipIf(!canMakeNamespaces)(
    "2m-2s-sync on four hosts: a master killed (its messages read from the slave) and one partitioned away",
    async () => {
      const { code, report } = await runChaos<Report>(["sync-master-failover", "--rounds", "2", "--seconds", "2"]);
      expectNothingLost(code, report, 2);
      const kill = report.rounds[0] as { slaveReads: number; slaveMissing: number };
      expect(kill.slaveReads).toBeGreaterThan(0);
      expect(kill.slaveMissing).toBe(0);
    },
    300_000,
  );

  it.skipIf(!canMakeNamespaces)(
    "half of four name servers partitioned away: running and new clients and mqadmin carry on",
    async () => {
      const { code, report } = await runChaos<Report>(["namesrv-partition", "--rounds", "1", "--seconds", "5"]);
      expectNothingLost(code, report, 1);
      const round = report.rounds[0] as {
        newProducerAcked: number;
        clusterList: { code: number };
        topicRoute: { code: number };
      };
      expect(round.newProducerAcked).toBe(10);
      expect(round.clusterList.code).toBe(0);
      expect(round.topicRoute.code).toBe(0);
    },
    300_000,
  );

  it.skipIf(!canMakeNamespaces)(
    "a DLedger leader partitioned away from the majority: a new leader, the old one follows after the heal",
    async () => {
      const { code, report } = await runChaos<Report>(["dledger-leader-partition", "--rounds", "1", "--seconds", "3"]);
      expectNothingLost(code, report, 1);
    },
    300_000,
  );

  it.skipIf(!canMakeNamespaces).each(["scheme1", "scheme2"])(
    "two data centres (%s): each centre cut off once and healed, nothing acknowledged lost",
    async (layout) => {
      const { code, report } = await runChaos<Report>([
        "two-dc-partition",
        "--layout",
        layout,
        "--rounds",
        "2",
        "--seconds",
        "3",
      ]);
      expectNothingLost(code, report, 2);
    },
    300_000,
  );
});
