/** The Consumer and Producer pages' API. */
import type { FastifyPluginAsync } from "fastify";
import type { ConsoleServices } from "../ConsoleServices.js";

const groupName = { type: "string", minLength: 1, maxLength: 255, pattern: "^[%|a-zA-Z0-9_-]+$" } as const;
const nameList = { type: "array", items: { type: "string", minLength: 1 } } as const;

export const consumerRoutes =
  (services: ConsoleServices): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Querystring: { search?: string; page?: number; pageSize?: number; system?: boolean } }>(
      "/api/consumers",
      {
        schema: {
          querystring: {
            type: "object",
            properties: {
              search: { type: "string", maxLength: 255 },
              page: { type: "integer", minimum: 1, default: 1 },
              pageSize: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
              system: { type: "boolean", default: false },
            },
          },
        },
      },
      async (request) => {
        await services.collector.ready();
        const q = request.query;
        return services.consumers.list({
          search: q.search ?? "",
          page: q.page ?? 1,
          pageSize: q.pageSize ?? 50,
          includeSystem: q.system ?? false,
        });
      },
    );

    app.get<{ Params: { group: string } }>(
      "/api/consumers/:group",
      { schema: { params: { type: "object", properties: { group: groupName }, required: ["group"] } } },
      async (request) => services.consumers.detail(request.params.group),
    );

    app.post<{
      Body: {
        group: string;
        consumeEnable?: boolean;
        consumeBroadcastEnable?: boolean;
        retryQueueNums?: number;
        retryMaxTimes?: number;
        brokerId?: number;
        whichBrokerWhenConsumeSlowly?: number;
        clusterNames?: string[];
        brokerNames?: string[];
      };
    }>(
      "/api/consumers",
      {
        schema: {
          body: {
            type: "object",
            properties: {
              group: groupName,
              consumeEnable: { type: "boolean" },
              consumeBroadcastEnable: { type: "boolean" },
              retryQueueNums: { type: "integer", minimum: 0, maximum: 1024 },
              retryMaxTimes: { type: "integer", minimum: -1, maximum: 1000 },
              brokerId: { type: "integer", minimum: 0 },
              whichBrokerWhenConsumeSlowly: { type: "integer", minimum: 0 },
              clusterNames: nameList,
              brokerNames: nameList,
            },
            required: ["group"],
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        const b = request.body;
        const brokers = await services.consumers.createOrUpdate({
          group: b.group,
          consumeEnable: b.consumeEnable ?? true,
          consumeBroadcastEnable: b.consumeBroadcastEnable ?? true,
          retryQueueNums: b.retryQueueNums ?? 1,
          retryMaxTimes: b.retryMaxTimes ?? 16,
          brokerId: b.brokerId ?? 0,
          whichBrokerWhenConsumeSlowly: b.whichBrokerWhenConsumeSlowly ?? 1,
          clusterNames: b.clusterNames ?? [],
          brokerNames: b.brokerNames ?? [],
        });
        return { group: b.group, brokers };
      },
    );

    app.delete<{ Params: { group: string }; Body: { clusterNames?: string[]; brokerNames?: string[] } | undefined }>(
      "/api/consumers/:group",
      { schema: { params: { type: "object", properties: { group: groupName }, required: ["group"] } } },
      async (request) => ({
        group: request.params.group,
        brokers: await services.consumers.delete(
          request.params.group,
          request.body?.clusterNames ?? [],
          request.body?.brokerNames ?? [],
        ),
      }),
    );

    app.post<{ Params: { group: string }; Body: { topic: string; timestamp: number; force?: boolean } }>(
      "/api/consumers/:group/reset-offset",
      {
        schema: {
          params: { type: "object", properties: { group: groupName }, required: ["group"] },
          body: {
            type: "object",
            properties: {
              topic: { type: "string", minLength: 1 },
              timestamp: { type: "integer", minimum: -1 },
              force: { type: "boolean" },
            },
            required: ["topic", "timestamp"],
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        const { topic, timestamp, force } = request.body;
        const offsets = await services.consumers.resetOffset(request.params.group, topic, timestamp, force ?? true);
        request.log.info({ group: request.params.group, topic, timestamp }, "consumer offset reset");
        return { group: request.params.group, topic, timestamp, offsets };
      },
    );

    app.get<{ Params: { group: string }; Querystring: { clientId: string } }>(
      "/api/consumers/:group/running-info",
      {
        schema: {
          params: { type: "object", properties: { group: groupName }, required: ["group"] },
          querystring: {
            type: "object",
            properties: { clientId: { type: "string", minLength: 1 } },
            required: ["clientId"],
          },
        },
      },
      async (request) => services.consumers.runningInfo(request.params.group, request.query.clientId),
    );

    app.get<{ Params: { topic: string } }>("/api/topics/:topic/consumers", async (request) => ({
      topic: request.params.topic,
      groups: await services.consumers.consumersOf(request.params.topic),
    }));

    app.get<{ Querystring: { group: string; topic: string } }>(
      "/api/producers",
      {
        schema: {
          querystring: {
            type: "object",
            properties: { group: { type: "string", minLength: 1 }, topic: { type: "string", minLength: 1 } },
            required: ["group", "topic"],
          },
        },
      },
      async (request) => ({
        group: request.query.group,
        topic: request.query.topic,
        connections: await services.consumers.producers(request.query.group, request.query.topic),
      }),
    );
  };
