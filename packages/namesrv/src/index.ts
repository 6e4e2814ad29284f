export {
  NamesrvController,
  type NamesrvControllerOptions,
  type NamesrvConfig,
  type NettyServerConfig,
} from "./NamesrvController.js";
export { namesrvConfigSpec, nettyServerConfigSpec } from "./NamesrvConfig.js";
export { RouteInfoManager, BROKER_CHANNEL_EXPIRED_TIME, type BrokerLiveInfo } from "./routeinfo/RouteInfoManager.js";
export { KVConfigManager } from "./kvconfig/KVConfigManager.js";
export { namesrvProcessors } from "./processor/DefaultRequestProcessor.js";
export { startNamesrv, main } from "./NamesrvStartup.js";
