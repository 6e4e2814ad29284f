/** What every activity is given: config, the back-end seam, caches, client state, clock, logger. */
import type { Logger } from "pino";
import type { ProxyConfig } from "./config/ProxyConfig.js";
import type { ClientRelay } from "./grpc/ClientRelay.js";
import type { GrpcChannelManager } from "./grpc/GrpcChannelManager.js";
import type { GrpcClientSettingsManager } from "./grpc/GrpcClientSettingsManager.js";
import type { Endpoints } from "./grpc/v2types.js";
import type { ConsumerRegistry } from "./service/ConsumerRegistry.js";
import type { MessageService } from "./service/MessageService.js";
import type { ReceiptHandleManager } from "./service/ReceiptHandleManager.js";
import type { TopicRouteService } from "./service/TopicRouteService.js";
import type { TransactionDataManager } from "./service/TransactionDataManager.js";

/**
 * How QueryRoute advertises a broker: cluster mode → the request's own endpoints (the proxy the
 * client reached) with the proxy's gRPC port; local mode → each broker's host with the gRPC port.
 */
export type BrokerEndpointsResolver = (brokerAddr: string, requestEndpoints: Endpoints | undefined) => Endpoints;

export interface ProxyDeps {
  config: ProxyConfig;
  messageService: MessageService;
  routes: TopicRouteService;
  settings: GrpcClientSettingsManager;
  channels: GrpcChannelManager;
  transactions: TransactionDataManager;
  receiptHandles: ReceiptHandleManager;
  consumers: ConsumerRegistry;
  /** broker → gRPC client requests over Telemetry */
  relay: ClientRelay;
  brokerEndpoints: BrokerEndpointsResolver;
  now: () => number;
  logger: Logger;
}
