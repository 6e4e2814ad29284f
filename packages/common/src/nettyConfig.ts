/** Java's NettyServerConfig / NettyClientConfig keys, shared by the name server and the broker. */
import type { ConfigSpec } from "./config.js";

/**
 * Java's NettyServerConfig keys. Most thread/buffer/allocator keys have no meaning on Node's event
 * loop; they are accepted, kept and reported so existing files and `getNamesrvConfig` match.
 * `serverSelectorThreads` (Netty's I/O threads, Java's default 3) defaults to 0 here: sockets stay
 * in the event loop that handles the requests, which measured faster on a 2-core machine than
 * handing them to a thread; 1 or more puts them in one I/O thread (docs/performance.md).
 */
export function nettyServerConfigSpecFor(listenPort: number) {
  return {
    listenPort: { type: "int", default: listenPort },
    serverWorkerThreads: { type: "int", default: 8 },
    serverCallbackExecutorThreads: { type: "int", default: 0 },
    serverSelectorThreads: { type: "int", default: 0 },
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
}

/** Java's NettyClientConfig keys (the broker's client side towards name servers and masters). */
export const nettyClientConfigSpec = {
  clientWorkerThreads: { type: "int", default: 4 },
  clientCallbackExecutorThreads: { type: "int", default: 2 },
  clientOnewaySemaphoreValue: { type: "int", default: 65535 },
  clientAsyncSemaphoreValue: { type: "int", default: 65535 },
  connectTimeoutMillis: { type: "int", default: 3000 },
  channelNotActiveInterval: { type: "long", default: 1000 * 60 },
  clientChannelMaxIdleTimeSeconds: { type: "int", default: 120 },
  clientSocketSndBufSize: { type: "int", default: 0 },
  clientSocketRcvBufSize: { type: "int", default: 0 },
  clientPooledByteBufAllocatorEnable: { type: "boolean", default: false },
  clientCloseSocketIfTimeout: { type: "boolean", default: true },
  useTLS: { type: "boolean", default: false },
} as const satisfies ConfigSpec;
