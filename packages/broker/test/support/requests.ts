/** Requests the processor tests send, and how they read what a send stored. */
import { decodeMessageId, messageProperties2String } from "@rocketmq-ts/common";
import {
  encodePartialHeader,
  RequestCode,
  SendMessageRequestHeader,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import type { MessageExt } from "@rocketmq-ts/common";
import { request, type TestBroker } from "./brokerContext.js";

/** A message properties string (`k\u0001v\u0002…`) in the order given. */
export const props = (entries: Record<string, string>): string =>
  messageProperties2String(new Map(Object.entries(entries)));

/** SendMessageRequestHeader's long names → SEND_MESSAGE_V2's letters (Java's SendMessageRequestHeaderV2). */
const V2_LETTERS: Readonly<Record<string, string>> = {
  producerGroup: "a",
  topic: "b",
  defaultTopic: "c",
  defaultTopicQueueNums: "d",
  queueId: "e",
  sysFlag: "f",
  bornTimestamp: "g",
  flag: "h",
  properties: "i",
  reconsumeTimes: "j",
  unitMode: "k",
  maxReconsumeTimes: "l",
  batch: "m",
  bname: "n",
};

/**
 * A send of `body` to `fields.topic` by producer group PG, queue 0 unless named, defaults elsewhere;
 * SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE carry the header under its one-letter names, as clients send it.
 */
export function sendRequest(
  fields: Partial<SendMessageRequestHeader> & { topic: string },
  body: Buffer | null = Buffer.from("hello"),
  code: number = RequestCode.SEND_MESSAGE,
): RemotingCommand {
  const header = encodePartialHeader(SendMessageRequestHeader, {
    producerGroup: "PG",
    defaultTopic: "TBW102",
    defaultTopicQueueNums: 4,
    queueId: 0,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    flag: 0,
    ...fields,
  });
  if (code !== RequestCode.SEND_MESSAGE_V2 && code !== RequestCode.SEND_BATCH_MESSAGE)
    return request(code, header, body);
  const v2: Record<string, string> = {};
  for (const [key, value] of Object.entries(header)) if (value !== null) v2[V2_LETTERS[key] ?? key] = value;
  return request(code, v2, body);
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
