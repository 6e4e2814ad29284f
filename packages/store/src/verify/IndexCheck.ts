/**
 * The verifier's index check: every entry of every `index/<yyyyMMddHHmmssSSS>` file against the
 * records the commit-log scan found (layout: store-ha-config.md §4, IndexFile.ts).
 *
 * An index file does not record its geometry (maxHashSlotNum / maxIndexNum): it is taken from the
 * options, else the defaults when the file has the default size, else inferred from the file (up to
 * 64 MiB): the candidate geometry must put the newest entry at the head of its hash slot, and every
 * slot head and chain link must stay within one slot. When none fits, the file is not checked
 * (warning).
 *
 * Errors: an entry whose physical offset is not the start of a valid record (or is past the commit
 * log's end), an entry whose key hash is none of that record's keys (`topic#UNIQ_KEY`, `topic#` each
 * KEYS word), a slot or chain link out of range or into another slot, an indexCount beyond
 * maxIndexNum. Warnings: entries below the commit log's min offset (expired), a hashSlotCount that
 * is not the number of used slots, records after the last indexed one (the index is behind the
 * commit log). Records missing between indexed ones are not reported: Java's abnormal recovery
 * legitimately leaves such holes (it deletes index files newer than the checkpoint and re-indexes
 * only from where it replays). Duplicate entries (erratum 3 of the reference) are fine.
 */
import { readLong } from "@rocketmq-ts/common";
import { INDEX_HEADER_SIZE, indexFileSize } from "../index/IndexFile.js";
import { FileWindow } from "./FileWindow.js";
import type { ProblemLog } from "./Problems.js";
import { RecordFlag, type RecordTable } from "./RecordTable.js";
import { displayPath } from "./StoreFiles.js";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export interface IndexGeometry {
  hashSlotNum: number;
  indexNum: number;
}

/** maxHashSlotNum / maxIndexNum defaults of 4.9.8. */
export const DEFAULT_INDEX_GEOMETRY: IndexGeometry = { hashSlotNum: 5_000_000, indexNum: 20_000_000 };

const HASH_SLOT_SIZE = 4;
const INDEX_SIZE = 20;
const MAX_INFER_BYTES = 64 * 1024 * 1024;

export interface IndexContext {
  root: string;
  table: RecordTable;
  problems: ProblemLog;
  commitLogMinOffset: number;
  commitLogMaxOffset: number;
  /** Geometry from the broker's configuration, when known. */
  geometry?: IndexGeometry;
}

export interface IndexSummary {
  indexFiles: number;
  indexEntries: number;
  /** Geometry used (of the last file checked), null when no file had entries. */
  geometry: IndexGeometry | null;
}

interface IndexHeader {
  beginTimestamp: number;
  endTimestamp: number;
  beginPhyOffset: number;
  endPhyOffset: number;
  hashSlotCount: number;
  indexCount: number;
}

function readHeader(w: FileWindow): IndexHeader | null {
  if (w.size < INDEX_HEADER_SIZE) return null;
  const b = w.cover(0, INDEX_HEADER_SIZE);
  return {
    beginTimestamp: readLong(b, 0),
    endTimestamp: readLong(b, 8),
    beginPhyOffset: readLong(b, 16),
    endPhyOffset: readLong(b, 24),
    hashSlotCount: b.readInt32BE(32),
    indexCount: Math.max(1, b.readInt32BE(36)),
  };
}

/** Whether the slot table and chains of `buf` (a whole file) hold together under this geometry. */
function chainsHold(buf: Buffer, h: IndexHeader, g: IndexGeometry): boolean {
  const entriesAt = INDEX_HEADER_SIZE + g.hashSlotNum * HASH_SLOT_SIZE;
  const hashOf = (i: number): number => buf.readInt32BE(entriesAt + i * INDEX_SIZE);
  let used = 0;
  for (let k = 0; k < g.hashSlotNum; k++) {
    const v = buf.readInt32BE(INDEX_HEADER_SIZE + k * HASH_SLOT_SIZE);
    if (v === 0) continue;
    used++;
    if (v < 0 || v >= h.indexCount || hashOf(v) % g.hashSlotNum !== k) return false;
  }
  if (used !== h.hashSlotCount) return false;
  for (let i = 1; i < h.indexCount; i++) {
    const hash = hashOf(i);
    const prev = buf.readInt32BE(entriesAt + i * INDEX_SIZE + 16);
    if (hash < 0 || prev < 0 || prev >= i) return false;
    if (prev > 0 && hashOf(prev) % g.hashSlotNum !== hash % g.hashSlotNum) return false;
  }
  return true;
}

/** Geometries of a file of `size` bytes that fit its contents (see the module comment). */
function inferGeometry(w: FileWindow, h: IndexHeader): IndexGeometry[] {
  const size = w.size;
  const buf = w.read(0, size);
  const newest = h.indexCount - 1;
  const found: IndexGeometry[] = [];
  const maxEntries = Math.floor((size - INDEX_HEADER_SIZE - HASH_SLOT_SIZE) / INDEX_SIZE);
  for (let indexNum = Math.max(h.indexCount, 1); indexNum <= maxEntries; indexNum++) {
    const slotBytes = size - INDEX_HEADER_SIZE - indexNum * INDEX_SIZE;
    if (slotBytes % HASH_SLOT_SIZE !== 0) continue;
    const hashSlotNum = slotBytes / HASH_SLOT_SIZE;
    if (hashSlotNum < Math.max(1, h.hashSlotCount)) continue;
    const hash = buf.readInt32BE(INDEX_HEADER_SIZE + hashSlotNum * HASH_SLOT_SIZE + newest * INDEX_SIZE);
    if (hash < 0) continue;
    if (buf.readInt32BE(INDEX_HEADER_SIZE + (hash % hashSlotNum) * HASH_SLOT_SIZE) !== newest) continue;
    const g = { hashSlotNum, indexNum };
    if (chainsHold(buf, h, g)) found.push(g);
  }
  return found;
}

class IndexChecker {
  readonly summary: IndexSummary = { indexFiles: 0, indexEntries: 0, geometry: null };
  /** Highest physical offset an entry points at (-1: none). */
  maxIndexed = -1;
  private readonly bySize = new Map<number, IndexGeometry>();

  constructor(private readonly ctx: IndexContext) {}

  private geometryFor(w: FileWindow, name: string, h: IndexHeader): IndexGeometry | null {
    const { problems } = this.ctx;
    const given = this.ctx.geometry;
    if (given) {
      if (indexFileSize(given.hashSlotNum, given.indexNum) === w.size) return given;
      problems.error(
        "index-geometry",
        name,
        0,
        `file is ${w.size} bytes, ${indexFileSize(given.hashSlotNum, given.indexNum)} with maxHashSlotNum ${given.hashSlotNum} and maxIndexNum ${given.indexNum}`,
      );
      return null;
    }
    const known = this.bySize.get(w.size);
    if (known) return known;
    const d = DEFAULT_INDEX_GEOMETRY;
    if (indexFileSize(d.hashSlotNum, d.indexNum) === w.size) return d;
    if (w.size > MAX_INFER_BYTES) {
      problems.warning(
        "index-geometry",
        name,
        0,
        `file of ${w.size} bytes does not have the default size: pass maxHashSlotNum / maxIndexNum to check it`,
      );
      return null;
    }
    const found = inferGeometry(w, h);
    const g = found[0];
    if (!g) {
      problems.warning(
        "index-geometry",
        name,
        0,
        `no maxHashSlotNum / maxIndexNum fits this ${w.size}-byte file: not checked`,
      );
      return null;
    }
    if (found.length > 1)
      problems.warning(
        "index-geometry",
        name,
        0,
        `several geometries fit this file (${found.map((x) => `${x.hashSlotNum}/${x.indexNum}`).join(", ")}); using the first`,
      );
    this.bySize.set(w.size, g);
    return g;
  }

  checkFile(path: string): void {
    const { problems, table } = this.ctx;
    const name = displayPath(this.ctx.root, path);
    const w = new FileWindow(path);
    try {
      this.summary.indexFiles++;
      const h = readHeader(w);
      if (!h) {
        problems.error("index-header", name, 0, `file of ${w.size} bytes has no header`);
        return;
      }
      if (h.indexCount <= 1) return; // no entries
      const g = this.geometryFor(w, name, h);
      if (!g) return;
      this.summary.geometry = g;
      let indexCount = h.indexCount;
      if (indexCount > g.indexNum) {
        problems.error("index-header", name, 36, `indexCount ${indexCount} exceeds maxIndexNum ${g.indexNum}`);
        indexCount = g.indexNum;
      }
      const entriesAt = INDEX_HEADER_SIZE + g.hashSlotNum * HASH_SLOT_SIZE;
      const hashes = new Int32Array(indexCount);
      let expired = 0;
      let firstExpired = -1;
      for (let i = 1; i < indexCount; i++) {
        const at = entriesAt + i * INDEX_SIZE;
        const buf = w.cover(at, INDEX_SIZE);
        const rel = at - w.start;
        if (w.end - w.start < rel + INDEX_SIZE) {
          problems.error("index-header", name, at, `indexCount ${indexCount} runs past the file's end`);
          break;
        }
        const hash = buf.readInt32BE(rel);
        const phyOffset = readLong(buf, rel + 4);
        const prev = buf.readInt32BE(rel + 16);
        hashes[i] = hash;
        this.summary.indexEntries++;
        if (prev < 0 || prev >= i)
          problems.error("index-chain", name, at, `entry ${i} links to entry ${prev} (must be below ${i})`);
        else if (prev > 0 && (hashes[prev] as number) % g.hashSlotNum !== hash % g.hashSlotNum)
          problems.error("index-chain", name, at, `entry ${i} links to entry ${prev} of another hash slot`);
        if (phyOffset < this.ctx.commitLogMinOffset) {
          expired++;
          if (firstExpired < 0) firstExpired = at;
          continue;
        }
        const r = table.find(phyOffset);
        if (r < 0) {
          problems.error(
            "index-no-record",
            name,
            at,
            phyOffset >= this.ctx.commitLogMaxOffset
              ? `entry ${i} points at ${phyOffset}, past the end of the commit log's valid data (${this.ctx.commitLogMaxOffset})`
              : `entry ${i} points at ${phyOffset} where no valid record starts`,
          );
          continue;
        }
        table.flags[r] = (table.flags[r] as number) | RecordFlag.IN_INDEX;
        if (phyOffset > this.maxIndexed) this.maxIndexed = phyOffset;
        if (!table.hasKeyHash(r, hash))
          problems.error(
            "index-key-mismatch",
            name,
            at,
            `entry ${i}: key hash ${hash} is none of the keys of the record at ${phyOffset} (${table.keyCountOf(r)} keys)`,
          );
      }
      if (expired > 0)
        problems.warning(
          "index-expired",
          name,
          firstExpired,
          `${expired} entries point below the commit log's min offset ${this.ctx.commitLogMinOffset} (expired files)`,
        );
      this.checkSlots(w, name, g, h, indexCount, hashes);
    } finally {
      w.close();
    }
  }

  private checkSlots(
    w: FileWindow,
    name: string,
    g: IndexGeometry,
    h: IndexHeader,
    indexCount: number,
    hashes: Int32Array,
  ): void {
    const { problems } = this.ctx;
    let used = 0;
    const end = INDEX_HEADER_SIZE + g.hashSlotNum * HASH_SLOT_SIZE;
    for (let at = INDEX_HEADER_SIZE; at < end;) {
      const buf = w.cover(at, end - at);
      const stop = Math.min(end, w.end);
      if (stop <= at) break;
      for (; at + HASH_SLOT_SIZE <= stop; at += HASH_SLOT_SIZE) {
        const v = buf.readInt32BE(at - w.start);
        if (v === 0) continue;
        used++;
        const k = (at - INDEX_HEADER_SIZE) / HASH_SLOT_SIZE;
        if (v < 0 || v >= indexCount)
          problems.error(
            "index-chain",
            name,
            at,
            `hash slot ${k} holds entry ${v}, not below indexCount ${indexCount}`,
          );
        else if ((hashes[v] as number) % g.hashSlotNum !== k)
          problems.error(
            "index-chain",
            name,
            at,
            `hash slot ${k} holds entry ${v}, whose key hash belongs to slot ${(hashes[v] as number) % g.hashSlotNum}`,
          );
      }
    }
    if (used !== h.hashSlotCount)
      problems.warning("index-header", name, 32, `hashSlotCount ${h.hashSlotCount}, but ${used} slots are in use`);
  }

  /** Records that would be indexed, after the last indexed one. */
  reportBehind(): void {
    const { table } = this.ctx;
    if (this.summary.indexFiles === 0) return;
    let count = 0;
    let first = -1;
    for (let r = table.firstAtOrAfter(this.maxIndexed + 1); r < table.count; r++) {
      if (table.keyCountOf(r) === 0 || ((table.flags[r] as number) & RecordFlag.NOT_INDEXED) !== 0) continue;
      if (first < 0) first = table.offsets[r] as number;
      count++;
    }
    if (count > 0)
      this.ctx.problems.warning(
        "index-behind",
        "index",
        0,
        `index behind commit log by ${count} records (from the record at ${first}; the reput indexes them at restart)`,
      );
  }
}

/** Check `index/` against the records; returns the counts for the report. */
export function checkIndexFiles(ctx: IndexContext, indexDir: string): IndexSummary {
  const checker = new IndexChecker(ctx);
  let names: string[] = [];
  try {
    names = readdirSync(indexDir).sort();
  } catch {
    return checker.summary;
  }
  for (const name of names) {
    const path = join(indexDir, name);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      continue;
    }
    if (!/^\d+$/.test(name) || !isFile) {
      ctx.problems.warning("stray-file", displayPath(ctx.root, path), 0, "not an index file (Java skips it)");
      continue;
    }
    try {
      checker.checkFile(path);
    } catch (e) {
      ctx.problems.error("io", displayPath(ctx.root, path), 0, `cannot read: ${(e as Error).message}`);
    }
  }
  checker.reportBehind();
  return checker.summary;
}
