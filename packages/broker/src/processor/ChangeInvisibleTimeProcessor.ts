/**
 * CHANGE_MESSAGE_INVISIBLETIME (200053), Java 5.3.3's ChangeInvisibleTimeProcessor on its classic
 * path. Non-orderly: a new single-message checkpoint (popTime now, the new invisible time) is written
 * to the same revive queue, then the original checkpoint's message is acked (delivered at its old
 * revive time), so the message comes back at the new time instead. Answer: popTime now, the new
 * invisible time and the revive queue; SYSTEM_ERROR when the checkpoint cannot be stored. Orderly
 * (revive queue 999): the offset's next visible time becomes now + invisibleTime; the answer keeps
 * the POP's popTime with invisibleTime = nextVisible − popTime.
 *
 * Checks as ACK_MESSAGE's except the offset must be below the max offset (else NO_MESSAGE, no remark).
 */
import { parseExtraInfo, PopInfoError, POP_ORDER_REVIVE_QUEUE, type ExtraInfo } from "@rocketmq-ts/common";
import {
  ChangeInvisibleTimeRequestHeader,
  ChangeInvisibleTimeResponseHeader,
  createResponse,
  decodeHeader,
  encodeHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import { ackOfExtraInfo, buildAckMsg, buildCkMsg, newCheckPoint } from "../pop/PopCheckPoint.js";
import { checkAckTarget } from "../pop/popChecks.js";
import type { ProcessorTable } from "./ProcessorTable.js";

/** Java answers from a fresh ChangeInvisibleTimeResponseHeader: its primitives go out as 0. */
const ZERO_HEADER = (): Record<string, string> =>
  encodeHeader(ChangeInvisibleTimeResponseHeader, { popTime: 0, invisibleTime: 0, reviveQid: 0 });

const PUT_OK = new Set(["PUT_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"]);

function changeOrderly(
  ctx: BrokerContext,
  h: ChangeInvisibleTimeRequestHeader,
  info: ExtraInfo,
  request: RemotingCommand,
): RemotingCommand {
  const ok = createResponse(request, ResponseCode.SUCCESS, { extFields: ZERO_HEADER() });
  const oldOffset = ctx.consumerOffsetManager.queryOffset(h.consumerGroup, h.topic, h.queueId);
  if (h.offset < oldOffset) return ok;
  const nextVisibleTime = ctx.popServices.now() + h.invisibleTime;
  ctx.popServices.consumerOrderInfoManager.updateNextVisibleTime(
    h.topic,
    h.consumerGroup,
    h.queueId,
    h.offset,
    info.popTime,
    nextVisibleTime,
  );
  return createResponse(request, ResponseCode.SUCCESS, {
    extFields: encodeHeader(ChangeInvisibleTimeResponseHeader, {
      popTime: info.popTime,
      invisibleTime: nextVisibleTime - info.popTime,
      reviveQid: info.reviveQid,
    }),
  });
}

/** The new checkpoint, then the ack of the original one; false when the checkpoint is not stored. */
async function appendCheckPointThenAckOrigin(
  ctx: BrokerContext,
  h: ChangeInvisibleTimeRequestHeader,
  info: ExtraInfo,
  popTime: number,
): Promise<boolean> {
  const pop = ctx.popServices;
  const ck = newCheckPoint({
    topic: h.topic,
    cid: h.consumerGroup,
    num: 1,
    popTime,
    invisibleTime: h.invisibleTime,
    startOffset: h.offset,
    queueId: h.queueId,
    queueOffsetDiff: [0],
    brokerName: info.brokerName,
  });
  const ckResult = await ctx.store.putMessages([buildCkMsg(pop.reviveOrigin(), ck, info.reviveQid)]);
  if (!PUT_OK.has(ckResult.status)) {
    ctx.logger.error({ status: ckResult.status, ck }, "change Invisible, put new ck error");
    return false;
  }
  const ack = ackOfExtraInfo(h, info);
  try {
    const ackResult = await ctx.store.putMessages([
      buildAckMsg(pop.reviveOrigin(), ack, info.reviveQid, info.popTime + info.invisibleTime),
    ]);
    if (!PUT_OK.has(ackResult.status))
      ctx.logger.error({ status: ackResult.status, ack }, "change Invisible, put ack msg fail");
    return true;
  } catch (err) {
    ctx.logger.error({ err: (err as Error).message, ack }, "change Invisible, put ack msg error");
    return false;
  }
}

async function processChange(
  ctx: BrokerContext,
  request: RemotingCommand,
  remoteAddr: string,
): Promise<RemotingCommand> {
  const h = decodeHeader(ChangeInvisibleTimeRequestHeader, request.extFields);
  const fail = (code: number, remark: string | null): RemotingCommand =>
    createResponse(request, code, { remark, extFields: ZERO_HEADER() });
  const target = checkAckTarget(ctx, h, remoteAddr);
  if ("code" in target) return fail(target.code, target.remark);
  const { minOffset, maxOffset } = target;
  if (h.offset < minOffset || h.offset >= maxOffset) return fail(ResponseCode.NO_MESSAGE, null);
  let info: ExtraInfo;
  try {
    info = parseExtraInfo(h.extraInfo);
  } catch (err) {
    if (err instanceof PopInfoError) return fail(ResponseCode.SYSTEM_ERROR, `${err.name}: ${err.message}`);
    throw err;
  }
  if (info.reviveQid === POP_ORDER_REVIVE_QUEUE) return changeOrderly(ctx, h, info, request);
  const now = ctx.popServices.now();
  const stored = await appendCheckPointThenAckOrigin(ctx, h, info, now);
  if (!stored) return fail(ResponseCode.SYSTEM_ERROR, null);
  return createResponse(request, ResponseCode.SUCCESS, {
    extFields: encodeHeader(ChangeInvisibleTimeResponseHeader, {
      popTime: now,
      invisibleTime: h.invisibleTime,
      reviveQid: info.reviveQid,
    }),
  });
}

export function changeInvisibleTimeProcessors(ctx: BrokerContext): ProcessorTable {
  const change: RequestProcessor = (request, { connection }) => processChange(ctx, request, connection.remoteAddr);
  return new Map([[RequestCode.CHANGE_MESSAGE_INVISIBLETIME, change]]);
}
