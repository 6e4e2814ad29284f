/**
 * Requests a broker sends to a 5.x consumer, carried over its Telemetry stream (Java's
 * GrpcClientChannel.processGetConsumerRunningInfo / processConsumeMessageDirectly and
 * ClientActivity.reportThreadStackTrace / reportVerifyMessageResult).
 *
 * Java semantics kept: GET_CONSUMER_RUNNING_INFO is relayed only with `jstackEnable` (as
 * `print_thread_stack_trace_command`; without it Java answers nothing and the broker's request times
 * out — so does this); the client's `thread_stack_trace` with OK becomes a ConsumerRunningInfo holding
 * only that jstack, VERIFY_FIFO_MESSAGE_UNSUPPORTED → NO_PERMISSION "forbidden to verify message",
 * anything else → SYSTEM_ERROR "verify message failed". CONSUME_MESSAGE_DIRECTLY goes as
 * `verify_message_command` with the message; the client's `verify_message_result` status gives
 * CR_SUCCESS (OK), CR_LATER (FAILED_TO_CONSUME_MESSAGE), CR_RETURN_NULL (MESSAGE_CORRUPTED) or no
 * result at all, remark "from gRPC client". No answer within grpcProxyRelayRequestTimeoutInSeconds →
 * SYSTEM_BUSY "call remote timeout"; a client without a Telemetry stream gets the same in the end.
 */
import {
  decodeRecordAt,
  encodeConsumeMessageDirectlyResult,
  encodeConsumerRunningInfo,
  type CMResult,
} from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  GetConsumerRunningInfoRequestHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import type { ProxyDeps } from "../ProxyDeps.js";
import { Code, codeValue } from "./Code.js";
import type { RelayResult } from "./GrpcChannelManager.js";
import { buildMessage } from "./GrpcConverter.js";
import type { Status, TelemetryCommand } from "./v2types.js";

export class ClientRelay {
  constructor(private readonly deps: Pick<ProxyDeps, "channels" | "now" | "logger">) {}

  /**
   * The answer to `request` (a broker's request to the gRPC client `clientId`), or null when none is
   * given (Java's: the broker's request times out).
   */
  async relay(clientId: string, request: RemotingCommand): Promise<RemotingCommand | null> {
    let command: (nonce: string) => TelemetryCommand;
    switch (request.code) {
      case RequestCode.GET_CONSUMER_RUNNING_INFO: {
        const header = decodeHeader(GetConsumerRunningInfoRequestHeader, request.extFields);
        if (!header.jstackEnable) return null;
        command = (nonce) => ({ print_thread_stack_trace_command: { nonce } });
        break;
      }
      case RequestCode.CONSUME_MESSAGE_DIRECTLY: {
        const message = buildMessage(decodeRecordAt(request.body ?? Buffer.alloc(0), 0), this.deps.now());
        command = (nonce) => ({ verify_message_command: { nonce, message } });
        break;
      }
      default:
        return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, {
          remark: `request code ${request.code} is not relayed to the gRPC client ${clientId}`,
        });
    }
    const { nonce, result } = this.deps.channels.addResponseFuture(this.deps.now());
    const writer = this.deps.channels.getChannel(clientId)?.writer;
    if (writer) writer.write(command(nonce));
    else this.deps.logger.warn({ clientId, code: request.code }, "no telemetry stream to relay the request to");
    const answer = await result;
    return createResponse(request, answer.code, {
      remark: answer.remark,
      ...(answer.body !== undefined ? { body: answer.body } : {}),
    });
  }

  /** The client's `thread_stack_trace` (ClientActivity.reportThreadStackTrace). */
  onThreadStackTrace(status: Status | undefined, reply: { nonce?: string; thread_stack_trace?: string }): void {
    const complete = this.deps.channels.getAndRemoveResponseFuture(reply.nonce ?? "");
    if (!complete) return;
    const code = codeValue(status?.code);
    let answer: RelayResult;
    if (code === Code.OK) {
      const body = encodeConsumerRunningInfo({
        properties: new Map(),
        subscriptionSet: [],
        mqTable: [],
        statusTable: new Map(),
        jstack: reply.thread_stack_trace ?? "",
      });
      answer = { code: ResponseCode.SUCCESS, remark: "", body };
    } else if (code === Code.VERIFY_FIFO_MESSAGE_UNSUPPORTED)
      answer = { code: ResponseCode.NO_PERMISSION, remark: "forbidden to verify message" };
    else answer = { code: ResponseCode.SYSTEM_ERROR, remark: "verify message failed" };
    complete(answer);
  }

  /** The client's `verify_message_result` (ClientActivity.reportVerifyMessageResult). */
  onVerifyMessageResult(status: Status | undefined, reply: { nonce?: string }): void {
    const complete = this.deps.channels.getAndRemoveResponseFuture(reply.nonce ?? "");
    if (!complete) return;
    const code = codeValue(status?.code);
    const consumeResult: CMResult | undefined =
      code === Code.OK
        ? "CR_SUCCESS"
        : code === Code.FAILED_TO_CONSUME_MESSAGE
          ? "CR_LATER"
          : code === Code.MESSAGE_CORRUPTED
            ? "CR_RETURN_NULL"
            : undefined;
    const body = encodeConsumeMessageDirectlyResult({
      order: false,
      autoCommit: true,
      ...(consumeResult !== undefined ? { consumeResult } : {}),
      remark: "from gRPC client",
      spentTimeMills: 0,
    });
    complete({ code: ResponseCode.SUCCESS, remark: "", body });
  }
}
