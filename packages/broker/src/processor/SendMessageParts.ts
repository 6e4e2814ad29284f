/**
 * What sends and replies (SendMessageProcessor, ReplyMessageProcessor) build alike: the stored
 * message from the request header, the region/trace fields on every answer, and the refusal before
 * the broker's start-accepting time.
 */
import type { MessageInner } from "@rocketmq-ts/common";
import { ResponseCode, type Connection, type SendMessageRequestHeader } from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import type { BrokerConfig } from "../config/BrokerConfig.js";
import { bornHostOf } from "./bornHost.js";

/** The fields every message of one send shares: the header's, born at the producer's address, stored here. */
export interface SendMessageBase {
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: MessageInner["bornHost"];
  readonly storeHost: MessageInner["storeHost"];
  readonly reconsumeTimes: number;
}

export function sendMessageBase(
  ctx: BrokerContext,
  h: SendMessageRequestHeader,
  connection: Connection,
): SendMessageBase {
  return {
    sysFlag: h.sysFlag,
    bornTimestamp: h.bornTimestamp,
    bornHost: bornHostOf(connection),
    storeHost: ctx.storeHost,
    reconsumeTimes: h.reconsumeTimes ?? 0,
  };
}

/** One message to store (a literal of fixed shape: every put of the broker builds the same one). */
export function innerMessage(
  base: SendMessageBase,
  topic: string,
  queueId: number,
  flag: number,
  body: Buffer | null,
  propertiesString: string,
): MessageInner {
  return {
    topic,
    queueId,
    flag,
    body,
    propertiesString,
    sysFlag: base.sysFlag,
    bornTimestamp: base.bornTimestamp,
    bornHost: base.bornHost,
    storeHost: base.storeHost,
    reconsumeTimes: base.reconsumeTimes,
    preparedTransactionOffset: 0,
  };
}

/** The answer's extra fields on every send answer (Java's SendMessageResponseHeader region/trace). */
export const regionFields = (bc: BrokerConfig): { MSG_REGION: string; TRACE_ON: string } => ({
  MSG_REGION: bc.regionId,
  TRACE_ON: String(bc.traceOn),
});

/** Before `startAcceptSendRequestTimeStamp` sends and replies are refused with SYSTEM_ERROR. */
export function notYetAccepting(bc: BrokerConfig): { code: number; remark: string } | null {
  if (Date.now() >= bc.startAcceptSendRequestTimeStamp) return null;
  return {
    code: ResponseCode.SYSTEM_ERROR,
    remark: `broker unable to service, until ${new Date(bc.startAcceptSendRequestTimeStamp).toISOString()}`,
  };
}
