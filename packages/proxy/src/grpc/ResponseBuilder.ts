/**
 * Java's ResponseBuilder + GrpcProxyException: every failure becomes an application `Status`
 * inside a normal (gRPC OK) response.
 *
 * Java semantics: a status message is the given text, or the Code's name when there is none
 * ("OK"); remoting response codes map SUCCESS→OK, SYSTEM_BUSY→TOO_MANY_REQUESTS,
 * REQUEST_CODE_NOT_SUPPORTED→NOT_IMPLEMENTED, SUBSCRIPTION_GROUP_NOT_EXIST→CONSUMER_GROUP_NOT_FOUND,
 * ACCESS_BROKER_TIMEOUT (10002)→PROXY_TIMEOUT, anything else→INTERNAL_SERVER_ERROR (message = the
 * remark, or the number when there is none); a topic missing from the name server
 * (TOPIC_NOT_EXIST 17 / NOT_FOUND_TOPIC_EXCEPTION 10005) → TOPIC_NOT_FOUND with the exception's whole
 * message ("CODE: 17  DESC: …" and the FAQ line, as Java's getMessage()); a remoting timeout →
 * PROXY_TIMEOUT; anything else → INTERNAL_SERVER_ERROR with the error's text.
 */
import { attachDefaultURLV5 } from "@rocketmq-ts/common";
import { RemotingTimeoutException, ResponseCode } from "@rocketmq-ts/remoting";
import { Code, codeName } from "./Code.js";
import type { Status } from "./v2types.js";

/** A failure that already knows its v2 code (Java's GrpcProxyException / ProxyException). */
export class GrpcProxyException extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "GrpcProxyException";
  }
}

/**
 * A broker answered with a non-success remoting code (Java's MQBrokerException): `remark` is its
 * errorMessage, the message Java's "CODE: <c>  DESC: <remark>[ BROKER: <addr>]" + FAQ line.
 */
export class MQBrokerException extends Error {
  constructor(
    readonly responseCode: number,
    readonly remark: string | null,
    readonly brokerAddr = "",
  ) {
    super(attachDefaultURLV5(`CODE: ${responseCode}  DESC: ${remark}${brokerAddr ? ` BROKER: ${brokerAddr}` : ""}`));
    this.name = "MQBrokerException";
  }
}

/**
 * The client side refused or the name server answered with a failure (Java's MQClientException with a
 * response code): the message is "CODE: <c>  DESC: <text>" + FAQ line.
 */
export class MQClientException extends Error {
  constructor(
    readonly responseCode: number,
    readonly errorMessage: string | null,
  ) {
    super(attachDefaultURLV5(`CODE: ${responseCode}  DESC: ${errorMessage}`));
    this.name = "MQClientException";
  }
}

/** Java ClientErrorCode values the mapping knows. */
export const ClientErrorCode = {
  ACCESS_BROKER_TIMEOUT: 10002,
  NOT_FOUND_TOPIC_EXCEPTION: 10005,
} as const;

const RESPONSE_CODE_MAPPING = new Map<number, number>([
  [ResponseCode.SUCCESS, Code.OK],
  [ResponseCode.SYSTEM_BUSY, Code.TOO_MANY_REQUESTS],
  [ResponseCode.REQUEST_CODE_NOT_SUPPORTED, Code.NOT_IMPLEMENTED],
  [ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, Code.CONSUMER_GROUP_NOT_FOUND],
  [ClientErrorCode.ACCESS_BROKER_TIMEOUT, Code.PROXY_TIMEOUT],
]);

export function buildCode(remotingResponseCode: number): number {
  return RESPONSE_CODE_MAPPING.get(remotingResponseCode) ?? Code.INTERNAL_SERVER_ERROR;
}

export function buildStatus(code: number, message?: string | null): Status {
  return { code, message: message ?? codeName(code) };
}

export const OK_STATUS: Status = buildStatus(Code.OK);

/** Java `buildStatus(int remotingResponseCode, String remark)`. */
export function buildStatusFromRemoting(remotingResponseCode: number, remark: string | null): Status {
  return { code: buildCode(remotingResponseCode), message: remark ?? String(remotingResponseCode) };
}

/** Java's TopicRouteHelper.isTopicNotExistError. */
export function isTopicNotExist(err: unknown): err is MQBrokerException | MQClientException {
  return (
    (err instanceof MQBrokerException || err instanceof MQClientException) &&
    (err.responseCode === ResponseCode.TOPIC_NOT_EXIST ||
      err.responseCode === ClientErrorCode.NOT_FOUND_TOPIC_EXCEPTION)
  );
}

/** Java `buildStatus(Throwable)`. */
export function statusOfError(err: unknown): Status {
  if (err instanceof GrpcProxyException) return buildStatus(err.code, err.message);
  if (isTopicNotExist(err)) return buildStatus(Code.TOPIC_NOT_FOUND, err.message);
  if (err instanceof MQBrokerException) return buildStatus(buildCode(err.responseCode), err.remark);
  if (err instanceof MQClientException) return buildStatus(buildCode(err.responseCode), err.errorMessage);
  if (err instanceof RemotingTimeoutException) return buildStatus(Code.PROXY_TIMEOUT, err.message);
  return buildStatus(Code.INTERNAL_SERVER_ERROR, err instanceof Error ? err.message : String(err));
}
