/** Records of a PULL_MESSAGE body → client MessageExt (Java's MessageDecoder.decodes + UNIQ_KEY as msgId). */
import { inflateSync } from "node:zlib";
import { createMessageId, decodeRecordAt, formatHost, MessageConst, MessageSysFlag } from "@rocketmq-ts/common";
import type { MessageExt } from "../message/Message.js";

export function decodePulledMessages(body: Buffer, brokerName: string): MessageExt[] {
  const out: MessageExt[] = [];
  let pos = 0;
  while (pos + 8 <= body.length) {
    const r = decodeRecordAt(body, pos);
    pos += r.storeSize;
    // a view of the pull answer, not a copy (kafkajs hands out its fetch answers' bytes the same
    // way): the frame was allocated for this answer and nothing reuses it; a copy per message cost
    // an allocation and its garbage collection on every message consumed
    let payload = r.body ?? Buffer.alloc(0);
    if ((r.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) payload = inflateSync(payload);
    const offsetMsgId = createMessageId(r.storeHost, r.commitLogOffset);
    out.push({
      topic: r.topic,
      body: payload,
      flag: r.flag,
      properties: r.properties,
      tags: r.properties.get(MessageConst.PROPERTY_TAGS),
      keys: r.properties.get(MessageConst.PROPERTY_KEYS),
      msgId: r.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? offsetMsgId,
      offsetMsgId,
      queueId: r.queueId,
      queueOffset: r.queueOffset,
      commitLogOffset: r.commitLogOffset,
      brokerName,
      bornTimestamp: r.bornTimestamp,
      storeTimestamp: r.storeTimestamp,
      bornHost: formatHost(r.bornHost),
      storeHost: formatHost(r.storeHost),
      reconsumeTimes: r.reconsumeTimes,
      sysFlag: r.sysFlag,
      bodyCRC: r.bodyCRC,
      storeSize: r.storeSize,
      preparedTransactionOffset: r.preparedTransactionOffset,
    });
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
