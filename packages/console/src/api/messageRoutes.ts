/** The Message page's API (and the Topic page's "send a test message"). */
import type { FastifyPluginAsync } from "fastify";
import type { ConsoleServices } from "../ConsoleServices.js";
import { messageView } from "../service/MessageService.js";

const str = { type: "string", minLength: 1, maxLength: 1024 } as const;

export const messageRoutes =
  (services: ConsoleServices): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { topic: string; begin: number; end: number; page?: number; pageSize?: number } }>(
      "/api/messages/by-time",
      {
        schema: {
          querystring: {
            type: "object",
            properties: {
              topic: str,
              begin: { type: "integer", minimum: 0 },
              end: { type: "integer", minimum: 0 },
              page: { type: "integer", minimum: 1, default: 1 },
              pageSize: { type: "integer", minimum: 1, maximum: 500, default: 20 },
            },
            required: ["topic", "begin", "end"],
          },
        },
      },
      async (request) => {
        const q = request.query;
        return services.messages.byTimeRange(q.topic, q.begin, q.end, q.page ?? 1, q.pageSize ?? 20);
      },
    );

    app.get<{ Querystring: { topic: string; key: string } }>(
      "/api/messages/by-key",
      {
        schema: {
          querystring: { type: "object", properties: { topic: str, key: str }, required: ["topic", "key"] },
        },
      },
      async (request) => ({ messages: await services.messages.byKey(request.query.topic, request.query.key) }),
    );

    app.get<{ Querystring: { topic: string; msgId: string } }>(
      "/api/messages/by-id",
      {
        schema: {
          querystring: { type: "object", properties: { topic: str, msgId: str }, required: ["topic", "msgId"] },
        },
      },
      async (request) => ({
        messages: [messageView(await services.messages.byId(request.query.topic, request.query.msgId))],
      }),
    );

    app.get<{ Querystring: { topic: string; msgId: string } }>(
      "/api/messages/detail",
      {
        schema: {
          querystring: { type: "object", properties: { topic: str, msgId: str }, required: ["topic", "msgId"] },
        },
      },
      async (request) => services.messages.detail(request.query.topic, request.query.msgId),
    );

    app.post<{ Body: { topic: string; group: string; msgId: string; clientId?: string } }>(
      "/api/messages/consume-again",
      {
        schema: {
          body: {
            type: "object",
            properties: { topic: str, group: str, msgId: str, clientId: str },
            required: ["topic", "group", "msgId"],
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        const b = request.body;
        return services.messages.consumeAgain(b.group, b.topic, b.msgId, b.clientId);
      },
    );

    app.post<{ Params: { topic: string }; Body: { body: string; tags?: string; keys?: string } }>(
      "/api/topics/:topic/send",
      {
        schema: {
          body: {
            type: "object",
            properties: {
              body: { type: "string", minLength: 1, maxLength: 4 * 1024 * 1024 },
              tags: { type: "string", maxLength: 255 },
              keys: { type: "string", maxLength: 1024 },
            },
            required: ["body"],
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        const b = request.body;
        return services.messages.sendTest(request.params.topic, b.body, b.tags ?? "", b.keys ?? "");
      },
    );
  };
