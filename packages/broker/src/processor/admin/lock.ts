/**
 * Orderly consumers' queue locks (Java's AdminBrokerProcessor lockBatchMQ, unlockBatchMQ):
 * LOCK_BATCH_MQ (41), UNLOCK_BATCH_MQ (42).
 */
import { arr, num, obj, parseBody, str } from "@rocketmq-ts/common";
import { RequestCode, type JsonValue } from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { MessageQueueKey } from "../../client/RebalanceLockManager.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { jsonBody, ok } from "../answers.js";

/** The `mqSet` of a (Un)LockBatchRequestBody. */
function decodeMessageQueues(v: JsonValue | undefined, path: string): MessageQueueKey[] {
  return arr(v, path).map((m, i) => {
    const o = obj(m, `${path}[${i}]`);
    return {
      topic: str(o["topic"], "topic"),
      brokerName: str(o["brokerName"], "brokerName"),
      queueId: num(o["queueId"], "queueId"),
    };
  });
}

export function queueLockProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.LOCK_BATCH_MQ, (request) => {
    const body = obj(parseBody(request.body, "LockBatchRequestBody"), "LockBatchRequestBody");
    const granted = ctx.rebalanceLockManager.tryLockBatch(
      str(body["consumerGroup"], "consumerGroup"),
      decodeMessageQueues(body["mqSet"], "mqSet"),
      str(body["clientId"], "clientId"),
    );
    return ok(request, jsonBody({ lockOKMQSet: granted }));
  });

  handlers.set(RequestCode.UNLOCK_BATCH_MQ, (request) => {
    const body = obj(parseBody(request.body, "UnlockBatchRequestBody"), "UnlockBatchRequestBody");
    ctx.rebalanceLockManager.unlockBatch(
      str(body["consumerGroup"], "consumerGroup"),
      decodeMessageQueues(body["mqSet"], "mqSet"),
      str(body["clientId"], "clientId"),
    );
    return ok(request);
  });

  return handlers;
}
