/**
 * DLedger's result codes (DLedgerResponseCode of dledger 0.3.1.2). They travel in the `code` field
 * of every DLedger request/response body; the remoting header of a DLedger reply is always 200.
 */
export const DLedgerResponseCode = {
  UNKNOWN: -1,
  SUCCESS: 200,
  TIMEOUT: 300,
  METADATA_ERROR: 301,
  NETWORK_ERROR: 302,
  UNSUPPORTED: 303,
  UNKNOWN_GROUP: 400,
  UNKNOWN_MEMBER: 401,
  UNEXPECTED_MEMBER: 402,
  EXPIRED_TERM: 403,
  NOT_LEADER: 404,
  NOT_FOLLOWER: 405,
  INCONSISTENT_STATE: 406,
  INCONSISTENT_TERM: 407,
  INCONSISTENT_INDEX: 408,
  INCONSISTENT_LEADER: 409,
  INDEX_OUT_OF_RANGE: 410,
  UNEXPECTED_ARGUMENT: 411,
  REPEATED_REQUEST: 412,
  REPEATED_PUSH: 413,
  DISK_ERROR: 414,
  DISK_FULL: 415,
  TERM_NOT_READY: 416,
  FALL_BEHIND_TOO_MUCH: 417,
  TAKE_LEADERSHIP_FAILED: 418,
  INDEX_LESS_THAN_LOCAL_BEGIN: 419,
  REQUEST_WITH_EMPTY_BODYS: 420,
  PUSH_REQUEST_IS_FULL: 421,
  INTERNAL_ERROR: 500,
  TERM_CHANGED: 501,
  WAIT_QUORUM_ACK_TIMEOUT: 502,
  LEADER_PENDING_FULL: 503,
  ILLEGAL_MEMBER_STATE: 504,
  LEADER_NOT_READY: 505,
  LEADER_TRANSFERRING: 506,
} as const;

export type DLedgerResponseCodeName = keyof typeof DLedgerResponseCode;

const NAMES = new Map<number, DLedgerResponseCodeName>(
  Object.entries(DLedgerResponseCode).map(([name, code]) => [code, name as DLedgerResponseCodeName]),
);

/** The name of a result code; UNKNOWN for codes DLedger does not define (as Java's valueOf). */
export function dledgerResponseCodeName(code: number): DLedgerResponseCodeName {
  return NAMES.get(code) ?? "UNKNOWN";
}

/**
 * A DLedger failure carrying its result code (Java's DLedgerException, thrown by PreConditions);
 * the message is `[code=…,name=…,desc=] detail` as Java formats it.
 */
export class DLedgerException extends Error {
  constructor(
    readonly code: number,
    detail?: string,
  ) {
    const head = `[code=${code},name=${dledgerResponseCodeName(code)},desc=]`;
    super(detail === undefined ? head : `${head} ${detail}`);
    this.name = "DLedgerException";
  }
}

/** Java's PreConditions.check: throw a DLedgerException with `code` unless `condition` holds. */
export function checkPrecondition(condition: boolean, code: number, detail?: string): asserts condition {
  if (!condition) throw new DLedgerException(code, detail);
}

/**
 * PreConditions.check by code name, with the detail built only on failure (the store's checks run
 * on every read and append).
 */
export function checkCode(condition: boolean, name: DLedgerResponseCodeName, detail?: () => string): asserts condition {
  if (!condition) throw new DLedgerException(DLedgerResponseCode[name], detail?.());
}
