/**
 * The store verifier (`bin/mqstore verify <storePathRootDir>`): checks a store directory written by
 * our broker or by Java RocketMQ 4.9.8 without changing it, and reports what is inconsistent.
 *
 * What is checked, in this order:
 *
 * 1. Commit log (`<root>/commitlog`, or the directory given), CommitLogScan.ts: file names are
 *    20-digit start offsets, files have one size and no gaps; every record from each file's first
 *    byte: magic code, lengths adding up to TOTALSIZE, body CRC, PHYSICALOFFSET = its own offset;
 *    a BLANK filler ends a file (its TOTALSIZE should be the bytes left, else a warning); after the
 *    last record of the last file only zeros may follow.
 * 2. DLedger data (`<root>/dledger-<selfId>/data`, detected), DLedgerScan.ts: each entry's
 *    header — magic, size = 48 + body length, pos = its own position, index one past the previous,
 *    term not going down, bodyCrc (0, as dledger 0.3.1.2 writes it, or the body's CRC32) — then the
 *    entry's body as a commit-log record whose offset is pos + 48, as in (1); entries are compared
 *    with the DLedger index units (a mismatch is a warning: DLedger's recovery rewrites the index
 *    from the data).
 * 3. Consume queues (`<root>/consumequeue`) against the records: ConsumeQueueCheck.ts.
 * 4. Index files (`<root>/index`) against the records: IndexCheck.ts.
 * 5. `checkpoint` (its three timestamps are reported) and `abort` (reported).
 *
 * Errors and warnings. An error means the store is inconsistent: a record with a bad magic code,
 * bad lengths or a body CRC mismatch before the end of the valid data; a file that ends without a
 * BLANK filler while later data exists (recovery would stop there and drop the rest); a wrong
 * PHYSICALOFFSET field; DLedger entries out of order; a consume-queue entry that points where no
 * valid record starts, at a record of another topic/queue/queue offset or of another size, or
 * with another tags code, queue offsets that are not contiguous, a record missing from its queue
 * below the queue's end; an index entry that points where no valid record starts or whose key hash
 * is none of that record's keys. A warning is a state that recovery or the reput repairs at the
 * next start, or that is expected: a torn tail (garbage after the last valid record of the last
 * file, as a kill -9 in the middle of a write leaves it; recovery truncates it — but a damaged
 * record that a consume queue or the index points at was complete when dispatched, so that is an
 * error), a consume queue or the index behind the commit log (records not dispatched yet), entries
 * below the commit log's min offset (expired files), DLedger index units that disagree with the
 * data, stray files, a BLANK filler whose size field is off. Transaction PREPARED/ROLLBACK records
 * get no consume-queue entries (Java does not dispatch them); ROLLBACK records are not indexed.
 *
 * "The end of the valid data" is the end of the last valid record or BLANK filler in the whole log:
 * a damaged spot before it is an error, one after it a torn tail. After a damaged spot the scan
 * looks for the next valid record in the same file and goes on from there.
 *
 * Not covered: LMQ / multi-dispatch queues (enableMultiDispatch; their entries point at records of
 * other topics), consume-queue extension files (entries whose tags code is an extension address
 * are not compared), the 5.x formats (magic V2 records are read, but batch consume queues and
 * RocksDB consume queues are not), `storePathDLedgerCommitLog` outside the store root.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { configDefaults, readLong } from "@rocketmq-ts/common";
import { messageStoreConfigSpec } from "../config/MessageStoreConfig.js";
import { delayLevelsOf } from "../DispatchRequest.js";
import { FileWindow } from "./FileWindow.js";
import { scanCommitLog, type ScanAnomaly, type SegmentScan } from "./CommitLogScan.js";
import { scanDLedgerData, type DLedgerCodec, type DLedgerScanSummary } from "./DLedgerScan.js";
import { checkConsumeQueues } from "./ConsumeQueueCheck.js";
import { checkIndexFiles, type IndexGeometry } from "./IndexCheck.js";
import { ProblemLog, type ProblemKind } from "./Problems.js";
import { RecordFlag, RecordTable } from "./RecordTable.js";
import { displayPath, listDirs, listMappedFiles, type StoreFile } from "./StoreFiles.js";
import type { CheckpointTimestamps, StoreVerifyReport } from "./VerifyReport.js";

export interface VerifyStoreOptions {
  /** The store's root directory (storePathRootDir). */
  storePath: string;
  /** The commit-log directory (default `<storePath>/commitlog`). */
  commitLogDir?: string;
  /** The DLedger entry codec (from `@rocketmq-ts/dledger`); needed to verify a DLedger store. */
  dledgerCodec?: DLedgerCodec;
  /** maxHashSlotNum / maxIndexNum of the index files (default: the 4.9.8 defaults, or inferred). */
  indexGeometry?: IndexGeometry;
  /** messageDelayLevel the broker ran with (for SCHEDULE_TOPIC_XXXX tags codes); default 4.9.8's. */
  messageDelayLevel?: string;
  /** Problems listed per severity in the report (the counts are always complete); default 100. */
  maxProblems?: number;
}

/** The store cannot be verified as asked (missing directory, DLedger store without a codec). */
export class StoreVerifyUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreVerifyUsageError";
  }
}

const CHECKPOINT_SIZE = 4096;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `<root>/dledger-<selfId>/` directories holding a `data/` directory. */
function findDLedgerDirs(root: string): string[] {
  return listDirs(root)
    .filter((name) => name.startsWith("dledger-") && isDirectory(join(root, name, "data")))
    .map((name) => join(root, name));
}

/**
 * The checkpoint's three timestamps (store-ha-config.md §5.1: longs at 0, 8 and 16 of a 4096-byte
 * file). Read with read(2), not through StoreCheckpoint: that maps the file read-write, extends a
 * short one and writes its page back to allocate it, and a verifier must never write to a store (a
 * broker still running on it could lose a checkpoint update).
 */
function readCheckpoint(root: string, problems: ProblemLog): CheckpointTimestamps | null {
  const path = join(root, "checkpoint");
  let bytes: Buffer;
  let size: number;
  try {
    const w = new FileWindow(path, CHECKPOINT_SIZE);
    try {
      size = w.size;
      bytes = w.read(0, 24);
    } finally {
      w.close();
    }
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    problems.warning(
      "checkpoint",
      "checkpoint",
      0,
      missing ? "no checkpoint file" : `cannot read the checkpoint: ${(e as Error).message}`,
    );
    return null;
  }
  if (bytes.length < 24) {
    problems.warning("checkpoint", "checkpoint", 0, `checkpoint is ${size} bytes, too short for its three timestamps`);
    return null;
  }
  if (size !== CHECKPOINT_SIZE)
    problems.warning("checkpoint", "checkpoint", 0, `checkpoint is ${size} bytes, not ${CHECKPOINT_SIZE}`);
  return {
    physicMsgTimestamp: readLong(bytes, 0),
    logicsMsgTimestamp: readLong(bytes, 8),
    indexMsgTimestamp: readLong(bytes, 16),
  };
}

/**
 * Decide a scan anomaly: before the end of the valid data an error, after it a torn tail (warning)
 * — unless it is a record the consume queues or the index point at (`dispatched`) — or simply the
 * end of the data (zeros).
 */
function classifyAnomaly(
  root: string,
  a: ScanAnomaly,
  lastValidEnd: number,
  dispatched: boolean,
  problems: ProblemLog,
): void {
  const file = displayPath(root, a.file.path);
  if (a.offset < lastValidEnd) {
    if (a.zeroEnd)
      problems.error(
        "missing-blank",
        file,
        a.pos,
        `the data ends at ${a.offset} without a BLANK filler, but later data exists up to ${lastValidEnd} (recovery would stop here and drop it)`,
      );
    else
      problems.error(
        a.kind,
        file,
        a.pos,
        `${a.detail}${a.kind === "crc-mismatch" ? "" : ` (${a.bytes} bytes up to the next valid record)`}`,
      );
  } else if (dispatched) {
    problems.error(a.kind, file, a.pos, `${a.detail}; the last record, but dispatched, so not a torn write`);
  } else if (!a.zeroEnd) {
    problems.warning(
      "torn-tail",
      file,
      a.pos,
      `torn tail at offset ${a.offset}, ${a.bytes} bytes: ${a.detail} (recovery truncates it)`,
    );
  }
}

/**
 * Classify the anomalies of all scans; those that depend on the consume-queue and index checks
 * (a damaged record after the end of the valid data) are returned for `classifyDeferred`.
 */
function classifyAnomalies(
  root: string,
  scans: SegmentScan[],
  problems: ProblemLog,
): { anomalies: ScanAnomaly[]; lastValidEnd: number } {
  const lastValidEnd = Math.max(-1, ...scans.map((s) => s.lastValidEnd));
  const deferred: ScanAnomaly[] = [];
  for (const scan of scans)
    for (const a of scan.anomalies) {
      if (a.offset >= lastValidEnd && a.record !== undefined) deferred.push(a);
      else classifyAnomaly(root, a, lastValidEnd, false, problems);
    }
  return { anomalies: deferred, lastValidEnd };
}

function classifyDeferred(
  root: string,
  deferred: { anomalies: ScanAnomaly[]; lastValidEnd: number },
  table: RecordTable,
  problems: ProblemLog,
): void {
  for (const a of deferred.anomalies) {
    const flags = a.record === undefined ? 0 : (table.flags[a.record] as number);
    const dispatched = (flags & (RecordFlag.IN_CONSUME_QUEUE | RecordFlag.IN_INDEX)) !== 0;
    classifyAnomaly(root, a, deferred.lastValidEnd, dispatched, problems);
  }
}

function kindCounts(problems: ProblemLog): Partial<Record<ProblemKind, number>> {
  const out: Partial<Record<ProblemKind, number>> = {};
  for (const [kind, n] of [...problems.kinds].sort((a, b) => a[0].localeCompare(b[0]))) out[kind] = n;
  return out;
}

/** Verify a store directory (see the module comment). Throws StoreVerifyUsageError when it cannot. */
export function verifyStore(options: VerifyStoreOptions): StoreVerifyReport {
  const started = performance.now();
  const root = resolve(options.storePath);
  if (!existsSync(root)) throw new StoreVerifyUsageError(`store directory not found: ${root}`);
  if (!isDirectory(root)) throw new StoreVerifyUsageError(`not a directory: ${root}`);
  const commitLogDir = resolve(options.commitLogDir ?? join(root, "commitlog"));
  if (options.commitLogDir !== undefined && !isDirectory(commitLogDir))
    throw new StoreVerifyUsageError(`commit-log directory not found: ${commitLogDir}`);

  const problems = new ProblemLog(options.maxProblems ?? 100);
  const dledgerDirs = findDLedgerDirs(root);
  const dledgerDir = dledgerDirs[0];
  if (dledgerDirs.length > 1)
    problems.warning(
      "dledger-multiple-dirs",
      displayPath(root, dledgerDir as string),
      0,
      `several DLedger directories (${dledgerDirs.map((d) => displayPath(root, d)).join(", ")}): only the first is checked`,
    );
  if (dledgerDir && !options.dledgerCodec)
    throw new StoreVerifyUsageError(`${dledgerDir} holds a DLedger log: a DLedger codec is needed to verify it`);
  const looksLikeStore = ["consumequeue", "index", "checkpoint", "config", "abort"].some((n) =>
    existsSync(join(root, n)),
  );
  if (!isDirectory(commitLogDir) && !dledgerDir && !looksLikeStore)
    throw new StoreVerifyUsageError(
      `${root} does not look like a store root: no commitlog/, dledger-*/data, consumequeue/ or checkpoint`,
    );

  const delayLevels = delayLevelsOf(
    options.messageDelayLevel ?? configDefaults(messageStoreConfigSpec()).messageDelayLevel,
  );
  const table = new RecordTable();
  const ctx = { root, table, problems, delayLevels };
  const scans: SegmentScan[] = [];
  let dataFiles: StoreFile[] = [];

  const commitLog = listMappedFiles(commitLogDir);
  for (const s of commitLog.strays)
    problems.warning("stray-file", displayPath(root, join(commitLogDir, s)), 0, "not a commit-log file");
  if (commitLog.files.length > 0) {
    scans.push(scanCommitLog(ctx, commitLog.files));
    dataFiles = dataFiles.concat(commitLog.files);
  }
  let dledger: DLedgerScanSummary | null = null;
  if (dledgerDir && options.dledgerCodec) {
    const data = listMappedFiles(join(dledgerDir, "data"));
    for (const s of data.strays)
      problems.warning("stray-file", displayPath(root, join(dledgerDir, "data", s)), 0, "not a DLedger data file");
    const index = listMappedFiles(join(dledgerDir, "index"));
    const scan = scanDLedgerData(ctx, data.files, index.files, options.dledgerCodec);
    scans.push(scan);
    dledger = scan.dledger;
    dataFiles = dataFiles.concat(data.files);
  }

  const commitLogMinOffset = dataFiles[0]?.start ?? 0;
  const commitLogMaxOffset = Math.max(commitLogMinOffset, ...scans.map((s) => s.lastValidEnd));
  const deferred = classifyAnomalies(root, scans, problems);
  const cq = checkConsumeQueues(
    { root, table, problems, commitLogMinOffset, commitLogMaxOffset },
    join(root, "consumequeue"),
  );
  const index = checkIndexFiles(
    { root, table, problems, commitLogMinOffset, commitLogMaxOffset, geometry: options.indexGeometry },
    join(root, "index"),
  );
  classifyDeferred(root, deferred, table, problems);
  const checkpoint = readCheckpoint(root, problems);

  return {
    storePath: root,
    commitLogDir,
    dledgerDataDir: dledgerDir ? join(dledgerDir, "data") : null,
    dledger,
    files: dataFiles.length,
    fileSize: dataFiles[0]?.size ?? 0,
    records: table.count,
    bytes: table.bytes,
    blanks: scans.reduce((n, s) => n + s.blanks, 0),
    commitLogMinOffset,
    commitLogMaxOffset,
    topics: cq.topics,
    consumeQueues: cq.consumeQueues,
    cqEntries: cq.cqEntries,
    indexFiles: index.indexFiles,
    indexEntries: index.indexEntries,
    indexGeometry: index.geometry,
    checkpoint,
    abortFile: existsSync(join(root, "abort")),
    errorCount: problems.errorCount,
    warningCount: problems.warningCount,
    errors: problems.errors,
    warnings: problems.warnings,
    problemKinds: kindCounts(problems),
    ok: problems.errorCount === 0,
    elapsedMs: Math.round(performance.now() - started),
  };
}
