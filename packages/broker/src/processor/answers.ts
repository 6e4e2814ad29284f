/** Pieces every admin processor answers with: fastjson bodies, plain success and failure commands. */
import {
  createResponse,
  ResponseCode,
  stringifyFastjson,
  type Jsonable,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import type { MessageQueueKey } from "../client/RebalanceLockManager.js";

/** Remark Java leaves on some successful answers built from its default response command. */
export const NOT_SET_REMARK = "not set any response code";

/** A RemotingSerializable body (fastjson, as Java's `encode()`). */
export const jsonBody = <T>(value: T & Jsonable<T>): Buffer => Buffer.from(stringifyFastjson(value));

export const ok = (request: RemotingCommand, body?: Buffer): RemotingCommand =>
  createResponse(request, ResponseCode.SUCCESS, body ? { body } : {});

export const fail = (request: RemotingCommand, code: number, remark: string): RemotingCommand =>
  createResponse(request, code, { remark });

/** A queue of this broker, as the MessageQueue keys of stats and offset tables. */
export const brokerQueue = (ctx: BrokerContext, topic: string, queueId: number): MessageQueueKey => ({
  brokerName: ctx.brokerConfig.brokerName,
  queueId,
  topic,
});
