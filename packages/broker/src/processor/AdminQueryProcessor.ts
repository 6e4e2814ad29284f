/**
 * What mqadmin and the dashboard ask a broker: runtime info, topic and consume stats, connections,
 * message queries, subscription groups, broker config, slave-sync dumps, offset reset, orderly locks,
 * and requests relayed to a consumer.
 */
import { statfsSync } from "node:fs";
import { arr, decodeMessageId, num, obj, parseBody, parseProperties, str, type ConfigError } from "@rocketmq-ts/common";
import {
  ConsumeMessageDirectlyResultRequestHeader,
  createRequest,
  createResponse,
  decodeHeader,
  DeleteSubscriptionGroupRequestHeader,
  encodeHeader,
  GetBrokerConfigResponseHeader,
  GetConsumerConnectionListRequestHeader,
  GetConsumerRunningInfoRequestHeader,
  GetConsumeStatsRequestHeader,
  GetProducerConnectionListRequestHeader,
  GetTopicConfigRequestHeader,
  GetTopicStatsInfoRequestHeader,
  javaDoubleToString,
  jdouble,
  QueryMessageRequestHeader,
  QueryMessageResponseHeader,
  QueryTopicConsumeByWhoRequestHeader,
  RequestCode,
  ResetOffsetRequestHeader,
  ResponseCode,
  stringifyFastjson,
  versionDesc,
  ViewMessageRequestHeader,
  CURRENT_VERSION,
  type Jsonable,
  type JsonValue,
  type RemotingCommand,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import { commitLogStorePath, DefaultMessageStore, SCHEDULE_TOPIC } from "@rocketmq-ts/store";
import type { BrokerContext } from "../BrokerContext.js";
import { NOT_SET_REMARK } from "./AdminBrokerProcessor.js";
import type { MessageQueueKey } from "../client/RebalanceLockManager.js";
import { decodeSubscriptionGroupConfig } from "../subscription/SubscriptionGroupManager.js";

const json = <T>(value: T & Jsonable<T>): Buffer => Buffer.from(stringifyFastjson(value));

/** Java's MixAll.humanReadableByteCount(bytes, false). */
export function humanReadableByteCount(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const exp = Math.floor(Math.log(bytes) / Math.log(1024));
  return `${(bytes / 1024 ** exp).toFixed(1)} ${"KMGTPE"[exp - 1]}iB`;
}

function runtimeString(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `[ ${Math.floor(s / 86400)} days, ${Math.floor((s % 86400) / 3600)} hours, ${Math.floor((s % 3600) / 60)} minutes, ${s % 60} seconds ]`;
}

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

export function adminQueryProcessors(ctx: BrokerContext): Map<number, RequestProcessor> {
  const handlers = new Map<number, RequestProcessor>();
  const bc = ctx.brokerConfig;
  const mq = (topic: string, queueId: number): MessageQueueKey => ({ brokerName: bc.brokerName, queueId, topic });
  const ok = (request: RemotingCommand, body?: Buffer): RemotingCommand =>
    createResponse(request, ResponseCode.SUCCESS, body ? { body } : {});
  const fail = (request: RemotingCommand, code: number, remark: string): RemotingCommand =>
    createResponse(request, code, { remark });

  handlers.set(RequestCode.GET_BROKER_RUNTIME_INFO, (request) => {
    const s = ctx.stats;
    const store = ctx.store;
    const clPath = commitLogStorePath(ctx.storeConfig);
    const ratio = DefaultMessageStore.diskPartitionSpaceUsedPercent(clPath);
    let capacity = "";
    try {
      const st = statfsSync(clPath);
      capacity = `Total : ${humanReadableByteCount(st.blocks * st.bsize)}, Free : ${humanReadableByteCount(st.bavail * st.bsize)}.`;
    } catch {
      capacity = "Total : 0 B, Free : 0 B.";
    }
    const table = new Map<string, string>([
      ["brokerVersionDesc", versionDesc(CURRENT_VERSION)],
      ["brokerVersion", String(CURRENT_VERSION)],
      ["msgPutTotalYesterdayMorning", String(s.msgPutTotalYesterdayMorning)],
      ["msgPutTotalTodayMorning", String(s.msgPutTotalTodayMorning)],
      ["msgPutTotalTodayNow", String(s.putMessageTimesTotal)],
      ["msgGetTotalYesterdayMorning", String(s.msgGetTotalYesterdayMorning)],
      ["msgGetTotalTodayMorning", String(s.msgGetTotalTodayMorning)],
      ["msgGetTotalTodayNow", String(s.getTransferredMsgs)],
      // requests are handled as they arrive: there is no executor queue to wait in
      ["sendThreadPoolQueueSize", "0"],
      ["sendThreadPoolQueueCapacity", String(bc.sendThreadPoolQueueCapacity)],
      ["pullThreadPoolQueueSize", "0"],
      ["pullThreadPoolQueueCapacity", String(bc.pullThreadPoolQueueCapacity)],
      ["queryThreadPoolQueueSize", "0"],
      ["queryThreadPoolQueueCapacity", String(bc.queryThreadPoolQueueCapacity)],
      ["EndTransactionQueueSize", "0"],
      ["EndTransactionThreadPoolQueueCapacity", String(bc.endTransactionPoolQueueCapacity)],
      ["dispatchBehindBytes", String(store.dispatchBehindBytes())],
      ["pageCacheLockTimeMills", "0"],
      ["sendThreadPoolQueueHeadWaitTimeMills", "0"],
      ["pullThreadPoolQueueHeadWaitTimeMills", "0"],
      ["queryThreadPoolQueueHeadWaitTimeMills", "0"],
      ["earliestMessageTimeStamp", String(store.getEarliestCommitLogTime())],
      ["startAcceptSendRequestTimeStamp", String(bc.startAcceptSendRequestTimeStamp)],
      ["remainTransientStoreBufferNumbs", String(2147483647)],
      [
        "remainHowManyDataToFlush",
        humanReadableByteCount(Math.max(0, store.getMaxPhyOffset() - store.commitLog.flushedWhere)),
      ],
      ["commitLogDirCapacity", capacity],
      ["bootTimestamp", String(s.bootTimestamp)],
      ["runtime", runtimeString(Date.now() - s.bootTimestamp)],
      ["putMessageEntireTimeMax", String(s.putMessageEntireTimeMax)],
      ["putMessageTimesTotal", String(s.putMessageTimesTotal)],
      ["putMessageFailedTimes", String(s.putMessageFailedTimes)],
      ["putMessageSizeTotal", String(s.putMessageSizeTotal)],
      ["putMessageDistributeTime", s.putMessageDistributeTime()],
      [
        "putMessageAverageSize",
        javaDoubleToString(s.putMessageTimesTotal > 0 ? s.putMessageSizeTotal / s.putMessageTimesTotal : 0),
      ],
      ["dispatchMaxBuffer", "0"],
      ["getMessageEntireTimeMax", String(s.getMessageEntireTimeMax)],
      ["putTps", s.putTps()],
      ["getFoundTps", s.getFoundTps()],
      ["getMissTps", s.getMissTps()],
      ["getTotalTps", s.getTotalTps()],
      // 4.9.8 tools read the misspelt key, 5.x the corrected one
      ["getTransferedTps", s.getTransferredTps()],
      ["getTransferredTps", s.getTransferredTps()],
      ["putLatency99", s.putLatencyPercentile(0.99)],
      ["putLatency999", s.putLatencyPercentile(0.999)],
      ["commitLogDiskRatio", javaDoubleToString(ratio)],
      [`commitLogDiskRatio_${clPath}`, javaDoubleToString(ratio)],
      ["consumeQueueDiskRatio", javaDoubleToString(ratio)],
      ["commitLogMinOffset", String(Math.max(0, store.getMinPhyOffset()))],
      ["commitLogMaxOffset", String(store.getMaxPhyOffset())],
      ["brokerActive", "true"],
    ]);
    for (const [level, offset] of ctx.scheduleMessageService.offsetTable) {
      table.set(`scheduleMessageOffset_${level}`, `${offset},${store.getMaxOffsetInQueue(SCHEDULE_TOPIC, level - 1)}`);
    }
    return ok(request, json({ table }));
  });

  handlers.set(RequestCode.GET_TOPIC_STATS_INFO, (request) => {
    const h = decodeHeader(GetTopicStatsInfoRequestHeader, request.extFields);
    const config = ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!config) return fail(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist`);
    const offsetTable = new Map<MessageQueueKey, JsonValue>();
    for (let q = 0; q < config.writeQueueNums; q++) {
      const max = Math.max(0, ctx.store.getMaxOffsetInQueue(h.topic, q));
      const min = Math.max(0, ctx.store.getMinOffsetInQueue(h.topic, q));
      const lastUpdateTimestamp = max > 0 ? Math.max(0, ctx.store.getMessageStoreTimeStamp(h.topic, q, max - 1)) : 0;
      offsetTable.set(mq(h.topic, q), { lastUpdateTimestamp, maxOffset: max, minOffset: min });
    }
    return ok(request, json({ offsetTable }));
  });

  handlers.set(RequestCode.GET_CONSUME_STATS, (request) => {
    const h = decodeHeader(GetConsumeStatsRequestHeader, request.extFields);
    const topics = h.topic
      ? [h.topic]
      : [...ctx.consumerOffsetManager.offsetTable.keys()]
          .filter((k) => k.endsWith(`@${h.consumerGroup}`))
          .map((k) => k.slice(0, k.lastIndexOf("@")));
    const group = ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
    const offsetTable = new Map<MessageQueueKey, JsonValue>();
    for (const topic of topics) {
      const config = ctx.topicConfigManager.selectTopicConfig(topic);
      if (!config) continue;
      if (group && group.subscriptionTable.size > 0 && !group.subscriptionTable.has(topic)) continue;
      for (let q = 0; q < config.readQueueNums; q++) {
        const brokerOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, q));
        const consumerOffset = Math.max(0, ctx.consumerOffsetManager.queryOffset(h.consumerGroup, topic, q));
        const lastTimestamp =
          consumerOffset > 0 ? Math.max(0, ctx.store.getMessageStoreTimeStamp(topic, q, consumerOffset - 1)) : 0;
        offsetTable.set(mq(topic, q), { brokerOffset, consumerOffset, lastTimestamp });
      }
    }
    return ok(request, json({ consumeTps: jdouble(ctx.stats.groupGetTps(h.consumerGroup)), offsetTable }));
  });

  handlers.set(RequestCode.GET_CONSUMER_CONNECTION_LIST, (request) => {
    const h = decodeHeader(GetConsumerConnectionListRequestHeader, request.extFields);
    const group = ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
    if (!group)
      return fail(request, ResponseCode.CONSUMER_NOT_ONLINE, `the consumer group[${h.consumerGroup}] not online`);
    const connectionSet = [...group.channelInfoTable.values()].map((c) => ({
      clientAddr: c.connection.remoteAddr,
      clientId: c.clientId,
      language: c.language ?? "OTHER",
      version: c.version,
    }));
    return ok(
      request,
      json({
        connectionSet,
        consumeFromWhere: group.consumeFromWhere,
        consumeType: group.consumeType,
        messageModel: group.messageModel,
        subscriptionTable: new Map([...group.subscriptionTable].map(([t, sub]) => [t, { ...sub }])),
      }),
    );
  });

  handlers.set(RequestCode.GET_PRODUCER_CONNECTION_LIST, (request) => {
    const h = decodeHeader(GetProducerConnectionListRequestHeader, request.extFields);
    const channels = ctx.producerManager.groupChannelTable.get(h.producerGroup);
    if (!channels) return fail(request, ResponseCode.SYSTEM_ERROR, `the producer group[${h.producerGroup}] not exist`);
    const connectionSet = [...channels.values()].map((c) => ({
      clientAddr: c.connection.remoteAddr,
      clientId: c.clientId,
      language: c.language ?? "OTHER",
      version: c.version,
    }));
    return ok(request, json({ connectionSet }));
  });

  handlers.set(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, (request) => {
    const h = decodeHeader(QueryTopicConsumeByWhoRequestHeader, request.extFields);
    const groups = new Set<string>(ctx.consumerOffsetManager.whichGroupByTopic(h.topic));
    for (const [name, g] of ctx.consumerManager.consumerTable) if (g.subscriptionTable.has(h.topic)) groups.add(name);
    return ok(request, json({ groupList: [...groups] }));
  });

  handlers.set(RequestCode.QUERY_MESSAGE, (request) => {
    const h = decodeHeader(QueryMessageRequestHeader, request.extFields);
    const unique = request.extFields?.["_UNIQUE_KEY_QUERY"] === "true";
    const maxNum = unique ? ctx.storeConfig.defaultQueryMaxNum : h.maxNum;
    const result = ctx.store.queryMessage(h.topic, h.key, maxNum, h.beginTimestamp, h.endTimestamp);
    const extFields = encodeHeader(QueryMessageResponseHeader, {
      indexLastUpdateTimestamp: result.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: result.indexLastUpdatePhyoffset,
    });
    const records = result.messages
      .map((m) => ctx.store.selectOneMessageByOffset(m.commitLogOffset, m.storeSize))
      .filter((b): b is Buffer => b !== null);
    if (records.length === 0) {
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, {
        remark: "can not find message, maybe time range not correct",
        extFields,
      });
    }
    return createResponse(request, ResponseCode.SUCCESS, { extFields, body: Buffer.concat(records) });
  });

  handlers.set(RequestCode.VIEW_MESSAGE_BY_ID, (request) => {
    const h = decodeHeader(ViewMessageRequestHeader, request.extFields);
    const record = ctx.store.selectOneMessageByOffset(h.offset);
    if (!record) return fail(request, ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${h.offset}`);
    return ok(request, Buffer.from(record));
  });

  handlers.set(RequestCode.GET_ALL_CONSUMER_OFFSET, (request) => {
    // an empty table is still an answer ({"offsetTable":{}}), which slaves sync
    return ok(request, json({ offsetTable: ctx.consumerOffsetManager.offsetTable }));
  });

  handlers.set(RequestCode.GET_ALL_DELAY_OFFSET, (request) => {
    const table = ctx.scheduleMessageService.offsetTable;
    return ok(request, json({ offsetTable: new Map([...table].sort((a, b) => a[0] - b[0])) }));
  });

  handlers.set(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (request) =>
    ok(
      request,
      json({
        dataVersion: ctx.subscriptionGroupManager.dataVersion,
        subscriptionGroupTable: ctx.subscriptionGroupManager.subscriptionGroupTable,
      }),
    ),
  );

  const slaveRefusal =
    "Can't modify topic or subscription group from slave broker, please execute it from master broker.";

  handlers.set(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, (request) => {
    if (ctx.storeConfig.brokerRole === "SLAVE") return fail(request, ResponseCode.SYSTEM_ERROR, slaveRefusal);
    const config = decodeSubscriptionGroupConfig(
      parseBody(request.body, "SubscriptionGroupConfig"),
      "SubscriptionGroupConfig",
    );
    ctx.subscriptionGroupManager.updateSubscriptionGroupConfig(config);
    return ok(request);
  });

  handlers.set(RequestCode.DELETE_SUBSCRIPTIONGROUP, (request) => {
    if (ctx.storeConfig.brokerRole === "SLAVE") return fail(request, ResponseCode.SYSTEM_ERROR, slaveRefusal);
    const h = decodeHeader(DeleteSubscriptionGroupRequestHeader, request.extFields);
    ctx.subscriptionGroupManager.deleteSubscriptionGroupConfig(h.groupName);
    return ok(request);
  });

  handlers.set(RequestCode.GET_BROKER_CONFIG, (request) =>
    createResponse(request, ResponseCode.SUCCESS, {
      extFields: encodeHeader(GetBrokerConfigResponseHeader, {
        version: stringifyFastjson(ctx.configuration.dataVersion()),
      }),
      body: Buffer.from(ctx.configuration.lines().join("\n") + "\n", "utf8"),
    }),
  );

  handlers.set(RequestCode.UPDATE_BROKER_CONFIG, (request) => {
    if (!request.body || request.body.length === 0) return ok(request);
    const props = parseProperties(request.body.toString("utf8"));
    const blackList = new Set([
      "brokerConfigPath",
      "rocketmqHome",
      "configBlackList",
      ...bc.configBlackList.split(";"),
    ]);
    if ([...props.keys()].some((k) => blackList.has(k)))
      return fail(request, ResponseCode.NO_PERMISSION, "Can not update config in black list.");
    try {
      ctx.configuration.update(props);
    } catch (e) {
      return fail(request, ResponseCode.SYSTEM_ERROR, (e as ConfigError).message);
    }
    return ok(request);
  });

  handlers.set(RequestCode.GET_TOPIC_CONFIG, (request) => {
    const h = decodeHeader(GetTopicConfigRequestHeader, request.extFields);
    const config = ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!config) return fail(request, ResponseCode.TOPIC_NOT_EXIST, `No topic in this broker. topic: ${h.topic}`);
    return ok(request, json({ attributes: config.attributes ?? {}, ...config }));
  });

  handlers.set(RequestCode.LOCK_BATCH_MQ, (request) => {
    const body = obj(parseBody(request.body, "LockBatchRequestBody"), "LockBatchRequestBody");
    const granted = ctx.rebalanceLockManager.tryLockBatch(
      str(body["consumerGroup"], "consumerGroup"),
      decodeMessageQueues(body["mqSet"], "mqSet"),
      str(body["clientId"], "clientId"),
    );
    return ok(request, json({ lockOKMQSet: granted }));
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

  handlers.set(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, async (request) => {
    const h = decodeHeader(ResetOffsetRequestHeader, request.extFields);
    const config = ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!config)
      return fail(
        request,
        ResponseCode.SYSTEM_ERROR,
        `[reset-offset] reset offset failed, no topic in this broker. topic=${h.topic}`,
      );
    const offsetTable = new Map<MessageQueueKey, number>();
    for (let q = 0; q < config.writeQueueNums; q++) {
      const committed = ctx.consumerOffsetManager.queryOffset(h.group, h.topic, q);
      if (committed === -1)
        return fail(request, ResponseCode.SYSTEM_ERROR, `THe consumer group <${h.group}> not exist`);
      let target =
        h.timestamp === -1
          ? ctx.store.getMaxOffsetInQueue(h.topic, q)
          : ctx.store.getOffsetInQueueByTime(h.topic, q, h.timestamp);
      if (target < 0) target = 0;
      offsetTable.set(mq(h.topic, q), h.isForce || target < committed ? target : committed);
    }
    const group = ctx.consumerManager.getConsumerGroupInfo(h.group);
    if (!group || group.channelInfoTable.size === 0) {
      return fail(
        request,
        ResponseCode.CONSUMER_NOT_ONLINE,
        `Consumer not online, so can not reset offset, Group: ${h.group} Topic: ${h.topic} Timestamp: ${h.timestamp}`,
      );
    }
    const body = json({ offsetTable });
    for (const info of group.channelInfoTable.values()) {
      const push = createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, {
        extFields: { topic: h.topic, group: h.group, timestamp: String(h.timestamp), isForce: "false" },
        body,
      });
      await ctx.invokeClientOneway(info.connection, push).catch(() => undefined);
    }
    return createResponse(request, ResponseCode.SUCCESS, { remark: NOT_SET_REMARK, body });
  });

  /** 307 / 309: relay to the named client of the group and return its answer. */
  const relay = (code: number) => async (request: RemotingCommand) => {
    const { consumerGroup, clientId } =
      code === RequestCode.GET_CONSUMER_RUNNING_INFO
        ? decodeHeader(GetConsumerRunningInfoRequestHeader, request.extFields)
        : decodeHeader(ConsumeMessageDirectlyResultRequestHeader, request.extFields);
    const channel = [
      ...(ctx.consumerManager.getConsumerGroupInfo(consumerGroup)?.channelInfoTable.values() ?? []),
    ].find((c) => c.clientId === clientId);
    if (!channel)
      return fail(request, ResponseCode.SYSTEM_ERROR, `The Consumer <${consumerGroup}> <${clientId}> not online`);
    if (channel.version < 62)
      return fail(
        request,
        ResponseCode.SYSTEM_ERROR,
        `The Consumer <${consumerGroup}> Version <${versionDesc(channel.version)}> too low to finish, please upgrade it to V3_1_8_SNAPSHOT`,
      );
    let extFields = request.extFields;
    let body = request.body;
    if (code === RequestCode.CONSUME_MESSAGE_DIRECTLY) {
      // Java attaches the stored record (msgId is an offsetMsgId) and names this broker
      extFields = { ...(request.extFields ?? {}), brokerName: ctx.brokerConfig.brokerName };
      const msgId = request.extFields?.["msgId"];
      try {
        const record = msgId ? ctx.store.selectOneMessageByOffset(decodeMessageId(msgId).commitLogOffset) : null;
        if (record) body = Buffer.from(record);
      } catch {
        // not an offset message id: the client gets no body and answers it has no such message
      }
    }
    const forward = createRequest(code, { extFields, body });
    try {
      const answer = await ctx.invokeClient(channel.connection, forward, 10_000);
      return createResponse(request, answer.code, {
        remark: answer.remark,
        extFields: answer.extFields,
        body: answer.body,
      });
    } catch (e) {
      return fail(
        request,
        ResponseCode.CONSUME_MSG_TIMEOUT,
        `consumer <${consumerGroup}> <${clientId}> Timeout: ${(e as Error).message}`,
      );
    }
  };
  handlers.set(RequestCode.GET_CONSUMER_RUNNING_INFO, relay(RequestCode.GET_CONSUMER_RUNNING_INFO));
  handlers.set(RequestCode.CONSUME_MESSAGE_DIRECTLY, relay(RequestCode.CONSUME_MESSAGE_DIRECTLY));

  return handlers;
}
