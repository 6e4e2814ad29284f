import { join } from "node:path";
import { nettyServerConfigSpecFor, rocketmqHome, userHome, type ConfigSpec } from "@rocketmq-ts/common";

/** Java's NamesrvConfig keys and defaults (4.9.8). */
export function namesrvConfigSpec(env: NodeJS.ProcessEnv = process.env) {
  const home = userHome(env);
  return {
    rocketmqHome: { type: "string", default: rocketmqHome(env) ?? null },
    kvConfigPath: { type: "string", default: join(home, "namesrv", "kvConfig.json") },
    configStorePath: { type: "string", default: join(home, "namesrv", "namesrv.properties") },
    productEnvName: { type: "string", default: "center" },
    clusterTest: { type: "boolean", default: false },
    orderMessageEnable: { type: "boolean", default: false },
    configBlackList: { type: "string", default: "configBlackList;configStorePath;kvConfigPath" },
  } as const satisfies ConfigSpec;
}

/** The name server presets listenPort to 9876. */
export const nettyServerConfigSpec = nettyServerConfigSpecFor(9876);

export type NamesrvConfigSpec = ReturnType<typeof namesrvConfigSpec>;
