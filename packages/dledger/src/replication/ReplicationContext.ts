/** What the parts of the entry pusher share: config, member state, store, time, the peer transport, the marks. */
import type { Logger } from "pino";
import type { DLedgerConfig } from "../config/DLedgerConfig.js";
import type { MemberState } from "../MemberState.js";
import type { DLedgerProtocol } from "../rpc/DLedgerProtocol.js";
import type { DLedgerMmapFileStore } from "../store/DLedgerMmapFileStore.js";
import type { DLedgerTimer } from "../timer.js";
import type { PeerWaterMarks } from "./PeerWaterMarks.js";
import type { PendingAppends } from "./PendingAppends.js";

/** Java's waitForRunning(1) passes: our loops are woken by events, the idle pass only serves time checks. */
export const REPLICATION_IDLE_WAIT_MS = 10;

/** Java waits 3 s for a COMPARE / TRUNCATE answer. */
export const COMPARE_TIMEOUT_MS = 3000;

export interface ReplicationContext {
  readonly config: DLedgerConfig;
  readonly memberState: MemberState;
  readonly store: DLedgerMmapFileStore;
  readonly timer: DLedgerTimer;
  readonly logger: Logger;
  readonly transport: Pick<DLedgerProtocol, "push">;
  readonly waterMarks: PeerWaterMarks;
  readonly pending: PendingAppends;
  readonly idleWaitMs: number;
  /** Move the store's committed index (and tell the listeners when it moved forward). */
  updateCommittedIndex(term: number, committedIndex: number): void;
  wakeupQuorumAckChecker(): void;
}
