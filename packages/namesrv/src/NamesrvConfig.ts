import { join } from "node:path";
import { rocketmqHome, userHome, type ConfigSpec } from "@rocketmq-ts/common";

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

/**
 * Java's NettyServerConfig keys. The thread/buffer/allocator keys have no meaning on Node's single
 * event loop; they are accepted, kept and reported so existing files and `getNamesrvConfig` match.
 */
export const nettyServerConfigSpec = {
  listenPort: { type: "int", default: 9876 },
  serverWorkerThreads: { type: "int", default: 8 },
  serverCallbackExecutorThreads: { type: "int", default: 0 },
  serverSelectorThreads: { type: "int", default: 3 },
  serverOnewaySemaphoreValue: { type: "int", default: 256 },
  serverAsyncSemaphoreValue: { type: "int", default: 64 },
  serverChannelMaxIdleTimeSeconds: { type: "int", default: 120 },
  serverSocketSndBufSize: { type: "int", default: 0 },
  serverSocketRcvBufSize: { type: "int", default: 0 },
  writeBufferHighWaterMark: { type: "int", default: 0 },
  writeBufferLowWaterMark: { type: "int", default: 0 },
  serverSocketBacklog: { type: "int", default: 1024 },
  serverPooledByteBufAllocatorEnable: { type: "boolean", default: true },
  useEpollNativeSelector: { type: "boolean", default: false },
} as const satisfies ConfigSpec;

export type NamesrvConfigSpec = ReturnType<typeof namesrvConfigSpec>;
