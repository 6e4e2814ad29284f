/**
 * Headers of Java 5.3.3's POP codes (remoting/protocol/header/PopMessage…, AckMessage…,
 * ChangeInvisibleTime…, Notification…, PollingInfo…), declared once for both sides of the wire, and
 * the BATCH_ACK_MESSAGE body (BatchAckMessageRequestBody).
 *
 * Java semantics kept: `order` is a Boolean defaulting to false, so Java clients always send it;
 * `bname` is the RpcRequestHeader field 5.x clients add (unknown fields such as `ns`, `oway` are
 * ignored on decode). Notification's response `hasMsg` is @CFNotNull, `pollingFull` a plain boolean.
 */
import { isJsonObject, parseFastjson, type JsonObject, type JsonValue } from "../json/fastjson.js";
import { stringifyFastjson } from "../json/fastjsonWriter.js";
import { defineHeader, type HeaderOf } from "./defineHeader.js";

export const PopMessageRequestHeader = defineHeader("PopMessageRequestHeader", {
  consumerGroup: { type: "string", required: true },
  topic: { type: "string", required: true },
  /** -1: every readable queue, from a random one on. */
  queueId: { type: "int", required: true },
  maxMsgNums: { type: "int", required: true },
  invisibleTime: { type: "long", required: true },
  pollTime: { type: "long", required: true },
  bornTime: { type: "long", required: true },
  /** ConsumeInitMode: MIN 0, MAX 1. */
  initMode: { type: "int", required: true },
  expType: { type: "string" },
  exp: { type: "string" },
  order: { type: "boolean", default: false },
  attemptId: { type: "string" },
  bname: { type: "string" },
});
export type PopMessageRequestHeader = HeaderOf<typeof PopMessageRequestHeader.fields>;

export const PopMessageResponseHeader = defineHeader("PopMessageResponseHeader", {
  popTime: { type: "long", required: true },
  invisibleTime: { type: "long", required: true },
  reviveQid: { type: "int", required: true },
  restNum: { type: "long", required: true },
  startOffsetInfo: { type: "string" },
  msgOffsetInfo: { type: "string" },
  orderCountInfo: { type: "string" },
});
export type PopMessageResponseHeader = HeaderOf<typeof PopMessageResponseHeader.fields>;

export const AckMessageRequestHeader = defineHeader("AckMessageRequestHeader", {
  consumerGroup: { type: "string", required: true },
  topic: { type: "string", required: true },
  queueId: { type: "int", required: true },
  extraInfo: { type: "string", required: true },
  offset: { type: "long", required: true },
  bname: { type: "string" },
});
export type AckMessageRequestHeader = HeaderOf<typeof AckMessageRequestHeader.fields>;

export const ChangeInvisibleTimeRequestHeader = defineHeader("ChangeInvisibleTimeRequestHeader", {
  consumerGroup: { type: "string", required: true },
  topic: { type: "string", required: true },
  queueId: { type: "int", required: true },
  extraInfo: { type: "string", required: true },
  offset: { type: "long", required: true },
  invisibleTime: { type: "long", required: true },
  bname: { type: "string" },
});
export type ChangeInvisibleTimeRequestHeader = HeaderOf<typeof ChangeInvisibleTimeRequestHeader.fields>;

export const ChangeInvisibleTimeResponseHeader = defineHeader("ChangeInvisibleTimeResponseHeader", {
  popTime: { type: "long", required: true },
  invisibleTime: { type: "long", required: true },
  reviveQid: { type: "int", required: true },
});
export type ChangeInvisibleTimeResponseHeader = HeaderOf<typeof ChangeInvisibleTimeResponseHeader.fields>;

export const NotificationRequestHeader = defineHeader("NotificationRequestHeader", {
  consumerGroup: { type: "string", required: true },
  topic: { type: "string", required: true },
  queueId: { type: "int", required: true },
  pollTime: { type: "long", required: true },
  bornTime: { type: "long", required: true },
  order: { type: "boolean", default: false },
  attemptId: { type: "string" },
  bname: { type: "string" },
});
export type NotificationRequestHeader = HeaderOf<typeof NotificationRequestHeader.fields>;

export const NotificationResponseHeader = defineHeader("NotificationResponseHeader", {
  hasMsg: { type: "boolean", required: true },
  pollingFull: { type: "boolean", default: false },
});
export type NotificationResponseHeader = HeaderOf<typeof NotificationResponseHeader.fields>;

export const PollingInfoRequestHeader = defineHeader("PollingInfoRequestHeader", {
  consumerGroup: { type: "string", required: true },
  topic: { type: "string", required: true },
  queueId: { type: "int", required: true },
  bname: { type: "string" },
});
export type PollingInfoRequestHeader = HeaderOf<typeof PollingInfoRequestHeader.fields>;

export const PollingInfoResponseHeader = defineHeader("PollingInfoResponseHeader", {
  pollingNum: { type: "int", required: true },
});
export type PollingInfoResponseHeader = HeaderOf<typeof PollingInfoResponseHeader.fields>;

/** One entry of a BATCH_ACK_MESSAGE body (Java's BatchAck; `b` is a BitSet, bit i = offset so + i). */
export interface BatchAck {
  /** consumer group */
  readonly c: string;
  /** topic as the client knows it (the normal topic) */
  readonly t: string;
  /** topic type: "0" normal, "1" retry V1, "2" retry V2 */
  readonly r: string;
  /** checkpoint start offset */
  readonly so: number;
  readonly q: number;
  /** revive queue id */
  readonly rq: number;
  readonly pt: number;
  readonly it: number;
  /** acked offsets as so + index of each set bit */
  readonly offsets: readonly number[];
}

export interface BatchAckMessageRequestBody {
  readonly brokerName: string | null;
  readonly acks: readonly BatchAck[];
}

/** Java's BitSet.toByteArray: little-endian bytes, bit i of byte k = index 8k + i, no trailing zero bytes. */
export function bitSetToBytes(indexes: readonly number[]): Buffer {
  const max = indexes.reduce((m, i) => Math.max(m, i), -1);
  const bytes = Buffer.alloc(max < 0 ? 0 : (max >> 3) + 1);
  for (const i of indexes) if (i >= 0) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
  return bytes;
}

/** BitSet.valueOf(bytes): the indexes of the set bits, ascending. */
export function bitSetFromBytes(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k] ?? 0;
    for (let i = 0; i < 8; i++) if ((b & (1 << i)) !== 0) out.push(k * 8 + i);
  }
  return out;
}

/** The body as fastjson writes it (beans' keys sorted; the BitSet as base64 of its bytes). */
export function encodeBatchAckBody(body: BatchAckMessageRequestBody): Buffer {
  const acks = body.acks.map((a) => ({
    b: bitSetToBytes(a.offsets.map((o) => o - a.so)).toString("base64"),
    c: a.c,
    it: a.it,
    pt: a.pt,
    q: a.q,
    r: a.r,
    rq: a.rq,
    so: a.so,
    t: a.t,
  }));
  return Buffer.from(stringifyFastjson({ acks, brokerName: body.brokerName ?? undefined }));
}

/** Thrown for a body that is not a BatchAckMessageRequestBody. */
export class BatchAckBodyError extends Error {}

function pick(o: JsonObject, short: string, long: string): JsonValue | undefined {
  return o[short] ?? o[long];
}

function num(v: JsonValue | undefined, what: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && /^[+-]?\d+$/.test(v)) return Number(v);
  if (v === undefined || v === null) return 0;
  throw new BatchAckBodyError(`${what} is not a number`);
}

function str(v: JsonValue | undefined): string | null {
  return typeof v === "string" ? v : v === undefined || v === null ? null : String(v);
}

/** Parse the body (short names, or Java's alternate long names); `b` as base64, or an array of bytes. */
export function decodeBatchAckBody(raw: Buffer): BatchAckMessageRequestBody {
  let json: JsonValue;
  try {
    json = parseFastjson(raw.toString("utf8"));
  } catch (err) {
    throw new BatchAckBodyError((err as Error).message);
  }
  if (!isJsonObject(json)) throw new BatchAckBodyError("body is not an object");
  const list = json["acks"];
  const acks: BatchAck[] = [];
  if (Array.isArray(list)) {
    for (const item of list) {
      if (!isJsonObject(item)) throw new BatchAckBodyError("ack is not an object");
      const so = num(pick(item, "so", "startOffset"), "so");
      const b = pick(item, "b", "bitSet");
      const bytes =
        typeof b === "string"
          ? Buffer.from(b, "base64")
          : Array.isArray(b)
            ? Buffer.from(b.map((x) => num(x, "b") & 0xff))
            : Buffer.alloc(0);
      acks.push({
        c: str(pick(item, "c", "consumerGroup")) ?? "",
        t: str(pick(item, "t", "topic")) ?? "",
        r: str(pick(item, "r", "retry")) ?? "0",
        so,
        q: num(pick(item, "q", "queueId"), "q"),
        rq: num(pick(item, "rq", "reviveQueueId"), "rq"),
        pt: num(pick(item, "pt", "popTime"), "pt"),
        it: num(pick(item, "it", "invisibleTime"), "it"),
        offsets: bitSetFromBytes(bytes).map((i) => so + i),
      });
    }
  } else if (list !== undefined && list !== null) throw new BatchAckBodyError("acks is not a list");
  return { brokerName: str(json["brokerName"]), acks };
}
