/**
 * ACK_MESSAGE (200051) and BATCH_ACK_MESSAGE (200151), Java 5.3.3's AckMessageProcessor on its
 * classic path: an ack of a non-orderly POP is written at once as an `ack` (one offset) or `bAck`
 * (several) record to the checkpoint's revive queue, delivered by the timer at the messages' revive
 * time, where the revive service matches it with its checkpoint. An orderly ack (revive queue 999)
 * marks the offset consumed in ConsumerOrderInfoManager and moves the consumer offset to the first
 * un-acked one, waking pollers when the queue is no longer blocked.
 *
 * Java's answers: topic missing TOPIC_NOT_EXIST; queueId out of range MESSAGE_ILLEGAL; offset outside
 * [min, max] NO_MESSAGE; a batch body without acks NO_MESSAGE; an orderly ack of an offset the last
 * orderly POP did not hand out MESSAGE_ILLEGAL; otherwise SUCCESS, even when the ack record could
 * not be stored (logged). A malformed extraInfo is answered with SYSTEM_ERROR and its reason (Java
 * throws out of the processor).
 */
import { parseExtraInfo, POP_ORDER_REVIVE_QUEUE, PopInfoError, realTopicOf } from "@rocketmq-ts/common";
import {
  AckMessageRequestHeader,
  BatchAckBodyError,
  createResponse,
  decodeBatchAckBody,
  decodeHeader,
  RequestCode,
  ResponseCode,
  type BatchAck,
  type RemotingCommand,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import { ackOfExtraInfo, buildAckMsg, type AckMsg } from "../pop/PopCheckPoint.js";
import { checkAckTarget, javaRemoteAddress } from "../pop/popChecks.js";
import type { ProcessorTable } from "./ProcessorTable.js";

const PUT_OK = new Set(["PUT_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"]);

interface AckAnswer {
  code: number;
  remark: string | null;
}

/** Java's ackOrderly: commit the offset in the order info, move the consumer offset, wake pollers. */
export function ackOrderly(
  ctx: BrokerContext,
  topic: string,
  group: string,
  queueId: number,
  ackOffset: number,
  popTime: number,
  invisibleTime: number,
  remoteAddr: string,
  answer: AckAnswer,
): void {
  const pop = ctx.popServices;
  const lockKey = `${topic}@${group}@${queueId}`;
  const oldOffset = ctx.consumerOffsetManager.queryOffset(group, topic, queueId);
  if (ackOffset < oldOffset) return;
  // an orderly POP never holds the queue lock across an await, so it is free here (Java spins on it)
  const locked = pop.queueLockManager.tryLock(lockKey);
  try {
    const nextOffset = pop.consumerOrderInfoManager.commitAndNext(topic, group, queueId, ackOffset, popTime);
    if (nextOffset > -1) {
      ctx.consumerOffsetManager.commitOffset(group, topic, queueId, nextOffset);
      if (!pop.consumerOrderInfoManager.checkBlock(null, topic, group, queueId, invisibleTime))
        pop.notifyGroupArriving(topic, queueId, group);
    } else if (nextOffset === -1) {
      answer.code = ResponseCode.MESSAGE_ILLEGAL;
      answer.remark = `offset is illegal, key:${lockKey}, old:${oldOffset}, commit:${ackOffset}, next:${nextOffset}, ${javaRemoteAddress(remoteAddr)}`;
    }
  } finally {
    if (locked) pop.queueLockManager.unLock(lockKey);
  }
}

/** Write the ack record to its revive queue; a failed put is logged, the answer stays SUCCESS. */
async function putAck(ctx: BrokerContext, ack: AckMsg, reviveQid: number, deliverTimeMs: number): Promise<void> {
  const msg = buildAckMsg(ctx.popServices.reviveOrigin(), ack, reviveQid, deliverTimeMs);
  try {
    const result = await ctx.store.putMessages([msg]);
    if (!PUT_OK.has(result.status)) ctx.logger.error({ status: result.status, ack }, "put ack msg error");
  } catch (err) {
    ctx.logger.error({ err: (err as Error).message }, "put ack msg error");
  }
}

async function ackOne(
  ctx: BrokerContext,
  h: AckMessageRequestHeader,
  remoteAddr: string,
  answer: AckAnswer,
): Promise<void> {
  const info = parseExtraInfo(h.extraInfo);
  if (info.reviveQid === POP_ORDER_REVIVE_QUEUE) {
    ackOrderly(
      ctx,
      h.topic,
      h.consumerGroup,
      h.queueId,
      h.offset,
      info.popTime,
      info.invisibleTime,
      remoteAddr,
      answer,
    );
    return;
  }
  await putAck(ctx, ackOfExtraInfo(h, info), info.reviveQid, info.popTime + info.invisibleTime);
}

async function ackBatch(
  ctx: BrokerContext,
  b: BatchAck,
  brokerName: string | null,
  remoteAddr: string,
  answer: AckAnswer,
): Promise<void> {
  const topic = realTopicOf(b.t, b.c, b.r);
  const store = ctx.store;
  const minOffset = store.getMinOffsetInQueue(topic, b.q);
  const maxOffset = store.getMaxOffsetInQueue(topic, b.q);
  if (minOffset === -1 || maxOffset === -1) {
    ctx.logger.error({ batchAck: b }, "Illegal topic or queue found when batch ack");
    return;
  }
  const offsets: number[] = [];
  for (const offset of b.offsets) {
    if (offset < minOffset || offset > maxOffset) continue;
    if (b.rq === POP_ORDER_REVIVE_QUEUE) ackOrderly(ctx, topic, b.c, b.q, offset, b.pt, b.it, remoteAddr, answer);
    else offsets.push(offset);
  }
  if (b.rq === POP_ORDER_REVIVE_QUEUE || offsets.length === 0) return;
  await putAck(
    ctx,
    {
      ackOffset: -1,
      startOffset: b.so,
      consumerGroup: b.c,
      topic,
      queueId: b.q,
      popTime: b.pt,
      brokerName,
      ackOffsetList: offsets,
    },
    b.rq,
    b.pt + b.it,
  );
}

async function processAck(ctx: BrokerContext, request: RemotingCommand, remoteAddr: string): Promise<RemotingCommand> {
  const answer: AckAnswer = { code: ResponseCode.SUCCESS, remark: null };
  const respond = (): RemotingCommand => createResponse(request, answer.code, { remark: answer.remark });
  const fail = (code: number, remark: string | null): RemotingCommand => createResponse(request, code, { remark });
  try {
    if (request.code === RequestCode.ACK_MESSAGE) {
      const h = decodeHeader(AckMessageRequestHeader, request.extFields);
      const target = checkAckTarget(ctx, h, remoteAddr);
      if ("code" in target) return fail(target.code, target.remark);
      const { minOffset, maxOffset } = target;
      if (h.offset < minOffset || h.offset > maxOffset)
        return fail(
          ResponseCode.NO_MESSAGE,
          `offset is illegal, key:${h.topic}@${h.queueId}, commit:${h.offset}, store:${minOffset}~${maxOffset}`,
        );
      await ackOne(ctx, h, remoteAddr, answer);
      return respond();
    }
    const body = request.body === null ? null : decodeBatchAckBody(request.body);
    if (!body || body.acks.length === 0) return fail(ResponseCode.NO_MESSAGE, null);
    for (const b of body.acks) await ackBatch(ctx, b, body.brokerName, remoteAddr, answer);
    return respond();
  } catch (err) {
    if (err instanceof PopInfoError || err instanceof BatchAckBodyError)
      return fail(ResponseCode.SYSTEM_ERROR, `${err.name}: ${err.message}`);
    throw err;
  }
}

export function ackMessageProcessors(ctx: BrokerContext): ProcessorTable {
  const ack: RequestProcessor = (request, { connection }) => processAck(ctx, request, connection.remoteAddr);
  return new Map([
    [RequestCode.ACK_MESSAGE, ack],
    [RequestCode.BATCH_ACK_MESSAGE, ack],
  ]);
}
