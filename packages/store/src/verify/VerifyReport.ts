/**
 * The store verifier's report: the JSON object `mqstore verify --json` prints, and the short human
 * summary it prints otherwise.
 */
import type { Problem, ProblemKind } from "./Problems.js";
import type { IndexGeometry } from "./IndexCheck.js";
import type { DLedgerScanSummary } from "./DLedgerScan.js";

export interface CheckpointTimestamps {
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;
}

export interface StoreVerifyReport {
  storePath: string;
  /** Commit-log directory (it may not exist in a DLedger store). */
  commitLogDir: string;
  /** DLedger data directory, null for an ordinary store. */
  dledgerDataDir: string | null;
  dledger: DLedgerScanSummary | null;
  /** Commit-log and DLedger data files scanned. */
  files: number;
  /** Size of the (first) data file. */
  fileSize: number;
  /** Valid records (including those with a body CRC mismatch). */
  records: number;
  /** Bytes of those records. */
  bytes: number;
  blanks: number;
  /** Start of the first data file. */
  commitLogMinOffset: number;
  /** End of the last valid record (or BLANK filler). */
  commitLogMaxOffset: number;
  topics: number;
  consumeQueues: number;
  cqEntries: number;
  indexFiles: number;
  indexEntries: number;
  indexGeometry: IndexGeometry | null;
  checkpoint: CheckpointTimestamps | null;
  /** The `abort` file exists: the store was not shut down cleanly. */
  abortFile: boolean;
  errorCount: number;
  warningCount: number;
  /** The first problems of each severity (errorCount / warningCount have the totals). */
  errors: Problem[];
  warnings: Problem[];
  /** Count of problems by kind. */
  problemKinds: Partial<Record<ProblemKind, number>>;
  /** No errors (warnings allowed). */
  ok: boolean;
  elapsedMs: number;
}

function timestamp(ms: number): string {
  if (ms <= 0 || !Number.isFinite(ms) || ms > 8.64e15) return String(ms);
  return `${ms} (${new Date(ms).toISOString()})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function problemLines(title: string, list: Problem[], total: number): string[] {
  if (total === 0) return [];
  const lines = [`${title} (${total}${list.length < total ? `, first ${list.length} shown` : ""}):`];
  for (const p of list) lines.push(`  [${p.kind}] ${p.file} @${p.offset}: ${p.detail}`);
  if (list.length < total) lines.push(`  ... and ${total - list.length} more`);
  return lines;
}

/** The human summary (ends with a newline). */
export function formatReport(r: StoreVerifyReport): string {
  const lines: string[] = [];
  lines.push(`Store: ${r.storePath}`);
  const dataDir = r.dledgerDataDir ?? r.commitLogDir;
  lines.push(`Files: ${r.files} in ${dataDir}${r.files > 0 ? ` (${r.fileSize} bytes each)` : ""}`);
  if (r.dledger) {
    const d = r.dledger;
    lines.push(
      `DLedger: ${d.entries} ${d.entries === 1 ? "entry" : "entries"}` +
        (d.entries > 0 ? ` (index ${d.firstIndex}..${d.lastIndex}, last term ${d.lastTerm})` : "") +
        `, ${d.indexUnitsChecked} index units checked`,
    );
  }
  lines.push(
    `Commit log: ${plural(r.records, "record")}, ${r.bytes} bytes, offsets ${r.commitLogMinOffset}..${r.commitLogMaxOffset}, ${plural(r.blanks, "BLANK filler")}`,
  );
  lines.push(
    `Consume queues: ${plural(r.consumeQueues, "queue")} of ${plural(r.topics, "topic")}, ${r.cqEntries} entries checked`,
  );
  lines.push(
    `Index: ${plural(r.indexFiles, "file")}, ${r.indexEntries} entries checked` +
      (r.indexGeometry
        ? ` (maxHashSlotNum ${r.indexGeometry.hashSlotNum}, maxIndexNum ${r.indexGeometry.indexNum})`
        : ""),
  );
  if (r.checkpoint) {
    const c = r.checkpoint;
    lines.push(
      `Checkpoint: physicMsgTimestamp ${timestamp(c.physicMsgTimestamp)}, logicsMsgTimestamp ${timestamp(c.logicsMsgTimestamp)}, indexMsgTimestamp ${timestamp(c.indexMsgTimestamp)}`,
    );
  } else lines.push("Checkpoint: none");
  lines.push(`Abort file: ${r.abortFile ? "present (the store was not shut down cleanly)" : "absent"}`);
  lines.push(...problemLines("Errors", r.errors, r.errorCount));
  lines.push(...problemLines("Warnings", r.warnings, r.warningCount));
  const counts = `${plural(r.errorCount, "error")}, ${plural(r.warningCount, "warning")}`;
  lines.push(`Result: ${r.ok ? "CONSISTENT" : "INCONSISTENT"} (${counts}) in ${r.elapsedMs} ms`);
  return `${lines.join("\n")}\n`;
}
