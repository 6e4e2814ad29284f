/**
 * Encoding a put's messages into commit-log records (Java's MessageExtEncoder and the size checks of
 * putMessage), with Java's refusals: a topic or properties string too long for its length field, a
 * body above maxMessageSize, or records above maxMessageSize + 64 KiB.
 */
import { prepareRecord, RecordFieldTooLongError, type MessageInner, type PreparedRecord } from "@rocketmq-ts/common";
import type { PutMessageStatus } from "./CommitLogStore.js";

/** The records of `msgs` (a single message or a batch), or the status refusing them. */
export function encodeMessages(
  msgs: readonly MessageInner[],
  maxMessageSize: number,
): PreparedRecord[] | PutMessageStatus {
  // Java's order: topic and properties lengths first, then sizes
  const encoded: PreparedRecord[] = [];
  let encodedTotal = 0;
  let bodyTotal = 0;
  try {
    for (const m of msgs) {
      const r = prepareRecord(m);
      encoded.push(r);
      encodedTotal += r.length;
      bodyTotal += m.body?.length ?? 0;
    }
  } catch (err) {
    return err instanceof RecordFieldTooLongError && err.field === "properties"
      ? "PROPERTIES_SIZE_EXCEEDED"
      : "MESSAGE_ILLEGAL";
  }
  if (bodyTotal > maxMessageSize || encodedTotal > maxMessageSize + 64 * 1024) return "MESSAGE_ILLEGAL";
  return encoded;
}
