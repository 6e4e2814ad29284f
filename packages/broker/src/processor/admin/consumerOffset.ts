/**
 * Consumer and delay offsets as a whole (Java's AdminBrokerProcessor getAllConsumerOffset,
 * getAllDelayOffset, resetOffset): GET_ALL_CONSUMER_OFFSET (43) and GET_ALL_DELAY_OFFSET (45),
 * which slaves sync, and INVOKE_BROKER_TO_RESET_OFFSET (222), pushed to the group's consumers.
 */
import {
  createRequest,
  createResponse,
  decodeHeader,
  RequestCode,
  ResetOffsetRequestHeader,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { MessageQueueKey } from "../../client/RebalanceLockManager.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { brokerQueue, fail, jsonBody, NOT_SET_REMARK, ok } from "../answers.js";

export function consumerOffsetProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.GET_ALL_CONSUMER_OFFSET, (request) => {
    // an empty table is still an answer ({"offsetTable":{}}), which slaves sync
    return ok(request, jsonBody({ offsetTable: ctx.consumerOffsetManager.offsetTable }));
  });

  handlers.set(RequestCode.GET_ALL_DELAY_OFFSET, (request) => {
    const table = ctx.scheduleMessageService.offsetTable;
    return ok(request, jsonBody({ offsetTable: new Map([...table].sort((a, b) => a[0] - b[0])) }));
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
      offsetTable.set(brokerQueue(ctx, h.topic, q), h.isForce || target < committed ? target : committed);
    }
    const group = ctx.consumerManager.getConsumerGroupInfo(h.group);
    if (!group || group.channelInfoTable.size === 0) {
      return fail(
        request,
        ResponseCode.CONSUMER_NOT_ONLINE,
        `Consumer not online, so can not reset offset, Group: ${h.group} Topic: ${h.topic} Timestamp: ${h.timestamp}`,
      );
    }
    const body = jsonBody({ offsetTable });
    for (const info of group.channelInfoTable.values()) {
      const push = createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, {
        extFields: { topic: h.topic, group: h.group, timestamp: String(h.timestamp), isForce: "false" },
        body,
      });
      await ctx.invokeClientOneway(info.connection, push).catch(() => undefined);
    }
    return createResponse(request, ResponseCode.SUCCESS, { remark: NOT_SET_REMARK, body });
  });

  return handlers;
}
