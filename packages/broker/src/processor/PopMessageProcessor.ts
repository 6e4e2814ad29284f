/**
 * POP_MESSAGE (200050), Java 5.3.3's PopMessageProcessor on its classic path
 * (popConsumerKVServiceEnable=false).
 *
 * Checks in Java's order (timeout too much, broker readable, at most 32 messages, the timer wheel,
 * then the shared topic/queue/group checks), then messages are taken from the retry topic first with
 * popFromRetryProbability (20 %) — else after the topic when the batch is not full (orderly POPs never
 * read it) — and from the topic's queue, or every queue starting at a random one (queueId -1). Each
 * queue read, under its `topic@group@queueId` lock (a busy queue is skipped), starts at the group's
 * offset (initialised per initMode) or past the last POP still waiting for its commit, and writes a
 * checkpoint for what it took (orderly: updates ConsumerOrderInfoManager instead). The body holds
 * the stored records as PULL_MESSAGE's does; a retry-topic message is re-encoded under its original
 * topic carrying its POP_CK. Nothing found: long polling until pollTime, or POLLING_FULL /
 * POLLING_TIMEOUT with remark NO_MESSAGE_IN_QUEUE.
 */
import {
  appendMsgOffsetInfo,
  appendStartOffsetInfo,
  buildExtraInfo,
  buildPollingKey,
  buildPopRetryTopic,
  buildPopRetryTopicV1,
  buildSubscriptionData,
  decodeRecordAt,
  encodeRecord,
  isReadable,
  javaPropertiesString,
  MessageConst,
  MixAll,
  POP_ORDER_REVIVE_QUEUE,
  SUB_ALL,
  type SubscriptionData,
  type TopicConfig,
} from "@rocketmq-ts/common";
import { isTagType } from "@rocketmq-ts/filter";
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  javaStringHashCode,
  PopMessageRequestHeader,
  PopMessageResponseHeader,
  RequestCode,
  ResponseCode,
  type Connection,
  type RemotingCommand,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { MessageFilter } from "@rocketmq-ts/store";
import type { BrokerContext } from "../BrokerContext.js";
import { buildFilterData } from "../filter/ConsumerFilterManager.js";
import { expressionMessageFilter } from "../filter/ExpressionMessageFilter.js";
import type { PopRequest } from "../longpolling/PopLongPollingService.js";
import { newCheckPoint } from "../pop/PopCheckPoint.js";
import { checkPopTarget } from "../pop/popChecks.js";
import type { ProcessorTable } from "./ProcessorTable.js";

const BORN_TIME = "bornTime";
const MAX_POP_NUMS = 32;
/** ConsumeInitMode.MIN */
const INIT_MODE_MIN = 0;

/** What one POP collects over the queues it reads. */
interface PopBatch {
  readonly h: PopMessageRequestHeader;
  readonly remoteAddr: string;
  readonly reviveQid: number;
  readonly popTime: number;
  readonly filter: MessageFilter | null;
  readonly messages: Buffer[];
  startOffsetInfo: string;
  msgOffsetInfo: string;
  orderCountInfo: string;
}

/** Java fills bornTime when the client left it out or sent 0 (and the re-run of a parked POP keeps it). */
export function fillBornTime(request: RemotingCommand, now: number): void {
  const ext = (request.extFields ??= {});
  if (ext[BORN_TIME] === undefined || ext[BORN_TIME] === "0") ext[BORN_TIME] = String(now);
}

/** The POP's filter: null without an expression; SQL92 that does not compile is refused. */
function popFilter(ctx: BrokerContext, h: PopMessageRequestHeader, now: number): MessageFilter | null | "PARSE_FAILED" {
  if (h.exp === undefined || h.exp === "") return null;
  if (isTagType(h.expType)) {
    const subscription = buildSubscriptionData(h.topic, h.exp, javaStringHashCode);
    return expressionMessageFilter(subscription, null, {
      filterSupportRetry: false,
      manager: ctx.consumerFilterManager,
    });
  }
  const filterData = buildFilterData(h.topic, h.consumerGroup, h.exp, h.expType, now, ctx.logger);
  if (!filterData) return "PARSE_FAILED";
  const subscription = {
    topic: h.topic,
    subString: h.exp,
    tagsSet: [],
    codeSet: [],
    subVersion: now,
    expressionType: h.expType ?? "",
    classFilterMode: false,
  };
  return expressionMessageFilter(subscription, filterData, {
    filterSupportRetry: false,
    manager: ctx.consumerFilterManager,
  });
}

/** Java's FilterAPI.build: a TAG expression parsed into tags, any other kept as it is. */
function subscriptionOf(topic: string, exp: string, expType: string | undefined, now: number): SubscriptionData {
  if (isTagType(expType)) return { ...buildSubscriptionData(topic, exp, javaStringHashCode), subVersion: now };
  return {
    topic,
    subString: exp,
    tagsSet: [],
    codeSet: [],
    subVersion: now,
    expressionType: expType ?? "",
    classFilterMode: false,
  };
}

/**
 * As Java: a POP consumer sends no heartbeat to the broker, so each POP records its group and its
 * subscriptions (the topic's expression, everything of the group's POP retry topic) in the consumer
 * manager's compensation table, where the admin look-ups of subscriptions find them.
 */
function compensatePopSubscription(ctx: BrokerContext, h: PopMessageRequestHeader, now: number): void {
  const consumers = ctx.consumerManager;
  const retryTopic = buildPopRetryTopic(h.topic, h.consumerGroup, ctx.brokerConfig.enableRetryTopicV2);
  // without an expression: everything, by tag
  const exp = h.exp === undefined || h.exp === "" ? undefined : h.exp;
  const expType = exp === undefined ? undefined : h.expType;
  consumers.compensateSubscribeData(h.consumerGroup, h.topic, subscriptionOf(h.topic, exp ?? SUB_ALL, expType, now));
  consumers.compensateSubscribeData(h.consumerGroup, retryTopic, subscriptionOf(retryTopic, SUB_ALL, expType, now));
}

/** Java's getInitOffset: where a group without an offset starts (committed when `init`). */
function initOffset(
  ctx: BrokerContext,
  topic: string,
  group: string,
  queueId: number,
  initMode: number,
  init: boolean,
): number {
  const store = ctx.store;
  let offset: number;
  if (initMode === INIT_MODE_MIN || topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)) {
    // a queue nothing was written to yet: Java's store creates it (min offset 0), ours answers -1
    offset = Math.max(0, store.getMinOffsetInQueue(topic, queueId));
  } else if (
    ctx.brokerConfig.initPopOffsetByCheckMsgInMem &&
    store.getMinOffsetInQueue(topic, queueId) <= 0 &&
    store.getConsumeQueue(topic, queueId)?.getEntry(0) !== undefined &&
    !store.checkInDiskByConsumeOffset(topic, queueId, 0)
  ) {
    offset = 0;
  } else {
    offset = Math.max(0, store.getMaxOffsetInQueue(topic, queueId) - 1);
  }
  if (init) ctx.consumerOffsetManager.commitOffset(group, topic, queueId, offset);
  return offset;
}

/** Java's getPopOffset: the group's offset, or past the last POP still waiting for its commit. */
export function popOffset(
  ctx: BrokerContext,
  topic: string,
  group: string,
  queueId: number,
  initMode: number,
  init: boolean,
): number {
  let offset = ctx.consumerOffsetManager.queryOffset(group, topic, queueId);
  if (offset < 0) offset = initOffset(ctx, topic, group, queueId, initMode, init);
  const buffered = ctx.popServices.bufferMergeService.getLatestOffset(buildPollingKey(topic, group, queueId));
  return buffered < 0 ? offset : Math.max(buffered, offset);
}

/** A retry-topic record as the consumer gets it: under the original topic, with its POP_CK. */
function recodeRetryMessage(ctx: BrokerContext, batch: PopBatch, record: Buffer, startOffset: number): Buffer {
  const msg = decodeRecordAt(record, 0);
  const props = new Map(msg.properties);
  if (!props.has(MessageConst.PROPERTY_POP_CK)) {
    props.set(
      MessageConst.PROPERTY_POP_CK,
      buildExtraInfo(
        startOffset,
        batch.popTime,
        batch.h.invisibleTime,
        batch.reviveQid,
        msg.topic,
        ctx.brokerConfig.brokerName,
        msg.queueId,
        msg.queueOffset,
      ),
    );
  }
  return encodeRecord(
    { ...msg, topic: batch.h.topic, propertiesString: javaPropertiesString(props), body: Buffer.from(msg.body ?? []) },
    msg.queueOffset,
    msg.commitLogOffset,
    msg.storeTimestamp,
  );
}

/** Java's popMsgFromQueue: read one queue into the batch; returns the backlog counted so far. */
async function popMsgFromQueue(
  ctx: BrokerContext,
  batch: PopBatch,
  topic: string,
  isRetry: boolean,
  queueId: number,
  restNum: number,
): Promise<number> {
  const { h } = batch;
  const pop = ctx.popServices;
  const store = ctx.store;
  const lockKey = buildPollingKey(topic, h.consumerGroup, queueId);
  let offset = popOffset(ctx, topic, h.consumerGroup, queueId, h.initMode, false);
  if (!pop.queueLockManager.tryLock(lockKey)) {
    return h.order ? restNum : store.getMaxOffsetInQueue(topic, queueId) - offset + restNum;
  }
  try {
    offset = popOffset(ctx, topic, h.consumerGroup, queueId, h.initMode, true);
    if (h.order) {
      if (
        pop.consumerOrderInfoManager.checkBlock(h.attemptId ?? null, topic, h.consumerGroup, queueId, h.invisibleTime)
      )
        return restNum;
    }
    if (batch.messages.length >= h.maxMsgNums) return store.getMaxOffsetInQueue(topic, queueId) - offset + restNum;

    const want = h.maxMsgNums - batch.messages.length;
    let result = store.getMessage(topic, queueId, offset, want, batch.filter ?? undefined);
    if (
      result.status === "OFFSET_TOO_SMALL" ||
      result.status === "OFFSET_OVERFLOW_BADLY" ||
      result.status === "OFFSET_FOUND_NULL"
    ) {
      // the stored offset is wrong: start over from where the store says
      ctx.logger.warn(
        { lockKey, from: offset, to: result.nextBeginOffset },
        "Pop initial offset, because store is no correct",
      );
      ctx.consumerOffsetManager.commitOffset(h.consumerGroup, topic, queueId, result.nextBeginOffset);
      offset = result.nextBeginOffset;
      result = store.getMessage(topic, queueId, offset, want, batch.filter ?? undefined);
    }
    const finalOffset = offset;
    if (result.messages.length > 0) {
      const stats = ctx.brokerStatsManager;
      stats.incBrokerGetNums(result.messages.length);
      stats.incGroupGetNums(h.consumerGroup, topic, result.messages.length);
      stats.incGroupGetSize(h.consumerGroup, topic, result.bufferTotalSize);
      if (h.order) {
        batch.orderCountInfo = pop.consumerOrderInfoManager.update(
          h.attemptId ?? null,
          topic,
          h.consumerGroup,
          queueId,
          batch.popTime,
          h.invisibleTime,
          result.msgQueueOffsets,
          batch.orderCountInfo,
        );
        ctx.consumerOffsetManager.commitOffset(h.consumerGroup, topic, queueId, finalOffset);
      } else {
        const ck = newCheckPoint({
          topic,
          cid: h.consumerGroup,
          num: result.messages.length,
          popTime: batch.popTime,
          invisibleTime: h.invisibleTime,
          startOffset: finalOffset,
          queueId,
          brokerName: ctx.brokerConfig.brokerName,
          queueOffsetDiff: result.msgQueueOffsets.map((o) => o - finalOffset),
        });
        await pop.bufferMergeService.addCkJustOffset(ck, batch.reviveQid, result.nextBeginOffset);
      }
      batch.startOffsetInfo = appendStartOffsetInfo(batch.startOffsetInfo, topic, queueId, finalOffset);
      batch.msgOffsetInfo = appendMsgOffsetInfo(batch.msgOffsetInfo, topic, queueId, result.msgQueueOffsets);
    } else if (
      (result.status === "NO_MATCHED_MESSAGE" ||
        result.status === "OFFSET_FOUND_NULL" ||
        result.status === "MESSAGE_WAS_REMOVING" ||
        result.status === "NO_MATCHED_LOGIC_QUEUE") &&
      result.nextBeginOffset > -1
    ) {
      if (h.order) ctx.consumerOffsetManager.commitOffset(h.consumerGroup, topic, queueId, result.nextBeginOffset);
      else
        pop.bufferMergeService.addCkMock(
          newCheckPoint({
            topic,
            cid: h.consumerGroup,
            popTime: batch.popTime,
            invisibleTime: h.invisibleTime,
            startOffset: finalOffset,
            queueId,
            brokerName: ctx.brokerConfig.brokerName,
          }),
          batch.reviveQid,
          result.nextBeginOffset,
        );
    }
    const rest = result.maxOffset - result.nextBeginOffset + restNum;
    const recode = isRetry && !ctx.brokerConfig.popResponseReturnActualRetryTopic;
    for (const record of result.messages) {
      batch.messages.push(recode ? recodeRetryMessage(ctx, batch, record, finalOffset) : record);
    }
    return rest;
  } finally {
    pop.queueLockManager.unLock(lockKey);
  }
}

async function popMsgFromTopic(
  ctx: BrokerContext,
  batch: PopBatch,
  topicConfig: TopicConfig | undefined,
  isRetry: boolean,
  randomQ: number,
  restNum: number,
): Promise<number> {
  if (!topicConfig) return restNum;
  let rest = restNum;
  for (let i = 0; i < topicConfig.readQueueNums; i++) {
    const queueId = (randomQ + i) % topicConfig.readQueueNums;
    rest = await popMsgFromQueue(ctx, batch, topicConfig.topicName, isRetry, queueId, rest);
  }
  return rest;
}

/** One execution of a POP (again when a parked one wakes); null = parked, answered later. */
export async function processPop(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: Connection,
): Promise<RemotingCommand | null> {
  const pop = ctx.popServices;
  const bc = ctx.brokerConfig;
  const now = pop.now();
  fillBornTime(request, now);
  const h = decodeHeader(PopMessageRequestHeader, request.extFields);
  // POP consumes in clustering mode only
  ctx.consumerManager.compensateBasicConsumerInfo(h.consumerGroup, "CONSUME_POP", "CLUSTERING");
  // Java answers from a fresh PopMessageResponseHeader: its primitives go out as 0
  const fail = (code: number, remark: string): RemotingCommand =>
    createResponse(request, code, {
      remark,
      extFields: encodeHeader(PopMessageResponseHeader, { popTime: 0, invisibleTime: 0, reviveQid: 0, restNum: 0 }),
    });

  if (now - h.bornTime - h.pollTime > 500)
    return fail(ResponseCode.POLLING_TIMEOUT, `the broker[${bc.brokerIP1}] pop message is timeout too much`);
  if (!isReadable(bc.brokerPermission))
    return fail(ResponseCode.NO_PERMISSION, `the broker[${bc.brokerIP1}] pop message is forbidden`);
  if (h.maxMsgNums > MAX_POP_NUMS)
    return fail(ResponseCode.INVALID_PARAMETER, `the broker[${bc.brokerIP1}] pop message's num is greater than 32`);
  if (!ctx.storeConfig.timerWheelEnable)
    return fail(
      ResponseCode.SYSTEM_ERROR,
      `the broker[${bc.brokerIP1}] pop message is forbidden because timerWheelEnable is false`,
    );
  const target = checkPopTarget(ctx, h, connection.remoteAddr);
  if ("code" in target) return fail(target.code, target.remark);
  compensatePopSubscription(ctx, h, now);
  const filter = popFilter(ctx, h, now);
  if (filter === "PARSE_FAILED")
    return fail(ResponseCode.SUBSCRIPTION_PARSE_FAILED, "parse the consumer's subscription failed");

  const randomQ = Math.floor(pop.random() * 100);
  const reviveQid = h.order ? POP_ORDER_REVIVE_QUEUE : pop.nextReviveQid();
  const batch: PopBatch = {
    h,
    remoteAddr: connection.remoteAddr,
    reviveQid,
    popTime: now,
    filter,
    messages: [],
    startOffsetInfo: "",
    msgOffsetInfo: "",
    orderCountInfo: "",
  };
  const needRetry = randomQ < bc.popFromRetryProbability;
  const needRetryV1 = bc.enableRetryTopicV2 && bc.retrieveMessageFromPopRetryTopicV1 && randomQ % 2 === 0;
  const retryTopic = needRetryV1
    ? buildPopRetryTopicV1(h.topic, h.consumerGroup)
    : buildPopRetryTopic(h.topic, h.consumerGroup, bc.enableRetryTopicV2);
  const retryConfig = (): TopicConfig | undefined => ctx.topicConfigManager.selectTopicConfig(retryTopic);

  let restNum = 0;
  if (needRetry && !h.order) restNum = await popMsgFromTopic(ctx, batch, retryConfig(), true, randomQ, restNum);
  if (h.queueId < 0) restNum = await popMsgFromTopic(ctx, batch, target.topicConfig, false, randomQ, restNum);
  else restNum = await popMsgFromQueue(ctx, batch, h.topic, false, h.queueId, restNum);
  if (!needRetry && batch.messages.length < h.maxMsgNums && !h.order)
    restNum = await popMsgFromTopic(ctx, batch, retryConfig(), true, randomQ, restNum);

  let code: number = ResponseCode.SUCCESS;
  let remark = "FOUND";
  if (batch.messages.length > 0) {
    if (restNum > 0) pop.notifyGroupArriving(h.topic, h.queueId, h.consumerGroup);
  } else {
    const polling = pop.popLongPolling.polling(connection, request, h, filter);
    if (polling === "POLLING_SUC") {
      if (restNum > 0) pop.notifyGroupArriving(h.topic, h.queueId, h.consumerGroup);
      return null;
    }
    code = polling === "POLLING_FULL" ? ResponseCode.POLLING_FULL : ResponseCode.POLLING_TIMEOUT;
    remark = "NO_MESSAGE_IN_QUEUE";
  }
  const extFields = encodeHeader(PopMessageResponseHeader, {
    popTime: batch.popTime,
    invisibleTime: h.invisibleTime,
    reviveQid,
    restNum,
    startOffsetInfo: batch.startOffsetInfo,
    msgOffsetInfo: batch.msgOffsetInfo,
    ...(h.order ? { orderCountInfo: batch.orderCountInfo } : {}),
  });
  if (code !== ResponseCode.SUCCESS) return createResponse(request, code, { remark, extFields });
  return createResponse(request, code, { remark, extFields, bodyParts: batch.messages });
}

/** Re-run a parked POP and write its answer on its connection (a long-poll wake-up). */
export function wakeupPopRequest(ctx: BrokerContext, req: PopRequest): void {
  processPop(ctx, req.request, req.connection).then(
    (response) => {
      if (response) void req.connection.write(response).catch(() => undefined);
    },
    (err: unknown) => ctx.logger.error({ err: (err as Error).message }, "ExecuteRequestWhenWakeup run"),
  );
}

export function popMessageProcessors(ctx: BrokerContext): ProcessorTable {
  const pop: RequestProcessor = (request, { connection }) => processPop(ctx, request, connection);
  return new Map([[RequestCode.POP_MESSAGE, pop]]);
}
