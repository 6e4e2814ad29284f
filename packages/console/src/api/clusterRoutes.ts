/** GET /api/cluster: brokers per cluster with id, address, version, TPS and disk ratio; GET …/config. */
import type { FastifyPluginAsync } from "fastify";
import type { ConsoleServices } from "../ConsoleServices.js";

export const clusterRoutes =
  (services: ConsoleServices): FastifyPluginAsync =>
  async (app) => {
    app.get("/api/cluster", async () => services.cluster.view());

    app.get<{ Querystring: { addr: string } }>(
      "/api/cluster/broker-config",
      { schema: { querystring: { type: "object", properties: { addr: { type: "string" } }, required: ["addr"] } } },
      async (request) => {
        const text = await services.admin.getBrokerConfig(request.query.addr);
        const config: Record<string, string> = {};
        for (const line of text.split("\n")) {
          const i = line.indexOf("=");
          if (i > 0) config[line.slice(0, i).trim()] = line.slice(i + 1).trim();
        }
        return { addr: request.query.addr, config };
      },
    );

    /** TPS history per broker for the Dashboard page's charts (sampled every collect interval). */
    app.get("/api/dashboard/broker-tps", async () => services.history.brokerSeries());

    /** The busiest topics (put TPS) and the groups furthest behind (backlog), over time. */
    for (const [path, kind] of [
      ["/api/dashboard/topic-tps", "topicTps"],
      ["/api/dashboard/group-lag", "groupLag"],
    ] as const) {
      app.get<{ Querystring: { top?: number } }>(
        path,
        {
          schema: {
            querystring: {
              type: "object",
              properties: { top: { type: "integer", minimum: 1, maximum: 100, default: 10 } },
            },
          },
        },
        async (request) => services.history.topSeries(kind, request.query.top ?? 10),
      );
    }
  };
