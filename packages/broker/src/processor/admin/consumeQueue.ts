/**
 * One consume queue's entries as stored (Java's AdminBrokerProcessor queryConsumeQueue, mqadmin
 * queryCq): QUERY_CONSUME_QUEUE (321). With a consumer group, the group's subscription and SQL92
 * filter data come along. Entries whose tags code is an extension address (Java's ConsumeQueueExt)
 * would carry the extension unit; this store keeps no extension, so they say it does not exist.
 */
import {
  encodeQueryConsumeQueueResponseBody,
  type ConsumeQueueData,
  type QueryConsumeQueueResponseBody,
} from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  QueryConsumeQueueRequestHeader,
  RequestCode,
  ResponseCode,
  stringifyFastjson,
} from "@rocketmq-ts/remoting";
import { CQ_STORE_UNIT_SIZE, decodeCqEntry } from "@rocketmq-ts/store";
import type { BrokerContext } from "../../BrokerContext.js";
import { persistedFilterData } from "../../filter/ConsumerFilterManager.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { fail } from "../answers.js";

/** Tags codes at or below this are addresses in the consume-queue extension (ConsumeQueueExt.MAX_ADDR). */
const MAX_EXT_ADDR = -(2 ** 31) - 1;

export function consumeQueueProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.QUERY_CONSUME_QUEUE, (request) => {
    const h = decodeHeader(QueryConsumeQueueRequestHeader, request.extFields);
    // Java looks the null topic up in a ConcurrentHashMap, which throws
    if (h.topic === undefined) return fail(request, ResponseCode.SYSTEM_ERROR, "java.lang.NullPointerException");
    const cq = ctx.store.getConsumeQueue(h.topic, h.queueId);
    if (!cq) return fail(request, ResponseCode.SYSTEM_ERROR, `${h.queueId}@${h.topic} is not exist!`);

    const body: QueryConsumeQueueResponseBody = {
      maxQueueIndex: cq.getMaxOffsetInQueue(),
      minQueueIndex: cq.getMinOffsetInQueue(),
    };
    if (h.consumerGroup !== undefined) {
      const subscriptionData = ctx.consumerManager.findSubscriptionData(h.consumerGroup, h.topic);
      if (!subscriptionData) {
        body.filterData = `${h.consumerGroup}@${h.topic} is not online!`;
      } else {
        body.subscriptionData = subscriptionData;
        // a TAG subscription has no filter data: fastjson writes that as "null"
        const filterData = ctx.consumerFilterManager.get(h.topic, h.consumerGroup);
        body.filterData = filterData ? stringifyFastjson(persistedFilterData(filterData), { pretty: true }) : "null";
      }
    }

    const entries = cq.getIndexBuffer(h.index);
    if (!entries)
      return createResponse(request, ResponseCode.SUCCESS, {
        remark: `Index ${h.index} of ${h.queueId}@${h.topic} is not exist!`,
      });
    const queueData: ConsumeQueueData[] = [];
    const end = Math.min(entries.buffer.length, Math.max(0, h.count) * CQ_STORE_UNIT_SIZE);
    for (let pos = 0; pos + CQ_STORE_UNIT_SIZE <= end; pos += CQ_STORE_UNIT_SIZE) {
      const entry = decodeCqEntry(entries.buffer, pos);
      const one: ConsumeQueueData = {
        physicOffset: entry.offset,
        physicSize: entry.size,
        tagsCode: entry.tagsCode,
        eval: false,
      };
      if (entry.tagsCode <= MAX_EXT_ADDR) one.msg = `Cq extend not exist!addr: ${entry.tagsCode}`;
      queueData.push(one);
    }
    body.queueData = queueData;
    return createResponse(request, ResponseCode.SUCCESS, { body: encodeQueryConsumeQueueResponseBody(body) });
  });

  return handlers;
}
