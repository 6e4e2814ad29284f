/**
 * NOTIFICATION (200054), Java 5.3.3's NotificationProcessor: does the group have something to POP
 * on the topic (one queue, or any with queueId -1) or its retry topic? The retry topic is looked at
 * first one time in five, else after the topic; an orderly request skips blocked queues. With
 * nothing there the request is parked (its own long polling, woken by arrivals as POPs are) until
 * pollTime; the answer is always SUCCESS {hasMsg, pollingFull}.
 */
import { buildPopRetryTopic, buildPopRetryTopicV1, isReadable, type TopicConfig } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  NotificationRequestHeader,
  NotificationResponseHeader,
  RequestCode,
  ResponseCode,
  type Connection,
  type RemotingCommand,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import type { PopRequest } from "../longpolling/PopLongPollingService.js";
import { checkPopTarget } from "../pop/popChecks.js";
import { fillBornTime } from "./PopMessageProcessor.js";
import type { ProcessorTable } from "./ProcessorTable.js";

function popOffsetForNotification(ctx: BrokerContext, topic: string, group: string, queueId: number): number {
  let offset = ctx.consumerOffsetManager.queryOffset(group, topic, queueId);
  if (offset < 0) offset = Math.max(0, ctx.store.getMinOffsetInQueue(topic, queueId));
  const buffered = ctx.popServices.bufferMergeService.getLatestOffset(`${topic}@${group}@${queueId}`);
  return buffered < 0 ? offset : Math.max(buffered, offset);
}

function hasMsgFromQueue(ctx: BrokerContext, topic: string, h: NotificationRequestHeader, queueId: number): boolean {
  if (
    h.order &&
    ctx.popServices.consumerOrderInfoManager.checkBlock(h.attemptId ?? null, h.topic, h.consumerGroup, queueId, 0)
  )
    return false;
  const offset = popOffsetForNotification(ctx, topic, h.consumerGroup, queueId);
  return ctx.store.getMaxOffsetInQueue(topic, queueId) - offset > 0;
}

function hasMsgFromTopic(
  ctx: BrokerContext,
  topicConfig: TopicConfig | undefined,
  randomQ: number,
  h: NotificationRequestHeader,
): boolean {
  if (!topicConfig) return false;
  for (let i = 0; i < topicConfig.readQueueNums; i++) {
    if (hasMsgFromQueue(ctx, topicConfig.topicName, h, (randomQ + i) % topicConfig.readQueueNums)) return true;
  }
  return false;
}

function hasMsgFromRetry(ctx: BrokerContext, randomQ: number, h: NotificationRequestHeader): boolean {
  const bc = ctx.brokerConfig;
  const tcm = ctx.topicConfigManager;
  const retryTopic = buildPopRetryTopic(h.topic, h.consumerGroup, bc.enableRetryTopicV2);
  if (hasMsgFromTopic(ctx, tcm.selectTopicConfig(retryTopic), randomQ, h)) return true;
  if (bc.enableRetryTopicV2 && bc.retrieveMessageFromPopRetryTopicV1)
    return hasMsgFromTopic(ctx, tcm.selectTopicConfig(buildPopRetryTopicV1(h.topic, h.consumerGroup)), randomQ, h);
  return false;
}

export function processNotification(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: Connection,
): RemotingCommand | null {
  const pop = ctx.popServices;
  fillBornTime(request, pop.now());
  const h = decodeHeader(NotificationRequestHeader, request.extFields);
  const fail = (code: number, remark: string): RemotingCommand =>
    createResponse(request, code, {
      remark,
      extFields: encodeHeader(NotificationResponseHeader, { hasMsg: false, pollingFull: false }),
    });
  const bc = ctx.brokerConfig;
  if (!isReadable(bc.brokerPermission))
    return fail(ResponseCode.NO_PERMISSION, `the broker[${bc.brokerIP1}] peeking message is forbidden`);
  const target = checkPopTarget(ctx, h, connection.remoteAddr);
  if ("code" in target) return fail(target.code, target.remark);

  const randomQ = Math.floor(pop.random() * 100);
  const needRetry = randomQ % 5 === 0;
  let hasMsg = needRetry && hasMsgFromRetry(ctx, randomQ, h);
  if (!hasMsg) {
    hasMsg =
      h.queueId < 0
        ? hasMsgFromTopic(ctx, target.topicConfig, randomQ, h)
        : hasMsgFromQueue(ctx, h.topic, h, h.queueId);
    if (!needRetry && !hasMsg) hasMsg = hasMsgFromRetry(ctx, randomQ, h);
  }
  let pollingFull = false;
  if (!hasMsg) {
    const polling = pop.notificationLongPolling.polling(connection, request, h, null);
    if (polling === "POLLING_SUC") return null;
    pollingFull = polling === "POLLING_FULL";
  }
  return createResponse(request, ResponseCode.SUCCESS, {
    extFields: encodeHeader(NotificationResponseHeader, { hasMsg, pollingFull }),
  });
}

/** Re-run a parked NOTIFICATION and write its answer. */
export function wakeupNotificationRequest(ctx: BrokerContext, req: PopRequest): void {
  let response: RemotingCommand | null;
  try {
    response = processNotification(ctx, req.request, req.connection);
  } catch (err) {
    ctx.logger.error({ err: (err as Error).message }, "ExecuteRequestWhenWakeup run");
    return;
  }
  if (response) void req.connection.write(response).catch(() => undefined);
}

export function notificationProcessors(ctx: BrokerContext): ProcessorTable {
  const notification: RequestProcessor = (request, { connection }) => processNotification(ctx, request, connection);
  return new Map([[RequestCode.NOTIFICATION, notification]]);
}
