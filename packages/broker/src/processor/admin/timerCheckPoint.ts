/**
 * GET_TIMER_CHECK_POINT (60, 5.x; Java's AdminBrokerProcessor getTimerCheckPoint): the timer
 * checkpoint as it stands in memory, in TimerCheckpoint.encode's 56 bytes (four longs —
 * lastReadTimeMs, lastTimerLogFlushPos, lastTimerQueueOffset, masterTimerQueueOffset — then the
 * data version's stateVersion, timestamp and counter, big-endian). A slave's SlaveSynchronize takes
 * the read time and the master's timer-queue offset from it every 3 s. Without timer messages
 * (timerWheelEnable=false) Java has no checkpoint and answers SYSTEM_ERROR "The checkpoint is null".
 */
import { RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import { encodeTimerCheckpoint } from "@rocketmq-ts/store";
import type { BrokerContext } from "../../BrokerContext.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { fail, ok } from "../answers.js";

export function timerCheckPointProcessors(ctx: Pick<BrokerContext, "timerMessageStore" | "logger">): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.GET_TIMER_CHECK_POINT, (request, { remoteAddr }) => {
    const checkpoint = ctx.timerMessageStore?.timerCheckpoint;
    if (!checkpoint) {
      ctx.logger.error({ caller: remoteAddr }, "AdminBrokerProcessor#getTimerCheckPoint: checkpoint is null");
      return fail(request, ResponseCode.SYSTEM_ERROR, "The checkpoint is null");
    }
    return ok(request, encodeTimerCheckpoint(checkpoint));
  });

  return handlers;
}
