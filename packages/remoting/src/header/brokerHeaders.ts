/** Headers of the broker's request codes (Java classes in protocol/header). */
import { setOwn } from "../codec/jsonHeader.js";
import type { ExtFields } from "../protocol/RemotingCommand.js";
import { defineHeader, type HeaderOf } from "./defineHeader.js";

export const SendMessageRequestHeader = defineHeader("SendMessageRequestHeader", {
  producerGroup: { type: "string", required: true },
  topic: { type: "string", required: true },
  defaultTopic: { type: "string", required: true },
  defaultTopicQueueNums: { type: "int", required: true },
  queueId: { type: "int", required: true },
  sysFlag: { type: "int", required: true },
  bornTimestamp: { type: "long", required: true },
  flag: { type: "int", required: true },
  properties: { type: "string" },
  reconsumeTimes: { type: "int" },
  unitMode: { type: "boolean", default: false },
  batch: { type: "boolean", default: false },
  maxReconsumeTimes: { type: "int" },
  bname: { type: "string" },
});
export type SendMessageRequestHeader = HeaderOf<typeof SendMessageRequestHeader.fields>;

/**
 * Java's createSendMessageRequestHeaderV1: the same values under their long names (a V2 header is
 * decoded as itself first, so a missing field is reported under its letter, as Java does).
 */
export function sendHeaderV1FromV2(v2: SendMessageRequestHeaderV2): SendMessageRequestHeader {
  // one shape whatever is set (absent optional fields are undefined, as decodeHeader leaves them)
  return {
    producerGroup: v2.a,
    topic: v2.b,
    defaultTopic: v2.c,
    defaultTopicQueueNums: v2.d,
    queueId: v2.e,
    sysFlag: v2.f,
    bornTimestamp: v2.g,
    flag: v2.h,
    properties: v2.i,
    reconsumeTimes: v2.j,
    unitMode: v2.k,
    batch: v2.m,
    maxReconsumeTimes: v2.l,
    bname: v2.n,
  };
}

/** Java's createSendMessageRequestHeaderV2: a send header under the one-letter names of SEND_MESSAGE_V2. */
export function sendHeaderV2FromV1(h: SendMessageRequestHeader): SendMessageRequestHeaderV2 {
  // unset optional fields stay undefined, which encoding leaves out
  return {
    a: h.producerGroup,
    b: h.topic,
    c: h.defaultTopic,
    d: h.defaultTopicQueueNums,
    e: h.queueId,
    f: h.sysFlag,
    g: h.bornTimestamp,
    h: h.flag,
    i: h.properties,
    j: h.reconsumeTimes,
    k: h.unitMode,
    l: h.maxReconsumeTimes,
    m: h.batch,
    n: h.bname,
  };
}

/** SEND_MESSAGE_V2's one-letter keys → SendMessageRequestHeader field names. */
const V2_KEYS: Readonly<Record<string, string>> = {
  a: "producerGroup",
  b: "topic",
  c: "defaultTopic",
  d: "defaultTopicQueueNums",
  e: "queueId",
  f: "sysFlag",
  g: "bornTimestamp",
  h: "flag",
  i: "properties",
  j: "reconsumeTimes",
  k: "unitMode",
  l: "maxReconsumeTimes",
  m: "batch",
  n: "bname",
};

/** Rename a V2 header's keys to the V1 field names (other keys pass through). */
export function sendHeaderV2ToV1(ext: ExtFields | null): ExtFields | null {
  if (ext === null) return null;
  const out: ExtFields = {};
  for (const k in ext) setOwn(out, (k.length === 1 ? V2_KEYS[k] : undefined) ?? k, ext[k] as string);
  return out;
}

export const SendMessageResponseHeader = defineHeader("SendMessageResponseHeader", {
  msgId: { type: "string", required: true },
  queueId: { type: "int", required: true },
  queueOffset: { type: "long", required: true },
  transactionId: { type: "string" },
  /** 5.x: a timer message's recall handle (base64url of "v1 <realTopic> <brokerName> <TIMER_OUT_MS+1> <uniqKey>"). */
  recallHandle: { type: "string" },
  MSG_REGION: { type: "string" },
  TRACE_ON: { type: "string" },
});
export type SendMessageResponseHeader = HeaderOf<typeof SendMessageResponseHeader.fields>;

/** 5.x RECALL_MESSAGE (370): withdraw a timer message before it is due by its recall handle. */
export const RecallMessageRequestHeader = defineHeader("RecallMessageRequestHeader", {
  producerGroup: { type: "string" },
  topic: { type: "string", required: true },
  recallHandle: { type: "string", required: true },
  /** RpcRequestHeader's broker name, which the 5.x proxy sets */
  bname: { type: "string" },
});
export type RecallMessageRequestHeader = HeaderOf<typeof RecallMessageRequestHeader.fields>;

export const RecallMessageResponseHeader = defineHeader("RecallMessageResponseHeader", {
  msgId: { type: "string", required: true },
});
export type RecallMessageResponseHeader = HeaderOf<typeof RecallMessageResponseHeader.fields>;

export const PullMessageRequestHeader = defineHeader("PullMessageRequestHeader", {
  consumerGroup: { type: "string", required: true },
  topic: { type: "string", required: true },
  queueId: { type: "int", required: true },
  queueOffset: { type: "long", required: true },
  maxMsgNums: { type: "int", required: true },
  sysFlag: { type: "int", required: true },
  commitOffset: { type: "long", required: true },
  suspendTimeoutMillis: { type: "long", required: true },
  subscription: { type: "string" },
  subVersion: { type: "long", required: true },
  expressionType: { type: "string" },
  bname: { type: "string" },
});
export type PullMessageRequestHeader = HeaderOf<typeof PullMessageRequestHeader.fields>;

export const PullMessageResponseHeader = defineHeader("PullMessageResponseHeader", {
  suggestWhichBrokerId: { type: "long", required: true },
  nextBeginOffset: { type: "long", required: true },
  minOffset: { type: "long", required: true },
  maxOffset: { type: "long", required: true },
});
export type PullMessageResponseHeader = HeaderOf<typeof PullMessageResponseHeader.fields>;

const topicQueue = {
  topic: { type: "string", required: true },
  queueId: { type: "int", required: true },
} as const;

export const QueryConsumerOffsetRequestHeader = defineHeader("QueryConsumerOffsetRequestHeader", {
  consumerGroup: { type: "string", required: true },
  ...topicQueue,
  bname: { type: "string" },
});
export type QueryConsumerOffsetRequestHeader = HeaderOf<typeof QueryConsumerOffsetRequestHeader.fields>;

export const UpdateConsumerOffsetRequestHeader = defineHeader("UpdateConsumerOffsetRequestHeader", {
  consumerGroup: { type: "string", required: true },
  ...topicQueue,
  commitOffset: { type: "long", required: true },
  bname: { type: "string" },
});
export type UpdateConsumerOffsetRequestHeader = HeaderOf<typeof UpdateConsumerOffsetRequestHeader.fields>;

/** The `offset` answer of QUERY_CONSUMER_OFFSET, GET_MAX_OFFSET, GET_MIN_OFFSET, SEARCH_OFFSET_BY_TIMESTAMP. */
export const OffsetResponseHeader = defineHeader("OffsetResponseHeader", {
  offset: { type: "long", required: true },
});
export type OffsetResponseHeader = HeaderOf<typeof OffsetResponseHeader.fields>;

export const GetMaxOffsetRequestHeader = defineHeader("GetMaxOffsetRequestHeader", {
  ...topicQueue,
  bname: { type: "string" },
});
export const GetMinOffsetRequestHeader = defineHeader("GetMinOffsetRequestHeader", {
  ...topicQueue,
  bname: { type: "string" },
});
export const GetEarliestMsgStoretimeRequestHeader = defineHeader("GetEarliestMsgStoretimeRequestHeader", {
  ...topicQueue,
  bname: { type: "string" },
});
export const GetEarliestMsgStoretimeResponseHeader = defineHeader("GetEarliestMsgStoretimeResponseHeader", {
  timestamp: { type: "long", required: true },
});
export const SearchOffsetRequestHeader = defineHeader("SearchOffsetRequestHeader", {
  ...topicQueue,
  timestamp: { type: "long", required: true },
  bname: { type: "string" },
});

export const GetConsumerListByGroupRequestHeader = defineHeader("GetConsumerListByGroupRequestHeader", {
  consumerGroup: { type: "string", required: true },
});

export const UnregisterClientRequestHeader = defineHeader("UnregisterClientRequestHeader", {
  clientID: { type: "string", required: true },
  producerGroup: { type: "string" },
  consumerGroup: { type: "string" },
});

export const NotifyConsumerIdsChangedRequestHeader = defineHeader("NotifyConsumerIdsChangedRequestHeader", {
  consumerGroup: { type: "string", required: true },
});

export const CreateTopicRequestHeader = defineHeader("CreateTopicRequestHeader", {
  topic: { type: "string", required: true },
  defaultTopic: { type: "string", required: true },
  readQueueNums: { type: "int", required: true },
  writeQueueNums: { type: "int", required: true },
  perm: { type: "int", required: true },
  topicFilterType: { type: "string", required: true },
  topicSysFlag: { type: "int" },
  order: { type: "boolean", default: false },
  attributes: { type: "string" },
});
export type CreateTopicRequestHeader = HeaderOf<typeof CreateTopicRequestHeader.fields>;

export const DeleteTopicRequestHeader = defineHeader("DeleteTopicRequestHeader", {
  topic: { type: "string", required: true },
});

/** QUERY_CONSUME_QUEUE (321): no field is @CFNotNull; the primitives default to 0. */
export const QueryConsumeQueueRequestHeader = defineHeader("QueryConsumeQueueRequestHeader", {
  topic: { type: "string" },
  queueId: { type: "int", default: 0 },
  index: { type: "long", default: 0 },
  count: { type: "int", default: 0 },
  consumerGroup: { type: "string" },
});
export type QueryConsumeQueueRequestHeader = HeaderOf<typeof QueryConsumeQueueRequestHeader.fields>;

/** GET_ALL_PRODUCER_INFO (328): a header without fields. */
export const GetAllProducerInfoRequestHeader = defineHeader("GetAllProducerInfoRequestHeader", {});

export const ConsumerSendMsgBackRequestHeader = defineHeader("ConsumerSendMsgBackRequestHeader", {
  offset: { type: "long", required: true },
  group: { type: "string", required: true },
  delayLevel: { type: "int", required: true },
  originMsgId: { type: "string" },
  originTopic: { type: "string" },
  unitMode: { type: "boolean", default: false },
  maxReconsumeTimes: { type: "int" },
  bname: { type: "string" },
});
export type ConsumerSendMsgBackRequestHeader = HeaderOf<typeof ConsumerSendMsgBackRequestHeader.fields>;

export const QueryMessageRequestHeader = defineHeader("QueryMessageRequestHeader", {
  topic: { type: "string", required: true },
  key: { type: "string", required: true },
  maxNum: { type: "int", required: true },
  beginTimestamp: { type: "long", required: true },
  endTimestamp: { type: "long", required: true },
});
export const QueryMessageResponseHeader = defineHeader("QueryMessageResponseHeader", {
  indexLastUpdateTimestamp: { type: "long", required: true },
  indexLastUpdatePhyoffset: { type: "long", required: true },
});
export const ViewMessageRequestHeader = defineHeader("ViewMessageRequestHeader", {
  offset: { type: "long", required: true },
  topic: { type: "string" },
});
export const GetTopicStatsInfoRequestHeader = defineHeader("GetTopicStatsInfoRequestHeader", {
  topic: { type: "string", required: true },
});
export const GetConsumeStatsRequestHeader = defineHeader("GetConsumeStatsRequestHeader", {
  consumerGroup: { type: "string", required: true },
  topic: { type: "string" },
});
export const ViewBrokerStatsDataRequestHeader = defineHeader("ViewBrokerStatsDataRequestHeader", {
  statsName: { type: "string", required: true },
  statsKey: { type: "string", required: true },
});
export const GetConsumeStatsInBrokerHeader = defineHeader("GetConsumeStatsInBrokerHeader", {
  isOrder: { type: "boolean", required: true },
});
export const GetConsumerConnectionListRequestHeader = defineHeader("GetConsumerConnectionListRequestHeader", {
  consumerGroup: { type: "string", required: true },
});
export const GetProducerConnectionListRequestHeader = defineHeader("GetProducerConnectionListRequestHeader", {
  producerGroup: { type: "string", required: true },
});
export const QueryTopicConsumeByWhoRequestHeader = defineHeader("QueryTopicConsumeByWhoRequestHeader", {
  topic: { type: "string", required: true },
});
export const DeleteSubscriptionGroupRequestHeader = defineHeader("DeleteSubscriptionGroupRequestHeader", {
  groupName: { type: "string", required: true },
  removeOffset: { type: "boolean", default: false },
});
export const GetBrokerConfigResponseHeader = defineHeader("GetBrokerConfigResponseHeader", {
  version: { type: "string", required: true },
});
export const ResetOffsetRequestHeader = defineHeader("ResetOffsetRequestHeader", {
  topic: { type: "string", required: true },
  group: { type: "string", required: true },
  timestamp: { type: "long", required: true },
  isForce: { type: "boolean", required: true },
});
export const GetConsumerRunningInfoRequestHeader = defineHeader("GetConsumerRunningInfoRequestHeader", {
  consumerGroup: { type: "string", required: true },
  clientId: { type: "string", required: true },
  jstackEnable: { type: "boolean", default: false },
});
export const ConsumeMessageDirectlyResultRequestHeader = defineHeader("ConsumeMessageDirectlyResultRequestHeader", {
  consumerGroup: { type: "string", required: true },
  clientId: { type: "string" },
  msgId: { type: "string" },
  brokerName: { type: "string" },
});
export const GetTopicConfigRequestHeader = defineHeader("GetTopicConfigRequestHeader", {
  topic: { type: "string", required: true },
  lo: { type: "boolean" },
});

/** GET_SUBSCRIPTIONGROUP_CONFIG (352, 5.x): one group's config. */
export const GetSubscriptionGroupConfigRequestHeader = defineHeader("GetSubscriptionGroupConfigRequestHeader", {
  group: { type: "string", required: true },
});

/** END_TRANSACTION (37): the producer's commit / rollback / unknown for a half message. */
export const EndTransactionRequestHeader = defineHeader("EndTransactionRequestHeader", {
  producerGroup: { type: "string", required: true },
  tranStateTableOffset: { type: "long", required: true },
  commitLogOffset: { type: "long", required: true },
  /** 0 = TRANSACTION_NOT_TYPE (unknown), 8 = COMMIT, 12 = ROLLBACK. */
  commitOrRollback: { type: "int", required: true },
  fromTransactionCheck: { type: "boolean" },
  msgId: { type: "string", required: true },
  transactionId: { type: "string" },
});
export type EndTransactionRequestHeader = HeaderOf<typeof EndTransactionRequestHeader.fields>;

/** CHECK_TRANSACTION_STATE (39): broker → producer, oneway, body = the half message record. */
export const CheckTransactionStateRequestHeader = defineHeader("CheckTransactionStateRequestHeader", {
  tranStateTableOffset: { type: "long", required: true },
  commitLogOffset: { type: "long", required: true },
  msgId: { type: "string" },
  transactionId: { type: "string" },
  offsetMsgId: { type: "string" },
});

/** PUSH_REPLY_MESSAGE_TO_CLIENT (326): broker → requesting client, the reply's fields; body = its body. */
export const ReplyMessageRequestHeader = defineHeader("ReplyMessageRequestHeader", {
  producerGroup: { type: "string", required: true },
  topic: { type: "string", required: true },
  defaultTopic: { type: "string", required: true },
  defaultTopicQueueNums: { type: "int", required: true },
  queueId: { type: "int", required: true },
  sysFlag: { type: "int", required: true },
  bornTimestamp: { type: "long", required: true },
  flag: { type: "int", required: true },
  properties: { type: "string" },
  reconsumeTimes: { type: "int" },
  unitMode: { type: "boolean", default: false },
  bornHost: { type: "string", required: true },
  storeHost: { type: "string", required: true },
  storeTimestamp: { type: "long", required: true },
});

/**
 * SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE / SEND_REPLY_MESSAGE_V2 as clients write it: the
 * SendMessageRequestHeader fields under one-letter keys (see V2_KEYS).
 */
export const SendMessageRequestHeaderV2 = defineHeader("SendMessageRequestHeaderV2", {
  a: { type: "string", required: true },
  b: { type: "string", required: true },
  c: { type: "string", required: true },
  d: { type: "int", required: true },
  e: { type: "int", required: true },
  f: { type: "int", required: true },
  g: { type: "long", required: true },
  h: { type: "int", required: true },
  i: { type: "string" },
  j: { type: "int" },
  k: { type: "boolean", default: false },
  l: { type: "int" },
  m: { type: "boolean", default: false },
  n: { type: "string" },
});
export type SendMessageRequestHeaderV2 = HeaderOf<typeof SendMessageRequestHeaderV2.fields>;
