// Issue 15 drill (g) / issue 18 (e): SIGSTOP of the DLedger leader (a hung host), round after round under load; SIGCONT after a new leader is elected.
import { leaderFaultRounds } from "../lib/dledgerLeaderRounds.mjs";

export const description =
  "SIGSTOP of the DLedger leader (a hung host), round after round under load; SIGCONT after a new leader is elected";

export const run = (options) => leaderFaultRounds({ ...options, fault: "suspend" });
