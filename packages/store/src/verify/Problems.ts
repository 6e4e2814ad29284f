/**
 * What the store verifier found wrong: errors (the store is inconsistent) and warnings (states a
 * restart repairs or that are expected, such as a torn tail after kill -9), each with the file and
 * the byte position in that file. The log keeps exact counts (total and per kind) but only the
 * first `limit` problems of each severity, so that a badly damaged store does not produce a report
 * of millions of lines.
 */

export type Severity = "error" | "warning";

/** Problem kinds. The module comment of StoreVerifier.ts says which are errors and which warnings. */
export type ProblemKind =
  // commit log / DLedger data files
  | "commitlog-file-size"
  | "commitlog-file-gap"
  | "stray-file"
  | "bad-magic"
  | "bad-length"
  | "crc-mismatch"
  | "physical-offset-mismatch"
  | "missing-blank"
  | "blank-size"
  | "torn-tail"
  | "dledger-entry"
  | "dledger-body-crc"
  | "dledger-index-gap"
  | "dledger-term"
  | "dledger-index-unit"
  | "dledger-multiple-dirs"
  // consume queues
  | "cq-file-size"
  | "cq-file-gap"
  | "cq-no-record"
  | "cq-wrong-record"
  | "cq-size-mismatch"
  | "cq-queue-offset"
  | "cq-tags-code"
  | "cq-blank-entry"
  | "cq-missing-entry"
  | "cq-behind"
  | "cq-expired"
  | "cq-data-after-end"
  // index files
  | "index-geometry"
  | "index-header"
  | "index-chain"
  | "index-no-record"
  | "index-key-mismatch"
  | "index-expired"
  | "index-behind"
  // other files
  | "checkpoint"
  | "io";

export interface Problem {
  kind: ProblemKind;
  /** Path of the file, relative to the store root when it is inside it. */
  file: string;
  /** Byte position in `file` (0 for problems about a whole file or directory). */
  offset: number;
  detail: string;
}

export class ProblemLog {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];
  errorCount = 0;
  warningCount = 0;
  /** Count of every problem by kind (errors and warnings). */
  readonly kinds = new Map<ProblemKind, number>();

  constructor(readonly limit: number) {}

  error(kind: ProblemKind, file: string, offset: number, detail: string): void {
    this.errorCount++;
    this.count(kind);
    if (this.errors.length < this.limit) this.errors.push({ kind, file, offset, detail });
  }

  warning(kind: ProblemKind, file: string, offset: number, detail: string): void {
    this.warningCount++;
    this.count(kind);
    if (this.warnings.length < this.limit) this.warnings.push({ kind, file, offset, detail });
  }

  add(severity: Severity, kind: ProblemKind, file: string, offset: number, detail: string): void {
    if (severity === "error") this.error(kind, file, offset, detail);
    else this.warning(kind, file, offset, detail);
  }

  private count(kind: ProblemKind): void {
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
  }
}
