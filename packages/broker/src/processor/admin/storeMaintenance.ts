/**
 * Store clean-ups on an administrator's request (Java's AdminBrokerProcessor cleanExpiredConsumeQueue,
 * cleanUnusedTopic, deleteExpiredCommitLog): CLEAN_EXPIRED_CONSUMEQUEUE (306), CLEAN_UNUSED_TOPIC
 * (316), DELETE_EXPIRED_COMMITLOG (329). None has a header; each answers SUCCESS once the store has
 * done (or, for the commit log, been asked to do) its part.
 */
import { RequestCode } from "@rocketmq-ts/remoting";
import type { BrokerContext } from "../../BrokerContext.js";
import type { ProcessorTable } from "../ProcessorTable.js";
import { ok } from "../answers.js";

export function storeMaintenanceProcessors(ctx: BrokerContext): ProcessorTable {
  const handlers: ProcessorTable = new Map();

  handlers.set(RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE, (request, { remoteAddr }) => {
    ctx.logger.warn({ remoteAddr }, "invoke cleanExpiredConsumeQueue start.");
    const destroyed = ctx.store.cleanExpiredConsumerQueue();
    ctx.logger.warn({ destroyed }, "invoke cleanExpiredConsumeQueue end.");
    return ok(request);
  });

  handlers.set(RequestCode.CLEAN_UNUSED_TOPIC, (request, { remoteAddr }) => {
    ctx.logger.warn({ remoteAddr }, "invoke cleanUnusedTopic start.");
    const destroyed = ctx.store.cleanUnusedTopic(new Set(ctx.topicConfigManager.topicConfigTable.keys()));
    ctx.logger.warn({ destroyed }, "invoke cleanUnusedTopic end.");
    return ok(request);
  });

  handlers.set(RequestCode.DELETE_EXPIRED_COMMITLOG, (request, { remoteAddr }) => {
    ctx.logger.warn({ remoteAddr }, "invoke deleteExpiredCommitLog start.");
    // the store's cleanup rounds (every cleanResourceInterval) do the deleting
    ctx.store.executeDeleteFilesManually();
    ctx.logger.warn("invoke deleteExpiredCommitLog end.");
    return ok(request);
  });

  return handlers;
}
