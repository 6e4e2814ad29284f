/**
 * Requests mqadmin sends a consumer through the broker (Java's AdminBrokerProcessor
 * getConsumerRunningInfo, consumeMessageDirectly): GET_CONSUMER_RUNNING_INFO (307),
 * CONSUME_MESSAGE_DIRECTLY (309), relayed to the named client and answered with its answer.
 */
import { decodeMessageId } from "@rocketmq-ts/common";
import {
  ConsumeMessageDirectlyResultRequestHeader,
  createRequest,
  createResponse,
  decodeHeader,
  GetConsumerRunningInfoRequestHeader,
  RequestCode,
  ResponseCode,
  versionDesc,
  type RemotingCommand,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { fail } from "../answers.js";

/** Relay the request to the named client of the group and answer with its answer. */
const relayToConsumer =
  (ctx: BrokerContext, code: number): RequestProcessor =>
  async (request: RemotingCommand) => {
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

export function consumerRelayProcessors(ctx: BrokerContext): ProcessorTable {
  return new Map([
    [RequestCode.GET_CONSUMER_RUNNING_INFO, relayToConsumer(ctx, RequestCode.GET_CONSUMER_RUNNING_INFO)],
    [RequestCode.CONSUME_MESSAGE_DIRECTLY, relayToConsumer(ctx, RequestCode.CONSUME_MESSAGE_DIRECTLY)],
  ]);
}
