/**
 * The verifier's commit-log scan: walks every file of a commit log (or of a DLedger data log, whose
 * entries wrap one commit-log record each: DLedgerScan.ts) from its first byte, CRC-checks every
 * record, records it in the RecordTable, and notes every spot where the bytes are not a valid record
 * ("anomalies").
 *
 * Whether an anomaly is an error or a torn tail depends on what comes after it, which is only known
 * once every file (and every segment: a pre-DLedger commit log, then the DLedger data) has been
 * scanned and the consume queues have been checked, so the scan returns anomalies and the verifier
 * classifies them (StoreVerifier.ts). Problems that do not depend on position (file sizes, gaps,
 * a PHYSICALOFFSET field that is not the record's own offset, DLedger index/term order) are logged
 * here directly.
 *
 * After an invalid spot the scan looks for the next valid unit in the same file (a record whose
 * magic code, lengths, CRC and PHYSICALOFFSET field all agree with its position; for DLedger an
 * entry whose pos field is its position) and continues there, so that one damaged record does not
 * hide the rest of the file.
 */
import {
  BLANK_MAGIC_CODE,
  bodyCrc,
  checkRecord,
  checkRecordSize,
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  PHYSICAL_OFFSET_POS,
  readLong,
  recordHeadAt,
} from "@rocketmq-ts/common";
import { dispatchRequestOfRecord, type DelayLevels } from "../DispatchRequest.js";
import { FileWindow } from "./FileWindow.js";
import type { ProblemKind, ProblemLog } from "./Problems.js";
import type { RecordTable } from "./RecordTable.js";
import { displayPath, type StoreFile } from "./StoreFiles.js";

/** A spot in the log that is not a valid record (see the module comment). */
export interface ScanAnomaly {
  kind: ProblemKind;
  file: StoreFile;
  /** Position in the file. */
  pos: number;
  /** Position in the log (file start + pos). */
  offset: number;
  /** Bytes from `pos` to the next valid unit or to the last non-zero byte of the file. */
  bytes: number;
  detail: string;
  /** The data just ends here: zeros up to the file's end, no BLANK filler. */
  zeroEnd: boolean;
  /** A record with a body CRC mismatch (it is in the RecordTable, flagged CORRUPT). */
  record?: number;
}

export interface SegmentScan {
  files: StoreFile[];
  blanks: number;
  /** End of the last valid record or BLANK filler (-1 when there is none). */
  lastValidEnd: number;
  anomalies: ScanAnomaly[];
}

export interface ScanContext {
  root: string;
  table: RecordTable;
  problems: ProblemLog;
  delayLevels: DelayLevels;
}

/** What is at a position of a file. */
export type Unit =
  | {
      type: "record";
      /** Bytes of the unit (the DLedger entry or the record). */
      size: number;
      /** File position and size of the commit-log record inside. */
      recordPos: number;
      recordSize: number;
      /** Body CRC mismatch: the detail. */
      crcDetail?: string;
    }
  | { type: "blank"; declaredSize: number }
  | { type: "zero" }
  | {
      type: "invalid";
      kind: ProblemKind;
      detail: string;
      /** Known size of the invalid unit (a DLedger entry with a broken body): skip it without searching. */
      size?: number;
    };

export interface Framing {
  /** Inspect the unit at `pos` of `file` (at least 8 bytes remain). */
  inspect(w: FileWindow, file: StoreFile, pos: number): Unit;
  /** Checks of a valid unit that do not stop the scan (logged directly). */
  accept(w: FileWindow, file: StoreFile, pos: number, unit: Unit & { type: "record" }): void;
  /** Bytes that every valid unit has at `syncOffset` (the search for the next valid unit uses them). */
  syncBytes: Buffer;
  syncOffset: number;
  /** The scan skipped bytes: order checks start again. */
  resynced(): void;
  /** A BLANK filler was written exactly to the file end (else a "blank-size" warning). */
  blankName: string;
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

export function int32Bytes(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

/** What is at position `pos` of a commit-log file. */
function commitLogUnit(w: FileWindow, file: StoreFile, pos: number): Unit {
  let buf = w.cover(pos, 8);
  let rel = pos - w.start;
  const totalSize = buf.readInt32BE(rel);
  const magic = buf.readInt32BE(rel + 4);
  if (magic === BLANK_MAGIC_CODE) return { type: "blank", declaredSize: totalSize };
  if (magic === 0 && totalSize === 0) return { type: "zero" };
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2)
    return { type: "invalid", kind: "bad-magic", detail: `illegal magic code ${hex(magic)} (TOTALSIZE ${totalSize})` };
  if (totalSize <= 0 || pos + totalSize > file.size)
    return {
      type: "invalid",
      kind: "bad-length",
      detail: `TOTALSIZE ${totalSize} does not fit in the ${file.size - pos} bytes left in the file`,
    };
  buf = w.cover(pos, totalSize);
  rel = pos - w.start;
  const end = rel + totalSize;
  if (checkRecordSize(buf, rel, end, true) === totalSize)
    return { type: "record", size: totalSize, recordPos: pos, recordSize: totalSize };
  if (checkRecordSize(buf, rel, end, false) === totalSize) {
    return {
      type: "record",
      size: totalSize,
      recordPos: pos,
      recordSize: totalSize,
      crcDetail: crcDetail(buf, rel, end),
    };
  }
  const check = checkRecord(buf, rel, end, false, false);
  const reason = check.kind === "invalid" ? check.reason : "lengths do not add up to TOTALSIZE";
  return { type: "invalid", kind: "bad-length", detail: `record of ${totalSize} bytes: ${reason}` };
}

export function crcDetail(buf: Buffer, rel: number, end: number): string {
  const check = checkRecord(buf, rel, end, false);
  if (check.kind !== "message") return "body CRC mismatch";
  return `body CRC ${hex(bodyCrc(check.msg.body))} != BODYCRC ${hex(check.msg.bodyCRC)} (${check.msg.topic}, queue ${check.msg.queueId}, queue offset ${check.msg.queueOffset})`;
}

export function checkPhysicalOffset(ctx: ScanContext, w: FileWindow, file: StoreFile, recordPos: number): void {
  const buf = w.cover(recordPos, PHYSICAL_OFFSET_POS + 8);
  const stored = readLong(buf, recordPos - w.start + PHYSICAL_OFFSET_POS);
  const expected = file.start + recordPos;
  if (stored !== expected)
    ctx.problems.error(
      "physical-offset-mismatch",
      displayPath(ctx.root, file.path),
      recordPos,
      `PHYSICALOFFSET field ${stored} is not the record's offset ${expected}`,
    );
}

function commitLogFraming(ctx: ScanContext): Framing {
  return {
    inspect: commitLogUnit,
    accept: (w, file, _pos, unit) => checkPhysicalOffset(ctx, w, file, unit.recordPos),
    syncBytes: int32Bytes(MESSAGE_MAGIC_CODE),
    syncOffset: 4,
    resynced: () => undefined,
    blankName: "BLANK",
  };
}

/**
 * Search [from, to) of the file for the next valid unit: a position with the framing's sync bytes
 * whose unit is a valid record with the right PHYSICALOFFSET (and body CRC). -1 when there is none.
 */
function findNextUnit(framing: Framing, w: FileWindow, file: StoreFile, from: number, to: number): number {
  const sync = framing.syncBytes;
  for (let p = from + framing.syncOffset; p + sync.length <= to;) {
    const buf = w.cover(p, 1024 * 1024);
    const limit = Math.min(w.end, to) - w.start;
    const i = buf.subarray(0, limit).indexOf(sync, p - w.start);
    if (i < 0) {
      if (w.end >= to) return -1;
      p = w.end - (sync.length - 1);
      continue;
    }
    const candidate = w.start + i - framing.syncOffset;
    if (candidate >= from && file.size - candidate >= 8) {
      const unit = framing.inspect(w, file, candidate);
      if (unit.type === "record" && unit.crcDetail === undefined) {
        const buf2 = w.cover(unit.recordPos, PHYSICAL_OFFSET_POS + 8);
        if (readLong(buf2, unit.recordPos - w.start + PHYSICAL_OFFSET_POS) === file.start + unit.recordPos)
          return candidate;
      }
    }
    p = candidate + framing.syncOffset + 1;
  }
  return -1;
}

export function checkFileSizesAndGaps(ctx: ScanContext, files: StoreFile[], what: string): void {
  const first = files[0];
  if (!first) return;
  for (let i = 0; i < files.length; i++) {
    const f = files[i] as StoreFile;
    const name = displayPath(ctx.root, f.path);
    if (f.size !== first.size)
      ctx.problems.error(
        "commitlog-file-size",
        name,
        0,
        `${what} file is ${f.size} bytes, the first one ${first.size}`,
      );
    const prev = files[i - 1];
    if (prev && f.start !== prev.start + prev.size)
      ctx.problems.error(
        "commitlog-file-gap",
        name,
        0,
        f.start > prev.start + prev.size
          ? `${f.start - prev.start - prev.size} bytes missing between ${prev.name} and ${f.name}`
          : `${f.name} overlaps ${prev.name}`,
      );
  }
}

export function scanFiles(ctx: ScanContext, files: StoreFile[], framing: Framing): SegmentScan {
  const result: SegmentScan = { files, blanks: 0, lastValidEnd: -1, anomalies: [] };
  for (const file of files) {
    let w: FileWindow;
    try {
      w = new FileWindow(file.path);
    } catch (e) {
      ctx.problems.error("io", displayPath(ctx.root, file.path), 0, `cannot read: ${(e as Error).message}`);
      continue;
    }
    try {
      scanFile(ctx, file, w, framing, result);
    } finally {
      w.close();
    }
  }
  return result;
}

function scanFile(ctx: ScanContext, file: StoreFile, w: FileWindow, framing: Framing, result: SegmentScan): void {
  const size = Math.min(file.size, w.size);
  const anomaly = (a: Omit<ScanAnomaly, "file" | "offset">): void => {
    result.anomalies.push({ ...a, file, offset: file.start + a.pos });
    if (a.record === undefined) framing.resynced(); // bytes were skipped
  };
  let pos = 0;
  while (pos < size) {
    if (size - pos < 8) {
      const last = w.lastNonZero(pos, size);
      if (last < 0) anomaly({ kind: "missing-blank", pos, bytes: 0, detail: "data ends here", zeroEnd: true });
      else
        anomaly({
          kind: "bad-length",
          pos,
          bytes: last + 1 - pos,
          detail: `${size - pos} bytes left: too few for a record`,
          zeroEnd: false,
        });
      return;
    }
    const unit = framing.inspect(w, file, pos);
    if (unit.type === "record") {
      framing.accept(w, file, pos, unit);
      const buf = w.cover(unit.recordPos, unit.recordSize);
      const head = recordHeadAt(buf, unit.recordPos - w.start);
      const req = dispatchRequestOfRecord(head, unit.recordSize, ctx.delayLevels);
      req.commitLogOffset = file.start + unit.recordPos;
      const record = ctx.table.add(req, unit.crcDetail !== undefined);
      if (unit.crcDetail !== undefined)
        anomaly({
          kind: "crc-mismatch",
          pos: unit.recordPos,
          bytes: unit.recordSize,
          detail: unit.crcDetail,
          zeroEnd: false,
          record,
        });
      else result.lastValidEnd = file.start + pos + unit.size;
      pos += unit.size;
      continue;
    }
    if (unit.type === "blank") {
      result.blanks++;
      if (unit.declaredSize !== size - pos)
        ctx.problems.warning(
          "blank-size",
          displayPath(ctx.root, file.path),
          pos,
          `${framing.blankName} filler says ${unit.declaredSize} bytes, ${size - pos} are left in the file`,
        );
      result.lastValidEnd = file.start + file.size;
      return;
    }
    if (unit.type === "zero") {
      const last = w.lastNonZero(pos, size);
      if (last < 0) {
        anomaly({ kind: "missing-blank", pos, bytes: 0, detail: "data ends here", zeroEnd: true });
        return;
      }
      const next = findNextUnit(framing, w, file, pos + 1, last + 1);
      if (next < 0) {
        anomaly({
          kind: "bad-magic",
          pos,
          bytes: last + 1 - pos,
          detail: "zeros, then non-zero bytes",
          zeroEnd: false,
        });
        return;
      }
      anomaly({
        kind: "bad-magic",
        pos,
        bytes: next - pos,
        detail: `${next - pos} zero bytes where a record should start`,
        zeroEnd: false,
      });
      pos = next;
      continue;
    }
    if (unit.size !== undefined) {
      anomaly({ kind: unit.kind, pos, bytes: unit.size, detail: unit.detail, zeroEnd: false });
      pos += unit.size;
      continue;
    }
    const next = findNextUnit(framing, w, file, pos + 1, size);
    if (next >= 0) {
      anomaly({ kind: unit.kind, pos, bytes: next - pos, detail: unit.detail, zeroEnd: false });
      pos = next;
      continue;
    }
    const last = w.lastNonZero(pos, size);
    anomaly({ kind: unit.kind, pos, bytes: Math.max(8, last + 1 - pos), detail: unit.detail, zeroEnd: false });
    return;
  }
  // a unit ended exactly at the file's end, without a filler
  anomaly({
    kind: "missing-blank",
    pos: size,
    bytes: 0,
    detail: "the file is full without a BLANK filler",
    zeroEnd: true,
  });
}

/** Scan the files of a commit-log directory (sorted by start offset). */
export function scanCommitLog(ctx: ScanContext, files: StoreFile[]): SegmentScan {
  checkFileSizesAndGaps(ctx, files, "commit-log");
  return scanFiles(ctx, files, commitLogFraming(ctx));
}
