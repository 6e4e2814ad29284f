/** PULL_MESSAGE (11) / 5.x LITE_PULL_MESSAGE (361): Java 4.9.8's checks, statuses and long polling. */
import { isReadable, MixAll } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  javaStringHashCode,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
  type RequestContext,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { GetMessageStatus } from "@rocketmq-ts/store";
import { isTagType } from "@rocketmq-ts/filter";
import { buildFilterData, type ConsumerFilterData } from "../filter/ConsumerFilterManager.js";
import { expressionMessageFilter } from "../filter/ExpressionMessageFilter.js";
import type { BrokerContext } from "../BrokerContext.js";
import { buildSubscriptionData, string2messageProperties, type SubscriptionData } from "@rocketmq-ts/common";
import type { HeldPullRequest } from "../longpolling/PullRequestHoldService.js";
import type { ProcessorTable } from "./ProcessorTable.js";

const FLAG_COMMIT_OFFSET = 0x1;
const FLAG_SUSPEND = 0x2;
const FLAG_SUBSCRIPTION = 0x4;

/** Tag filter of a subscription: `*` matches everything, otherwise the tag hash must be in codeSet. */

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

/** One execution; `allowSuspend` false when re-run by the hold service. Null = parked. */
function processPull(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RequestContext["connection"],
  allowSuspend: boolean,
): RemotingCommand | null {
  const h = decodeHeader(PullMessageRequestHeader, request.extFields);
  const bc = ctx.brokerConfig;
  const respond = (code: number, remark: string): RemotingCommand => createResponse(request, code, { remark });
  if (!isReadable(bc.brokerPermission))
    return respond(ResponseCode.NO_PERMISSION, `the broker[${bc.brokerIP1}] pulling message is forbidden`);
  const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.consumerGroup);
  if (!groupConfig) {
    return respond(
      ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      `subscription group [${h.consumerGroup}] does not exist, ${MixAll.FAQ_URL_SUFFIX.trim()}`,
    );
  }
  if (!groupConfig.consumeEnable)
    return respond(ResponseCode.NO_PERMISSION, `subscription group no permission, ${h.consumerGroup}`);
  const topicConfig = ctx.topicConfigManager.selectTopicConfig(h.topic);
  if (!topicConfig)
    return respond(
      ResponseCode.TOPIC_NOT_EXIST,
      `topic[${h.topic}] not exist, apply first please! ${MixAll.FAQ_URL_SUFFIX.trim()}`,
    );
  if (!isReadable(topicConfig.perm))
    return respond(ResponseCode.NO_PERMISSION, `the topic[${h.topic}] pulling message is forbidden`);
  if (h.queueId < 0 || h.queueId >= topicConfig.readQueueNums) {
    return respond(
      ResponseCode.SYSTEM_ERROR,
      `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${connection.remoteAddr}]`,
    );
  }

  let subscription: SubscriptionData;
  let filterData: ConsumerFilterData | null = null;
  if ((h.sysFlag & FLAG_SUBSCRIPTION) !== 0) {
    if (isTagType(h.expressionType)) subscription = buildSubscriptionData(h.topic, h.subscription, javaStringHashCode);
    else {
      // FilterAPI.build: an empty expression does not parse; an invalid one leaves the pull unfiltered (Java's quirk)
      if (!h.subscription)
        return respond(ResponseCode.SUBSCRIPTION_PARSE_FAILED, "parse the consumer's subscription failed");
      subscription = {
        topic: h.topic,
        subString: h.subscription,
        tagsSet: [],
        codeSet: [],
        subVersion: h.subVersion,
        expressionType: h.expressionType ?? "",
        classFilterMode: false,
      };
      filterData = buildFilterData(h.topic, h.consumerGroup, h.subscription, h.expressionType, h.subVersion);
    }
  } else {
    const group = ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
    if (!group)
      return respond(
        ResponseCode.SUBSCRIPTION_NOT_EXIST,
        `the consumer's group info not exist${MixAll.FAQ_URL_SUFFIX}`,
      );
    if (!groupConfig.consumeBroadcastEnable && group.messageModel === "BROADCASTING") {
      return respond(
        ResponseCode.NO_PERMISSION,
        `the consumer group[${h.consumerGroup}] can not consume by broadcast way`,
      );
    }
    const sub = group.subscriptionTable.get(h.topic);
    if (!sub)
      return respond(
        ResponseCode.SUBSCRIPTION_NOT_EXIST,
        `the consumer's subscription not exist${MixAll.FAQ_URL_SUFFIX}`,
      );
    if (sub.subVersion < h.subVersion)
      return respond(ResponseCode.SUBSCRIPTION_NOT_LATEST, "the consumer's subscription not latest");
    subscription = sub;
    if (!isTagType(sub.expressionType)) {
      filterData = ctx.consumerFilterManager.get(h.topic, h.consumerGroup) ?? null;
      if (!filterData)
        return respond(
          ResponseCode.FILTER_DATA_NOT_EXIST,
          "The broker's consumer filter data is not exist!Your expression may be wrong!",
        );
      if (filterData.clientVersion < h.subVersion)
        return respond(ResponseCode.FILTER_DATA_NOT_LATEST, "the consumer's consumer filter data not latest");
    }
  }
  if (!isTagType(subscription.expressionType) && !bc.enablePropertyFilter) {
    return respond(
      ResponseCode.SYSTEM_ERROR,
      `The broker does not support consumer to filter message by ${subscription.expressionType}`,
    );
  }

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

  if (allowSuspend || code === ResponseCode.SUCCESS)
    ctx.stats.recordGet(h.consumerGroup, h.topic, result.messages.length, result.bufferTotalSize);
  if (code === ResponseCode.SUCCESS) {
    return createResponse(request, code, {
      remark: result.status,
      extFields,
      body: Buffer.concat(result.messages, result.bufferTotalSize),
    });
  }
  if (code === ResponseCode.PULL_NOT_FOUND && allowSuspend && (h.sysFlag & FLAG_SUSPEND) !== 0) {
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
