/**
 * EndTransaction (Java's EndTransactionActivity + TransactionProcessor) and the relay of a broker's
 * CHECK_TRANSACTION_STATE to the producer's Telemetry stream (Java's ProxyClientRemotingProcessor +
 * GrpcClientChannel.checkTransactionState).
 *
 * Java semantics kept: blank transaction id → INVALID_TRANSACTION_ID "transaction id cannot be
 * empty"; COMMIT → 8, ROLLBACK → 12, anything else → 0; producer group = the topic; the newest
 * unexpired transaction data of `topic@transactionId` addresses the broker, none →
 * INTERNAL_SERVER_ERROR "cannot found transaction data"; END_TRANSACTION goes oneway; the answer is OK.
 * A check records fresh transaction data from its header and pushes
 * `recover_orphaned_transaction_command {transaction_id, message}` to one client of the group.
 */
import { decodeRecordAt, MessageConst, MessageSysFlag } from "@rocketmq-ts/common";
import {
  CheckTransactionStateRequestHeader,
  createOnewayRequest,
  decodeHeader,
  encodeHeader,
  EndTransactionRequestHeader,
  RequestCode,
} from "@rocketmq-ts/remoting";
import type { ProxyDeps } from "../ProxyDeps.js";
import type { CheckTransactionStateRequest } from "../service/MessageService.js";
import { Code } from "./Code.js";
import { buildMessage } from "./GrpcConverter.js";
import { validateTopic } from "./GrpcValidator.js";
import { GrpcProxyException, OK_STATUS } from "./ResponseBuilder.js";
import type { EndTransactionRequest, StatusResponse } from "./v2types.js";

const ONEWAY_TIMEOUT_MS = 3000;

export function commitOrRollbackOf(resolution: EndTransactionRequest["resolution"]): number {
  if (resolution === "COMMIT") return MessageSysFlag.TRANSACTION_COMMIT_TYPE;
  if (resolution === "ROLLBACK") return MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
  return MessageSysFlag.TRANSACTION_NOT_TYPE;
}

export class EndTransactionActivity {
  constructor(private readonly deps: ProxyDeps) {}

  async endTransaction(request: EndTransactionRequest): Promise<StatusResponse> {
    const transactionId = request.transaction_id ?? "";
    if (transactionId.trim().length === 0)
      throw new GrpcProxyException(Code.INVALID_TRANSACTION_ID, "transaction id cannot be empty");
    validateTopic(request.topic);
    const topic = request.topic?.name ?? "";
    const data = this.deps.transactions.pollNoExpire(topic, transactionId);
    if (!data) throw new GrpcProxyException(Code.INTERNAL_SERVER_ERROR, "cannot found transaction data");
    const header = encodeHeader(EndTransactionRequestHeader, {
      producerGroup: topic,
      tranStateTableOffset: data.tranStateTableOffset,
      commitLogOffset: data.commitLogOffset,
      commitOrRollback: commitOrRollbackOf(request.resolution),
      fromTransactionCheck: request.source === "SOURCE_SERVER_CHECK",
      msgId: request.message_id ?? "",
      transactionId,
    });
    header["topic"] = topic;
    await this.deps.messageService.invokeOneway(
      data.brokerAddr,
      createOnewayRequest(RequestCode.END_TRANSACTION, { extFields: header }),
      ONEWAY_TIMEOUT_MS,
    );
    return { status: OK_STATUS };
  }

  /** A broker asks for a half message's state: remember it and ask a producer of its group. */
  onCheckTransactionState(req: CheckTransactionStateRequest): void {
    try {
      const header = decodeHeader(CheckTransactionStateRequestHeader, req.command.extFields);
      const body = req.command.body;
      if (!body || body.length === 0) return;
      const msg = decodeRecordAt(body, 0);
      const group = msg.properties.get(MessageConst.PROPERTY_PRODUCER_GROUP) ?? "";
      const transactionId =
        header.transactionId ?? msg.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? "";
      const topic = msg.properties.get("REAL_TOPIC") ?? msg.topic;
      this.deps.transactions.add(group, {
        brokerName: "",
        brokerAddr: req.brokerAddr,
        topic,
        tranStateTableOffset: header.tranStateTableOffset,
        commitLogOffset: header.commitLogOffset,
        transactionId,
        checkTimestamp: this.deps.now(),
        expireMs: this.deps.config.transactionDataExpireMillis,
      });
      const writer = this.deps.channels.findWriterOfProducerGroup(group);
      if (!writer) {
        this.deps.logger.info({ group, transactionId }, "no producer of the group to check the transaction");
        return;
      }
      const message = buildMessage({ ...msg, topic }, this.deps.now());
      writer.write({
        recover_orphaned_transaction_command: { transaction_id: transactionId, message },
      });
    } catch (err) {
      this.deps.logger.warn({ err }, "relay CHECK_TRANSACTION_STATE failed");
    }
  }
}
