/**
 * The console's HTTP server (fastify): the JSON API under /api, /metrics for Prometheus, and the web
 * pages (static files, plus Chart.js from its package). Each area is its own plugin.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { clusterRoutes } from "./api/clusterRoutes.js";
import { consumerRoutes } from "./api/consumerRoutes.js";
import { messageRoutes } from "./api/messageRoutes.js";
import { installErrorHandler } from "./api/errors.js";
import { metricsRoutes } from "./api/metricsRoutes.js";
import { opsRoutes } from "./api/opsRoutes.js";
import { topicRoutes } from "./api/topicRoutes.js";
import type { ConsoleServices } from "./ConsoleServices.js";

/** The package's folder (this module is in its src/ or dist/). */
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function chartJsDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("chart.js")); // dist/, beside chart.umd.js
}

export async function buildConsoleServer(services: ConsoleServices, logger?: Logger): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger | undefined = logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    // a line per request would bury what matters; failures are logged by the error handler
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 4 * 1024 * 1024,
  });
  installErrorHandler(app);
  await app.register(clusterRoutes(services));
  await app.register(topicRoutes(services));
  await app.register(consumerRoutes(services));
  await app.register(messageRoutes(services));
  await app.register(opsRoutes(services));
  await app.register(metricsRoutes(services));
  await app.register(fastifyStatic, { root: join(packageDir, "web", "static"), prefix: "/", index: ["index.html"] });
  await app.register(fastifyStatic, {
    root: join(packageDir, "dist", "web", "js"),
    prefix: "/js/",
    decorateReply: false,
  });
  await app.register(fastifyStatic, { root: chartJsDir(), prefix: "/vendor/chart.js/", decorateReply: false });
  return app;
}
