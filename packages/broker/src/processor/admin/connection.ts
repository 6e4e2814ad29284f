/**
 * Who is connected and who consumes (Java's AdminBrokerProcessor getConsumerConnectionList,
 * getProducerConnectionList, queryTopicConsumeByWho, getAllProducerInfo): GET_CONSUMER_CONNECTION_LIST
 * (203), GET_PRODUCER_CONNECTION_LIST (204), QUERY_TOPIC_CONSUME_BY_WHO (300), GET_ALL_PRODUCER_INFO (328).
 */
import { encodeProducerTableInfo, type ProducerInfo } from "@rocketmq-ts/common";
import {
  decodeHeader,
  GetAllProducerInfoRequestHeader,
  GetConsumerConnectionListRequestHeader,
  GetProducerConnectionListRequestHeader,
  QueryTopicConsumeByWhoRequestHeader,
  RequestCode,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { ClientChannelInfo } from "../../client/ConsumerManager.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { fail, jsonBody, ok } from "../answers.js";

/** A client's entry in a connectionSet (Java's Connection). */
const connectionOf = (c: ClientChannelInfo) => ({
  clientAddr: c.connection.remoteAddr,
  clientId: c.clientId,
  language: c.language ?? "OTHER",
  version: c.version,
});

export function connectionProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.GET_CONSUMER_CONNECTION_LIST, (request) => {
    const h = decodeHeader(GetConsumerConnectionListRequestHeader, request.extFields);
    const group = ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
    if (!group)
      return fail(request, ResponseCode.CONSUMER_NOT_ONLINE, `the consumer group[${h.consumerGroup}] not online`);
    const connectionSet = [...group.channelInfoTable.values()].map(connectionOf);
    return ok(
      request,
      jsonBody({
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
    const connectionSet = [...channels.values()].map(connectionOf);
    return ok(request, jsonBody({ connectionSet }));
  });

  handlers.set(RequestCode.GET_ALL_PRODUCER_INFO, (request) => {
    decodeHeader(GetAllProducerInfoRequestHeader, request.extFields);
    const table = new Map<string, ProducerInfo[]>();
    for (const [group, channels] of ctx.producerManager.groupChannelTable) {
      if (channels.size === 0) continue; // Java builds its map from the producers it finds
      table.set(
        group,
        [...channels.values()].map((c) => ({
          clientId: c.clientId,
          // Java prints the channel's InetSocketAddress: "/host:port"
          remoteIP: `/${c.connection.remoteAddr}`,
          language: c.language ?? "OTHER",
          version: c.version,
          lastUpdateTimestamp: c.lastUpdateTimestamp,
        })),
      );
    }
    return ok(request, encodeProducerTableInfo(table));
  });

  handlers.set(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, (request) => {
    const h = decodeHeader(QueryTopicConsumeByWhoRequestHeader, request.extFields);
    const groups = new Set<string>(ctx.consumerOffsetManager.whichGroupByTopic(h.topic));
    for (const [name, g] of ctx.consumerManager.consumerTable) if (g.subscriptionTable.has(h.topic)) groups.add(name);
    return ok(request, jsonBody({ groupList: [...groups] }));
  });

  return handlers;
}
