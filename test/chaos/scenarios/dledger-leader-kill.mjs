// Issue 15 drill (g) / issue 18 (e): kill -9 of the DLedger leader, round after round, under load.
import { leaderFaultRounds } from "../lib/dledgerLeaderRounds.mjs";

export const description = "kill -9 of the DLedger leader, round after round, under load";

export const run = (options) => leaderFaultRounds({ ...options, fault: "kill" });
