/** Several messages of one topic sent as one SEND_BATCH_MESSAGE (Java's MessageBatch), and how properties go on the wire. */
import { MessageConst, MixAll } from "@rocketmq-ts/common";
import { javaHashMapOrder, ResponseCode } from "@rocketmq-ts/remoting";
import type { MessageClientIDSetter } from "../impl/clientId.js";
import { MQClientException } from "../MQClientException.js";
import { Message } from "./Message.js";

/** Properties in Java's HashMap iteration order, so the header is byte-identical to Java's. */
export function propertiesString(props: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const k of javaHashMapOrder([...props.keys()])) parts.push(`${k}\u0001${props.get(k) ?? ""}`);
  return parts.join("\u0002");
}

/** Several messages of one topic sent as one SEND_BATCH_MESSAGE (Java's MessageBatch). */
export class MessageBatch extends Message {
  constructor(
    readonly messages: Message[],
    private readonly ids: MessageClientIDSetter,
  ) {
    const first = messages[0];
    if (!first) throw new MQClientException(ResponseCode.MESSAGE_ILLEGAL, "the message body length is zero");
    super(first.topic, Buffer.alloc(1), { waitStoreMsgOK: first.waitStoreMsgOK });
    for (const m of messages) {
      if (m.delayTimeLevel > 0) throw new MQClientException(-1, "TimeDelayLevel is not supported for batching");
      if (m.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX))
        throw new MQClientException(-1, "Retry Group is not supported for batching");
      if (m.topic !== first.topic)
        throw new MQClientException(-1, "The topic of the messages in one batch should be the same");
      if (m.waitStoreMsgOK !== first.waitStoreMsgOK)
        throw new MQClientException(-1, "The waitStoreMsgOK of the messages in one batch should the same");
    }
  }

  uniqIds(): string[] {
    return this.messages.map((m) => m.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? "");
  }

  /** Java's MessageDecoder.encodeMessages: per message size, magic 0, crc 0, flag, body, properties. */
  encodeBody(): Buffer {
    const parts: Buffer[] = [];
    for (const m of this.messages) {
      if (!m.properties.has(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX))
        m.properties.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, this.ids.createUniqID());
      const props = Buffer.from(propertiesString(m.properties), "utf8");
      const size = 20 + m.body.length + 2 + props.length;
      const b = Buffer.alloc(size);
      b.writeInt32BE(size, 0);
      b.writeInt32BE(0, 4);
      b.writeInt32BE(0, 8);
      b.writeInt32BE(m.flag, 12);
      b.writeInt32BE(m.body.length, 16);
      m.body.copy(b, 20);
      b.writeInt16BE(props.length, 20 + m.body.length);
      props.copy(b, 22 + m.body.length);
      parts.push(b);
    }
    return Buffer.concat(parts);
  }
}
