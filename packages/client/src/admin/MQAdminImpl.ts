/**
 * The message and queue calls of the admin client (Java's MQAdminImpl): query messages by key or
 * unique key, view one by its offset id, pull from a queue as the tools do, queue offsets.
 */
import { decodeMessageId, formatHost } from "@rocketmq-ts/common";
import {
  encodeHeader,
  GetMaxOffsetRequestHeader,
  GetMinOffsetRequestHeader,
  OffsetResponseHeader,
  PullMessageRequestHeader,
  QueryMessageRequestHeader,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  ViewMessageRequestHeader,
  type ExtFields,
} from "@rocketmq-ts/remoting";
import { decodePulledMessages } from "../consumer/decodeMessages.js";
import { processPullResult, pullResultOf, type PullStatus } from "../consumer/PullAPIWrapper.js";
import { decodeHeaderLeniently } from "../impl/headers.js";
import { createRequest } from "../impl/requests.js";
import type { MessageExt, MessageQueue } from "../message/Message.js";
import type { MQAdminClient } from "../MQAdminClient.js";
import { MQClientException } from "../MQClientException.js";
import { selectBrokerAddr } from "./adminBodies.js";

export class MQAdminImpl {
  constructor(private readonly admin: MQAdminClient) {}

  /** QUERY_MESSAGE by key on every broker set of the topic; keeps messages whose KEYS contain `key`. */
  async queryMessageByKey(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<MessageExt[]> {
    const ext = encodeHeader(QueryMessageRequestHeader, {
      topic,
      key,
      maxNum,
      beginTimestamp: begin,
      endTimestamp: end,
    });
    const out = (await this.queryMessageOnEveryBroker(topic, ext)).filter((m) =>
      (m.keys ?? "").split(" ").includes(key),
    );
    if (out.length === 0)
      throw new MQClientException(ResponseCode.NO_MESSAGE, `query message by key finished, but no message.`);
    return out;
  }

  /** VIEW_MESSAGE_BY_ID: the offset message id names the store host and the commit-log offset. */
  async viewMessage(offsetMsgId: string): Promise<MessageExt> {
    const { storeHost, commitLogOffset } = decodeMessageId(offsetMsgId);
    const res = await this.admin.call(
      formatHost(storeHost),
      createRequest(RequestCode.VIEW_MESSAGE_BY_ID, {
        extFields: encodeHeader(ViewMessageRequestHeader, { offset: commitLogOffset }),
      }),
    );
    const msg = res.body ? decodePulledMessages(res.body, "")[0] : undefined;
    if (!msg) throw new MQClientException(ResponseCode.SYSTEM_ERROR, "the message body is empty");
    return msg;
  }

  /** QUERY_MESSAGE with `_UNIQUE_KEY_QUERY`: the message whose UNIQ_KEY is `msgId` (newest store time wins). */
  async viewMessageByUniqKey(topic: string, msgId: string): Promise<MessageExt> {
    // Java adds the `_UNIQUE_KEY_QUERY` field to the header's fields
    const ext = {
      _UNIQUE_KEY_QUERY: "true",
      ...encodeHeader(QueryMessageRequestHeader, {
        topic,
        key: msgId,
        maxNum: 32,
        beginTimestamp: 0,
        // Long.MAX_VALUE: the header writes 2^63 clamped to Java's long range
        endTimestamp: 2 ** 63,
      }),
    };
    const found = (await this.queryMessageOnEveryBroker(topic, ext)).filter((m) => m.msgId === msgId);
    const newest = found.sort((a, b) => b.storeTimestamp - a.storeTimestamp)[0];
    if (!newest) throw new MQClientException(ResponseCode.NO_MESSAGE, "query message by key finished, but no message.");
    return newest;
  }

  /** QUERY_MESSAGE on one address of every broker set of the topic; the records they answer with. */
  private async queryMessageOnEveryBroker(topic: string, extFields: ExtFields): Promise<MessageExt[]> {
    const route = await this.admin.examineTopicRouteInfo(topic);
    const out: MessageExt[] = [];
    for (const bd of route.brokerDatas) {
      const addr = selectBrokerAddr(bd.brokerAddrs);
      if (!addr) continue;
      const res = await this.admin.remoting.invokeSync(
        addr,
        createRequest(RequestCode.QUERY_MESSAGE, { extFields: { ...extFields } }),
        15_000,
      );
      if (res.code === ResponseCode.SUCCESS && res.body) out.push(...decodePulledMessages(res.body, bd.brokerName));
    }
    return out;
  }

  private async brokerAddrOf(mq: { topic: string; brokerName: string }): Promise<string> {
    const route = await this.admin.examineTopicRouteInfo(mq.topic);
    const bd = route.brokerDatas.find((b) => b.brokerName === mq.brokerName);
    const addr = bd ? selectBrokerAddr(bd.brokerAddrs) : undefined;
    if (!addr) throw new MQClientException(-1, `The broker[${mq.brokerName}] not exist`);
    return addr;
  }

  /**
   * DefaultMQPullConsumer.pull(mq, "*", offset, maxNums) as the tools use it: status FOUND /
   * NO_NEW_MSG / NO_MATCHED_MSG / OFFSET_ILLEGAL, the next offset and the messages.
   */
  async pull(
    mq: MessageQueue,
    offset: number,
    maxNums: number,
    group = "TOOLS_CONSUMER",
  ): Promise<{ status: PullStatus; nextBeginOffset: number; messages: MessageExt[] }> {
    const res = await this.admin.remoting.invokeSync(
      await this.brokerAddrOf(mq),
      createRequest(RequestCode.PULL_MESSAGE, {
        extFields: encodeHeader(PullMessageRequestHeader, {
          consumerGroup: group,
          topic: mq.topic,
          queueId: mq.queueId,
          queueOffset: offset,
          maxMsgNums: maxNums,
          sysFlag: 4,
          commitOffset: 0,
          suspendTimeoutMillis: 20000,
          subscription: "*",
          subVersion: 0,
          expressionType: "TAG",
          bname: mq.brokerName,
        }),
      }),
      this.admin.timeoutMillis,
    );
    const result = pullResultOf(res);
    const status = result.pullStatus;
    if (!status) throw new MQClientException(res.code, res.remark ?? "");
    const messages = processPullResult(result, mq, { tagsSet: [] });
    // as Java's PullAPIWrapper: the queue's range travels with every pulled message
    for (const m of messages) {
      m.properties.set("MIN_OFFSET", String(result.minOffset ?? 0));
      m.properties.set("MAX_OFFSET", String(result.maxOffset ?? 0));
    }
    return { status, nextBeginOffset: result.nextBeginOffset ?? offset, messages };
  }

  /** One message at a queue offset (what DefaultMQPullConsumer.pull(mq, "*", offset, 1) fetches); null if none. */
  async pullOne(mq: MessageQueue, offset: number): Promise<MessageExt | null> {
    const r = await this.pull(mq, offset, 1).catch((err: unknown) => {
      this.admin.logger?.debug({ err, mq, offset }, "pullOne: no message");
      return null;
    });
    return r?.messages[0] ?? null;
  }

  /** GET_MIN_OFFSET / GET_MAX_OFFSET / SEARCH_OFFSET_BY_TIMESTAMP of a queue. */
  async queueOffset(kind: "min" | "max" | { timestamp: number }, mq: MessageQueue): Promise<number> {
    const queue = { topic: mq.topic, queueId: mq.queueId };
    const request =
      kind === "min"
        ? createRequest(RequestCode.GET_MIN_OFFSET, { extFields: encodeHeader(GetMinOffsetRequestHeader, queue) })
        : kind === "max"
          ? createRequest(RequestCode.GET_MAX_OFFSET, { extFields: encodeHeader(GetMaxOffsetRequestHeader, queue) })
          : createRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, {
              extFields: encodeHeader(SearchOffsetRequestHeader, { ...queue, timestamp: kind.timestamp }),
            });
    const res = await this.admin.call(await this.brokerAddrOf(mq), request);
    return decodeHeaderLeniently(OffsetResponseHeader, res.extFields).offset ?? 0;
  }
}
