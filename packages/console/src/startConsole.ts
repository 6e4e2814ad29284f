/** Start the console: services, the periodic sampling, the HTTP server. */
import type { Logger } from "pino";
import type { ConsoleConfig } from "./config.js";
import { buildConsoleServer } from "./ConsoleServer.js";
import { createServices, type ConsoleServices } from "./ConsoleServices.js";

export interface RunningConsole {
  url: string;
  port: number;
  services: ConsoleServices;
  close(): Promise<void>;
}

export async function startConsole(config: ConsoleConfig, logger?: Logger): Promise<RunningConsole> {
  const services = createServices(config, logger);
  const app = await buildConsoleServer(services, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  services.collector.start();
  const shown = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return {
    url: `http://${shown}:${port}`,
    port,
    services,
    async close() {
      services.collector.stop();
      await app.close();
      await services.messages.close();
      await services.admin.shutdown();
    },
  };
}
