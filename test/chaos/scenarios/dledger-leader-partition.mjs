// Issue 18 (e): the DLedger leader's host cut off from the other two members, the name server and the
// clients (a minority partition), round after round under load; healed once a new leader is registered,
// and the old leader must come back as follower.
import { leaderFaultRounds } from "../lib/dledgerLeaderRounds.mjs";

export const description =
  "the DLedger leader partitioned away from the majority and the clients, round after round under load; healed after a new leader is elected";

export const run = (options) => leaderFaultRounds({ ...options, fault: "partition" });
