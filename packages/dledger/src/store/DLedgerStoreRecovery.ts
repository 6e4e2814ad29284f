/**
 * Recovery of a DLedger mmap store after load (dledger 0.3.1.2's rules): find where the data
 * files' entries end and rewrite the index from the first entry it disagrees with.
 *
 * The scan starts at the third-last data file (or an earlier one, when the first entry of that file
 * does not match its index unit) and walks entry by entry: a BLANK magic moves to the next file, a
 * size of 0 is the end, and so is the first entry that fails a check (position equal to its own
 * offset, size = 48 + body length, known magic, index one past the previous one, term not going
 * down, size above the 44-byte header). The body is not checked: an entry whose header was written
 * whole is kept. Index units are compared with the entries until the first mismatch; from there the
 * index is truncated and written again from the data.
 */
import type { Logger } from "pino";
import { BODY_OFFSET, CURRENT_MAGIC, HEADER_SIZE, MAGIC_1 } from "../entry/DLedgerEntry.js";
import { readLong } from "@rocketmq-ts/common";
import { INDEX_UNIT_SIZE, decodeIndexUnit, encodeIndexUnit } from "../entry/DLedgerIndexUnit.js";
import { BLANK_MAGIC_CODE, type MmapFileList } from "./MmapFileList.js";
import { DLedgerException, checkCode } from "../protocol/DLedgerResponseCode.js";

export interface RecoveredEnd {
  /** -1 when the data holds no entry. */
  lastEntryIndex: number;
  lastEntryTerm: number;
  /** End of the valid data. */
  processOffset: number;
}

interface EntryHeader {
  magic: number;
  size: number;
  index: number;
  term: number;
  pos: number;
  bodySize: number;
}

/** The header at `at` of `buf`, or null when it runs past `limit`. */
function readHeader(buf: Buffer, at: number, limit: number): EntryHeader | null {
  if (at + BODY_OFFSET > limit) return null;
  return {
    magic: buf.readInt32BE(at),
    size: buf.readInt32BE(at + 4),
    index: readLong(buf, at + 8),
    term: readLong(buf, at + 16),
    pos: readLong(buf, at + 24),
    bodySize: buf.readInt32BE(at + HEADER_SIZE),
  };
}

/** Throws DISK_ERROR unless the index unit of `h` exists and agrees with it (at position `pos`). */
function checkAgainstIndex(index: MmapFileList, h: EntryHeader, pos: number): void {
  const unitBytes = index.getData(h.index * INDEX_UNIT_SIZE);
  checkCode(
    unitBytes !== null && unitBytes.length >= INDEX_UNIT_SIZE,
    "DISK_ERROR",
    () => `no index unit for ${h.index}`,
  );
  const unit = decodeIndexUnit(unitBytes);
  checkCode(unit.magic === h.magic, "DISK_ERROR", () => `magic ${h.magic} != ${unit.magic}`);
  checkCode(unit.size === h.size, "DISK_ERROR", () => `size ${h.size} != ${unit.size}`);
  checkCode(unit.index === h.index, "DISK_ERROR", () => `index ${h.index} != ${unit.index}`);
  checkCode(unit.term === h.term, "DISK_ERROR", () => `term ${h.term} != ${unit.term}`);
  checkCode(unit.pos === pos, "DISK_ERROR", () => `pos ${pos} != ${unit.pos}`);
}

/** The file to start the scan at: the third-last whose first entry matches the index, else the first. */
function findStartFile(data: MmapFileList, index: MmapFileList, logger: Logger): number {
  const files = data.mappedFiles;
  let start = Math.max(0, files.length - 3);
  for (let i = start; i >= 0; i--) {
    start = i;
    const file = files[i]!;
    try {
      const h = readHeader(file.buffer, 0, file.fileSize);
      checkCode(h !== null, "DISK_ERROR", () => "file too small");
      checkCode(h.magic !== BLANK_MAGIC_CODE && h.magic >= MAGIC_1, "DISK_ERROR", () => `unknown magic=${h.magic}`);
      checkCode(h.size > HEADER_SIZE, "DISK_ERROR", () => `size ${h.size} should > ${HEADER_SIZE}`);
      checkCode(h.pos === file.fileFromOffset, "DISK_ERROR", () => `pos ${h.pos} != ${file.fileFromOffset}`);
      checkCode(h.bodySize + BODY_OFFSET === h.size, "DISK_ERROR", () => `size ${h.size} != ${h.bodySize} + 48`);
      checkAgainstIndex(index, h, file.fileFromOffset);
      break;
    } catch (e) {
      logger.warn({ err: e }, `Pre check data and index failed ${file.fileName}`);
    }
  }
  return start;
}

/** Scan the data files (see the module comment); rewrites index units where needed. */
export function scanDataFiles(data: MmapFileList, index: MmapFileList, logger: Logger): RecoveredEnd {
  const files = data.mappedFiles;
  let fileIndex = findStartFile(data, index, logger);
  let file = files[fileIndex]!;
  let relative = 0;
  let lastEntryIndex = -1;
  let lastEntryTerm = -1;
  let processOffset = file.fileFromOffset;
  let needWriteIndex = false;
  for (;;) {
    try {
      const absolutePos = file.fileFromOffset + relative;
      checkCode(relative + 4 <= file.fileSize, "DISK_ERROR", () => "end of file");
      const magic = file.buffer.readInt32BE(relative);
      if (magic === BLANK_MAGIC_CODE) {
        processOffset = file.fileFromOffset + file.fileSize;
        fileIndex++;
        if (fileIndex >= files.length) break;
        file = files[fileIndex]!;
        relative = 0;
        processOffset = file.fileFromOffset;
        continue;
      }
      checkCode(relative + 8 <= file.fileSize, "DISK_ERROR", () => "end of file");
      if (file.buffer.readInt32BE(relative + 4) === 0) break;
      const h = readHeader(file.buffer, relative, file.fileSize);
      checkCode(h !== null, "DISK_ERROR", () => "entry header past the end of the file");
      const where = (): string => `pos=${absolutePos} size=${h.size} magic=${h.magic} index=${h.index} term=${h.term}`;
      checkCode(h.pos === absolutePos, "DISK_ERROR", () => `pos ${h.pos} != ${absolutePos}`);
      checkCode(h.bodySize + BODY_OFFSET === h.size, "DISK_ERROR", () => `size ${h.size} != ${h.bodySize} + 48`);
      checkCode(relative + h.size <= file.fileSize, "DISK_ERROR", () => `${where()} runs past the end of the file`);
      checkCode(h.magic <= CURRENT_MAGIC && h.magic >= MAGIC_1, "DISK_ERROR", where);
      if (lastEntryIndex !== -1) checkCode(h.index === lastEntryIndex + 1, "DISK_ERROR", where);
      checkCode(h.term >= lastEntryTerm, "DISK_ERROR", () => `${where()} lastEntryTerm=${lastEntryTerm}`);
      checkCode(h.size > HEADER_SIZE, "DISK_ERROR", where);
      const unitOffset = h.index * INDEX_UNIT_SIZE;
      if (!needWriteIndex) {
        try {
          checkAgainstIndex(index, h, absolutePos);
        } catch (e) {
          logger.warn({ err: e }, `Compare data to index failed ${file.fileName}`);
          index.truncateOffset(unitOffset);
          if (index.getMaxWrotePosition() !== unitOffset) {
            logger.warn(
              `[Recovery] rebuild for index wrotePos=${index.getMaxWrotePosition()} truncatePos=${unitOffset}`,
            );
            checkCode(index.rebuildWithPos(unitOffset), "DISK_ERROR", () => `rebuild index truncatePos=${unitOffset}`);
          }
          needWriteIndex = true;
        }
      }
      if (needWriteIndex) {
        const unit = encodeIndexUnit({ magic: h.magic, pos: absolutePos, size: h.size, index: h.index, term: h.term });
        const indexPos = index.append(unit, false);
        checkCode(indexPos === unitOffset, "DISK_ERROR", () => `Write index failed index=${h.index}`);
      }
      relative += h.size;
      lastEntryIndex = h.index;
      lastEntryTerm = h.term;
      processOffset += h.size;
    } catch (e) {
      if (!(e instanceof DLedgerException) && !(e instanceof RangeError)) throw e;
      logger.info({ err: e }, `Recover data file to the end of ${file.fileName}`);
      break;
    }
  }
  return { lastEntryIndex, lastEntryTerm, processOffset };
}
