/**
 * DLedger result codes as RocketMQ 4.9.8's DLedgerCommitLog turns them into put statuses. The codes
 * are dledger 0.3.1.2's DLedgerResponseCode values (the dledger package holds the full table).
 */
import type { PutMessageStatus } from "../CommitLogStore.js";

export const DLedgerCode = {
  SUCCESS: 200,
  NOT_LEADER: 404,
  INCONSISTENT_LEADER: 409,
  DISK_FULL: 415,
  WAIT_QUORUM_ACK_TIMEOUT: 502,
  LEADER_PENDING_FULL: 503,
  LEADER_NOT_READY: 505,
} as const;

/** Bytes of the DLedger entry header before its body (DLedgerEntry.BODY_OFFSET). */
export const DLEDGER_BODY_OFFSET = 48;

/**
 * The put status of an append result. Java maps the quorum answer: SUCCESS → PUT_OK; not leader,
 * inconsistent leader, leader not ready, disk full → SERVICE_NOT_AVAILABLE; quorum-ack timeout and
 * pending full → OS_PAGECACHE_BUSY; anything else UNKNOWN_ERROR. An append refused before it was
 * written (pos -1) is OS_PAGECACHE_BUSY in 4.9.8 whatever the code; we keep the code's meaning for
 * the not-leader family (SERVICE_NOT_AVAILABLE: the producer retries another broker) and use
 * OS_PAGECACHE_BUSY for the rest.
 */
export function putStatusOfDLedger(code: number, pos: number): PutMessageStatus {
  switch (code) {
    case DLedgerCode.SUCCESS:
      return pos === -1 ? "OS_PAGECACHE_BUSY" : "PUT_OK";
    case DLedgerCode.INCONSISTENT_LEADER:
    case DLedgerCode.NOT_LEADER:
    case DLedgerCode.LEADER_NOT_READY:
    case DLedgerCode.DISK_FULL:
      return "SERVICE_NOT_AVAILABLE";
    case DLedgerCode.WAIT_QUORUM_ACK_TIMEOUT:
    case DLedgerCode.LEADER_PENDING_FULL:
      return "OS_PAGECACHE_BUSY";
    default:
      return pos === -1 ? "OS_PAGECACHE_BUSY" : "UNKNOWN_ERROR";
  }
}
