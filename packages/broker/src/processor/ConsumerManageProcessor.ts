/** GET_CONSUMER_LIST_BY_GROUP (38), QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15). */
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  GetConsumerListByGroupRequestHeader,
  OffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  stringifyFastjson,
  UpdateConsumerOffsetRequestHeader,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import type { ProcessorTable } from "./ProcessorTable.js";

export function consumerManageProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.GET_CONSUMER_LIST_BY_GROUP, (request) => {
    const h = decodeHeader(GetConsumerListByGroupRequestHeader, request.extFields);
    const ids = ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup)?.getAllClientIds() ?? [];
    if (ids.length === 0) {
      ctx.logger.warn({ group: h.consumerGroup }, "getConsumerGroupInfo failed");
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `no consumer for this group, ${h.consumerGroup}`,
      });
    }
    return createResponse(request, ResponseCode.SUCCESS, {
      extFields: {},
      body: Buffer.from(stringifyFastjson({ consumerIdList: ids })),
    });
  });

  handlers.set(RequestCode.QUERY_CONSUMER_OFFSET, (request) => {
    const h = decodeHeader(QueryConsumerOffsetRequestHeader, request.extFields);
    let offset = ctx.consumerOffsetManager.queryOffset(h.consumerGroup, h.topic, h.queueId);
    if (offset < 0) {
      // a new group on a young queue whose first message is still in memory starts from 0
      const minOffset = ctx.store.getMinOffsetInQueue(h.topic, h.queueId);
      if (minOffset <= 0 && !ctx.store.checkInDiskByConsumeOffset(h.topic, h.queueId, 0)) offset = 0;
      else {
        return createResponse(request, ResponseCode.QUERY_NOT_FOUND, {
          remark: "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first",
          extFields: {},
        });
      }
    }
    return createResponse(request, ResponseCode.SUCCESS, { extFields: encodeHeader(OffsetResponseHeader, { offset }) });
  });

  handlers.set(RequestCode.UPDATE_CONSUMER_OFFSET, (request) => {
    const h = decodeHeader(UpdateConsumerOffsetRequestHeader, request.extFields);
    ctx.consumerOffsetManager.commitOffset(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
    return createResponse(request, ResponseCode.SUCCESS, { extFields: {} });
  });

  return handlers;
}
