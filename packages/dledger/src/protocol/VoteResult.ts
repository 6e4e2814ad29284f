/** VoteResponse.RESULT of dledger 0.3.1.2: a voter's answer, written by name in the body's `voteResult`. */
export const VOTE_RESULTS = [
  "UNKNOWN",
  "ACCEPT",
  "REJECT_UNKNOWN_LEADER",
  "REJECT_UNEXPECTED_LEADER",
  "REJECT_EXPIRED_VOTE_TERM",
  "REJECT_ALREADY_VOTED",
  "REJECT_ALREADY_HAS_LEADER",
  "REJECT_TERM_NOT_READY",
  "REJECT_TERM_SMALL_THAN_LEDGER",
  "REJECT_EXPIRED_LEDGER_TERM",
  "REJECT_SMALL_LEDGER_END_INDEX",
  "REJECT_TAKING_LEADERSHIP",
] as const;

export type VoteResult = (typeof VOTE_RESULTS)[number];

/** VoteResponse.ParseResult: what a candidate makes of one round of votes. */
export type VoteParseResult = "WAIT_TO_REVOTE" | "REVOTE_IMMEDIATELY" | "PASSED" | "WAIT_TO_VOTE_NEXT";

/** PushEntryRequest.Type: what a leader's PUSH asks of a follower. */
export const PUSH_TYPES = ["APPEND", "COMMIT", "COMPARE", "TRUNCATE"] as const;
export type PushEntryType = (typeof PUSH_TYPES)[number];
