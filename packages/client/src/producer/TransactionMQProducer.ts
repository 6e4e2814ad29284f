/**
 * Java's TransactionMQProducer: a half message (TRAN_MSG=true, PGROUP), the local transaction, then
 * a oneway END_TRANSACTION with its outcome; the broker's CHECK_TRANSACTION_STATE requests for
 * unresolved halves are answered by the listener's checkLocalTransaction the same way.
 */
import { decodeMessageId, decodeRecordAt, MessageConst, MessageSysFlag, type MessageExt } from "@rocketmq-ts/common";
import { encodeHeader, EndTransactionRequestHeader, RequestCode } from "@rocketmq-ts/remoting";
import { withFields } from "../impl/headers.js";
import { createOnewayRequest } from "../impl/requests.js";
import type { Message, SendResult } from "../message/Message.js";
import { MQClientException } from "../MQClientException.js";
import { DefaultMQProducer, type ProducerConfig } from "./DefaultMQProducer.js";

export type LocalTransactionState = "COMMIT_MESSAGE" | "ROLLBACK_MESSAGE" | "UNKNOW";

export interface TransactionListener<A = unknown> {
  /** Runs the local transaction after the half message was stored. */
  executeLocalTransaction(msg: Message, arg: A): LocalTransactionState | Promise<LocalTransactionState>;
  /** Asked by the broker about a half message still unresolved after transactionTimeOut. */
  checkLocalTransaction(msg: MessageExt): LocalTransactionState | Promise<LocalTransactionState>;
}

export interface TransactionSendResult extends Omit<SendResult, "offsetMsgId"> {
  /** Java's TransactionSendResult carries no offsetMsgId. */
  offsetMsgId: null;
  localTransactionState: LocalTransactionState;
}

const COMMIT_OR_ROLLBACK: Record<LocalTransactionState, number> = {
  COMMIT_MESSAGE: MessageSysFlag.TRANSACTION_COMMIT_TYPE,
  ROLLBACK_MESSAGE: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE,
  UNKNOW: MessageSysFlag.TRANSACTION_NOT_TYPE,
};

/** The fields of CHECK_TRANSACTION_STATE the answer needs. */
interface CheckRequest {
  commitLogOffset: number;
  tranStateTableOffset: number;
  transactionId?: string;
}

/** Java 5's header inherits `bname` (RpcRequestHeader); the producer sends it, the broker ignores it. */
const EndTransactionRequestHeaderWithBname = withFields(EndTransactionRequestHeader, { bname: { type: "string" } });

export class TransactionMQProducer<A = unknown> extends DefaultMQProducer {
  private listener: TransactionListener<A> | null = null;

  constructor(config: ProducerConfig) {
    super(config);
  }

  setTransactionListener(listener: TransactionListener<A>): void {
    this.listener = listener;
  }

  async sendMessageInTransaction(msg: Message, arg: A): Promise<TransactionSendResult> {
    const listener = this.listener;
    if (!listener) throw new MQClientException(-1, "TransactionListener is null");
    // a delay level is ignored for transactional messages
    msg.properties.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
    msg.properties.set(MessageConst.PROPERTY_TRANSACTION_PREPARED, "true");
    msg.properties.set(MessageConst.PROPERTY_PRODUCER_GROUP, this.groupName);
    let sent: SendResult;
    try {
      sent = await this.send(msg);
    } catch (e) {
      throw new MQClientException(-1, `send message Exception: ${(e as Error).message}`);
    }
    let state: LocalTransactionState = "UNKNOW";
    let localError: Error | null = null;
    if (sent.sendStatus === "SEND_OK") {
      try {
        state = (await listener.executeLocalTransaction(msg, arg)) ?? "UNKNOW";
      } catch (e) {
        localError = e as Error;
      }
    } else state = "ROLLBACK_MESSAGE";
    try {
      await this.endTransaction(sent, state, localError);
    } catch (err) {
      // the broker's check resolves it later
      this.instance.logger.warn({ err, msgId: sent.msgId, state }, "endTransaction failed");
    }
    const { offsetMsgId: _ignored, ...rest } = sent;
    return { ...rest, offsetMsgId: null, localTransactionState: state };
  }

  private async endTransaction(sent: SendResult, state: LocalTransactionState, error: Error | null): Promise<void> {
    const id = decodeMessageId(sent.offsetMsgId || sent.msgId);
    const brokerName = sent.messageQueue.brokerName;
    const addr = this.instance.findBrokerAddressInPublish(brokerName);
    if (!addr) throw new MQClientException(-1, `The broker[${brokerName}] not exist`);
    const extFields = encodeHeader(EndTransactionRequestHeaderWithBname, {
      producerGroup: this.groupName,
      bname: brokerName,
      commitLogOffset: id.commitLogOffset,
      msgId: sent.msgId,
      tranStateTableOffset: sent.queueOffset,
      commitOrRollback: COMMIT_OR_ROLLBACK[state],
      fromTransactionCheck: false,
      ...(sent.transactionId ? { transactionId: sent.transactionId } : {}),
    });
    const remark = error ? `executeLocalTransactionBranch exception: ${error.message}` : null;
    await this.instance.remoting.invokeOneway(
      addr,
      createOnewayRequest(RequestCode.END_TRANSACTION, { extFields, remark }),
      3000,
    );
  }

  /** A broker asks about a half message (CHECK_TRANSACTION_STATE): run the check and answer with END_TRANSACTION. */
  async checkTransactionState(brokerAddr: string, header: CheckRequest, body: Buffer): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    const msg = decodeRecordAt(body, 0, true);
    let state: LocalTransactionState = "UNKNOW";
    let error: Error | null = null;
    try {
      state = (await listener.checkLocalTransaction(msg)) ?? "UNKNOW";
    } catch (e) {
      error = e as Error;
    }
    const extFields = encodeHeader(EndTransactionRequestHeader, {
      producerGroup: this.groupName,
      commitLogOffset: header.commitLogOffset,
      msgId: msg.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? "",
      tranStateTableOffset: header.tranStateTableOffset,
      commitOrRollback: COMMIT_OR_ROLLBACK[state],
      fromTransactionCheck: true,
      ...(header.transactionId ? { transactionId: header.transactionId } : {}),
    });
    const remark = error ? `checkLocalTransactionState Exception: ${error.message}` : null;
    await this.instance.remoting.invokeOneway(
      brokerAddr,
      createOnewayRequest(RequestCode.END_TRANSACTION, { extFields, remark }),
      3000,
    );
  }
}
