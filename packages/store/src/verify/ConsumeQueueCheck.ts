/**
 * The verifier's consume-queue check: every entry of every `consumequeue/<topic>/<queueId>/` against
 * the records the commit-log scan found, then every record that should have an entry against the
 * queues. Rules (errors unless noted):
 *
 * - files of one queue have one size, a multiple of 20, and follow each other without gaps;
 * - the queue may start with pre-blank entries (offset 0, size 0x7FFFFFFF, tags 0; a queue whose first
 *   file starts past its min offset); a blank entry after a real one is an error;
 * - the queue ends at its first entry with a negative offset or a size ≤ 0 (Java's recovery rule);
 *   non-zero bytes after that end are a warning (recovery drops them);
 * - an entry below the commit log's min offset is expired (warning, counted per queue);
 * - otherwise the entry must point at the start of a valid record of the same topic and queue id,
 *   whose queue offset is the entry's position / 20 and whose size is the entry's size, which gets
 *   consume-queue entries (not a PREPARED/ROLLBACK transaction record);
 * - the tags code must be the one dispatch writes (hash code of TAGS); for SCHEDULE_TOPIC_XXXX it is
 *   the delivery time, which depends on the broker's messageDelayLevel, so a mismatch there is only a
 *   warning; extension addresses (consume-queue ext) are not checked;
 * - a record with no entry: a warning when its queue offset is at or past the queue's end (the
 *   queue is behind the commit log: kill -9 before dispatch, repaired by the reput at restart),
 *   counted per queue; an error when the queue's entry at that offset exists (or the queue starts
 *   after it) — unless that entry was already reported.
 */
import { join } from "node:path";
import { offset2FileName } from "../MappedFile.js";
import {
  CQ_BLANK_ENTRY_SIZE,
  CQ_STORE_UNIT_SIZE,
  cqEntryOffset,
  cqEntrySize,
  cqEntryTagsCode,
} from "../ConsumeQueueEntry.js";
import { FileWindow } from "./FileWindow.js";
import type { ProblemLog } from "./Problems.js";
import { RecordFlag, type RecordTable } from "./RecordTable.js";
import { displayPath, listDirs, listMappedFiles, type StoreFile } from "./StoreFiles.js";

/** Consume-queue files are read 1 MiB at a time (a store may have thousands of 6 MB files). */
const CQ_READ_CHUNK = 1024 * 1024;
/** Lowest tags code that is a tags hash; anything at or below this is a consume-queue ext address. */
const MIN_TAGS_HASH = -2147483648;

export interface ConsumeQueueSummary {
  topics: number;
  consumeQueues: number;
  cqEntries: number;
}

export interface ConsumeQueueContext {
  root: string;
  table: RecordTable;
  problems: ProblemLog;
  /** Start of the first commit-log file. */
  commitLogMinOffset: number;
  /** End of the valid commit-log data. */
  commitLogMaxOffset: number;
}

/** What one queue's files hold. */
interface QueueState {
  topic: string;
  queueId: number;
  dir: string;
  /** Queue offset of the first real (not pre-blank) entry; -1 when there is none. */
  minOffset: number;
  /** Queue offset after the last entry. */
  maxOffset: number;
  /** Queue offsets whose entry was reported as an error. */
  badOffsets: Set<number>;
  /** Size of the queue's files (0 without files). */
  fileSize: number;
  /** The last file and the position after its last entry (where "behind" warnings point). */
  endFile: string;
  endPos: number;
}

/** The file and position of a queue's entry for `queueOffset`. */
function entryLocation(state: QueueState, queueOffset: number): { file: string; pos: number } {
  if (state.fileSize <= 0) return { file: state.dir, pos: 0 };
  const at = queueOffset * CQ_STORE_UNIT_SIZE;
  const start = at - (at % state.fileSize);
  return { file: `${state.dir}/${offset2FileName(start)}`, pos: at - start };
}

function describeRecord(table: RecordTable, r: number): string {
  const q = table.queues[r] as number;
  if (q < 0) return "a PREPARED/ROLLBACK transaction record";
  return `${table.topicOf(q)}/${table.queueIdOf(q)} queue offset ${table.queueOffsets[r]}`;
}

function checkQueue(
  ctx: ConsumeQueueContext,
  topic: string,
  queueId: number,
  dir: string,
  summary: ConsumeQueueSummary,
): QueueState {
  const { problems, table } = ctx;
  const state: QueueState = {
    topic,
    queueId,
    dir: displayPath(ctx.root, dir),
    minOffset: -1,
    maxOffset: 0,
    badOffsets: new Set(),
    fileSize: 0,
    endFile: displayPath(ctx.root, dir),
    endPos: 0,
  };
  const { files, strays } = listMappedFiles(dir);
  for (const s of strays)
    problems.warning("stray-file", displayPath(ctx.root, join(dir, s)), 0, "not a consume-queue file");
  const first = files[0];
  if (!first) return state;
  const fileSize = first.size;
  if (fileSize % CQ_STORE_UNIT_SIZE !== 0 || fileSize === 0) {
    problems.error(
      "cq-file-size",
      displayPath(ctx.root, first.path),
      0,
      `file size ${fileSize} is not a positive multiple of 20`,
    );
    return state;
  }
  state.fileSize = fileSize;
  state.maxOffset = first.start / CQ_STORE_UNIT_SIZE;
  const queue = table.findQueue(topic, queueId);
  let expired = 0;
  let firstExpired: { file: string; pos: number } | null = null;
  let ended: { file: StoreFile; pos: number } | null = null;
  let prev: StoreFile | null = null;
  for (const file of files) {
    const name = displayPath(ctx.root, file.path);
    if (file.size !== fileSize)
      problems.error("cq-file-size", name, 0, `file is ${file.size} bytes, the queue's first file ${fileSize}`);
    if (prev && file.start !== prev.start + prev.size && !ended)
      problems.error(
        "cq-file-gap",
        name,
        0,
        `queue offsets not contiguous: file ${prev.name} ends at queue offset ${(prev.start + prev.size) / CQ_STORE_UNIT_SIZE}, this one starts at ${file.start / CQ_STORE_UNIT_SIZE}`,
      );
    prev = file;
    let w: FileWindow;
    try {
      w = new FileWindow(file.path, CQ_READ_CHUNK);
    } catch (e) {
      problems.error("io", name, 0, `cannot read: ${(e as Error).message}`);
      continue;
    }
    try {
      if (ended) {
        const last = w.lastNonZero(0, w.size);
        if (last >= 0)
          problems.warning(
            "cq-data-after-end",
            name,
            0,
            `non-zero bytes after the queue's end in ${displayPath(ctx.root, ended.file.path)} at ${ended.pos} (recovery drops them)`,
          );
        continue;
      }
      const usable = Math.min(file.size, w.size) - (Math.min(file.size, w.size) % CQ_STORE_UNIT_SIZE);
      for (let pos = 0; pos < usable; pos += CQ_STORE_UNIT_SIZE) {
        const buf = w.cover(pos, CQ_STORE_UNIT_SIZE);
        const rel = pos - w.start;
        const offset = cqEntryOffset(buf, rel);
        const size = cqEntrySize(buf, rel);
        const tagsCode = cqEntryTagsCode(buf, rel);
        const queueOffset = (file.start + pos) / CQ_STORE_UNIT_SIZE;
        if (offset === 0 && size === CQ_BLANK_ENTRY_SIZE && tagsCode === 0) {
          if (state.minOffset >= 0) {
            problems.error(
              "cq-blank-entry",
              name,
              pos,
              `pre-blank entry at queue offset ${queueOffset} after real entries`,
            );
            state.badOffsets.add(queueOffset);
          }
          state.maxOffset = queueOffset + 1;
          continue;
        }
        if (offset < 0 || size <= 0) {
          ended = { file, pos };
          const last = w.lastNonZero(pos, w.size);
          if (last >= 0)
            problems.warning(
              "cq-data-after-end",
              name,
              pos,
              `non-zero bytes after the queue's end at queue offset ${queueOffset} (recovery drops them)`,
            );
          break;
        }
        summary.cqEntries++;
        if (state.minOffset < 0) state.minOffset = queueOffset;
        state.maxOffset = queueOffset + 1;
        state.endFile = name;
        state.endPos = pos + CQ_STORE_UNIT_SIZE;
        if (offset < ctx.commitLogMinOffset) {
          expired++;
          firstExpired ??= { file: name, pos };
          continue;
        }
        const bad = (
          kind: "cq-no-record" | "cq-wrong-record" | "cq-size-mismatch" | "cq-queue-offset" | "cq-tags-code",
          detail: string,
        ): void => {
          problems.error(kind, name, pos, `${topic}/${queueId} queue offset ${queueOffset}: ${detail}`);
          state.badOffsets.add(queueOffset);
        };
        const r = table.find(offset);
        if (r < 0) {
          bad(
            "cq-no-record",
            offset >= ctx.commitLogMaxOffset
              ? `points at ${offset}, past the end of the commit log's valid data (${ctx.commitLogMaxOffset})`
              : `points at ${offset} where no valid record starts`,
          );
          continue;
        }
        table.flags[r] = (table.flags[r] as number) | RecordFlag.IN_CONSUME_QUEUE;
        if (table.queues[r] !== queue || queue < 0) {
          bad("cq-wrong-record", `points at ${offset}, ${describeRecord(table, r)}`);
          continue;
        }
        if (table.queueOffsets[r] !== queueOffset) {
          bad(
            "cq-queue-offset",
            `points at ${offset}, the record of queue offset ${table.queueOffsets[r]} (queue offsets not contiguous)`,
          );
          continue;
        }
        if (table.sizes[r] !== size) {
          bad("cq-size-mismatch", `size ${size}, the record at ${offset} has ${table.sizes[r]} bytes`);
          continue;
        }
        const expected = table.tagsCodes[r] as number;
        if (tagsCode !== expected && tagsCode >= MIN_TAGS_HASH) {
          const detail = `tags code ${tagsCode}, the record at ${offset} gives ${expected}`;
          if (((table.flags[r] as number) & RecordFlag.SCHEDULED) !== 0)
            problems.warning(
              "cq-tags-code",
              name,
              pos,
              `${topic}/${queueId} queue offset ${queueOffset}: ${detail} with the default messageDelayLevel`,
            );
          else bad("cq-tags-code", detail);
        }
      }
    } finally {
      w.close();
    }
  }
  if (expired > 0 && firstExpired)
    problems.warning(
      "cq-expired",
      firstExpired.file,
      firstExpired.pos,
      `${topic}/${queueId}: ${expired} entries point below the commit log's min offset ${ctx.commitLogMinOffset} (expired files)`,
    );
  return state;
}

/** Check `consumequeue/` against the records; returns the counts for the report. */
export function checkConsumeQueues(ctx: ConsumeQueueContext, consumeQueueDir: string): ConsumeQueueSummary {
  const summary: ConsumeQueueSummary = { topics: 0, consumeQueues: 0, cqEntries: 0 };
  const { table, problems } = ctx;
  const states = new Map<number, QueueState>();
  const topics = new Set<string>();
  for (const topic of listDirs(consumeQueueDir)) {
    for (const qid of listDirs(join(consumeQueueDir, topic))) {
      const queueId = Number(qid);
      const dir = join(consumeQueueDir, topic, qid);
      if (!/^\d+$/.test(qid) || queueId > 0x7fffffff) {
        problems.warning("stray-file", displayPath(ctx.root, dir), 0, "not a queue directory");
        continue;
      }
      topics.add(topic);
      summary.consumeQueues++;
      const state = checkQueue(ctx, topic, queueId, dir, summary);
      states.set(table.queue(topic, queueId), state);
    }
  }
  summary.topics = topics.size;
  findRecordsWithoutEntry(ctx, states);
  return summary;
}

/** Records that get consume-queue entries but have none (see the module comment). */
function findRecordsWithoutEntry(ctx: ConsumeQueueContext, states: Map<number, QueueState>): void {
  const { table, problems } = ctx;
  const behind = new Map<number, { count: number; firstOffset: number; firstQueueOffset: number }>();
  for (let r = 0; r < table.count; r++) {
    const queue = table.queues[r] as number;
    if (queue < 0 || ((table.flags[r] as number) & RecordFlag.IN_CONSUME_QUEUE) !== 0) continue;
    const queueOffset = table.queueOffsets[r] as number;
    const state = states.get(queue);
    if (!state || queueOffset >= state.maxOffset) {
      const b = behind.get(queue);
      if (b) b.count++;
      else behind.set(queue, { count: 1, firstOffset: table.offsets[r] as number, firstQueueOffset: queueOffset });
      continue;
    }
    if (state.badOffsets.has(queueOffset)) continue;
    const offset = table.offsets[r] as number;
    const at = entryLocation(state, queueOffset);
    problems.error(
      "cq-missing-entry",
      at.file,
      at.pos,
      `the record at ${offset} (${state.topic}/${state.queueId} queue offset ${queueOffset}) has no consume-queue entry: ${
        queueOffset < state.minOffset || state.minOffset < 0
          ? `the queue starts at queue offset ${state.minOffset}`
          : `the entry at that queue offset points at another record (duplicate queue offset)`
      }`,
    );
  }
  for (const [queue, b] of behind) {
    const state = states.get(queue);
    const topic = table.topicOf(queue);
    const queueId = table.queueIdOf(queue);
    problems.warning(
      "cq-behind",
      state ? state.endFile : `consumequeue/${topic}/${queueId}`,
      state ? state.endPos : 0,
      `consume queue ${topic}/${queueId} behind commit log by ${b.count} records (from queue offset ${b.firstQueueOffset}, record at ${b.firstOffset}; the reput dispatches them at restart)`,
    );
  }
}
