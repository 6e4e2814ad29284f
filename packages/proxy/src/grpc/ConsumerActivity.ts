/**
 * ReceiveMessage, AckMessage, ChangeInvisibleDuration and ForwardMessageToDeadLetterQueue over the
 * brokers' POP codes (Java's ReceiveMessageActivity + ReceiveMessageResponseStreamWriter,
 * AckMessageActivity, ChangeInvisibleDurationActivity, ForwardMessageToDLQActivity and the
 * ConsumerProcessor / ProducerProcessor parts they call).
 * Long because the four consumer RPCs share the POP answer parsing (Java's processPopResponse), the
 * handle helpers and the broker requests built from them; splitting them apart would scatter one
 * protocol over several files.
 *
 * Java semantics kept: the polling time is the request's long_polling_timeout (else the deadline left
 * minus half the client's request timeout), clamped to [5 s, 20 s] and to the deadline left (less
 * than 5 s left → ILLEGAL_POLLING_TIME, BAD_REQUEST for clients before 5.0.3); invisible time = 60 s
 * for auto-renew receives, else validated in [10 s, 12 h]; POP_MESSAGE pops every queue (−1) of the
 * named broker, at most 32; each popped message gets the handle `POP_CK + " " + commitLogOffset`;
 * a message whose tag the subscription does not take is acked, one past max attempts is sent to the
 * DLQ (and acked); the stream is a status, the messages, then `delivery_timestamp`, on every path.
 * Ack / change / DLQ refuse an expired handle (INVALID_RECEIPT_HANDLE "receipt handle is expired");
 * ChangeInvisibleDuration answers the new handle in Java's cluster form.
 * Handles of auto-renew receives are handed to the ReceiptHandleManager once written to the client
 * (under the message id the client sees); ack / change / DLQ use the newest renewed handle of the
 * message.
 */
import {
  buildExtraInfo,
  decodeReceiptHandle,
  decodeRecordAt,
  encodeReceiptHandle,
  isReceiptHandleExpired,
  MessageConst,
  parseMsgOffsetInfo,
  parseOrderCountInfo,
  parseStartOffsetInfo,
  PopInfoError,
  queueOffsetMapKey,
  realTopicOf,
  startOffsetInfoMapKey,
  type MessageExt,
  type ReceiptHandle as ReceiptHandleFields,
} from "@rocketmq-ts/common";
import {
  AckMessageRequestHeader,
  ChangeInvisibleTimeRequestHeader,
  ChangeInvisibleTimeResponseHeader,
  ConsumerSendMsgBackRequestHeader,
  createRequest,
  decodeHeader,
  encodeHeader,
  PopMessageRequestHeader,
  PopMessageResponseHeader,
  RequestCode,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import type { ProxyDeps } from "../ProxyDeps.js";
import type { MessageService } from "../service/MessageService.js";
import { selectBrokerAddr } from "../service/TopicRouteService.js";
import { Code, codeName } from "./Code.js";
import { buildMessage } from "./GrpcConverter.js";
import { validateFilterExpression, validateInvisibleTime, validateTopicAndConsumerGroup } from "./GrpcValidator.js";
import { remainingMs, type ProxyContext } from "./ProxyContext.js";
import {
  buildStatus,
  buildStatusFromRemoting,
  GrpcProxyException,
  MQBrokerException,
  OK_STATUS,
  statusOfError,
} from "./ResponseBuilder.js";
import {
  durationToMillis,
  millisToTimestamp,
  type AckMessageRequest,
  type AckMessageResponse,
  type AckMessageResultEntry,
  type ChangeInvisibleDurationRequest,
  type ChangeInvisibleDurationResponse,
  type ForwardMessageToDeadLetterQueueRequest,
  type ReceiveMessageRequest,
  type ReceiveMessageResponse,
  type StatusResponse,
} from "./v2types.js";

const ILLEGAL_POLLING_TIME_INTRODUCED_CLIENT_VERSION = "5.0.3";
const MAX_POP_BATCH = 32;
const DEFAULT_TIMEOUT_MS = 3000;
const NACK_INVISIBLE_TIME_MS = 1000;

type PopStatus = "FOUND" | "NO_NEW_MSG" | "POLLING_FULL" | "POLLING_NOT_FOUND";

interface PopResult {
  status: PopStatus;
  messages: MessageExt[];
}

/** Java's FilterAPI.build tags for a TAG expression: `*` or empty = everything, else `a || b`. */
export function subscriptionTags(type: string | undefined, expression: string | undefined): Set<string> | null {
  if (type === "SQL") return null;
  const exp = (expression ?? "").trim();
  if (exp.length === 0 || exp === "*") return null;
  const tags = exp
    .split("||")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  return tags.length === 0 ? null : new Set(tags);
}

/** A decoded handle with the string it came from (what ACK / CHANGE send as extraInfo). */
export type ReceiptHandle = ReceiptHandleFields & { readonly receiptHandle: string };

export function decodeHandle(handle: string): ReceiptHandle {
  return { ...decodeReceiptHandle(handle), receiptHandle: handle };
}

const isExpired = isReceiptHandleExpired;
const realTopic = (h: ReceiptHandle, topic: string, group: string): string => realTopicOf(topic, group, h.topicType);

function handleOf(h: string | undefined, what: string): ReceiptHandle {
  try {
    return decodeHandle(h ?? "");
  } catch (err) {
    if (err instanceof PopInfoError)
      throw new GrpcProxyException(Code.INVALID_RECEIPT_HANDLE, `${what}: ${err.message}`);
    throw err;
  }
}

export async function changeInvisibleTimeOnBroker(
  messageService: MessageService,
  brokerAddr: string,
  group: string,
  topic: string,
  h: ReceiptHandle,
  invisibleTime: number,
): Promise<{ code: number; handle: string | null }> {
  const header = encodeHeader(ChangeInvisibleTimeRequestHeader, {
    consumerGroup: group,
    topic: realTopic(h, topic, group),
    queueId: h.queueId,
    extraInfo: h.receiptHandle,
    offset: h.offset,
    invisibleTime,
  });
  const res = await messageService.invoke(
    brokerAddr,
    createRequest(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, { extFields: header }),
    DEFAULT_TIMEOUT_MS,
  );
  if (res.code !== ResponseCode.SUCCESS) return { code: res.code, handle: null };
  const rh = decodeHeader(ChangeInvisibleTimeResponseHeader, res.extFields);
  const handle = encodeReceiptHandle({
    startOffset: h.offset,
    retrieveTime: rh.popTime,
    invisibleTime: rh.invisibleTime,
    reviveQueueId: rh.reviveQid,
    topicType: h.topicType,
    brokerName: h.brokerName,
    queueId: h.queueId,
    offset: h.offset,
    commitLogOffset: h.commitLogOffset,
  });
  return { code: res.code, handle };
}

export class ConsumerActivity {
  constructor(private readonly deps: ProxyDeps) {}

  private now(): number {
    return this.deps.now();
  }

  private async brokerAddrOf(topic: string, brokerName: string): Promise<string> {
    const addr = await this.deps.routes.getBrokerAddr(topic, brokerName);
    if (addr === null)
      throw new GrpcProxyException(Code.BAD_REQUEST, `broker ${brokerName} not found in the route of ${topic}`);
    return addr;
  }

  // ---------------------------------------------------------------- ReceiveMessage

  async receiveMessage(
    ctx: ProxyContext,
    request: ReceiveMessageRequest,
    write: (item: ReceiveMessageResponse) => boolean,
  ): Promise<void> {
    const complete = (): void => {
      write({ delivery_timestamp: millisToTimestamp(this.now()) });
    };
    try {
      const settings = await this.deps.settings.getClientSettings(ctx.clientId);
      if (!settings)
        throw new GrpcProxyException(Code.INTERNAL_SERVER_ERROR, "cannot find client settings for this client");
      const fifo = settings.subscription?.fifo === true;
      const maxAttempts = settings.backoff_policy?.max_attempts ?? 0;
      const config = this.deps.config;
      const timeRemaining =
        remainingMs(ctx) ?? config.grpcClientConsumerMaxLongPollingTimeoutMillis + DEFAULT_TIMEOUT_MS;
      let pollingTime =
        request.long_polling_timeout !== undefined
          ? durationToMillis(request.long_polling_timeout)
          : timeRemaining - durationToMillis(settings.request_timeout) / 2;
      pollingTime = Math.max(pollingTime, config.grpcClientConsumerMinLongPollingTimeoutMillis);
      pollingTime = Math.min(pollingTime, config.grpcClientConsumerMaxLongPollingTimeoutMillis);
      if (pollingTime > timeRemaining) {
        if (timeRemaining >= config.grpcClientConsumerMinLongPollingTimeoutMillis) pollingTime = timeRemaining;
        else {
          const old =
            ctx.clientVersion.length === 0 || ILLEGAL_POLLING_TIME_INTRODUCED_CLIENT_VERSION > ctx.clientVersion;
          write({
            status: buildStatus(
              old ? Code.BAD_REQUEST : Code.ILLEGAL_POLLING_TIME,
              "The deadline time remaining is not enough for polling, please check network condition",
            ),
          });
          complete();
          return;
        }
      }
      validateTopicAndConsumerGroup(request.message_queue?.topic, request.group);
      const topic = request.message_queue?.topic?.name ?? "";
      const group = request.group?.name ?? "";
      let invisibleTime = durationToMillis(request.invisible_duration);
      if (config.enableProxyAutoRenew && request.auto_renew === true) invisibleTime = config.defaultInvisibleTimeMills;
      else validateInvisibleTime(invisibleTime, config.minInvisibleTimeMillsForRecv, config.maxInvisibleTimeMills);
      const filter = request.filter_expression ?? {};
      validateFilterExpression(filter.type, filter.expression);
      const expType = filter.type === "SQL" ? "SQL92" : "TAG";
      const tags = subscriptionTags(filter.type, filter.expression);
      const route = await this.deps.routes.getRoute(topic);
      const wanted = request.message_queue?.broker?.name ?? "";
      const brokerName =
        (wanted.length > 0 && route.brokerDatas.some((b) => b.brokerName === wanted) ? wanted : undefined) ??
        route.queueDatas.find((q) => (q.perm & 4) !== 0)?.brokerName;
      const brokerAddr = brokerName === undefined ? null : selectBrokerAddr(route, brokerName);
      if (brokerName === undefined || brokerAddr === null)
        throw new GrpcProxyException(Code.FORBIDDEN, "no readable queue");
      const header = encodeHeader(PopMessageRequestHeader, {
        consumerGroup: group,
        topic,
        queueId: -1,
        maxMsgNums: Math.min(request.batch_size ?? 0, MAX_POP_BATCH),
        invisibleTime,
        pollTime: pollingTime,
        bornTime: this.now(),
        initMode: 1,
        expType,
        exp: filter.expression ?? "*",
        order: fifo,
        ...(request.attempt_id !== undefined ? { attemptId: request.attempt_id } : {}),
      });
      const response = await this.deps.messageService.invoke(
        brokerAddr,
        createRequest(RequestCode.POP_MESSAGE, { extFields: header }),
        Math.max(1, timeRemaining),
      );
      const pop = this.processPopResponse(
        response.code,
        response.remark,
        response.extFields,
        response.body,
        brokerName,
        topic,
        fifo,
      );
      const delivered: MessageExt[] = [];
      for (const msg of pop.messages) {
        const msgTag = msg.properties.get(MessageConst.PROPERTY_TAGS);
        if (tags !== null && (msgTag === undefined || !tags.has(msgTag))) {
          void this.ackQuietly(brokerAddr, group, topic, msg);
        } else if (maxAttempts > 0 && msg.reconsumeTimes >= maxAttempts) {
          void this.toDeadLetterQueue(brokerAddr, group, topic, msg);
        } else delivered.push(msg);
      }
      const autoRenew = config.enableProxyAutoRenew && request.auto_renew === true;
      switch (pop.status) {
        case "FOUND":
          if (delivered.length === 0) write({ status: buildStatus(Code.MESSAGE_NOT_FOUND, "no match message") });
          else {
            write({ status: OK_STATUS });
            for (let i = 0; i < delivered.length; i++) {
              const msg = delivered[i] as MessageExt;
              const message = buildMessage(msg, this.now());
              if (!write({ message })) {
                for (const rest of delivered.slice(i)) void this.nack(brokerAddr, group, topic, rest);
                return;
              }
              // renewed only once the client has it, under the id the client acks with
              const handle = msg.properties.get(MessageConst.PROPERTY_POP_CK);
              if (autoRenew && handle !== undefined)
                this.deps.receiptHandles.add(ctx.clientId, {
                  group,
                  topic,
                  messageId: message.system_properties?.message_id ?? "",
                  originalHandle: handle,
                  reconsumeTimes: msg.reconsumeTimes,
                });
            }
          }
          break;
        case "POLLING_FULL":
          write({ status: buildStatus(Code.TOO_MANY_REQUESTS, "polling full") });
          break;
        default:
          write({ status: buildStatus(Code.MESSAGE_NOT_FOUND, "no new message") });
      }
    } catch (err) {
      write({ status: statusOfError(err) });
    }
    complete();
  }

  /** Java MQClientAPIImpl.processPopResponse + the proxy's handle: POP_CK = extra info + commit-log offset. */
  private processPopResponse(
    code: number,
    remark: string | null,
    extFields: Record<string, string> | null,
    body: Buffer | null,
    brokerName: string,
    topic: string,
    order: boolean,
  ): PopResult {
    let status: PopStatus;
    switch (code) {
      case ResponseCode.SUCCESS:
        status = "FOUND";
        break;
      case ResponseCode.POLLING_FULL:
        return { status: "POLLING_FULL", messages: [] };
      case ResponseCode.POLLING_TIMEOUT:
      case ResponseCode.PULL_NOT_FOUND:
        return { status: "POLLING_NOT_FOUND", messages: [] };
      default:
        throw new MQBrokerException(code, remark);
    }
    const header = decodeHeader(PopMessageResponseHeader, extFields);
    const messages: MessageExt[] = [];
    const buf = body ?? Buffer.alloc(0);
    for (let pos = 0; pos + 8 <= buf.length;) {
      const size = buf.readInt32BE(pos);
      if (size <= 0 || pos + size > buf.length) break;
      messages.push(decodeRecordAt(buf, pos));
      pos += size;
    }
    const startOffsetInfo = parseStartOffsetInfo(header.startOffsetInfo);
    const msgOffsetInfo = parseMsgOffsetInfo(header.msgOffsetInfo);
    const orderCountInfo = parseOrderCountInfo(header.orderCountInfo);
    const firstOffsetOf = new Map<string, number>();
    const sorted = new Map<string, number[]>();
    for (const m of messages) {
      const key = startOffsetInfoMapKey(m.topic, m.queueId);
      const list = sorted.get(key) ?? [];
      list.push(m.queueOffset);
      sorted.set(key, list);
    }
    for (const list of sorted.values()) list.sort((a, b) => a - b);
    for (const m of messages) {
      let extra: string;
      if (startOffsetInfo === null) {
        // no offset info (an old broker): the batch's first offset in the queue is the checkpoint's start
        const key = `${m.topic}${m.queueId}`;
        if (!firstOffsetOf.has(key)) firstOffsetOf.set(key, m.queueOffset);
        extra = buildExtraInfo(
          firstOffsetOf.get(key) ?? m.queueOffset,
          header.popTime,
          header.invisibleTime,
          header.reviveQid,
          m.topic,
          brokerName,
          m.queueId,
          m.queueOffset,
        );
      } else {
        const queueIdKey = startOffsetInfoMapKey(m.topic, m.queueId);
        const index = (sorted.get(queueIdKey) ?? []).indexOf(m.queueOffset);
        const msgQueueOffset = msgOffsetInfo?.get(queueIdKey)?.[index] ?? m.queueOffset;
        extra = buildExtraInfo(
          startOffsetInfo.get(queueIdKey) ?? m.queueOffset,
          header.popTime,
          header.invisibleTime,
          header.reviveQid,
          m.topic,
          brokerName,
          m.queueId,
          msgQueueOffset,
        );
        if (order && orderCountInfo !== null) {
          const count =
            orderCountInfo.get(queueOffsetMapKey(m.topic, m.queueId, m.queueOffset)) ?? orderCountInfo.get(queueIdKey);
          if (count !== undefined && count > 0) m.reconsumeTimes = count;
        }
      }
      m.properties.set(MessageConst.PROPERTY_POP_CK, `${extra} ${m.commitLogOffset}`);
      if (!m.properties.has(MessageConst.PROPERTY_FIRST_POP_TIME))
        m.properties.set(MessageConst.PROPERTY_FIRST_POP_TIME, String(header.popTime));
      // a message popped from the retry topic is shown under the topic asked for
      m.topic = topic;
    }
    return { status, messages };
  }

  private async ackQuietly(brokerAddr: string, group: string, topic: string, msg: MessageExt): Promise<void> {
    try {
      const h = decodeHandle(msg.properties.get(MessageConst.PROPERTY_POP_CK) ?? "");
      await this.sendAck(brokerAddr, group, topic, h);
    } catch (err) {
      this.deps.logger.warn({ err, group, topic }, "ack of a filtered message failed");
    }
  }

  private async nack(brokerAddr: string, group: string, topic: string, msg: MessageExt): Promise<void> {
    try {
      const h = decodeHandle(msg.properties.get(MessageConst.PROPERTY_POP_CK) ?? "");
      await this.sendChangeInvisibleTime(brokerAddr, group, topic, h, NACK_INVISIBLE_TIME_MS);
    } catch (err) {
      this.deps.logger.warn({ err, group, topic }, "nack of an unwritten message failed");
    }
  }

  private async toDeadLetterQueue(brokerAddr: string, group: string, topic: string, msg: MessageExt): Promise<void> {
    try {
      const h = decodeHandle(msg.properties.get(MessageConst.PROPERTY_POP_CK) ?? "");
      const messageId = msg.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? "";
      const res = await this.sendMessageBackToDlq(brokerAddr, group, topic, h, messageId);
      if (res.code === ResponseCode.SUCCESS) await this.sendAck(brokerAddr, group, topic, h);
    } catch (err) {
      this.deps.logger.warn({ err, group, topic }, "forward to DLQ failed");
    }
  }

  // ---------------------------------------------------------------- broker requests

  private sendAck(
    brokerAddr: string,
    group: string,
    topic: string,
    h: ReceiptHandle,
  ): Promise<{ code: number; remark: string | null }> {
    const header = encodeHeader(AckMessageRequestHeader, {
      consumerGroup: group,
      topic: realTopic(h, topic, group),
      queueId: h.queueId,
      extraInfo: h.receiptHandle,
      offset: h.offset,
    });
    return this.deps.messageService.invoke(
      brokerAddr,
      createRequest(RequestCode.ACK_MESSAGE, { extFields: header }),
      DEFAULT_TIMEOUT_MS,
    );
  }

  private sendChangeInvisibleTime(
    brokerAddr: string,
    group: string,
    topic: string,
    h: ReceiptHandle,
    invisibleTime: number,
  ): Promise<{ code: number; handle: string | null }> {
    return changeInvisibleTimeOnBroker(this.deps.messageService, brokerAddr, group, topic, h, invisibleTime);
  }

  private sendMessageBackToDlq(
    brokerAddr: string,
    group: string,
    topic: string,
    h: ReceiptHandle,
    messageId: string,
  ): Promise<{ code: number; remark: string | null }> {
    const header = encodeHeader(ConsumerSendMsgBackRequestHeader, {
      offset: h.commitLogOffset,
      group,
      delayLevel: -1,
      originMsgId: messageId,
      originTopic: realTopic(h, topic, group),
      unitMode: false,
      maxReconsumeTimes: 0,
    });
    return this.deps.messageService.invoke(
      brokerAddr,
      createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, { extFields: header }),
      DEFAULT_TIMEOUT_MS,
    );
  }

  // ---------------------------------------------------------------- Ack / Change / DLQ

  /** The handle to use: the renewed one when the proxy renews this message, else the client's. */
  private async currentHandle(
    ctx: ProxyContext,
    group: string,
    messageId: string | undefined,
    handle: string | undefined,
  ): Promise<string> {
    return (await this.deps.receiptHandles.take(ctx.clientId, group, messageId ?? "", handle ?? "")) ?? handle ?? "";
  }

  async ackMessage(ctx: ProxyContext, request: AckMessageRequest): Promise<AckMessageResponse> {
    validateTopicAndConsumerGroup(request.topic, request.group);
    const topic = request.topic?.name ?? "";
    const group = request.group?.name ?? "";
    const entries: AckMessageResultEntry[] = await Promise.all(
      (request.entries ?? []).map(async (e): Promise<AckMessageResultEntry> => {
        const echo = { message_id: e.message_id ?? "", receipt_handle: e.receipt_handle ?? "" };
        try {
          const h = handleOf(await this.currentHandle(ctx, group, e.message_id, e.receipt_handle), "receipt handle");
          if (isExpired(h, this.now()))
            throw new GrpcProxyException(Code.INVALID_RECEIPT_HANDLE, "receipt handle is expired");
          const res = await this.sendAck(await this.brokerAddrOf(topic, h.brokerName), group, topic, h);
          if (res.code !== ResponseCode.SUCCESS)
            return { ...echo, status: buildStatus(Code.INTERNAL_SERVER_ERROR, "ack failed: status is abnormal") };
          return { ...echo, status: OK_STATUS };
        } catch (err) {
          return { ...echo, status: statusOfError(err) };
        }
      }),
    );
    const codes = new Set(entries.map((e) => Number(e.status.code)));
    const only = [...codes][0];
    const status =
      codes.size > 1
        ? buildStatus(Code.MULTIPLE_RESULTS)
        : only !== undefined
          ? buildStatus(only, codeName(only))
          : OK_STATUS;
    return { status, entries };
  }

  async changeInvisibleDuration(
    ctx: ProxyContext,
    request: ChangeInvisibleDurationRequest,
  ): Promise<ChangeInvisibleDurationResponse> {
    validateTopicAndConsumerGroup(request.topic, request.group);
    const invisibleTime = durationToMillis(request.invisible_duration);
    validateInvisibleTime(invisibleTime, 0, this.deps.config.maxInvisibleTimeMills);
    const topic = request.topic?.name ?? "";
    const group = request.group?.name ?? "";
    const h = handleOf(
      await this.currentHandle(ctx, group, request.message_id, request.receipt_handle),
      "receipt handle",
    );
    if (isExpired(h, this.now()))
      throw new GrpcProxyException(Code.INVALID_RECEIPT_HANDLE, "receipt handle is expired");
    const res = await this.sendChangeInvisibleTime(
      await this.brokerAddrOf(topic, h.brokerName),
      group,
      topic,
      h,
      invisibleTime,
    );
    this.deps.logger.debug(
      { group, topic, handle: h.receiptHandle, invisibleTime, code: res.code },
      "changeInvisibleDuration",
    );
    if (res.handle === null)
      return { status: buildStatus(Code.INTERNAL_SERVER_ERROR, "changeInvisibleDuration failed: status is abnormal") };
    return { status: OK_STATUS, receipt_handle: res.handle };
  }

  async forwardMessageToDeadLetterQueue(
    ctx: ProxyContext,
    request: ForwardMessageToDeadLetterQueueRequest,
  ): Promise<StatusResponse> {
    validateTopicAndConsumerGroup(request.topic, request.group);
    const topic = request.topic?.name ?? "";
    const group = request.group?.name ?? "";
    const h = handleOf(
      await this.currentHandle(ctx, group, request.message_id, request.receipt_handle),
      "receipt handle",
    );
    if (isExpired(h, this.now()))
      throw new GrpcProxyException(Code.INVALID_RECEIPT_HANDLE, "receipt handle is expired");
    if (h.commitLogOffset < 0) throw new GrpcProxyException(Code.INVALID_RECEIPT_HANDLE, "commit log offset is empty");
    const brokerAddr = await this.brokerAddrOf(topic, h.brokerName);
    const res = await this.sendMessageBackToDlq(brokerAddr, group, topic, h, request.message_id ?? "");
    // the follow-up ack is fired and not waited for: only the forward decides the answer
    if (res.code === ResponseCode.SUCCESS)
      this.sendAck(brokerAddr, group, topic, h).then(
        (ack) => {
          if (ack.code !== ResponseCode.SUCCESS)
            this.deps.logger.warn(
              { group, topic, code: ack.code, remark: ack.remark },
              "ack after DLQ forward refused",
            );
        },
        (err: unknown) => this.deps.logger.warn({ err, group, topic }, "ack after DLQ forward failed"),
      );
    return { status: buildStatusFromRemoting(res.code, res.remark) };
  }
}
