/**
 * Java's DefaultMQProducer over the remoting protocol: sync / async / oneway sends, queue
 * selectors, batches, retries on another broker, optional latency fault avoidance, zlib
 * compression above 4 KB, UNIQ_KEY ids, heartbeats and unregistration on shutdown.
 */
import { randomUUID } from "node:crypto";
import { deflateSync } from "node:zlib";
import { MessageConst, MessageSysFlag, MixAll, type TopicRouteData } from "@rocketmq-ts/common";
import {
  encodeHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  sendHeaderV2FromV1,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { decodeHeaderLeniently } from "../impl/headers.js";
import { createOnewayRequest, createRequest } from "../impl/requests.js";
import { MessageClientIDSetter } from "../impl/clientId.js";
import { MQClientInstance, type ClientConfig, type MQProducerInner } from "../impl/MQClientInstance.js";
import { MQFaultStrategy, topicRouteData2TopicPublishInfo, type TopicPublishInfo } from "../impl/TopicPublishInfo.js";
import type { Message, MessageExt, MessageQueue, SendResult, SendStatus } from "../message/Message.js";
import {
  PROPERTY_CORRELATION_ID,
  PROPERTY_MESSAGE_REPLY_TO_CLIENT,
  PROPERTY_MESSAGE_TTL,
  PROPERTY_MESSAGE_TYPE,
  REPLY_MESSAGE_FLAG,
} from "../message/MessageUtil.js";
import { MQBrokerException, MQClientException } from "../MQClientException.js";
import { MessageBatch, propertiesString } from "../message/MessageBatch.js";

export { MessageBatch };

export interface ProducerConfig extends ClientConfig {
  producerGroup: string;
  createTopicKey?: string;
  defaultTopicQueueNums?: number;
  sendMsgTimeout?: number;
  compressMsgBodyOverHowmuch?: number;
  retryTimesWhenSendFailed?: number;
  retryTimesWhenSendAsyncFailed?: number;
  retryAnotherBrokerWhenNotStoreOK?: boolean;
  maxMessageSize?: number;
  sendLatencyFaultEnable?: boolean;
  /** Use SEND_MESSAGE (10, long header names) instead of SEND_MESSAGE_V2 (Java sendSmartMsg=false). */
  sendSmartMsg?: boolean;
}

export type MessageQueueSelector<A> = (mqs: MessageQueue[], msg: Message, arg: A) => MessageQueue;

type CommunicationMode = "SYNC" | "ASYNC" | "ONEWAY";

/** Java's ClientErrorCode.REQUEST_TIMEOUT_EXCEPTION. */
const REQUEST_TIMEOUT_EXCEPTION = 10006;

/** Broker codes after which a sync send is tried again (Java's retryResponseCodes, 4.9.8). */
const RETRY_CODES = new Set<number>([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
]);

const STATUS_BY_CODE = new Map<number, SendStatus>([
  [ResponseCode.SUCCESS, "SEND_OK"],
  [ResponseCode.FLUSH_DISK_TIMEOUT, "FLUSH_DISK_TIMEOUT"],
  [ResponseCode.FLUSH_SLAVE_TIMEOUT, "FLUSH_SLAVE_TIMEOUT"],
  [ResponseCode.SLAVE_NOT_AVAILABLE, "SLAVE_NOT_AVAILABLE"],
]);

export class DefaultMQProducer implements MQProducerInner {
  readonly groupName: string;
  readonly instance: MQClientInstance;
  private readonly cfg: Required<Omit<ProducerConfig, keyof ClientConfig>>;
  private readonly publishInfo = new Map<string, TopicPublishInfo>();
  private readonly routeLookups = new Map<string, Promise<TopicPublishInfo>>();
  private readonly fault: MQFaultStrategy;
  private readonly ids: MessageClientIDSetter;
  private state: "CREATE_JUST" | "RUNNING" | "SHUTDOWN" = "CREATE_JUST";

  constructor(config: ProducerConfig) {
    this.groupName = config.producerGroup;
    this.cfg = {
      producerGroup: config.producerGroup,
      createTopicKey: config.createTopicKey ?? MixAll.AUTO_CREATE_TOPIC_KEY_TOPIC,
      defaultTopicQueueNums: config.defaultTopicQueueNums ?? 4,
      sendMsgTimeout: config.sendMsgTimeout ?? 3000,
      compressMsgBodyOverHowmuch: config.compressMsgBodyOverHowmuch ?? 4096,
      retryTimesWhenSendFailed: config.retryTimesWhenSendFailed ?? 2,
      retryTimesWhenSendAsyncFailed: config.retryTimesWhenSendAsyncFailed ?? 2,
      retryAnotherBrokerWhenNotStoreOK: config.retryAnotherBrokerWhenNotStoreOK ?? false,
      maxMessageSize: config.maxMessageSize ?? 4 * 1024 * 1024,
      sendLatencyFaultEnable: config.sendLatencyFaultEnable ?? false,
      sendSmartMsg: config.sendSmartMsg ?? true,
    };
    this.instance = new MQClientInstance(config);
    this.fault = new MQFaultStrategy(this.cfg.sendLatencyFaultEnable);
    this.ids = new MessageClientIDSetter(this.instance.clientIP);
  }

  get clientId(): string {
    return this.instance.clientId;
  }

  async start(): Promise<void> {
    if (this.state !== "CREATE_JUST")
      throw new MQClientException(-1, `The producer service state not OK, maybe started once, ${this.state}`);
    if (!this.groupName || this.groupName === MixAll.AUTO_CREATE_TOPIC_KEY_TOPIC)
      throw new MQClientException(-1, "producerGroup can not equal TBW102, please specify another one.");
    this.instance.registerProducer(this);
    this.instance.start();
    this.state = "RUNNING";
    await this.instance.sendHeartbeatToAllBrokers();
  }

  /** Unregister from every broker and close connections. */
  async shutdown(): Promise<void> {
    if (this.state !== "RUNNING") return;
    this.state = "SHUTDOWN";
    await this.instance.unregister(this.groupName, null);
    await this.instance.shutdown();
  }

  publishTopics(): string[] {
    return [...this.publishInfo.keys()];
  }

  updateTopicRoute(topic: string, route: TopicRouteData): void {
    if (this.publishInfo.has(topic)) this.publishInfo.set(topic, topicRouteData2TopicPublishInfo(topic, route));
  }

  /** Publish queues of a topic (Java's fetchPublishMessageQueues). */
  async fetchPublishMessageQueues(topic: string): Promise<MessageQueue[]> {
    return (await this.tryToFindTopicPublishInfo(topic)).messageQueueList;
  }

  /** Sync send with retries; resolves with the SendResult, rejects with MQClientException/MQBrokerException. */
  send(msg: Message, timeout = this.cfg.sendMsgTimeout): Promise<SendResult> {
    return this.sendDefaultImpl(msg, "SYNC", timeout).then(expectResult);
  }

  /**
   * Request-reply (Java's request(msg, timeout)): the message carries a correlation id, this
   * client's id and a TTL; a responder's reply arrives pushed by the broker. Rejects with code
   * 10006 when no reply came in time.
   */
  async request(msg: Message, timeout = this.cfg.sendMsgTimeout): Promise<MessageExt> {
    const begin = Date.now();
    const correlationId = randomUUID();
    msg.properties.set(PROPERTY_CORRELATION_ID, correlationId);
    msg.properties.set(PROPERTY_MESSAGE_REPLY_TO_CLIENT, this.instance.clientId);
    msg.properties.set(PROPERTY_MESSAGE_TTL, String(timeout));
    if (!this.instance.topicRouteTable.has(msg.topic)) {
      // the broker must know this client (heartbeat) before it can push the reply here
      await this.tryToFindTopicPublishInfo(msg.topic);
      await this.instance.sendHeartbeatToAllBrokers();
    }
    const replied = new Promise<MessageExt>((resolve) => this.instance.requestFutures.set(correlationId, resolve));
    try {
      await this.send(msg, Math.max(1, timeout - (Date.now() - begin)));
    } catch (e) {
      this.instance.requestFutures.delete(correlationId);
      throw new MQClientException(-1, `send request message to <${msg.topic}> fail`, e as Error);
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.max(0, timeout - (Date.now() - begin)));
    });
    const reply = await Promise.race([replied, expired]);
    clearTimeout(timer);
    if (!reply) {
      this.instance.requestFutures.delete(correlationId);
      throw new MQClientException(
        REQUEST_TIMEOUT_EXCEPTION,
        `send request message to <${msg.topic}> OK, but wait reply message timeout, ${timeout} ms.`,
      );
    }
    return reply;
  }

  /** Async send: one network attempt per try, broker errors are final (Java's async semantics). */
  sendAsync(msg: Message, timeout = this.cfg.sendMsgTimeout): Promise<SendResult> {
    return this.sendDefaultImpl(msg, "ASYNC", timeout).then(expectResult);
  }

  /** Oneway: a single attempt, nothing comes back. */
  async sendOneway(msg: Message): Promise<void> {
    await this.sendDefaultImpl(msg, "ONEWAY", this.cfg.sendMsgTimeout);
  }

  /** Send to the queue a selector picks (ordered messages): no retry on another queue. */
  async sendWithSelector<A>(
    msg: Message,
    selector: MessageQueueSelector<A>,
    arg: A,
    timeout = this.cfg.sendMsgTimeout,
  ): Promise<SendResult> {
    this.checkMessage(msg);
    const info = await this.tryToFindTopicPublishInfo(msg.topic);
    const mq = selector([...info.messageQueueList], msg, arg);
    if (!mq) throw new MQClientException(-1, "select message queue return null.");
    return (await this.sendKernelImpl(msg, mq, "SYNC", timeout)) as SendResult;
  }

  /** Send to a given queue. */
  async sendToQueue(msg: Message, mq: MessageQueue, timeout = this.cfg.sendMsgTimeout): Promise<SendResult> {
    this.checkMessage(msg);
    await this.tryToFindTopicPublishInfo(msg.topic);
    return (await this.sendKernelImpl(msg, mq, "SYNC", timeout)) as SendResult;
  }

  /** Batch send (SEND_BATCH_MESSAGE): same topic, same waitStoreMsgOK, no delay, no retry topic. */
  sendBatch(msgs: Message[], timeout = this.cfg.sendMsgTimeout): Promise<SendResult> {
    return this.sendDefaultImpl(new MessageBatch(msgs, this.ids), "SYNC", timeout).then(expectResult);
  }

  private checkMessage(msg: Message): void {
    if (this.state !== "RUNNING") throw new MQClientException(-1, `The producer service state not OK, ${this.state}`);
    if (!msg.topic) throw new MQClientException(ResponseCode.MESSAGE_ILLEGAL, "The specified topic is blank");
    if (!/^[%|a-zA-Z0-9_-]+$/.test(msg.topic))
      throw new MQClientException(
        ResponseCode.MESSAGE_ILLEGAL,
        `The specified topic[${msg.topic}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`,
      );
    if (msg.topic.length > 127)
      throw new MQClientException(ResponseCode.MESSAGE_ILLEGAL, "The specified topic is longer than topic max length.");
    if (msg.body.length === 0)
      throw new MQClientException(ResponseCode.MESSAGE_ILLEGAL, "the message body length is zero");
    if (msg.body.length > this.cfg.maxMessageSize)
      throw new MQClientException(
        ResponseCode.MESSAGE_ILLEGAL,
        `the message body size over max value, MAX: ${this.cfg.maxMessageSize}`,
      );
  }

  /** Cached publish info, else one route lookup per topic shared by every concurrent send. */
  private tryToFindTopicPublishInfo(topic: string): Promise<TopicPublishInfo> {
    const info = this.publishInfo.get(topic);
    if (info && info.messageQueueList.length > 0) return Promise.resolve(info);
    let pending = this.routeLookups.get(topic);
    if (!pending) {
      pending = this.lookupTopicPublishInfo(topic).finally(() => this.routeLookups.delete(topic));
      this.routeLookups.set(topic, pending);
    }
    return pending;
  }

  private async lookupTopicPublishInfo(topic: string): Promise<TopicPublishInfo> {
    if (!this.publishInfo.has(topic))
      this.publishInfo.set(topic, {
        orderTopic: false,
        haveTopicRouterInfo: false,
        messageQueueList: [],
        route: emptyRoute(),
      });
    await this.instance.tryUpdateTopicRouteInfoFromNameServer(topic, "send");
    let info = this.publishInfo.get(topic);
    if (!info || !info.haveTopicRouterInfo || info.messageQueueList.length === 0) {
      await this.instance.tryUpdateTopicRouteInfoFromNameServer(topic, "send", this.cfg.defaultTopicQueueNums);
      info = this.publishInfo.get(topic);
    }
    if (!info || info.messageQueueList.length === 0) {
      throw new MQClientException(-1, `No route info of this topic: ${topic}${MixAll.FAQ_URL_SUFFIX}`);
    }
    return info;
  }

  /** A failed route lookup is logged; the caller goes on with what it has (false: nothing updated). */
  /** Java's sendDefaultImpl: select, send, retry; null for oneway sends (nothing comes back). */
  private async sendDefaultImpl(msg: Message, mode: CommunicationMode, timeout: number): Promise<SendResult | null> {
    this.checkMessage(msg);
    const begin = Date.now();
    const info = await this.tryToFindTopicPublishInfo(msg.topic);
    const times =
      mode === "SYNC"
        ? 1 + this.cfg.retryTimesWhenSendFailed
        : mode === "ASYNC"
          ? 1 + this.cfg.retryTimesWhenSendAsyncFailed
          : 1;
    let lastBroker: string | null = null;
    let lastError: unknown = null;
    const brokersSent: string[] = [];
    for (let i = 0; i < times; i++) {
      const mq = this.fault.selectOneMessageQueue(info, lastBroker);
      if (!mq) break;
      lastBroker = mq.brokerName;
      brokersSent.push(mq.brokerName);
      const spent = Date.now() - begin;
      if (spent >= timeout) {
        lastError = new MQClientException(-1, "sendDefaultImpl call timeout");
        break;
      }
      const start = Date.now();
      try {
        const result = await this.sendKernelImpl(msg, mq, mode, timeout - spent);
        this.fault.updateFaultItem(mq.brokerName, Date.now() - start, false);
        if (mode === "ONEWAY" || !result) return null;
        if (result.sendStatus !== "SEND_OK" && mode === "SYNC" && this.cfg.retryAnotherBrokerWhenNotStoreOK) continue;
        return result;
      } catch (e) {
        this.fault.updateFaultItem(mq.brokerName, Date.now() - start, true);
        lastError = e;
        if (e instanceof MQBrokerException) {
          // async: a broker's answer is final; sync: only the listed codes are retried
          if (mode !== "SYNC" || !RETRY_CODES.has(e.responseCode)) throw e;
        }
        this.instance.logger.warn({ err: e, brokerName: mq.brokerName }, "send failed, maybe retry");
      }
    }
    const detail = lastError instanceof Error ? lastError.message : String(lastError);
    throw new MQClientException(
      lastError instanceof MQBrokerException ? lastError.responseCode : -1,
      `Send [${brokersSent.length}] times, still failed, cost [${Date.now() - begin}]ms, Topic: ${msg.topic}, BrokersSent: [${brokersSent.join(", ")}]${MixAll.FAQ_URL_SUFFIX}\n${detail}`,
      lastError,
    );
  }

  private async sendKernelImpl(
    msg: Message,
    mq: MessageQueue,
    mode: CommunicationMode,
    timeout: number,
  ): Promise<SendResult | null> {
    let addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      await this.instance.tryUpdateTopicRouteInfoFromNameServer(mq.topic, "send");
      addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    }
    if (!addr) throw new MQClientException(-1, `The broker[${mq.brokerName}] not exist`);
    const batch = msg instanceof MessageBatch;
    if (!batch && !msg.properties.has(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX))
      msg.properties.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, this.ids.createUniqID());
    let sysFlag = 0;
    let body = batch ? msg.encodeBody() : msg.body;
    if (!batch && body.length >= this.cfg.compressMsgBodyOverHowmuch) {
      body = deflateSync(body, { level: 5 });
      sysFlag |= MessageSysFlag.COMPRESSED_FLAG;
    }
    if (msg.properties.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) === "true")
      sysFlag |= MessageSysFlag.TRANSACTION_PREPARED_TYPE;
    const props = new Map(msg.properties);
    let reconsumeTimes = 0;
    let maxReconsumeTimes: number | undefined;
    if (mq.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)) {
      const times = props.get(MessageConst.PROPERTY_RECONSUME_TIME);
      if (times !== undefined) reconsumeTimes = javaIntProperty(MessageConst.PROPERTY_RECONSUME_TIME, times);
      props.delete(MessageConst.PROPERTY_RECONSUME_TIME);
      const max = props.get(MessageConst.PROPERTY_MAX_RECONSUME_TIMES);
      if (max !== undefined) maxReconsumeTimes = javaIntProperty(MessageConst.PROPERTY_MAX_RECONSUME_TIMES, max);
      props.delete(MessageConst.PROPERTY_MAX_RECONSUME_TIMES);
    }
    const header: SendMessageRequestHeader = {
      producerGroup: this.groupName,
      topic: mq.topic,
      defaultTopic: this.cfg.createTopicKey,
      defaultTopicQueueNums: this.cfg.defaultTopicQueueNums,
      queueId: mq.queueId,
      sysFlag,
      bornTimestamp: Date.now(),
      flag: msg.flag,
      properties: propertiesString(props),
      reconsumeTimes,
      unitMode: false,
      batch,
      ...(maxReconsumeTimes === undefined ? {} : { maxReconsumeTimes }),
      bname: mq.brokerName,
    };
    const reply = msg.properties.get(PROPERTY_MESSAGE_TYPE) === REPLY_MESSAGE_FLAG;
    const code = batch
      ? RequestCode.SEND_BATCH_MESSAGE
      : reply
        ? this.cfg.sendSmartMsg
          ? RequestCode.SEND_REPLY_MESSAGE_V2
          : RequestCode.SEND_REPLY_MESSAGE
        : this.cfg.sendSmartMsg
          ? RequestCode.SEND_MESSAGE_V2
          : RequestCode.SEND_MESSAGE;
    // SEND_MESSAGE and SEND_REPLY_MESSAGE (sendSmartMsg off) carry the long field names, the V2
    // codes and batches the one-letter ones
    const extFields =
      code === RequestCode.SEND_MESSAGE || code === RequestCode.SEND_REPLY_MESSAGE
        ? encodeHeader(SendMessageRequestHeader, header)
        : encodeHeader(SendMessageRequestHeaderV2, sendHeaderV2FromV1(header));
    if (mode === "ONEWAY") {
      await this.instance.remoting.invokeOneway(addr, createOnewayRequest(code, { extFields, body }), timeout);
      return null;
    }
    const request = createRequest(code, { extFields, body });
    const response =
      mode === "SYNC"
        ? await this.instance.remoting.invokeSync(addr, request, timeout)
        : await this.instance.remoting.invokeAsync(addr, request, timeout);
    return this.processSendResponse(mq, msg, response);
  }

  private processSendResponse(mq: MessageQueue, msg: Message, response: RemotingCommand): SendResult {
    const status = STATUS_BY_CODE.get(response.code);
    if (!status) throw new MQBrokerException(response.code, response.remark ?? "");
    const h = decodeHeaderLeniently(SendMessageResponseHeader, response.extFields);
    const uniq =
      msg instanceof MessageBatch
        ? msg.uniqIds().join(",")
        : (msg.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? "");
    const result: SendResult = {
      sendStatus: status,
      msgId: uniq,
      offsetMsgId: h.msgId ?? "",
      messageQueue: { topic: mq.topic, brokerName: mq.brokerName, queueId: h.queueId ?? mq.queueId },
      queueOffset: h.queueOffset ?? 0,
      regionId: h.MSG_REGION ?? "DefaultRegion",
      traceOn: h.TRACE_ON !== "false",
    };
    if (h.transactionId) result.transactionId = h.transactionId;
    return result;
  }
}

function expectResult(r: SendResult | null): SendResult {
  if (!r) throw new MQClientException(-1, "no send result");
  return r;
}

function emptyRoute(): TopicRouteData {
  return { queueDatas: [], brokerDatas: [], filterServerTable: new Map() };
}

/** A property Java reads with Integer.valueOf: a send with anything else fails before it leaves. */
function javaIntProperty(name: string, value: string): number {
  const n = /^[+-]?\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647)
    throw new MQClientException(-1, `message property ${name} is not an int: For input string: "${value}"`);
  return n;
}
