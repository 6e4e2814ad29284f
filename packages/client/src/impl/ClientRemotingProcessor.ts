/**
 * The requests brokers send to a client (Java's ClientRemotingProcessor): a changed consumer list,
 * an offset reset, a reply to a request message, a transaction check, and the running-info /
 * consume-directly calls mqadmin relays through a broker.
 */
import {
  decodeRecordAt,
  encodeConsumeMessageDirectlyResult,
  encodeConsumerRunningInfo,
  getProperty,
  MessageConst,
  MessageSysFlag,
  string2messageProperties,
} from "@rocketmq-ts/common";
import {
  CheckTransactionStateRequestHeader,
  ConsumeMessageDirectlyResultRequestHeader,
  createResponse,
  decodeHeader,
  GetConsumerRunningInfoRequestHeader,
  ReplyMessageRequestHeader,
  RequestCode,
  ResetOffsetRequestHeader,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { inflateSync } from "node:zlib";
import { decodePulledMessages } from "../consumer/decodeMessages.js";
import type { MessageExt } from "../message/Message.js";
import { PROPERTY_CORRELATION_ID } from "../message/MessageUtil.js";
import { mqTable } from "../MQAdminClient.js";
import { decodeHeaderLeniently } from "./headers.js";
import type { ClientRemoting, MQClientInstance } from "./MQClientInstance.js";

export class ClientRemotingProcessor {
  constructor(private readonly instance: MQClientInstance) {}

  registerTo(remoting: ClientRemoting): void {
    remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, () => {
      this.instance.rebalanceImmediately();
      return null;
    });
    remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, (req) => this.onResetOffset(req));
    remoting.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (req) => this.onPushReplyMessage(req));
    remoting.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, (req) => this.onGetConsumerRunningInfo(req));
    remoting.registerProcessor(RequestCode.CONSUME_MESSAGE_DIRECTLY, (req) => this.onConsumeMessageDirectly(req));
    remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req, { remoteAddr }) => {
      this.onCheckTransactionState(req, remoteAddr);
      return null;
    });
  }

  private get logger(): MQClientInstance["logger"] {
    return this.instance.logger;
  }

  /** GET_CONSUMER_RUNNING_INFO relayed by a broker for mqadmin consumerStatus. */
  private onGetConsumerRunningInfo(req: RemotingCommand): RemotingCommand {
    const h = decodeHeader(GetConsumerRunningInfoRequestHeader, req.extFields);
    const info = this.instance.selectConsumer(h.consumerGroup)?.consumerRunningInfo?.();
    if (!info)
      return createResponse(req, ResponseCode.SYSTEM_ERROR, {
        remark: `The Consumer Group <${h.consumerGroup}> not exist in this consumer`,
      });
    if (h.jstackEnable) info.jstack = javascriptStack();
    // Java's response keeps the remark its constructor set
    return createResponse(req, ResponseCode.SUCCESS, {
      remark: "not set any response code",
      body: encodeConsumerRunningInfo(info),
    });
  }

  /** CONSUME_MESSAGE_DIRECTLY relayed by the broker holding the message (its record is the body). */
  private async onConsumeMessageDirectly(req: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeHeader(ConsumeMessageDirectlyResultRequestHeader, req.extFields);
    const brokerName = h.brokerName ?? "";
    const msg = req.body && req.body.length > 0 ? decodePulledMessages(req.body, brokerName)[0] : undefined;
    const consumer = this.instance.selectConsumer(h.consumerGroup);
    const result =
      msg && consumer?.consumeMessageDirectly ? await consumer.consumeMessageDirectly(msg, brokerName) : null;
    if (!result)
      return createResponse(req, ResponseCode.SYSTEM_ERROR, {
        remark: `The Message ${h.msgId ?? ""} not exist in this consumer`,
      });
    return createResponse(req, ResponseCode.SUCCESS, {
      remark: "not set any response code",
      body: encodeConsumeMessageDirectlyResult(result),
    });
  }

  /** A broker pushes a reply (PUSH_REPLY_MESSAGE_TO_CLIENT): hand it to the waiting request. */
  private onPushReplyMessage(req: RemotingCommand): RemotingCommand {
    try {
      const h = decodeHeader(ReplyMessageRequestHeader, req.extFields);
      const properties = string2messageProperties(h.properties ?? "");
      let body = req.body ? Buffer.from(req.body) : Buffer.alloc(0);
      if ((h.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) body = inflateSync(body);
      const uniq = properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? "";
      const reply: MessageExt = {
        topic: h.topic,
        body,
        flag: h.flag,
        properties,
        tags: properties.get(MessageConst.PROPERTY_TAGS),
        keys: properties.get(MessageConst.PROPERTY_KEYS),
        msgId: uniq,
        offsetMsgId: "",
        queueId: h.queueId,
        queueOffset: 0,
        commitLogOffset: 0,
        brokerName: "",
        bornTimestamp: h.bornTimestamp,
        storeTimestamp: h.storeTimestamp,
        bornHost: h.bornHost,
        storeHost: h.storeHost,
        reconsumeTimes: h.reconsumeTimes ?? 0,
        sysFlag: h.sysFlag,
        bodyCRC: 0,
        storeSize: 0,
        preparedTransactionOffset: 0,
      };
      const correlationId = properties.get(PROPERTY_CORRELATION_ID);
      const waiter = correlationId === undefined ? undefined : this.instance.requestFutures.get(correlationId);
      if (waiter && correlationId !== undefined) {
        this.instance.requestFutures.delete(correlationId);
        waiter(reply);
      } else this.logger.warn({ correlationId }, "receive reply message, but no request is waiting for it");
      return createResponse(req, ResponseCode.SUCCESS);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "process reply message fail");
      return createResponse(req, ResponseCode.SYSTEM_ERROR, { remark: "process reply message fail" });
    }
  }

  /** Hand a broker's transaction check to the producer of the half message's group (PGROUP). */
  private onCheckTransactionState(req: RemotingCommand, brokerAddr: string): void {
    const body = req.body;
    const h = decodeHeaderLeniently(CheckTransactionStateRequestHeader, req.extFields);
    if (!body || body.length === 0 || h.commitLogOffset === undefined || h.tranStateTableOffset === undefined) {
      this.logger.warn({ extFields: req.extFields }, "checkTransactionState, no message body or no valid offsets");
      return;
    }
    let group: string | undefined;
    try {
      group = getProperty(decodeRecordAt(body, 0, false).propertiesString, MessageConst.PROPERTY_PRODUCER_GROUP);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "checkTransactionState, bad message body");
      return;
    }
    const producer = group === undefined ? undefined : this.instance.selectProducer(group);
    if (!producer?.checkTransactionState) {
      this.logger.warn({ group }, "checkTransactionState, pick producer by group failed");
      return;
    }
    const header = {
      commitLogOffset: h.commitLogOffset,
      tranStateTableOffset: h.tranStateTableOffset,
      ...(h.transactionId ? { transactionId: h.transactionId } : {}),
    };
    producer.checkTransactionState(brokerAddr, header, body).catch((err: Error) => {
      this.logger.warn({ group, err: err.message }, "checkTransactionState failed");
    });
  }

  private async onResetOffset(req: RemotingCommand): Promise<RemotingCommand | null> {
    const h = decodeHeaderLeniently(ResetOffsetRequestHeader, req.extFields);
    const group = h.group ?? "";
    const topic = h.topic ?? "";
    const consumer = this.instance.selectConsumer(group);
    if (consumer && req.body) {
      const offsets = new Map<string, number>();
      for (const [k, v] of mqTable(req.body)) offsets.set(`${k.topic}@${k.brokerName}@${k.queueId}`, Number(v));
      await consumer.resetOffset(topic, offsets);
    }
    return createResponse(req, ResponseCode.SUCCESS);
  }
}

/** The JVM's jstack has no Node equivalent: the process report's JavaScript stack and its libuv handles instead. */
function javascriptStack(): string {
  const report = process.report?.getReport() as
    | { javascriptStack?: { message?: string; stack?: string[] }; libuv?: { type: string; is_active: boolean }[] }
    | undefined;
  if (!report) return "";
  const js = report.javascriptStack;
  const handles = (report.libuv ?? []).filter((h) => h.is_active).map((h) => `  ${h.type}`);
  return [js?.message ?? "", ...(js?.stack ?? []).map((l) => `  ${l}`), "libuv active handles:", ...handles, ""].join(
    "\n",
  );
}
