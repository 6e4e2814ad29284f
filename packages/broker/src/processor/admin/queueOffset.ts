/**
 * Offsets of one consume queue (Java's AdminBrokerProcessor getMaxOffset, getMinOffset,
 * searchOffsetByTimestamp, getEarliestMsgStoretime): GET_MAX_OFFSET (30), GET_MIN_OFFSET (31),
 * SEARCH_OFFSET_BY_TIMESTAMP (29), GET_EARLIEST_MSG_STORETIME (32).
 */
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  GetEarliestMsgStoretimeRequestHeader,
  GetEarliestMsgStoretimeResponseHeader,
  GetMaxOffsetRequestHeader,
  GetMinOffsetRequestHeader,
  OffsetResponseHeader,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { ProcessorTable } from "../ProcessorTable.js";

const offsetAnswer = (request: RemotingCommand, offset: number): RemotingCommand =>
  createResponse(request, ResponseCode.SUCCESS, { extFields: encodeHeader(OffsetResponseHeader, { offset }) });

export function queueOffsetProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.GET_MAX_OFFSET, (request) => {
    const h = decodeHeader(GetMaxOffsetRequestHeader, request.extFields);
    return offsetAnswer(request, ctx.store.getMaxOffsetInQueue(h.topic, h.queueId));
  });

  handlers.set(RequestCode.GET_MIN_OFFSET, (request) => {
    const h = decodeHeader(GetMinOffsetRequestHeader, request.extFields);
    return offsetAnswer(request, Math.max(0, ctx.store.getMinOffsetInQueue(h.topic, h.queueId)));
  });

  handlers.set(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, (request) => {
    const h = decodeHeader(SearchOffsetRequestHeader, request.extFields);
    return offsetAnswer(request, ctx.store.getOffsetInQueueByTime(h.topic, h.queueId, h.timestamp));
  });

  handlers.set(RequestCode.GET_EARLIEST_MSG_STORETIME, (request) => {
    const h = decodeHeader(GetEarliestMsgStoretimeRequestHeader, request.extFields);
    const timestamp = ctx.store.getEarliestMessageTime(h.topic, h.queueId);
    return createResponse(request, ResponseCode.SUCCESS, {
      extFields: encodeHeader(GetEarliestMsgStoretimeResponseHeader, { timestamp }),
    });
  });

  return handlers;
}
