/** PULL_MESSAGE (11) / 5.x LITE_PULL_MESSAGE (361): Java 4.9.8's checks, statuses and long polling. */
import { isReadable, MessageSysFlag, MixAll, string2messageProperties } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
  type RequestContext,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { GetMessageStatus, MessageFilter } from "@rocketmq-ts/store";
import { expressionMessageFilter } from "../filter/ExpressionMessageFilter.js";
import type { BrokerContext } from "../BrokerContext.js";
import type { HeldPullRequest } from "../longpolling/PullRequestHoldService.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { resolvePullSubscription, type PullRefusal } from "./PullSubscription.js";
import type { SubscriptionGroupConfig } from "../subscription/SubscriptionGroupManager.js";

const FLAG_COMMIT_OFFSET = 0x1;
const FLAG_SUSPEND = 0x2;

function storeStatusToCode(status: GetMessageStatus, requestedOffset: number): number {
  switch (status) {
    case "FOUND":
      return ResponseCode.SUCCESS;
    case "MESSAGE_WAS_REMOVING":
    case "NO_MATCHED_MESSAGE":
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case "NO_MATCHED_LOGIC_QUEUE":
    case "NO_MESSAGE_IN_QUEUE":
      return requestedOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
    case "OFFSET_FOUND_NULL":
    case "OFFSET_OVERFLOW_ONE":
      return ResponseCode.PULL_NOT_FOUND;
    case "OFFSET_OVERFLOW_BADLY":
    case "OFFSET_TOO_SMALL":
      return ResponseCode.PULL_OFFSET_MOVED;
  }
}

/** The broker, group, topic and queue checks that come before the subscription (Java's order). */
function checkPull(
  ctx: BrokerContext,
  h: PullMessageRequestHeader,
  remoteAddr: string,
): { groupConfig: SubscriptionGroupConfig } | PullRefusal {
  const bc = ctx.brokerConfig;
  if (!isReadable(bc.brokerPermission))
    return { code: ResponseCode.NO_PERMISSION, remark: `the broker[${bc.brokerIP1}] pulling message is forbidden` };
  const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.consumerGroup);
  if (!groupConfig)
    return {
      code: ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      remark: `subscription group [${h.consumerGroup}] does not exist, ${MixAll.FAQ_URL_SUFFIX.trim()}`,
    };
  if (!groupConfig.consumeEnable)
    return { code: ResponseCode.NO_PERMISSION, remark: `subscription group no permission, ${h.consumerGroup}` };
  const topicConfig = ctx.topicConfigManager.selectTopicConfig(h.topic);
  if (!topicConfig)
    return {
      code: ResponseCode.TOPIC_NOT_EXIST,
      remark: `topic[${h.topic}] not exist, apply first please! ${MixAll.FAQ_URL_SUFFIX.trim()}`,
    };
  if (!isReadable(topicConfig.perm))
    return { code: ResponseCode.NO_PERMISSION, remark: `the topic[${h.topic}] pulling message is forbidden` };
  if (h.queueId < 0 || h.queueId >= topicConfig.readQueueNums)
    return {
      code: ResponseCode.SYSTEM_ERROR,
      remark: `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${remoteAddr}]`,
    };
  return { groupConfig };
}

/** Park a pull that found nothing until a matching message arrives or its time is up (long polling). */
function holdPull(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RequestContext["connection"],
  h: PullMessageRequestHeader,
  filter: MessageFilter,
): void {
  const bc = ctx.brokerConfig;
  const timeoutMillis = bc.longPollingEnable ? h.suspendTimeoutMillis : bc.shortPollingTimeMills;
  const held: HeldPullRequest = {
    request,
    connection,
    pullFromThisOffset: h.queueOffset,
    suspendTimestamp: Date.now(),
    timeoutMillis,
    // as Java: a message that passes the tag code is evaluated on its properties before waking
    matches: (tagsCode, propertiesString) =>
      filter.isMatchedByConsumeQueue(tagsCode) &&
      (propertiesString === null ||
        !filter.isMatchedByCommitLog ||
        filter.isMatchedByCommitLog(string2messageProperties(propertiesString))),
  };
  ctx.pullRequestHoldService.suspendPullRequest(h.topic, h.queueId, held);
}

/** Store time of the last record pulled (0 for none): how far behind the consumer reads. */
function lastStoreTimestamp(records: readonly Buffer[]): number {
  const last = records[records.length - 1];
  if (!last || last.length < 40) return 0;
  // TOTALSIZE, MAGICCODE, BODYCRC, QUEUEID, FLAG, QUEUEOFFSET, PHYSICALOFFSET, then SYSFLAG at 36
  const sysFlag = last.readInt32BE(36);
  const at = 36 + 4 + 8 + ((sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) === 0 ? 8 : 20);
  return last.length >= at + 8 ? Number(last.readBigInt64BE(at)) : 0;
}

/** One execution; `allowSuspend` false when re-run by the hold service. Null = parked. */
function processPull(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RequestContext["connection"],
  allowSuspend: boolean,
): RemotingCommand | null {
  const beganAt = Date.now();
  const h = decodeHeader(PullMessageRequestHeader, request.extFields);
  const bc = ctx.brokerConfig;
  const respond = (code: number, remark: string): RemotingCommand => createResponse(request, code, { remark });
  const checked = checkPull(ctx, h, connection.remoteAddr);
  if ("code" in checked) return respond(checked.code, checked.remark);
  const { groupConfig } = checked;

  const resolved = resolvePullSubscription(ctx, h, groupConfig);
  if ("code" in resolved) return respond(resolved.code, resolved.remark);
  const { subscription, filterData } = resolved;

  const filter = expressionMessageFilter(subscription, filterData, {
    filterSupportRetry: bc.filterSupportRetry,
    manager: ctx.consumerFilterManager,
  });
  const result = ctx.store.getMessage(h.topic, h.queueId, h.queueOffset, h.maxMsgNums, filter);
  const code = storeStatusToCode(result.status, h.queueOffset);
  // with slaveReadEnable a lagging consumer is sent to a slave, otherwise to the group's broker id
  let suggestWhichBrokerId: number = MixAll.MASTER_ID;
  if (bc.slaveReadEnable)
    suggestWhichBrokerId = result.suggestPullingFromSlave
      ? groupConfig.whichBrokerWhenConsumeSlowly
      : groupConfig.brokerId;
  const extFields = encodeHeader(PullMessageResponseHeader, {
    suggestWhichBrokerId,
    nextBeginOffset: result.nextBeginOffset,
    minOffset: result.minOffset,
    maxOffset: result.maxOffset,
  });

  // commit offset carried by the pull, on the first execution only, not on a slave
  if (allowSuspend && (h.sysFlag & FLAG_COMMIT_OFFSET) !== 0 && ctx.storeConfig.brokerRole !== "SLAVE") {
    ctx.consumerOffsetManager.commitOffset(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
  }

  if (code === ResponseCode.SUCCESS) {
    const stats = ctx.brokerStatsManager;
    stats.incGroupGetNums(h.consumerGroup, h.topic, result.messages.length);
    stats.incGroupGetSize(h.consumerGroup, h.topic, result.bufferTotalSize);
    stats.incBrokerGetNums(result.messages.length);
    if (bc.transferMsgByHeap) {
      stats.recordDiskFallBehindTime(
        h.consumerGroup,
        h.topic,
        h.queueId,
        Date.now() - lastStoreTimestamp(result.messages),
      );
      stats.incGroupGetLatency(h.consumerGroup, h.topic, h.queueId, Date.now() - beganAt);
    }
    return createResponse(request, code, {
      remark: result.status,
      extFields,
      // the records where they lie in the mapped commit log, written without a copy (Java copies
      // them to the heap unless transferMsgByHeap=false; a view keeps its mapping alive here)
      bodyParts: result.messages,
    });
  }
  if (code === ResponseCode.PULL_NOT_FOUND && allowSuspend && (h.sysFlag & FLAG_SUSPEND) !== 0) {
    holdPull(ctx, request, connection, h, filter);
    return null;
  }
  return createResponse(request, code, { remark: result.status, extFields });
}

/** PULL_MESSAGE and LITE_PULL_MESSAGE: the broker serves them on its main port only. */
export function pullMessageProcessors(ctx: BrokerContext): ProcessorTable {
  const pull: RequestProcessor = (request, { connection }) => processPull(ctx, request, connection, true);
  return new Map([
    [RequestCode.PULL_MESSAGE, pull],
    [RequestCode.LITE_PULL_MESSAGE, pull],
  ]);
}

/** Re-run a parked request and write its answer on its connection (a long-poll wake-up). */
export function wakeupPullRequest(ctx: BrokerContext, held: HeldPullRequest): void {
  let response: RemotingCommand | null;
  try {
    response = processPull(ctx, held.request, held.connection, false);
  } catch (err) {
    ctx.logger.error({ err: (err as Error).message }, "execute request when wakeup run");
    return;
  }
  if (response) void held.connection.write(response).catch(() => undefined);
}
