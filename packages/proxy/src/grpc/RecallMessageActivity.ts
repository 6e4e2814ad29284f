/**
 * RecallMessage (Java 5.3.3's RecallMessageActivity + ProducerProcessor.recallMessage): withdraw a
 * timer message before it is due with the recall handle its SendMessage answer carried.
 *
 * Java semantics kept, in its order: the topic resource is validated; with
 * enableTopicMessageTypeCheck the topic must be DELAY (or MIXED) → MESSAGE_PROPERTY_CONFLICT_WITH_TYPE;
 * a handle that does not decode → INTERNAL_SERVER_ERROR "recall handle is invalid"; the handle's
 * broker is resolved through the route of the topic named as the broker (every broker has one), not
 * found → BAD_REQUEST "cannot find broker <name>"; RECALL_MESSAGE (370) goes to that broker's master
 * with topic, handle and `bname` within 2 s; its failure is the broker's code mapped as any remoting
 * answer (NO_PERMISSION when the broker has recallMessageEnable=false → INTERNAL_SERVER_ERROR with
 * the broker's remark); success answers the message id the broker returned.
 */
import { decodeRecallHandle } from "@rocketmq-ts/common";
import {
  createRequest,
  decodeHeader,
  encodeHeader,
  RecallMessageRequestHeader,
  RecallMessageResponseHeader,
  RequestCode,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import type { ProxyDeps } from "../ProxyDeps.js";
import { Code } from "./Code.js";
import { validateTopic, validateTopicMessageType } from "./GrpcValidator.js";
import { GrpcProxyException, MQBrokerException, OK_STATUS } from "./ResponseBuilder.js";
import type { RecallMessageRequest, RecallMessageResponse } from "./v2types.js";

const RECALL_TIMEOUT_MS = 2000;

export class RecallMessageActivity {
  constructor(private readonly deps: ProxyDeps) {}

  async recallMessage(request: RecallMessageRequest): Promise<RecallMessageResponse> {
    validateTopic(request.topic);
    const topic = request.topic?.name ?? "";
    if (this.deps.config.enableTopicMessageTypeCheck)
      validateTopicMessageType(await this.deps.routes.getTopicMessageType(topic), "DELAY");
    const recallHandle = request.recall_handle ?? "";
    const handle = decodeRecallHandle(recallHandle);
    if (!handle) throw new GrpcProxyException(Code.INTERNAL_SERVER_ERROR, "recall handle is invalid");
    const brokerAddr = await this.masterOf(handle.brokerName);
    const header = encodeHeader(RecallMessageRequestHeader, { topic, recallHandle, bname: handle.brokerName });
    const res = await this.deps.messageService.invoke(
      brokerAddr,
      createRequest(RequestCode.RECALL_MESSAGE, { extFields: header }),
      RECALL_TIMEOUT_MS,
    );
    if (res.code !== ResponseCode.SUCCESS) throw new MQBrokerException(res.code, res.remark, brokerAddr);
    return { status: OK_STATUS, message_id: decodeHeader(RecallMessageResponseHeader, res.extFields).msgId };
  }

  private async masterOf(brokerName: string): Promise<string> {
    let addr: string | null = null;
    try {
      addr = await this.deps.routes.getBrokerAddr(brokerName, brokerName);
    } catch {
      addr = null;
    }
    if (addr === null) throw new GrpcProxyException(Code.BAD_REQUEST, `cannot find broker ${brokerName}`);
    return addr;
  }
}
