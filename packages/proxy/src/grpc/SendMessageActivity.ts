/**
 * SendMessage (Java's SendMessageActivity + ProducerProcessor.sendMessage).
 *
 * Java semantics kept: no message → MESSAGE_CORRUPTED "no message to send"; every message must name
 * the first one's topic; the producer group is the topic; the topic's message type is checked
 * (not for %RETRY%/%DLQ% topics): the actual type must equal the topic's unless the topic is MIXED,
 * and UNSPECIFIED never passes; the queue is chosen by the proxy — the client's `queue_id` is
 * ignored: one message with a message group → Guava consistent hash of the group over the writable
 * queues sorted by (broker name, queue id), otherwise round robin; the broker's SEND answer becomes
 * one entry per message (SEND_OK → OK with offset, message id, transaction id); the top status is the
 * single distinct entry code or MULTIPLE_RESULTS. A prepared (transaction) message that is stored
 * with a `transactionId` in the answer is remembered for EndTransaction.
 * Difference, on purpose: several messages in one request are sent one after another to the chosen
 * queue rather than as one MessageBatch (the 5.x clients send one message per request).
 */
import {
  decodeMessageId,
  isWriteable,
  messageProperties2String,
  MessageSysFlag,
  transactionType,
  type TopicRouteData,
  messageTypeOfProperties,
} from "@rocketmq-ts/common";
import {
  createRequest,
  decodeHeader,
  encodeHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  sendHeaderV2FromV1,
  type SendMessageRequestHeader,
} from "@rocketmq-ts/remoting";
import type { ProxyDeps } from "../ProxyDeps.js";
import { Code, codeName } from "./Code.js";
import { messageGroupBucket } from "./consistentHash.js";
import { validateTopic, validateTopicMessageType } from "./GrpcValidator.js";
import { buildMessageProperties, buildSysFlag, validateMessageBodySize } from "./MessagePropertyBuilder.js";
import type { ProxyContext } from "./ProxyContext.js";
import { remainingMs } from "./ProxyContext.js";
import { buildStatus, GrpcProxyException, MQBrokerException } from "./ResponseBuilder.js";
import type { Message, SendMessageRequest, SendMessageResponse, SendResultEntry } from "./v2types.js";

export interface WritableQueue {
  brokerName: string;
  brokerAddr: string;
  queueId: number;
}

/** The writable queues of the route's masters, sorted by (broker name, queue id). */
export function writableQueues(route: TopicRouteData): WritableQueue[] {
  const out: WritableQueue[] = [];
  for (const qd of route.queueDatas) {
    if (!isWriteable(qd.perm)) continue;
    const addr = route.brokerDatas.find((b) => b.brokerName === qd.brokerName)?.brokerAddrs.get(0);
    if (!addr) continue;
    for (let i = 0; i < qd.writeQueueNums; i++) out.push({ brokerName: qd.brokerName, brokerAddr: addr, queueId: i });
  }
  return out.sort((a, b) =>
    a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : a.queueId - b.queueId,
  );
}

const DEFAULT_SEND_TIMEOUT_MS = 3000;
const isRetryOrDlq = (topic: string): boolean => topic.startsWith("%RETRY%") || topic.startsWith("%DLQ%");

interface SendResult {
  code: number;
  remark: string | null;
  msgId: string;
  offsetMsgId: string;
  queueOffset: number;
  transactionId: string;
  recallHandle: string;
}

export class SendMessageActivity {
  private roundRobin = Math.floor(Math.random() * 1000);

  constructor(private readonly deps: ProxyDeps) {}

  selectQueue(request: SendMessageRequest, queues: WritableQueue[]): WritableQueue | undefined {
    if (queues.length === 0) return undefined;
    const messages = request.messages ?? [];
    const shardingKey = messages.length === 1 ? (messages[0]?.system_properties?.message_group ?? "") : "";
    if (shardingKey.length > 0) return queues[messageGroupBucket(shardingKey, queues.length)];
    this.roundRobin = (this.roundRobin + 1) | 0;
    return queues[Math.abs(this.roundRobin) % queues.length];
  }

  async sendMessage(ctx: ProxyContext, request: SendMessageRequest): Promise<SendMessageResponse> {
    const messages = request.messages ?? [];
    const first = messages[0];
    if (!first) throw new GrpcProxyException(Code.MESSAGE_CORRUPTED, "no message to send");
    validateTopic(first.topic);
    const topic = first.topic?.name ?? "";
    const sysFlag = buildSysFlag(first);
    const built = messages.map((m) => {
      if (!sameResource(m, first)) throw new GrpcProxyException(Code.MESSAGE_CORRUPTED, "topic in message is not same");
      validateMessageBodySize(m.body, this.deps.config);
      return {
        body: m.body ?? Buffer.alloc(0),
        props: buildMessageProperties(m, topic, this.deps.config, ctx.remoteAddress, this.deps.now()),
      };
    });
    if (this.deps.config.enableTopicMessageTypeCheck && !isRetryOrDlq(topic)) {
      const expected = await this.deps.routes.getTopicMessageType(topic);
      validateTopicMessageType(expected, messageTypeOfProperties(built[0]?.props ?? new Map()));
    }
    const queue = this.selectQueue(request, writableQueues(await this.deps.routes.getRoute(topic)));
    if (!queue) throw new GrpcProxyException(Code.FORBIDDEN, "no writable queue");
    const timeout = Math.max(1, remainingMs(ctx) ?? DEFAULT_SEND_TIMEOUT_MS);
    const results: SendResult[] = [];
    for (const m of built) {
      const header: SendMessageRequestHeader = {
        producerGroup: topic,
        topic,
        defaultTopic: "TBW102",
        defaultTopicQueueNums: 4,
        queueId: queue.queueId,
        sysFlag,
        bornTimestamp: bornTimestampOf(m.props, this.deps.now()),
        flag: 0,
        properties: messageProperties2String(m.props),
        reconsumeTimes: 0,
        unitMode: false,
        batch: false,
      };
      const cmd = createRequest(RequestCode.SEND_MESSAGE_V2, {
        extFields: encodeHeader(SendMessageRequestHeaderV2, sendHeaderV2FromV1(header)),
        body: m.body,
      });
      const response = await this.deps.messageService.invoke(queue.brokerAddr, cmd, timeout);
      const result = sendResultOf(response.code, response.remark, response.extFields);
      if (result === null) throw new MQBrokerException(response.code, response.remark, queue.brokerAddr);
      result.msgId = m.props.get("UNIQ_KEY") ?? "";
      results.push(result);
      if (
        result.code === ResponseCode.SUCCESS &&
        transactionType(sysFlag) === MessageSysFlag.TRANSACTION_PREPARED_TYPE &&
        result.transactionId.trim().length > 0
      ) {
        this.fillTransactionData(topic, queue, result);
      }
    }
    return convertToSendMessageResponse(results);
  }

  private fillTransactionData(topic: string, queue: WritableQueue, result: SendResult): void {
    try {
      const id = decodeMessageId(result.offsetMsgId.length > 0 ? result.offsetMsgId : result.msgId);
      this.deps.transactions.add(topic, {
        brokerName: queue.brokerName,
        brokerAddr: queue.brokerAddr,
        topic,
        tranStateTableOffset: result.queueOffset,
        commitLogOffset: id.commitLogOffset,
        transactionId: result.transactionId,
        checkTimestamp: this.deps.now(),
        expireMs: this.deps.config.transactionDataExpireMillis,
      });
    } catch (err) {
      this.deps.logger.warn({ err, topic }, "fillTransactionData failed");
    }
  }
}

function sameResource(m: Message, first: Message): boolean {
  return (
    (m.topic?.name ?? "") === (first.topic?.name ?? "") &&
    (m.topic?.resource_namespace ?? "") === (first.topic?.resource_namespace ?? "")
  );
}

function bornTimestampOf(props: ReadonlyMap<string, string>, now: number): number {
  const v = props.get("BORN_TIMESTAMP");
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : now;
}

/** Java's processSendResponse: the codes a send answer may carry, others are broker errors (null). */
function sendResultOf(
  code: number,
  remark: string | null,
  extFields: Record<string, string> | null,
): SendResult | null {
  switch (code) {
    case ResponseCode.FLUSH_DISK_TIMEOUT:
    case ResponseCode.FLUSH_SLAVE_TIMEOUT:
    case ResponseCode.SLAVE_NOT_AVAILABLE:
    case ResponseCode.SUCCESS: {
      const h = decodeHeader(SendMessageResponseHeader, extFields);
      return {
        code,
        remark,
        msgId: "",
        offsetMsgId: h.msgId,
        queueOffset: h.queueOffset,
        transactionId: h.transactionId ?? "",
        recallHandle: h.recallHandle ?? "",
      };
    }
    default:
      return null;
  }
}

function convertToSendMessageResponse(results: SendResult[]): SendMessageResponse {
  const entries: SendResultEntry[] = results.map((r) => {
    switch (r.code) {
      case ResponseCode.FLUSH_DISK_TIMEOUT:
        return {
          status: buildStatus(Code.MASTER_PERSISTENCE_TIMEOUT, "send message failed, sendStatus=FLUSH_DISK_TIMEOUT"),
        };
      case ResponseCode.FLUSH_SLAVE_TIMEOUT:
        return {
          status: buildStatus(Code.SLAVE_PERSISTENCE_TIMEOUT, "send message failed, sendStatus=FLUSH_SLAVE_TIMEOUT"),
        };
      case ResponseCode.SLAVE_NOT_AVAILABLE:
        return { status: buildStatus(Code.HA_NOT_AVAILABLE, "send message failed, sendStatus=SLAVE_NOT_AVAILABLE") };
      default:
        return {
          status: buildStatus(Code.OK, "OK"),
          offset: r.queueOffset,
          message_id: r.msgId,
          transaction_id: r.transactionId,
          recall_handle: r.recallHandle,
        };
    }
  });
  const codes = new Set(entries.map((e) => Number(e.status.code)));
  const only = [...codes][0];
  const status =
    codes.size > 1
      ? buildStatus(Code.MULTIPLE_RESULTS, "MULTIPLE_RESULTS")
      : only !== undefined
        ? buildStatus(only, codeName(only))
        : buildStatus(Code.INTERNAL_SERVER_ERROR, "send status is empty");
  return { status, entries };
}
