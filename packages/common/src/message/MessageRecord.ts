/**
 * The commit-log record (Java's MessageExt as stored): encoding, decoding and the validity check
 * recovery and dispatch use. Layout: store-ha-config.md §2.1. Pure functions over Buffers.
 */
import { crc32 } from "node:zlib";
import { putLong, readLong } from "./longs.js";
import { MessageSysFlag } from "./MessageSysFlag.js";
import { string2messageProperties } from "./properties.js";
import { dataViewCache } from "./dataViewCache.js";

export const MESSAGE_MAGIC_CODE = -626843481; // 0xDAA320A7, V1
export const MESSAGE_MAGIC_CODE_V2 = -626843477; // 0xDAA320AB, 5.x long topics
export const BLANK_MAGIC_CODE = -875286124; // 0xCBD43194, end-of-file filler
/** A record must leave room for a BLANK header after it. */
export const END_FILE_MIN_BLANK_LENGTH = 8;

/** Socket address as stored: 4 (IPv4) or 16 (IPv6) address bytes and a port. Never mutated (hot-path caches key on the object). */
export interface HostAddress {
  address: Buffer;
  port: number;
}

/** What a producer's message becomes before the broker assigns offsets and store time. */
export interface MessageInner {
  topic: string;
  queueId: number;
  flag: number;
  body: Buffer | null;
  propertiesString: string;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: HostAddress;
  storeHost: HostAddress;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
}

/** A stored record, decoded. */
export interface MessageExt extends MessageInner {
  storeSize: number;
  magicCode: number;
  bodyCRC: number;
  queueOffset: number;
  commitLogOffset: number;
  storeTimestamp: number;
  properties: Map<string, string>;
}

/**
 * A message to store again made from a stored one (a renewed half, a retry, a delayed message reaching
 * its real topic, a commit record): its flag, body, flags, born and store fields, reconsume times and
 * properties kept, no prepared offset, and what `changes` names replaced.
 */
export function messageInnerFrom(msg: MessageInner, changes: Partial<MessageInner>): MessageInner {
  return {
    topic: msg.topic,
    queueId: msg.queueId,
    flag: msg.flag,
    body: msg.body,
    propertiesString: msg.propertiesString,
    sysFlag: msg.sysFlag,
    bornTimestamp: msg.bornTimestamp,
    bornHost: msg.bornHost,
    storeHost: msg.storeHost,
    reconsumeTimes: msg.reconsumeTimes,
    preparedTransactionOffset: 0,
    ...changes,
  };
}

export function parseHost(hostPort: string): HostAddress {
  const i = hostPort.lastIndexOf(":");
  const host = hostPort.slice(0, i).replace(/^\[|\]$/g, "");
  const port = Number(hostPort.slice(i + 1));
  if (host.includes(":")) return { address: ipv6Bytes(host), port };
  const parts = host.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`Not an IP address: ${hostPort}`);
  return { address: Buffer.from(parts), port };
}

function ipv6Bytes(host: string): Buffer {
  const [head = "", tail = ""] = host.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = host.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/**
 * A number naming an IPv4 address and port (-1 for anything else): the formatted forms of the few
 * hosts a process sees are cached under it, as every record decoded carries two.
 */
function ipv4Key(h: HostAddress): number {
  const a = h.address;
  if (a.length !== 4 || h.port < 0 || h.port > 0xffff) return -1;
  return (
    ((((a[0] as number) * 256 + (a[1] as number)) * 256 + (a[2] as number)) * 256 + (a[3] as number)) * 65536 + h.port
  );
}

const hostStrings = new Map<number, string>();

export function formatHost(h: HostAddress): string {
  const key = ipv4Key(h);
  if (key >= 0) {
    let s = hostStrings.get(key);
    if (s === undefined) {
      const a = h.address;
      s = `${a[0]}.${a[1]}.${a[2]}.${a[3]}:${h.port}`;
      if (hostStrings.size > 10_000) hostStrings.clear();
      hostStrings.set(key, s);
    }
    return s;
  }
  if (h.address.length === 4) return `${[...h.address].join(".")}:${h.port}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(h.address.readUInt16BE(i).toString(16));
  return `[${groups.join(":")}]:${h.port}`;
}

/** A copy of buf[pos, pos + length) for a few bytes (an address): one small allocation, no view. */
function copyBytes(buf: Buffer, pos: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = buf[pos + i] as number;
  return out;
}

/** CRC32 with the sign bit cleared, as UtilAll.crc32; 0 for an empty body. */
export function bodyCrc(body: Buffer | null): number {
  return body && body.length > 0 ? crc32(body) & 0x7fffffff : 0;
}

function hostLength(sysFlag: number, bit: number): number {
  return (sysFlag & bit) === 0 ? 8 : 20;
}

/** Record length for the given parts (Java's calMsgLength, V1 magic). */
export function calMsgLength(
  sysFlag: number,
  bodyLength: number,
  topicLength: number,
  propertiesLength: number,
): number {
  return (
    4 +
    4 +
    4 +
    4 +
    4 +
    8 +
    8 +
    4 +
    8 +
    hostLength(sysFlag, MessageSysFlag.BORNHOST_V6_FLAG) +
    8 +
    hostLength(sysFlag, MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) +
    4 +
    8 +
    4 +
    bodyLength +
    1 +
    topicLength +
    2 +
    propertiesLength
  );
}

/** A message measured, ready to be written at any position. */
export interface PreparedRecord {
  msg: MessageInner;
  topic: Buffer;
  /** UTF-8 length of the properties string. */
  propsLength: number;
  /** The properties string is ASCII (written with the faster one-byte encoder). */
  propsAscii: boolean;
  sysFlag: number;
  length: number;
}

export const QUEUE_OFFSET_POS = 20;
export const PHYSICAL_OFFSET_POS = 28;
export const SYSFLAG_POS = 36;

/** A topic or properties string too long for its length field. */
export class RecordFieldTooLongError extends RangeError {
  constructor(
    readonly field: "topic" | "properties",
    length: number,
    max: number,
  ) {
    super(`${field} length ${length} exceeds ${max}`);
  }
}

const topicBytesCache = new Map<string, Buffer>();

function topicBytes(topic: string): Buffer {
  let b = topicBytesCache.get(topic);
  if (!b) {
    b = Buffer.from(topic, "utf8");
    if (topicBytesCache.size > 100_000) topicBytesCache.clear();
    topicBytesCache.set(topic, b);
  }
  return b;
}

/**
 * Measure a V1 record. Throws RangeError for a topic over 127 bytes or properties over 32767 bytes
 * (MESSAGE_ILLEGAL / PROPERTIES_SIZE_EXCEEDED).
 */
export function prepareRecord(msg: MessageInner): PreparedRecord {
  const topic = topicBytes(msg.topic);
  const propsLength = Buffer.byteLength(msg.propertiesString, "utf8");
  if (topic.length > 127) throw new RecordFieldTooLongError("topic", topic.length, 127);
  if (propsLength > 32767) throw new RecordFieldTooLongError("properties", propsLength, 32767);
  let sysFlag = msg.sysFlag & ~(MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
  if (msg.bornHost.address.length === 16) sysFlag |= MessageSysFlag.BORNHOST_V6_FLAG;
  if (msg.storeHost.address.length === 16) sysFlag |= MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
  const length = calMsgLength(sysFlag, msg.body?.length ?? 0, topic.length, propsLength);
  return {
    msg,
    topic,
    propsLength,
    propsAscii: propsLength === msg.propertiesString.length,
    sysFlag,
    length,
  };
}

// the writer's own view of the mapped file it appends to
const dataView = dataViewCache();

function putHost(b: Buffer, v: DataView, p: number, host: HostAddress): number {
  const a = host.address;
  for (let i = 0; i < a.length; i++) b[p + i] = a[i] as number;
  v.setInt32(p + a.length, host.port);
  return p + a.length + 4;
}

/** Write a prepared record at `pos` of `b` with its offsets and store time. */
export function writeRecord(
  b: Buffer,
  pos: number,
  r: PreparedRecord,
  queueOffset: number,
  physicalOffset: number,
  storeTimestamp: number,
): void {
  if (pos < 0 || pos + r.length > b.length) throw new RangeError(`record of ${r.length} bytes does not fit at ${pos}`);
  const msg = r.msg;
  const v = dataView(b);
  const body = msg.body;
  const bodyLength = body?.length ?? 0;
  v.setInt32(pos, r.length);
  v.setInt32(pos + 4, MESSAGE_MAGIC_CODE);
  v.setInt32(pos + 8, bodyCrc(body));
  v.setInt32(pos + 12, msg.queueId);
  v.setInt32(pos + 16, msg.flag | 0);
  putLong(v, pos + QUEUE_OFFSET_POS, queueOffset);
  putLong(v, pos + PHYSICAL_OFFSET_POS, physicalOffset);
  v.setInt32(pos + SYSFLAG_POS, r.sysFlag);
  putLong(v, pos + 40, msg.bornTimestamp);
  let p = putHost(b, v, pos + 48, msg.bornHost);
  putLong(v, p, storeTimestamp);
  p = putHost(b, v, p + 8, msg.storeHost);
  v.setInt32(p, msg.reconsumeTimes);
  putLong(v, p + 4, msg.preparedTransactionOffset);
  v.setInt32(p + 12, bodyLength);
  p += 16;
  if (body) p += body.copy(b, p);
  b[p++] = r.topic.length;
  p += r.topic.copy(b, p);
  v.setInt16(p, r.propsLength);
  p += 2;
  if (r.propsLength === 0) return;
  b.write(msg.propertiesString, p, r.propsLength, r.propsAscii ? "latin1" : "utf8");
}

/** Encode a record into a new buffer (offsets and store time given, default 0). */
export function encodeRecord(msg: MessageInner, queueOffset = 0, physicalOffset = 0, storeTimestamp = 0): Buffer {
  const r = prepareRecord(msg);
  const b = Buffer.allocUnsafe(r.length);
  writeRecord(b, 0, r, queueOffset, physicalOffset, storeTimestamp);
  return b;
}

/** Write a BLANK filler header covering `remaining` bytes at `pos`. */
export function writeBlank(buf: Buffer, pos: number, remaining: number): void {
  buf.writeInt32BE(remaining, pos);
  buf.writeInt32BE(BLANK_MAGIC_CODE, pos + 4);
}

/** Outcome of checking one record: a valid record, the end-of-file filler, or invalid data. */
export type RecordCheck =
  | { kind: "message"; size: number; msg: MessageExt }
  | { kind: "blank"; size: number }
  | { kind: "invalid"; size: number; reason: string };

/**
 * Java's checkMessageAndReturnSize: parse the record at `pos` (within `end`), optionally verify the
 * body CRC, and check that the parsed lengths add up to TOTALSIZE. `size` of an invalid record is -1
 * when nothing can be trusted, or TOTALSIZE for a record that is merely inconsistent.
 */
export function checkRecord(buf: Buffer, pos: number, end: number, checkCRC: boolean, readBody = true): RecordCheck {
  if (end - pos < 8) return { kind: "invalid", size: -1, reason: "truncated header" };
  const totalSize = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(pos + 4);
  if (magic === BLANK_MAGIC_CODE) return { kind: "blank", size: 0 };
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) {
    return { kind: "invalid", size: -1, reason: `illegal magic code ${magic}` };
  }
  if (totalSize <= 0 || pos + totalSize > end)
    return { kind: "invalid", size: -1, reason: `record of ${totalSize} bytes exceeds data` };
  try {
    const msg = decodeRecordAt(buf, pos, readBody, magic === MESSAGE_MAGIC_CODE_V2);
    if (checkCRC && msg.body && msg.body.length > 0 && bodyCrc(msg.body) !== msg.bodyCRC) {
      return { kind: "invalid", size: -1, reason: "CRC check failed" };
    }
    const propsLength = Buffer.byteLength(msg.propertiesString, "utf8");
    const topicLength = Buffer.byteLength(msg.topic, "utf8");
    const computed =
      calMsgLength(msg.sysFlag, msg.bodyLengthOnDisk, topicLength, propsLength) +
      (magic === MESSAGE_MAGIC_CODE_V2 ? 1 : 0);
    if (computed !== totalSize)
      return {
        kind: "invalid",
        size: totalSize,
        reason: `[BUG]read total count not equals msg total size. totalSize=${totalSize}, readTotalCount=${computed}`,
      };
    return { kind: "message", size: totalSize, msg };
  } catch (e) {
    return { kind: "invalid", size: -1, reason: (e as Error).message };
  }
}

/** Decode the record at `pos`. The body is a view on `buf` (no copy). */
export function decodeRecordAt(
  buf: Buffer,
  pos: number,
  readBody = true,
  v2 = buf.readInt32BE(pos + 4) === MESSAGE_MAGIC_CODE_V2,
): MessageExt & { bodyLengthOnDisk: number } {
  let p = pos;
  const storeSize = buf.readInt32BE(p);
  const magicCode = buf.readInt32BE(p + 4);
  const bodyCRC = buf.readInt32BE(p + 8);
  const queueId = buf.readInt32BE(p + 12);
  const flag = buf.readInt32BE(p + 16);
  const queueOffset = readLong(buf, p + 20);
  const commitLogOffset = readLong(buf, p + 28);
  const sysFlag = buf.readInt32BE(p + 36);
  const bornTimestamp = readLong(buf, p + 40);
  p += 48;
  const bornLen = (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) === 0 ? 4 : 16;
  const bornHost = { address: copyBytes(buf, p, bornLen), port: buf.readInt32BE(p + bornLen) };
  p += bornLen + 4;
  const storeTimestamp = readLong(buf, p);
  p += 8;
  const storeLen = (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) === 0 ? 4 : 16;
  const storeHost = { address: copyBytes(buf, p, storeLen), port: buf.readInt32BE(p + storeLen) };
  p += storeLen + 4;
  const reconsumeTimes = buf.readInt32BE(p);
  const preparedTransactionOffset = readLong(buf, p + 4);
  p += 12;
  const bodyLength = buf.readInt32BE(p);
  p += 4;
  if (bodyLength < 0 || p + bodyLength > pos + storeSize) throw new RangeError(`bad body length ${bodyLength}`);
  const body = bodyLength > 0 && readBody ? buf.subarray(p, p + bodyLength) : null;
  p += bodyLength;
  const topicLength = v2 ? buf.readInt16BE(p) : buf.readInt8(p);
  p += v2 ? 2 : 1;
  if (topicLength < 0) throw new RangeError(`bad topic length ${topicLength}`);
  const topic = buf.toString("utf8", p, p + topicLength);
  p += topicLength;
  const propertiesLength = buf.readInt16BE(p);
  p += 2;
  if (propertiesLength < 0 || p + propertiesLength > pos + storeSize)
    throw new RangeError(`bad properties length ${propertiesLength}`);
  const propertiesString = propertiesLength > 0 ? buf.toString("utf8", p, p + propertiesLength) : "";
  return {
    storeSize,
    magicCode,
    bodyCRC,
    queueId,
    flag,
    queueOffset,
    commitLogOffset,
    sysFlag,
    bornTimestamp,
    bornHost,
    storeTimestamp,
    storeHost,
    reconsumeTimes,
    preparedTransactionOffset,
    body,
    bodyLengthOnDisk: bodyLength,
    topic,
    propertiesString,
    properties: string2messageProperties(propertiesString),
  };
}

/** offsetMsgId: store host address + port + commit-log offset, upper-case hex (32 chars for IPv4). */
export function createMessageId(storeHost: HostAddress, commitLogOffset: number): string {
  return hostIdPrefix(storeHost) + longHex(commitLogOffset);
}

const HEX_DIGITS = Buffer.from("0123456789ABCDEF", "latin1");
const hexScratch = Buffer.alloc(16);

/**
 * 16 upper-case hex digits of a non-negative long below 2^53 (commit-log offsets), 4× faster than
 * toString(16) + toUpperCase + padStart.
 */
function longHex(value: number): string {
  let lo = value % 4294967296;
  let hi = (value - lo) / 4294967296;
  for (let i = 15; i >= 8; i--) {
    hexScratch[i] = HEX_DIGITS[lo & 15] as number;
    lo = Math.floor(lo / 16);
  }
  for (let i = 7; i >= 0; i--) {
    hexScratch[i] = HEX_DIGITS[hi & 15] as number;
    hi = Math.floor(hi / 16);
  }
  return hexScratch.toString("latin1", 0, 16);
}

// The store stamps one host object on every record: remember the last one's prefix.
let lastHost: HostAddress | null = null;
let lastPrefix = "";
const hostPrefixByKey = new Map<number, string>();
const hostPrefixCache = new Map<string, string>();

function hostIdPrefix(host: HostAddress): string {
  if (host === lastHost) return lastPrefix;
  const v4 = ipv4Key(host);
  if (v4 >= 0) {
    let prefix = hostPrefixByKey.get(v4);
    if (prefix === undefined) {
      prefix =
        Math.floor(v4 / 65536)
          .toString(16)
          .toUpperCase()
          .padStart(8, "0") + (host.port >>> 0).toString(16).toUpperCase().padStart(8, "0");
      if (hostPrefixByKey.size > 10_000) hostPrefixByKey.clear();
      hostPrefixByKey.set(v4, prefix);
    }
    return prefix;
  }
  const b = Buffer.alloc(host.address.length + 4);
  host.address.copy(b, 0);
  b.writeInt32BE(host.port, host.address.length);
  const key = b.toString("latin1");
  let prefix = hostPrefixCache.get(key);
  if (prefix === undefined) {
    prefix = b.toString("hex").toUpperCase();
    if (hostPrefixCache.size > 10_000) hostPrefixCache.clear();
    hostPrefixCache.set(key, prefix);
  }
  lastHost = host;
  lastPrefix = prefix;
  return prefix;
}

export function decodeMessageId(msgId: string): { storeHost: HostAddress; commitLogOffset: number } {
  if (!/^[0-9A-Fa-f]+$/.test(msgId) || (msgId.length !== 32 && msgId.length !== 56))
    throw new Error(`Illegal message id: ${msgId}`);
  const b = Buffer.from(msgId, "hex");
  const ipLength = msgId.length === 32 ? 4 : 16;
  return {
    storeHost: { address: b.subarray(0, ipLength), port: b.readInt32BE(ipLength) },
    commitLogOffset: readLong(b, ipLength + 4),
  };
}
