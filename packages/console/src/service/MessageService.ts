/**
 * The Message page's data (rocketmq-dashboard's MessageController): messages of a topic stored in a
 * time range (newest first, paged), by key, by message id; a message's properties, body and which
 * groups consumed it (message track); sending a test message; having a group's consumer consume one
 * again (CONSUME_MESSAGE_DIRECTLY, the dashboard's "resend").
 */
import {
  DefaultMQProducer,
  Message,
  MQClientException,
  type MessageExt,
  type MQAdminClient,
  type SendResult,
} from "@rocketmq-ts/client";
import type { ConsumeMessageDirectlyResult } from "@rocketmq-ts/common";

/** At most this many messages are read for one time-range query (rocketmq-dashboard reads 2,000 too). */
export const MAX_RANGE_MESSAGES = 2000;
/** Messages asked for per pull while reading a range. */
const PULL_BATCH = 32;

export interface MessageView {
  topic: string;
  msgId: string;
  offsetMsgId: string;
  tags: string | null;
  keys: string | null;
  queueId: number;
  queueOffset: number;
  brokerName: string;
  bornHost: string;
  storeHost: string;
  bornTimestamp: number;
  storeTimestamp: number;
  reconsumeTimes: number;
  bodyCRC: number;
  storeSize: number;
  properties: Record<string, string>;
  /** The body as UTF-8 text (what the dashboard shows) and as base64 (exact bytes). */
  body: string;
  bodyBase64: string;
}

export function messageView(m: MessageExt): MessageView {
  return {
    topic: m.topic,
    msgId: m.msgId,
    offsetMsgId: m.offsetMsgId,
    tags: m.tags ?? null,
    keys: m.keys ?? null,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    brokerName: m.brokerName,
    bornHost: m.bornHost,
    storeHost: m.storeHost,
    bornTimestamp: m.bornTimestamp,
    storeTimestamp: m.storeTimestamp,
    reconsumeTimes: m.reconsumeTimes,
    bodyCRC: m.bodyCRC,
    storeSize: m.storeSize,
    properties: Object.fromEntries(m.properties),
    body: m.body.toString("utf8"),
    bodyBase64: m.body.toString("base64"),
  };
}

export interface RangePage {
  total: number;
  /** More than {@link MAX_RANGE_MESSAGES} were stored in the range: the newest of those read are listed. */
  truncated: boolean;
  page: number;
  pageSize: number;
  messages: MessageView[];
}

export class MessageService {
  private producer: Promise<DefaultMQProducer> | null = null;

  constructor(
    private readonly admin: MQAdminClient,
    private readonly namesrvAddrs: () => string[],
  ) {}

  async byTimeRange(topic: string, begin: number, end: number, page: number, pageSize: number): Promise<RangePage> {
    const queues = await this.admin.fetchSubscribeMessageQueues(topic);
    const found: MessageExt[] = [];
    let truncated = false;
    for (const mq of queues) {
      const from = await this.admin.queueOffset({ timestamp: begin }, mq);
      const to = await this.admin.queueOffset({ timestamp: end }, mq);
      for (let offset = from; offset <= to && !truncated;) {
        const r = await this.admin.pull(mq, offset, PULL_BATCH).catch(() => null);
        if (!r || r.status !== "FOUND" || r.nextBeginOffset <= offset) break;
        for (const m of r.messages) {
          if (m.storeTimestamp < begin || m.storeTimestamp > end) continue;
          if (found.length >= MAX_RANGE_MESSAGES) truncated = true;
          else found.push(m);
        }
        offset = r.nextBeginOffset;
      }
    }
    found.sort((a, b) => b.storeTimestamp - a.storeTimestamp);
    const start = (page - 1) * pageSize;
    return {
      total: found.length,
      truncated,
      page,
      pageSize,
      messages: found.slice(start, start + pageSize).map(messageView),
    };
  }

  async byKey(topic: string, key: string): Promise<MessageView[]> {
    const msgs = await this.admin.queryMessageByKey(topic, key, 64, 0, Date.now());
    return msgs.sort((a, b) => b.storeTimestamp - a.storeTimestamp).map(messageView);
  }

  /** By the producer's id (UNIQ_KEY) in `topic`, else by the offset message id. */
  async byId(topic: string, msgId: string): Promise<MessageExt> {
    try {
      return await this.admin.viewMessageByUniqKey(topic, msgId);
    } catch (err) {
      if (!/^[0-9A-Fa-f]{32}$|^[0-9A-Fa-f]{56}$/.test(msgId)) throw err;
      return this.admin.viewMessage(msgId);
    }
  }

  async detail(topic: string, msgId: string) {
    const m = await this.byId(topic, msgId);
    const track = await this.admin.messageTrackDetail(m).catch(() => []);
    return { message: messageView(m), track };
  }

  private sender(): Promise<DefaultMQProducer> {
    this.producer ??= (async () => {
      const p = new DefaultMQProducer({
        namesrvAddr: this.namesrvAddrs().join(";"),
        producerGroup: "CONSOLE_TEST_MESSAGE_GROUP",
        instanceName: `console-${process.pid}`,
      });
      await p.start();
      return p;
    })();
    this.producer.catch(() => (this.producer = null));
    return this.producer;
  }

  async sendTest(topic: string, body: string, tags: string, keys: string): Promise<SendResult> {
    const p = await this.sender();
    return p.send(
      new Message(topic, Buffer.from(body, "utf8"), { ...(tags ? { tags } : {}), ...(keys ? { keys } : {}) }),
    );
  }

  /** Have a consumer of `group` (the one named, else any online) consume the message now. */
  async consumeAgain(
    group: string,
    topic: string,
    msgId: string,
    clientId?: string,
  ): Promise<ConsumeMessageDirectlyResult> {
    let client = clientId;
    if (!client) {
      const conn = await this.admin.examineConsumerConnectionInfo(group);
      client = conn.connections[0]?.clientId;
      if (!client) throw new MQClientException(206, "Not found the consumer group connection");
    }
    const m = await this.byId(topic, msgId);
    return this.admin.consumeMessageDirectly(group, client, topic, m.msgId);
  }

  async close(): Promise<void> {
    const p = await this.producer?.catch(() => null);
    await p?.shutdown();
  }
}
