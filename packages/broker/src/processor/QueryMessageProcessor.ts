/**
 * Message look-ups by key and by offset (Java's QueryMessageProcessor): QUERY_MESSAGE (12),
 * VIEW_MESSAGE_BY_ID (33).
 */
import {
  createResponse,
  decodeHeader,
  encodeHeader,
  QueryMessageRequestHeader,
  QueryMessageResponseHeader,
  RequestCode,
  ResponseCode,
  ViewMessageRequestHeader,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../BrokerContext.js";
import type { ProcessorTable } from "./ProcessorTable.js";
import { fail, ok } from "./answers.js";

export function queryMessageProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.QUERY_MESSAGE, (request) => {
    const h = decodeHeader(QueryMessageRequestHeader, request.extFields);
    const unique = request.extFields?.["_UNIQUE_KEY_QUERY"] === "true";
    const maxNum = unique ? ctx.storeConfig.defaultQueryMaxNum : h.maxNum;
    const result = ctx.store.queryMessage(h.topic, h.key, maxNum, h.beginTimestamp, h.endTimestamp);
    const extFields = encodeHeader(QueryMessageResponseHeader, {
      indexLastUpdateTimestamp: result.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: result.indexLastUpdatePhyoffset,
    });
    const records = result.messages
      .map((m) => ctx.store.selectOneMessageByOffset(m.commitLogOffset, m.storeSize))
      .filter((b): b is Buffer => b !== null);
    if (records.length === 0) {
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, {
        remark: "can not find message, maybe time range not correct",
        extFields,
      });
    }
    return createResponse(request, ResponseCode.SUCCESS, { extFields, body: Buffer.concat(records) });
  });

  handlers.set(RequestCode.VIEW_MESSAGE_BY_ID, (request) => {
    const h = decodeHeader(ViewMessageRequestHeader, request.extFields);
    const record = ctx.store.selectOneMessageByOffset(h.offset);
    if (!record) return fail(request, ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${h.offset}`);
    return ok(request, Buffer.from(record));
  });

  return handlers;
}
