/**
 * What a run of mqadmin works with besides its arguments: the admin client and producers it creates,
 * the operator's stop request and the working directory. bin/mqadmin uses this process's; tests give
 * their own.
 */
import { DefaultMQProducer, MQAdminClient, type SessionCredentials } from "@rocketmq-ts/client";
import type { Logger } from "@rocketmq-ts/common";
import type { MQAdminExt, ToolProducer, ToolProducerConfig } from "./command/MQAdminExt.js";
import type { StopRequest } from "./command/SubCommand.js";

export interface MQAdminRuntime {
  /** The admin client, signing every request with `sessionCredentials` when given (plain ACL). */
  newAdmin(namesrvAddr: string, sessionCredentials?: SessionCredentials): MQAdminExt;
  newProducer(config: ToolProducerConfig): ToolProducer;
  /** SIGINT/SIGTERM as a stop request; only commands that ask for it stop on them instead of dying. */
  untilStopped(): StopRequest;
  workDir(): string;
  /** Where mqadmin notes why it does not sign (no conf/tools.yml, …), as Java's AclUtils warns. */
  logger?: Logger;
}

function stopOnSignal(): StopRequest {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

export const processRuntime: MQAdminRuntime = {
  newAdmin: (namesrvAddr, sessionCredentials) =>
    new MQAdminClient({ namesrvAddr, ...(sessionCredentials ? { sessionCredentials } : {}) }),
  newProducer: (config) => new DefaultMQProducer(config),
  untilStopped: stopOnSignal,
  workDir: () => process.cwd(),
};

/** processRuntime whose admin client and producers log to `logger` (bin/mqadmin: rocketmq_client.log). */
export function loggingRuntime(logger: Logger): MQAdminRuntime {
  return {
    ...processRuntime,
    newAdmin: (namesrvAddr, sessionCredentials) =>
      new MQAdminClient({ namesrvAddr, logger, ...(sessionCredentials ? { sessionCredentials } : {}) }),
    newProducer: (config) => new DefaultMQProducer({ ...config, logger }),
    logger,
  };
}
