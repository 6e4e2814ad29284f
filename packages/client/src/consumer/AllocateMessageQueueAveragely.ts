/** Java's AllocateMessageQueueAveragely: contiguous, near-equal slices by position of the client id. */
import type { MessageQueue } from "../message/Message.js";

export function allocateMessageQueueAveragely(
  currentCID: string,
  mqAll: readonly MessageQueue[],
  cidAll: readonly string[],
): MessageQueue[] {
  const index = cidAll.indexOf(currentCID);
  if (index < 0 || mqAll.length === 0) return [];
  const mod = mqAll.length % cidAll.length;
  const avg =
    mqAll.length <= cidAll.length
      ? 1
      : mod > 0 && index < mod
        ? Math.floor(mqAll.length / cidAll.length) + 1
        : Math.floor(mqAll.length / cidAll.length);
  const start = mod > 0 && index < mod ? index * avg : index * avg + mod;
  const range = Math.min(avg, mqAll.length - start);
  const out: MessageQueue[] = [];
  for (let i = 0; i < range; i++) {
    const mq = mqAll[(start + i) % mqAll.length];
    if (mq) out.push(mq);
  }
  return out;
}
