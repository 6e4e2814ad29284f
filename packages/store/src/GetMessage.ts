/**
 * The pull read path (Java's DefaultMessageStore.getMessage): up to maxMsgNums messages of one consume
 * queue from a queue offset, filtered by tags code and then by properties, within Java's transfer
 * limits for messages in memory and on disk, with Java's statuses and next-offset corrections.
 */
import { totalmem } from "node:os";
import { decodeRecordAt } from "@rocketmq-ts/common";
import type { CommitLogStore } from "./CommitLogStore.js";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import type { ConsumeQueue } from "./ConsumeQueue.js";
import { CQ_STORE_UNIT_SIZE, cqEntryOffset, cqEntrySize, cqEntryTagsCode } from "./ConsumeQueueEntry.js";

/** Read once, as Java's UtilAll.TOTAL_PHYSICAL_MEMORY_SIZE (os.totalmem() reads /proc/meminfo). */
const TOTAL_PHYSICAL_MEMORY_SIZE = totalmem();

export type GetMessageStatus =
  | "FOUND"
  | "NO_MATCHED_MESSAGE"
  | "MESSAGE_WAS_REMOVING"
  | "OFFSET_FOUND_NULL"
  | "OFFSET_OVERFLOW_BADLY"
  | "OFFSET_OVERFLOW_ONE"
  | "OFFSET_TOO_SMALL"
  | "NO_MATCHED_LOGIC_QUEUE"
  | "NO_MESSAGE_IN_QUEUE";

/** Decides per message whether a pull returns it (tag hash first, then the full record if needed). */
export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  isMatchedByCommitLog?(properties: Map<string, string>): boolean;
}

export interface GetMessageResult {
  status: GetMessageStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** Stored records (views into the mapped files). */
  messages: Buffer[];
  bufferTotalSize: number;
  suggestPullingFromSlave: boolean;
  msgQueueOffsets: number[];
}

/** Bytes of the commit log's tail that count as in memory (accessMessageInMemoryMaxRatio of RAM). */
function memoryForMessages(config: MessageStoreConfig): number {
  return TOTAL_PHYSICAL_MEMORY_SIZE * (config.accessMessageInMemoryMaxRatio / 100);
}

/** Is the message at `offsetPy` further behind the commit log's end than what fits in memory? */
export function checkInDiskByCommitOffset(config: MessageStoreConfig, offsetPy: number, maxOffsetPy: number): boolean {
  return maxOffsetPy - offsetPy > memoryForMessages(config);
}

/** A slave without offsetCheckInSlave keeps the consumer's offset (Java's nextOffsetCorrection). */
function nextOffsetCorrection(config: MessageStoreConfig, oldOffset: number, newOffset: number): number {
  return config.brokerRole !== "SLAVE" || config.offsetCheckInSlave ? newOffset : oldOffset;
}

function isTheBatchFull(
  c: MessageStoreConfig,
  sizePy: number,
  maxMsgNums: number,
  bufferTotal: number,
  messageTotal: number,
  isInDisk: boolean,
): boolean {
  if (bufferTotal === 0 || messageTotal === 0) return false;
  if (maxMsgNums <= messageTotal) return true;
  if (isInDisk)
    return (
      bufferTotal + sizePy > c.maxTransferBytesOnMessageInDisk || messageTotal > c.maxTransferCountOnMessageInDisk - 1
    );
  return (
    bufferTotal + sizePy > c.maxTransferBytesOnMessageInMemory || messageTotal > c.maxTransferCountOnMessageInMemory - 1
  );
}

/** Read a pull's messages from `cq` (undefined: no such queue) starting at queue offset `offset`. */
export function getMessageFromQueue(
  config: MessageStoreConfig,
  commitLog: CommitLogStore,
  cq: ConsumeQueue | undefined,
  offset: number,
  maxMsgNums: number,
  filter?: MessageFilter,
): GetMessageResult {
  const result: GetMessageResult = {
    status: "NO_MESSAGE_IN_QUEUE",
    nextBeginOffset: offset,
    minOffset: 0,
    maxOffset: 0,
    messages: [],
    bufferTotalSize: 0,
    suggestPullingFromSlave: false,
    msgQueueOffsets: [],
  };
  const maxOffsetPy = commitLog.getMaxOffset();
  if (!cq) {
    result.status = "NO_MATCHED_LOGIC_QUEUE";
    result.nextBeginOffset = nextOffsetCorrection(config, offset, 0);
    return result;
  }
  const minOffset = cq.getMinOffsetInQueue();
  const maxOffset = cq.getMaxOffsetInQueue();
  result.minOffset = minOffset;
  result.maxOffset = maxOffset;
  if (maxOffset === 0) {
    result.status = "NO_MESSAGE_IN_QUEUE";
    result.nextBeginOffset = nextOffsetCorrection(config, offset, 0);
  } else if (offset < minOffset) {
    result.status = "OFFSET_TOO_SMALL";
    result.nextBeginOffset = nextOffsetCorrection(config, offset, minOffset);
  } else if (offset === maxOffset) {
    result.status = "OFFSET_OVERFLOW_ONE";
    result.nextBeginOffset = nextOffsetCorrection(config, offset, offset);
  } else if (offset > maxOffset) {
    result.status = "OFFSET_OVERFLOW_BADLY";
    result.nextBeginOffset = nextOffsetCorrection(config, offset, minOffset === 0 ? minOffset : maxOffset);
  } else {
    const index = cq.getIndexBuffer(offset);
    if (!index) {
      result.status = "OFFSET_FOUND_NULL";
      result.nextBeginOffset = nextOffsetCorrection(config, offset, cq.rollNextFile(offset));
      return result;
    }
    result.status = "NO_MATCHED_MESSAGE";
    let nextPhyFileStartOffset = Number.MIN_SAFE_INTEGER;
    let maxPhyOffsetPulling = 0;
    const buf = index.buffer;
    const limit = Math.min(buf.length, 16000 * CQ_STORE_UNIT_SIZE);
    let i = 0;
    for (; i + CQ_STORE_UNIT_SIZE <= limit; i += CQ_STORE_UNIT_SIZE) {
      const offsetPy = cqEntryOffset(buf, i);
      const sizePy = cqEntrySize(buf, i);
      const tagsCode = cqEntryTagsCode(buf, i);
      maxPhyOffsetPulling = offsetPy;
      if (nextPhyFileStartOffset !== Number.MIN_SAFE_INTEGER && offsetPy < nextPhyFileStartOffset) continue;
      const isInDisk = checkInDiskByCommitOffset(config, offsetPy, maxOffsetPy);
      if (isTheBatchFull(config, sizePy, maxMsgNums, result.bufferTotalSize, result.messages.length, isInDisk)) break;
      if (filter && !filter.isMatchedByConsumeQueue(tagsCode)) {
        if (result.bufferTotalSize === 0) result.status = "NO_MATCHED_MESSAGE";
        continue;
      }
      const msg = commitLog.getMessage(offsetPy, sizePy);
      if (!msg) {
        if (result.bufferTotalSize === 0) result.status = "MESSAGE_WAS_REMOVING";
        nextPhyFileStartOffset = commitLog.rollNextFile(offsetPy);
        continue;
      }
      if (filter?.isMatchedByCommitLog) {
        const props = decodeRecordAt(msg, 0, false).properties;
        if (!filter.isMatchedByCommitLog(props)) {
          if (result.bufferTotalSize === 0) result.status = "NO_MATCHED_MESSAGE";
          continue;
        }
      }
      result.messages.push(msg);
      result.msgQueueOffsets.push(offset + i / CQ_STORE_UNIT_SIZE);
      result.bufferTotalSize += msg.length;
      result.status = "FOUND";
      nextPhyFileStartOffset = Number.MIN_SAFE_INTEGER;
    }
    result.nextBeginOffset = offset + i / CQ_STORE_UNIT_SIZE;
    const diff = maxOffsetPy - maxPhyOffsetPulling;
    result.suggestPullingFromSlave = diff > memoryForMessages(config);
  }
  return result;
}
