/**
 * POLLING_INFO (200055), Java 5.3.3's PollingInfoProcessor: how many POP requests are parked under
 * `topic@group@queueId`, after the checks NOTIFICATION makes.
 */
import { isReadable } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  PollingInfoRequestHeader,
  PollingInfoResponseHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import { checkPopTarget } from "../pop/popChecks.js";
import type { ProcessorTable } from "./ProcessorTable.js";

function processPollingInfo(ctx: BrokerContext, request: RemotingCommand, remoteAddr: string): RemotingCommand {
  const h = decodeHeader(PollingInfoRequestHeader, request.extFields);
  const answer = (code: number, remark: string | null, pollingNum: number): RemotingCommand =>
    createResponse(request, code, { remark, extFields: encodeHeader(PollingInfoResponseHeader, { pollingNum }) });
  const bc = ctx.brokerConfig;
  if (!isReadable(bc.brokerPermission))
    return answer(ResponseCode.NO_PERMISSION, `the broker[${bc.brokerIP1}] peeking message is forbidden`, 0);
  const target = checkPopTarget(ctx, h, remoteAddr);
  if ("code" in target) return answer(target.code, target.remark, 0);
  return answer(
    ResponseCode.SUCCESS,
    null,
    ctx.popServices.popLongPolling.pollingNum(h.topic, h.consumerGroup, h.queueId),
  );
}

export function pollingInfoProcessors(ctx: BrokerContext): ProcessorTable {
  const info: RequestProcessor = (request, { connection }) => processPollingInfo(ctx, request, connection.remoteAddr);
  return new Map([[RequestCode.POLLING_INFO, info]]);
}
