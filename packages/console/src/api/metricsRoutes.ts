/** GET /metrics: Prometheus' text format, rocketmq-exporter's names (see ExporterMetrics). */
import type { FastifyPluginAsync } from "fastify";
import type { ConsoleServices } from "../ConsoleServices.js";

export const metricsRoutes =
  (services: ConsoleServices): FastifyPluginAsync =>
  async (app) => {
    app.get("/metrics", async (_request, reply) => {
      // the first scrape waits for a collection; later ones get the last one's figures
      await services.collector.ready();
      void reply.header("content-type", services.metrics.contentType);
      return services.metrics.metrics();
    });
  };
