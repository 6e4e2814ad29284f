/**
 * What a commit-log recovery scan asks of a record without decoding it (Java's checkMessageAndReturnSize
 * when nothing is dispatched, and the head check of isMappedFileMatchedRecover): header fields read
 * in place from the mapped buffer, no per-record object beyond the body view the CRC needs.
 * Agrees with `checkRecord` on which records are valid (same length, magic and CRC rules).
 */
import { crc32 } from "node:zlib";
import { MessageSysFlag } from "./MessageSysFlag.js";
import {
  BLANK_MAGIC_CODE,
  calMsgLength,
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  PHYSICAL_OFFSET_POS,
  QUEUE_OFFSET_POS,
  SYSFLAG_POS,
} from "./MessageRecord.js";
import { dataViewCache } from "./dataViewCache.js";

const TWO_32 = 4294967296;
const BORN_TIMESTAMP_POS = 40;
const BODY_CRC_POS = 8;

// the scan's own view: it reads one mapped file a million times
const dataView = dataViewCache();

function hostLength(sysFlag: number, bit: number): number {
  return (sysFlag & bit) === 0 ? 8 : 20;
}

/**
 * The record at `pos` (data ends at `end`): its size when it is a valid message, 0 for the BLANK
 * end-of-file filler, -1 when invalid (bad magic, lengths that do not add up to TOTALSIZE, data
 * beyond `end`, or — with `checkCRC` — a body whose CRC32 differs from BODYCRC).
 */
export function checkRecordSize(buf: Buffer, pos: number, end: number, checkCRC: boolean): number {
  if (pos < 0 || end - pos < 8 || end > buf.length) return -1;
  const v = dataView(buf);
  const totalSize = v.getInt32(pos);
  const magic = v.getInt32(pos + 4);
  if (magic === BLANK_MAGIC_CODE) return 0;
  const v2 = magic === MESSAGE_MAGIC_CODE_V2;
  if (magic !== MESSAGE_MAGIC_CODE && !v2) return -1;
  const recordEnd = pos + totalSize;
  if (totalSize <= 0 || recordEnd > end) return -1;
  if (SYSFLAG_POS + 4 > totalSize) return -1;
  const sysFlag = v.getInt32(pos + SYSFLAG_POS);
  // born time, born host, store time, store host, reconsume times, prepared offset
  let p =
    pos +
    BORN_TIMESTAMP_POS +
    8 +
    hostLength(sysFlag, MessageSysFlag.BORNHOST_V6_FLAG) +
    8 +
    hostLength(sysFlag, MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) +
    4 +
    8;
  if (p + 4 > recordEnd) return -1;
  const bodyLength = v.getInt32(p);
  p += 4;
  if (bodyLength < 0 || p + bodyLength > recordEnd) return -1;
  if (checkCRC && bodyLength > 0) {
    const crc = crc32(buf.subarray(p, p + bodyLength)) & 0x7fffffff;
    if (crc !== v.getInt32(pos + BODY_CRC_POS)) return -1;
  }
  p += bodyLength;
  if (p + (v2 ? 2 : 1) > recordEnd) return -1;
  const topicLength = v2 ? v.getInt16(p) : v.getInt8(p);
  p += v2 ? 2 : 1;
  if (topicLength < 0 || p + topicLength + 2 > recordEnd) return -1;
  p += topicLength;
  const propertiesLength = v.getInt16(p);
  if (propertiesLength < 0) return -1;
  const computed = calMsgLength(sysFlag, bodyLength, topicLength, propertiesLength) + (v2 ? 1 : 0);
  return computed === totalSize ? totalSize : -1;
}

/**
 * STORETIMESTAMP of the record at `pos` when it starts with a message magic code, else 0 (what
 * abnormal recovery compares with the checkpoint to choose its first file; nothing else is checked).
 */
export function recordStoreTimestampAt(buf: Buffer, pos: number): number {
  if (pos < 0 || pos + SYSFLAG_POS + 4 > buf.length) return 0;
  const v = dataView(buf);
  const magic = v.getInt32(pos + 4);
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) return 0;
  const sysFlag = v.getInt32(pos + SYSFLAG_POS);
  const at = pos + BORN_TIMESTAMP_POS + 8 + hostLength(sysFlag, MessageSysFlag.BORNHOST_V6_FLAG);
  if (at + 8 > buf.length) return 0;
  return v.getInt32(at) * TWO_32 + v.getUint32(at + 4);
}

/** The fields of a stored record that its dispatch needs (consume queue entry, index keys, long polling). */
export interface RecordHead {
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  storeTimestamp: number;
  topic: string;
  propertiesString: string;
}

/**
 * Read a record's dispatch fields in place (no body, hosts or property map). The record must have
 * passed `checkRecordSize`: lengths are not checked again.
 */
export function recordHeadAt(buf: Buffer, pos: number): RecordHead {
  const v = dataView(buf);
  const v2 = v.getInt32(pos + 4) === MESSAGE_MAGIC_CODE_V2;
  const sysFlag = v.getInt32(pos + SYSFLAG_POS);
  const storeTimestampPos = pos + BORN_TIMESTAMP_POS + 8 + hostLength(sysFlag, MessageSysFlag.BORNHOST_V6_FLAG);
  const bodyLengthPos = storeTimestampPos + 8 + hostLength(sysFlag, MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) + 12;
  let p = bodyLengthPos + 4 + v.getInt32(bodyLengthPos);
  const topicLength = v2 ? v.getInt16(p) : v.getInt8(p);
  p += v2 ? 2 : 1;
  const topic = buf.toString("utf8", p, p + topicLength);
  p += topicLength;
  const propertiesLength = v.getInt16(p);
  p += 2;
  return {
    queueId: v.getInt32(pos + 12),
    queueOffset: v.getInt32(pos + QUEUE_OFFSET_POS) * TWO_32 + v.getUint32(pos + QUEUE_OFFSET_POS + 4),
    commitLogOffset: v.getInt32(pos + PHYSICAL_OFFSET_POS) * TWO_32 + v.getUint32(pos + PHYSICAL_OFFSET_POS + 4),
    sysFlag,
    storeTimestamp: v.getInt32(storeTimestampPos) * TWO_32 + v.getUint32(storeTimestampPos + 4),
    topic,
    propertiesString: propertiesLength > 0 ? buf.toString("utf8", p, p + propertiesLength) : "",
  };
}
