/** Requests the processor tests send, and how they read what a send stored. */
import { decodeMessageId, messageProperties2String } from "@rocketmq-ts/common";
import {
  encodeHeader,
  RequestCode,
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
  sendHeaderV2FromV1,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import type { MessageExt } from "@rocketmq-ts/common";
import { request, type TestBroker } from "./brokerContext.js";

/** A message properties string (`k\u0001v\u0002…`) in the order given. */
export const props = (entries: Record<string, string>): string =>
  messageProperties2String(new Map(Object.entries(entries)));

/**
 * A send of `body` to `fields.topic` by producer group PG, queue 0 unless named, defaults elsewhere;
 * SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE carry the header under its one-letter names, as clients send it.
 */
export function sendRequest(
  fields: Partial<SendMessageRequestHeader> & { topic: string },
  body: Buffer | null = Buffer.from("hello"),
  code: number = RequestCode.SEND_MESSAGE,
): RemotingCommand {
  const header: SendMessageRequestHeader = {
    producerGroup: "PG",
    defaultTopic: "TBW102",
    defaultTopicQueueNums: 4,
    queueId: 0,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    flag: 0,
    unitMode: false,
    batch: false,
    ...fields,
  };
  const v2 = code === RequestCode.SEND_MESSAGE_V2 || code === RequestCode.SEND_BATCH_MESSAGE;
  const extFields = v2
    ? encodeHeader(SendMessageRequestHeaderV2, sendHeaderV2FromV1(header))
    : encodeHeader(SendMessageRequestHeader, header);
  return request(code, extFields, body);
}

/** The answer to a request that always answers (a send, an admin request). */
export async function answer(broker: TestBroker, req: RemotingCommand): Promise<RemotingCommand> {
  const res = await broker.handle(req);
  if (!res) throw new Error(`request ${req.code} got no answer`);
  return res;
}

/** The stored message a successful send answer names. */
export function stored(broker: TestBroker, res: RemotingCommand): MessageExt {
  const msgId = res.extFields?.["msgId"];
  if (!msgId) throw new Error(`no msgId in ${JSON.stringify(res)}`);
  const msg = broker.ctx.store.lookMessageByOffset(decodeMessageId(msgId).commitLogOffset);
  if (!msg) throw new Error(`nothing stored at ${msgId}`);
  return msg;
}
