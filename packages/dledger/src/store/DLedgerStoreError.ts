/**
 * Failures of the store, each with the DLedgerResponseCode (dledger 0.3.1.2) Java's store raises
 * for it, so that the protocol layer can answer a peer with the same code.
 */
export const DLedgerStoreResponseCode = {
  NOT_LEADER: 404,
  NOT_FOLLOWER: 405,
  INCONSISTENT_TERM: 407,
  INCONSISTENT_INDEX: 408,
  INCONSISTENT_LEADER: 409,
  INDEX_OUT_OF_RANGE: 410,
  DISK_ERROR: 414,
  DISK_FULL: 415,
  INDEX_LESS_THAN_LOCAL_BEGIN: 419,
  LEADER_TRANSFERRING: 506,
} as const;

export type DLedgerStoreResponseCodeName = keyof typeof DLedgerStoreResponseCode;

export class DLedgerStoreError extends Error {
  readonly code: number;
  constructor(
    readonly codeName: DLedgerStoreResponseCodeName,
    detail?: string,
  ) {
    super(detail === undefined ? codeName : `${codeName} ${detail}`);
    this.name = "DLedgerStoreError";
    this.code = DLedgerStoreResponseCode[codeName];
  }
}

/** Java's PreConditions.check: throw the code unless `ok`. */
export function check(ok: boolean, codeName: DLedgerStoreResponseCodeName, detail?: () => string): asserts ok {
  if (!ok) throw new DLedgerStoreError(codeName, detail?.());
}
