/**
 * END_TRANSACTION (37): the producer's verdict on a half message — after its local transaction or
 * after a check. Commit re-puts the half to its real topic/queue as a COMMIT record; commit and
 * rollback both write the op record. Unknown verdicts are ignored (the check will ask again).
 */
import {
  createResponse,
  decodeHeader,
  EndTransactionRequestHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
  type RequestContext,
} from "@rocketmq-ts/remoting";
import {
  javaPropertiesString,
  LoggerName,
  messageInnerFrom,
  namedLogger,
  MessageConst,
  MessageSysFlag,
  type MessageInner,
} from "@rocketmq-ts/common";
import type { MessageStoreConfig, PutMessageStatus } from "@rocketmq-ts/store";
import type { BrokerContext } from "../BrokerContext.js";
import { resetTransactionValue, type StoredMessage } from "../transaction/TransactionalMessageBridge.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { timerPutRefusal } from "./SendMessageProcessor.js";

const { TRANSACTION_NOT_TYPE, TRANSACTION_COMMIT_TYPE, TRANSACTION_ROLLBACK_TYPE } = MessageSysFlag;

/** The COMMIT record: the half's body, flag, born fields and properties string, under its real topic/queue. */
function endMessageTransaction(half: StoredMessage): MessageInner {
  return messageInnerFrom(half, {
    topic: half.properties.get(MessageConst.PROPERTY_REAL_TOPIC) ?? "",
    queueId: Number.parseInt(half.properties.get(MessageConst.PROPERTY_REAL_QUEUE_ID) ?? "0", 10),
    // Java serializes the half's map before clearing TRAN_MSG / REAL_TOPIC / REAL_QID from it
    propertiesString: javaPropertiesString(half.properties),
    sysFlag: resetTransactionValue(half.sysFlag, TRANSACTION_COMMIT_TYPE),
    preparedTransactionOffset: half.commitLogOffset,
  });
}

/** Java's sendFinalMessage answers. */
function finalMessageResponse(
  status: PutMessageStatus,
  storeConfig: MessageStoreConfig,
): { code: number; remark: string | null } {
  const maxMessageSize = storeConfig.maxMessageSize;
  switch (status) {
    case "PUT_OK":
    case "FLUSH_DISK_TIMEOUT":
    case "FLUSH_SLAVE_TIMEOUT":
    case "SLAVE_NOT_AVAILABLE":
      return { code: ResponseCode.SUCCESS, remark: null };
    case "CREATE_MAPEDFILE_FAILED":
      return { code: ResponseCode.SYSTEM_ERROR, remark: "Create mapped file failed." };
    case "MESSAGE_ILLEGAL":
    case "PROPERTIES_SIZE_EXCEEDED":
      return {
        code: ResponseCode.MESSAGE_ILLEGAL,
        remark: `The message is illegal, maybe msg body or properties length not matched. msg body length limit ${maxMessageSize}B, msg properties length limit 32KB.`,
      };
    case "SERVICE_NOT_AVAILABLE":
      return { code: ResponseCode.SERVICE_NOT_AVAILABLE, remark: "Service not available now." };
    case "OS_PAGECACHE_BUSY":
      return { code: ResponseCode.SYSTEM_ERROR, remark: "OS page cache busy, please try another machine" };
    // a committed timer message the timer refuses (5.x)
    case "WHEEL_TIMER_MSG_ILLEGAL":
    case "WHEEL_TIMER_FLOW_CONTROL":
    case "WHEEL_TIMER_NOT_ENABLE":
      return timerPutRefusal(status, storeConfig);
    default:
      return { code: ResponseCode.SYSTEM_ERROR, remark: "UNKNOWN_ERROR" };
  }
}

export function endTransactionProcessors(ctx: BrokerContext): ProcessorTable {
  return new Map([
    [RequestCode.END_TRANSACTION, (request, { connection }) => endTransaction(ctx, request, connection)],
  ]);
}

async function endTransaction(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RequestContext["connection"],
): Promise<RemotingCommand | null> {
  const bridge = ctx.transactionalMessageBridge;
  const h = decodeHeader(EndTransactionRequestHeader, request.extFields);
  // Java's EndTransactionProcessor logs to transaction.log
  const log = namedLogger(ctx.logger, LoggerName.TRANSACTION);
  if (ctx.storeConfig.brokerRole === "SLAVE") {
    log.warn("Message store is slave mode, so end transaction is forbidden.");
    return createResponse(request, ResponseCode.SLAVE_NOT_AVAILABLE);
  }
  const from = connection.remoteAddr;
  const verdict = h.commitOrRollback;
  if (verdict === TRANSACTION_NOT_TYPE) {
    log.warn(
      { producer: from, header: h },
      h.fromTransactionCheck
        ? "Check producer transaction state, but it's pending status."
        : "The producer end transaction in sending message, and it's pending status.",
    );
    return null;
  }
  if (verdict !== TRANSACTION_COMMIT_TYPE && verdict !== TRANSACTION_ROLLBACK_TYPE) return null;
  if (verdict === TRANSACTION_ROLLBACK_TYPE || h.fromTransactionCheck)
    log.warn(
      { producer: from, header: h },
      verdict === TRANSACTION_COMMIT_TYPE ? "the producer commit the message" : "the producer rollback the message",
    );

  const half = bridge.lookMessageByOffset(h.commitLogOffset);
  if (!half)
    return createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: "Find prepared transaction message failed" });
  const wrong =
    half.properties.get(MessageConst.PROPERTY_PRODUCER_GROUP) !== h.producerGroup
      ? "The producer group wrong"
      : half.queueOffset !== h.tranStateTableOffset
        ? "The transaction state table offset wrong"
        : half.commitLogOffset !== h.commitLogOffset
          ? "The commit log offset wrong"
          : null;
  if (wrong) return createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: wrong });

  if (verdict === TRANSACTION_COMMIT_TYPE) {
    const result = await bridge.putMessage(
      endMessageTransaction(half),
      half.properties.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== "false",
    );
    const { code, remark } = finalMessageResponse(result.status, ctx.storeConfig);
    if (code !== ResponseCode.SUCCESS) return createResponse(request, code, { remark });
    await bridge.putOpMessage(half);
    return createResponse(request, ResponseCode.SUCCESS);
  }
  await bridge.putOpMessage(half);
  return createResponse(request, ResponseCode.SUCCESS);
}
