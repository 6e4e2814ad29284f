/**
 * The verifier's commit-log scan: walks every file of a commit log (or of a DLedger data log, whose
 * entries wrap one commit-log record each) from its first byte, CRC-checks every record, records it
 * in the RecordTable, and notes every spot where the bytes are not a valid record ("anomalies").
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
import { crc32 } from "node:zlib";
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
import { DLEDGER_BODY_OFFSET } from "../dledger/DLedgerPutStatus.js";
import { FileWindow } from "./FileWindow.js";
import type { ProblemKind, ProblemLog } from "./Problems.js";
import type { RecordTable } from "./RecordTable.js";
import { displayPath, type StoreFile } from "./StoreFiles.js";

/** A DLedger entry as the dledger package's `decodeEntry` returns it. */
export interface DLedgerEntryView {
  magic: number;
  size: number;
  index: number;
  term: number;
  pos: number;
  bodyCrc: number;
  body: Buffer;
}

/** A DLedger index unit as the dledger package's `decodeIndexUnit` returns it. */
export interface DLedgerIndexUnitView {
  magic: number;
  pos: number;
  size: number;
  index: number;
  term: number;
}

/**
 * The DLedger entry codec of `@rocketmq-ts/dledger` (decodeEntry, decodeIndexUnit, INDEX_UNIT_SIZE,
 * CURRENT_MAGIC, its BLANK_MAGIC_CODE). The store cannot depend on that package (it builds on the
 * store), so whoever verifies a DLedger store passes it in.
 */
export interface DLedgerCodec {
  decodeEntry(buf: Buffer, offset: number, copyBody: boolean): DLedgerEntryView;
  decodeIndexUnit(buf: Buffer, offset: number): DLedgerIndexUnitView;
  indexUnitSize: number;
  /** Highest entry magic the library writes (entries carry 1 … currentMagic). */
  currentMagic: number;
  /** Magic of the filler at a data file's end. */
  blankMagic: number;
}

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

export interface DLedgerScanSummary {
  entries: number;
  firstIndex: number;
  lastIndex: number;
  lastTerm: number;
  indexUnitsChecked: number;
}

export interface ScanContext {
  root: string;
  table: RecordTable;
  problems: ProblemLog;
  delayLevels: DelayLevels;
}

/** What is at a position of a file. */
type Unit =
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

interface Framing {
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

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

function int32Bytes(n: number): Buffer {
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

function crcDetail(buf: Buffer, rel: number, end: number): string {
  const check = checkRecord(buf, rel, end, false);
  if (check.kind !== "message") return "body CRC mismatch";
  return `body CRC ${hex(bodyCrc(check.msg.body))} != BODYCRC ${hex(check.msg.bodyCRC)} (${check.msg.topic}, queue ${check.msg.queueId}, queue offset ${check.msg.queueOffset})`;
}

function checkPhysicalOffset(ctx: ScanContext, w: FileWindow, file: StoreFile, recordPos: number): void {
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

/** Reads DLedger index units (unit n at byte n × unitSize of the index files). */
class DLedgerIndexUnits {
  private window: FileWindow | null = null;
  private windowFile: StoreFile | null = null;

  constructor(
    private readonly files: StoreFile[],
    private readonly codec: DLedgerCodec,
  ) {}

  unit(index: number): DLedgerIndexUnitView | null {
    const offset = index * this.codec.indexUnitSize;
    const file = this.files.find((f) => offset >= f.start && offset + this.codec.indexUnitSize <= f.start + f.size);
    if (!file) return null;
    if (this.windowFile !== file) {
      this.window?.close();
      this.window = new FileWindow(file.path, 1024 * 1024);
      this.windowFile = file;
    }
    const w = this.window as FileWindow;
    const buf = w.cover(offset - file.start, this.codec.indexUnitSize);
    if (w.end - w.start < offset - file.start - w.start + this.codec.indexUnitSize) return null;
    return this.codec.decodeIndexUnit(buf, offset - file.start - w.start);
  }

  close(): void {
    this.window?.close();
  }
}

class DLedgerFraming implements Framing {
  readonly syncBytes: Buffer;
  readonly syncOffset = 0;
  readonly blankName = "DLedger BLANK";
  readonly summary: DLedgerScanSummary = {
    entries: 0,
    firstIndex: -1,
    lastIndex: -1,
    lastTerm: -1,
    indexUnitsChecked: 0,
  };
  /** Index/term of the previous entry for the order checks (-1: none, or after skipped bytes). */
  private prevIndex = -1;
  private prevTerm = -1;
  private indexMismatches = 0;
  private firstIndexMismatch: { file: string; pos: number; detail: string } | null = null;
  private readonly units: DLedgerIndexUnits;

  constructor(
    private readonly ctx: ScanContext,
    private readonly codec: DLedgerCodec,
    indexFiles: StoreFile[],
  ) {
    this.syncBytes = int32Bytes(codec.currentMagic);
    this.units = new DLedgerIndexUnits(indexFiles, codec);
  }

  inspect(w: FileWindow, file: StoreFile, pos: number): Unit {
    let buf = w.cover(pos, 8);
    let rel = pos - w.start;
    const magic = buf.readInt32BE(rel);
    const size = buf.readInt32BE(rel + 4);
    if (magic === this.codec.blankMagic) return { type: "blank", declaredSize: size };
    if (magic === 0 && size === 0) return { type: "zero" };
    const where = `entry at ${file.start + pos}`;
    if (magic < 1 || magic > this.codec.currentMagic)
      return { type: "invalid", kind: "dledger-entry", detail: `${where}: unknown magic ${magic} (size ${size})` };
    if (size <= DLEDGER_BODY_OFFSET || pos + size > file.size)
      return {
        type: "invalid",
        kind: "dledger-entry",
        detail: `${where}: size ${size} does not fit in the ${file.size - pos} bytes left in the file`,
      };
    buf = w.cover(pos, size);
    rel = pos - w.start;
    let entry: DLedgerEntryView;
    try {
      entry = this.codec.decodeEntry(buf, rel, false);
    } catch (e) {
      return { type: "invalid", kind: "dledger-entry", detail: `${where}: ${(e as Error).message}` };
    }
    if (entry.pos !== file.start + pos)
      return { type: "invalid", kind: "dledger-entry", detail: `${where}: pos field ${entry.pos}` };
    if (entry.size !== DLEDGER_BODY_OFFSET + entry.body.length)
      return {
        type: "invalid",
        kind: "dledger-entry",
        detail: `${where}: size ${entry.size} is not ${DLEDGER_BODY_OFFSET} + body length`,
      };
    const bodyPos = rel + DLEDGER_BODY_OFFSET;
    const bodyEnd = bodyPos + entry.body.length;
    const record = {
      type: "record" as const,
      size,
      recordPos: pos + DLEDGER_BODY_OFFSET,
      recordSize: entry.body.length,
    };
    if (checkRecordSize(buf, bodyPos, bodyEnd, true) === entry.body.length) return record;
    if (checkRecordSize(buf, bodyPos, bodyEnd, false) === entry.body.length)
      return { ...record, crcDetail: crcDetail(buf, bodyPos, bodyEnd) };
    const check = checkRecord(buf, bodyPos, bodyEnd, false, false);
    const reason = check.kind === "invalid" ? check.reason : "lengths do not add up to TOTALSIZE";
    return {
      type: "invalid",
      kind: "bad-length",
      detail: `${where} (index ${entry.index}): its body is not a commit-log record: ${reason}`,
      size,
    };
  }

  accept(w: FileWindow, file: StoreFile, pos: number, unit: Unit & { type: "record" }): void {
    const buf = w.cover(pos, unit.size);
    const entry = this.codec.decodeEntry(buf, pos - w.start, false);
    const name = (): string => displayPath(this.ctx.root, file.path);
    const s = this.summary;
    if (s.entries === 0) s.firstIndex = entry.index;
    s.entries++;
    if (this.prevIndex >= 0 && entry.index !== this.prevIndex + 1)
      this.ctx.problems.error(
        "dledger-index-gap",
        name(),
        pos,
        `entry index ${entry.index} follows ${this.prevIndex} (DLedger recovery would end the log here)`,
      );
    if (entry.term < this.prevTerm)
      this.ctx.problems.error(
        "dledger-term",
        name(),
        pos,
        `entry ${entry.index}: term ${entry.term} after term ${this.prevTerm}`,
      );
    if (entry.bodyCrc !== 0) {
      const crc = crc32(entry.body);
      if (entry.bodyCrc !== (crc | 0) && entry.bodyCrc !== (crc & 0x7fffffff))
        this.ctx.problems.error(
          "dledger-body-crc",
          name(),
          pos,
          `entry ${entry.index}: bodyCrc ${hex(entry.bodyCrc)} != CRC32 of the body ${hex(crc)}`,
        );
    }
    this.prevIndex = entry.index;
    this.prevTerm = Math.max(this.prevTerm, entry.term);
    s.lastIndex = entry.index;
    s.lastTerm = entry.term;
    checkPhysicalOffset(this.ctx, w, file, unit.recordPos);
    this.checkIndexUnit(entry, name, pos);
  }

  private checkIndexUnit(entry: DLedgerEntryView, name: () => string, pos: number): void {
    const unit = this.units.unit(entry.index);
    this.summary.indexUnitsChecked++;
    let detail: string | null = null;
    if (!unit) detail = `no index unit for entry ${entry.index}`;
    else if (unit.magic !== entry.magic || unit.pos !== entry.pos || unit.size !== entry.size)
      detail = `index unit ${entry.index} says magic ${unit.magic} pos ${unit.pos} size ${unit.size}, the entry magic ${entry.magic} pos ${entry.pos} size ${entry.size}`;
    else if (unit.index !== entry.index || unit.term !== entry.term)
      detail = `index unit ${entry.index} says index ${unit.index} term ${unit.term}, the entry term ${entry.term}`;
    if (detail === null) return;
    this.indexMismatches++;
    this.firstIndexMismatch ??= { file: name(), pos, detail };
  }

  resynced(): void {
    this.prevIndex = -1;
  }

  /** Log the index-unit mismatches as one warning (DLedger recovery rewrites the index from the data). */
  finish(): void {
    this.units.close();
    const first = this.firstIndexMismatch;
    if (first)
      this.ctx.problems.warning(
        "dledger-index-unit",
        first.file,
        first.pos,
        `${this.indexMismatches} entries disagree with the DLedger index (recovery rewrites it); first: ${first.detail}`,
      );
  }
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

function checkFileSizesAndGaps(ctx: ScanContext, files: StoreFile[], what: string): void {
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

function scanFiles(ctx: ScanContext, files: StoreFile[], framing: Framing): SegmentScan {
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

/** Scan the data files of a DLedger log, checking each entry against its unit in `indexFiles`. */
export function scanDLedgerData(
  ctx: ScanContext,
  files: StoreFile[],
  indexFiles: StoreFile[],
  codec: DLedgerCodec,
): SegmentScan & { dledger: DLedgerScanSummary } {
  checkFileSizesAndGaps(ctx, files, "DLedger data");
  const framing = new DLedgerFraming(ctx, codec, indexFiles);
  try {
    return { ...scanFiles(ctx, files, framing), dledger: framing.summary };
  } finally {
    framing.finish();
  }
}
