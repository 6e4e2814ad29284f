/** Client-side message model (Java's Message / MessageExt / MessageQueue / SendResult). */
import { MessageConst, messageProperties2String, type MessageExt as StoredMessage } from "@rocketmq-ts/common";

export class Message {
  readonly properties = new Map<string, string>();
  flag = 0;
  /** Set by the transactional producer. */
  transactionId?: string;

  constructor(
    public topic: string,
    public body: Buffer,
    options: { tags?: string; keys?: string | string[]; delayTimeLevel?: number; waitStoreMsgOK?: boolean } = {},
  ) {
    if (options.tags) this.properties.set(MessageConst.PROPERTY_TAGS, options.tags);
    if (options.keys) this.setKeys(options.keys);
    if (options.delayTimeLevel) this.delayTimeLevel = options.delayTimeLevel;
    this.properties.set(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, String(options.waitStoreMsgOK ?? true));
  }

  get tags(): string | undefined {
    return this.properties.get(MessageConst.PROPERTY_TAGS);
  }
  get keys(): string | undefined {
    return this.properties.get(MessageConst.PROPERTY_KEYS);
  }
  setKeys(keys: string | string[]): void {
    this.properties.set(MessageConst.PROPERTY_KEYS, Array.isArray(keys) ? keys.join(" ") : keys);
  }
  get delayTimeLevel(): number {
    return Number(this.properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? 0);
  }
  set delayTimeLevel(level: number) {
    this.properties.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(level));
  }
  get waitStoreMsgOK(): boolean {
    return this.properties.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== "false";
  }
  putUserProperty(name: string, value: string): void {
    this.properties.set(name, value);
  }
  getProperty(name: string): string | undefined {
    return this.properties.get(name);
  }
  propertiesString(): string {
    return messageProperties2String(this.properties);
  }
}

export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

export function mqKey(mq: MessageQueue): string {
  return `${mq.topic}@${mq.brokerName}@${mq.queueId}`;
}

/** Java's MessageQueue.compareTo (shared with the tools). */
export { compareMessageQueue } from "@rocketmq-ts/common";

/** A message as a consumer receives it. */
export interface MessageExt {
  topic: string;
  body: Buffer;
  flag: number;
  properties: Map<string, string>;
  tags: string | undefined;
  keys: string | undefined;
  /** UNIQ_KEY when the producer set one, else the offset message id. */
  msgId: string;
  offsetMsgId: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  brokerName: string;
  bornTimestamp: number;
  storeTimestamp: number;
  bornHost: string;
  storeHost: string;
  reconsumeTimes: number;
  sysFlag: number;
  bodyCRC: number;
  storeSize: number;
  /** COMMIT records: the commit-log offset of their half message. */
  preparedTransactionOffset: number;
}

export type { StoredMessage };

export const SendStatus = {
  SEND_OK: "SEND_OK",
  FLUSH_DISK_TIMEOUT: "FLUSH_DISK_TIMEOUT",
  FLUSH_SLAVE_TIMEOUT: "FLUSH_SLAVE_TIMEOUT",
  SLAVE_NOT_AVAILABLE: "SLAVE_NOT_AVAILABLE",
} as const;
export type SendStatus = (typeof SendStatus)[keyof typeof SendStatus];

export interface SendResult {
  sendStatus: SendStatus;
  msgId: string;
  offsetMsgId: string;
  messageQueue: MessageQueue;
  queueOffset: number;
  transactionId?: string;
  regionId: string;
  traceOn: boolean;
}
