/**
 * The verifier's DLedger data scan: the DLedger framing of the commit-log scan (CommitLogScan.ts,
 * whose module comment describes the scan). Each entry of a DLedger data log wraps one commit-log
 * record; besides the record checks, entries are checked for index/term order and body CRC, and
 * compared with their DLedger index units.
 */
import { crc32 } from "node:zlib";
import { checkRecord, checkRecordSize } from "@rocketmq-ts/common";
import { DLEDGER_BODY_OFFSET } from "../dledger/DLedgerPutStatus.js";
import {
  checkFileSizesAndGaps,
  checkPhysicalOffset,
  crcDetail,
  hex,
  int32Bytes,
  scanFiles,
  type Framing,
  type ScanContext,
  type SegmentScan,
  type Unit,
} from "./CommitLogScan.js";
import { FileWindow } from "./FileWindow.js";
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

export interface DLedgerScanSummary {
  entries: number;
  firstIndex: number;
  lastIndex: number;
  lastTerm: number;
  indexUnitsChecked: number;
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
