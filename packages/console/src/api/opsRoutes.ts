/** The Ops page's API: the name servers in use, which answer, and switching the list. */
import type { FastifyPluginAsync } from "fastify";
import type { ConsoleServices } from "../ConsoleServices.js";

export const opsRoutes =
  (services: ConsoleServices): FastifyPluginAsync =>
  async (app) => {
    app.get("/api/ops/namesrv", async () => ({
      namesrvAddrs: services.namesrv.list(),
      probes: await services.namesrv.probe(),
    }));

    app.put<{ Body: { namesrvAddr: string } }>(
      "/api/ops/namesrv",
      {
        schema: {
          body: {
            type: "object",
            properties: { namesrvAddr: { type: "string", minLength: 1, maxLength: 4096 } },
            required: ["namesrvAddr"],
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        const namesrvAddrs = services.namesrv.update(request.body.namesrvAddr);
        request.log.info({ namesrvAddrs }, "name server list switched");
        return { namesrvAddrs, probes: await services.namesrv.probe() };
      },
    );
  };
