/** The Topic page's API: list (kinds, search, paging), create/update, delete, route, status. */
import type { FastifyPluginAsync } from "fastify";
import type { ConsoleServices } from "../ConsoleServices.js";
import type { TopicKind } from "../service/TopicService.js";

const KINDS = ["NORMAL", "RETRY", "DLQ", "SYSTEM"] as const;
const topicName = { type: "string", minLength: 1, maxLength: 255, pattern: "^[%|a-zA-Z0-9_-]+$" } as const;

export const topicRoutes =
  (services: ConsoleServices): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { kind?: string; search?: string; page?: number; pageSize?: number } }>(
      "/api/topics",
      {
        schema: {
          querystring: {
            type: "object",
            properties: {
              kind: { type: "string", pattern: "^((NORMAL|RETRY|DLQ|SYSTEM)(,(NORMAL|RETRY|DLQ|SYSTEM))*)?$" },
              search: { type: "string", maxLength: 255 },
              page: { type: "integer", minimum: 1, default: 1 },
              pageSize: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
            },
          },
        },
      },
      async (request) => {
        const q = request.query;
        const kinds = (q.kind ?? "").split(",").filter((k): k is TopicKind => (KINDS as readonly string[]).includes(k));
        return services.topics.list({ kinds, search: q.search ?? "", page: q.page ?? 1, pageSize: q.pageSize ?? 50 });
      },
    );

    app.post<{
      Body: {
        topic: string;
        readQueueNums: number;
        writeQueueNums: number;
        perm: number;
        order?: boolean;
        clusterNames?: string[];
        brokerNames?: string[];
      };
    }>(
      "/api/topics",
      {
        schema: {
          body: {
            type: "object",
            properties: {
              topic: topicName,
              readQueueNums: { type: "integer", minimum: 1, maximum: 1024 },
              writeQueueNums: { type: "integer", minimum: 1, maximum: 1024 },
              perm: { type: "integer", enum: [2, 4, 6] },
              order: { type: "boolean" },
              clusterNames: { type: "array", items: { type: "string" } },
              brokerNames: { type: "array", items: { type: "string" } },
            },
            required: ["topic", "readQueueNums", "writeQueueNums", "perm"],
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        const b = request.body;
        const brokers = await services.topics.createOrUpdate({
          topic: b.topic,
          readQueueNums: b.readQueueNums,
          writeQueueNums: b.writeQueueNums,
          perm: b.perm,
          order: b.order ?? false,
          clusterNames: b.clusterNames ?? [],
          brokerNames: b.brokerNames ?? [],
        });
        return { topic: b.topic, brokers };
      },
    );

    app.delete<{ Params: { topic: string }; Querystring: { clusterName?: string } }>(
      "/api/topics/:topic",
      { schema: { params: { type: "object", properties: { topic: topicName }, required: ["topic"] } } },
      async (request) => ({
        topic: request.params.topic,
        ...(await services.topics.delete(request.params.topic, request.query.clusterName)),
      }),
    );

    app.get<{ Params: { topic: string } }>("/api/topics/:topic/route", async (request) => {
      const route = await services.topics.route(request.params.topic);
      return {
        ...route,
        brokerDatas: route.brokerDatas.map((b) => ({ ...b, brokerAddrs: Object.fromEntries(b.brokerAddrs) })),
      };
    });

    app.get<{ Params: { topic: string } }>("/api/topics/:topic/status", async (request) => ({
      topic: request.params.topic,
      queues: await services.topics.status(request.params.topic),
    }));
  };
