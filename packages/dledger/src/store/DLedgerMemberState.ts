/**
 * What the store asks of the member state (the control plane's MemberState, Java's names), and what
 * the control plane reads back from the store.
 */

/** The member state as the store sees it. */
export interface DLedgerStoreMemberState {
  currTerm(): number;
  isLeader(): boolean;
  isFollower(): boolean;
  getLeaderId(): string | null;
  /** The peer a leadership transfer goes to, or null. */
  getTransferee(): string | null;
  /** Called after every change of the ledger end (append, truncate, recovery). */
  updateLedgerIndexAndTerm(index: number, term: number): void;
}

/** The end of the local log, as elections and replication compare it. */
export interface LedgerEndState {
  readonly ledgerEndIndex: number;
  readonly ledgerEndTerm: number;
}
