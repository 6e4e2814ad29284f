/**
 * What the store asks of the member state (Java's store calls MemberState for the term, the role,
 * the leader and the transferee, and tells it every new ledger end). The control plane's
 * MemberState is the implementation; the store tests use a hand-set one.
 */
export interface DLedgerStoreMemberState {
  readonly currTerm: number;
  isLeader(): boolean;
  isFollower(): boolean;
  readonly leaderId: string | null;
  /** The peer a leadership transfer goes to, or null. */
  readonly transferee: string | null;
  /** Called after every change of the ledger end (append, truncate, recovery). */
  updateLedgerIndexAndTerm(index: number, term: number): void;
}
