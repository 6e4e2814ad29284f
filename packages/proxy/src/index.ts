export * from "./config/ProxyConfig.js";
export { ProxyServer, clusterModeEndpoints, localModeEndpoints } from "./ProxyServer.js";
export { startProxy, main } from "./ProxyStartup.js";
export type { MessageService, SubscriptionGroupView } from "./service/MessageService.js";
