/**
 * The broker's configuration (Java's AdminBrokerProcessor getBrokerConfig, updateBrokerConfig):
 * GET_BROKER_CONFIG (26), UPDATE_BROKER_CONFIG (25).
 */
import { parseProperties, type ConfigError } from "@rocketmq-ts/common";
import {
  createResponse,
  encodeHeader,
  GetBrokerConfigResponseHeader,
  RequestCode,
  ResponseCode,
  stringifyFastjson,
} from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { fail, ok } from "../answers.js";

/** Keys UPDATE_BROKER_CONFIG never changes, besides those of configBlackList (Java's defaults). */
const ALWAYS_BLACK_LISTED = ["brokerConfigPath", "rocketmqHome", "configBlackList"];

export function brokerConfigProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.GET_BROKER_CONFIG, (request) =>
    createResponse(request, ResponseCode.SUCCESS, {
      extFields: encodeHeader(GetBrokerConfigResponseHeader, {
        version: stringifyFastjson(ctx.configuration.dataVersion()),
      }),
      body: Buffer.from(ctx.configuration.lines().join("\n") + "\n", "utf8"),
    }),
  );

  handlers.set(RequestCode.UPDATE_BROKER_CONFIG, (request) => {
    if (!request.body || request.body.length === 0) return ok(request);
    const props = parseProperties(request.body.toString("utf8"));
    const blackList = new Set([...ALWAYS_BLACK_LISTED, ...ctx.brokerConfig.configBlackList.split(";")]);
    if ([...props.keys()].some((k) => blackList.has(k)))
      return fail(request, ResponseCode.NO_PERMISSION, "Can not update config in black list.");
    try {
      ctx.configuration.update(props);
    } catch (e) {
      return fail(request, ResponseCode.SYSTEM_ERROR, (e as ConfigError).message);
    }
    return ok(request);
  });

  return handlers;
}
