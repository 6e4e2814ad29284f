/** Records of a PULL_MESSAGE body → client messages (Java's MessageDecoder.decodes + UNIQ_KEY as msgId). */
import type { MessageExt } from "../message/Message.js";
import { PulledMessage } from "./PulledMessage.js";

/**
 * Every record of `body`. The messages' bodies are views of it, not copies (kafkajs hands out its
 * fetch answers' bytes the same way): the frame was allocated for this answer and nothing reuses it.
 */
export function decodePulledMessages(body: Buffer, brokerName: string): MessageExt[] {
  const out: MessageExt[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let prev: PulledMessage | null = null;
  let pos = 0;
  while (pos + 8 <= body.length) {
    const m: PulledMessage = new PulledMessage(body, view, pos, brokerName, prev);
    pos += m.storeSize;
    out.push(m);
    prev = m;
  }
  return out;
}

/**
 * The messages of a FOUND pull answer a subscription accepts (Java's PullAPIWrapper.processPullResult):
 * the broker filters by tag hash code, the client re-checks the tag string.
 */
export function pulledMessagesFor(
  body: Buffer | null,
  brokerName: string,
  sub: { tagsSet: readonly string[] },
): MessageExt[] {
  const msgs = body ? decodePulledMessages(body, brokerName) : [];
  if (sub.tagsSet.length === 0) return msgs;
  return msgs.filter((m) => m.tags !== undefined && sub.tagsSet.includes(m.tags));
}
