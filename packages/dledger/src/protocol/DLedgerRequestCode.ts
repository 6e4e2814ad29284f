/**
 * DLedger's request codes (DLedgerRequestCode of dledger 0.3.1.2): the remoting request code of a
 * frame on the `dLegerPeers` port. The client API (METADATA, APPEND, GET) sits at 50000+, the
 * peer protocol (VOTE … LEADERSHIP_TRANSFER) at 51000+.
 */
export const DLedgerRequestCode = {
  UNKNOWN: -1,
  METADATA: 50000,
  APPEND: 50001,
  GET: 50002,
  VOTE: 51001,
  HEART_BEAT: 51002,
  PULL: 51003,
  PUSH: 51004,
  LEADERSHIP_TRANSFER: 51005,
} as const;

export type DLedgerRequestCodeName = keyof typeof DLedgerRequestCode;
export type DLedgerRequestCodeValue = (typeof DLedgerRequestCode)[DLedgerRequestCodeName];

const NAMES = new Map<number, DLedgerRequestCodeName>(
  Object.entries(DLedgerRequestCode).map(([name, code]) => [code, name as DLedgerRequestCodeName]),
);

/** The name of a request code; UNKNOWN for codes DLedger does not define (as Java's valueOf). */
export function dledgerRequestCodeName(code: number): DLedgerRequestCodeName {
  return NAMES.get(code) ?? "UNKNOWN";
}

/** The eight codes a DLedger server registers a processor for. */
export const DLEDGER_SERVED_CODES: readonly DLedgerRequestCodeValue[] = [
  DLedgerRequestCode.METADATA,
  DLedgerRequestCode.APPEND,
  DLedgerRequestCode.GET,
  DLedgerRequestCode.PULL,
  DLedgerRequestCode.PUSH,
  DLedgerRequestCode.VOTE,
  DLedgerRequestCode.HEART_BEAT,
  DLedgerRequestCode.LEADERSHIP_TRANSFER,
];
