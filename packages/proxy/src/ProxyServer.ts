/**
 * One running proxy: the gRPC server (Java's GrpcServer: plaintext, max inbound message 130 MiB,
 * idle connections closed after 120 s) with the MessagingService on `grpcServerPort`, over a
 * MessageService. Local mode (ProxyStartup) passes the in-process broker's address and ConsumerManager.
 */
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { ConsumerManager } from "@rocketmq-ts/broker";
import type { Logger } from "pino";
import type { ProxyConfig } from "./config/ProxyConfig.js";
import { ClientRelay } from "./grpc/ClientRelay.js";
import { GrpcChannelManager } from "./grpc/GrpcChannelManager.js";
import { GrpcClientSettingsManager } from "./grpc/GrpcClientSettingsManager.js";
import { ExpiredClientCleaner } from "./grpc/ExpiredClientCleaner.js";
import { GrpcMessagingApplication } from "./grpc/GrpcMessagingApplication.js";
import { messagingServiceDefinition } from "./grpc/proto.js";
import type { Endpoints } from "./grpc/v2types.js";
import type { BrokerEndpointsResolver, ProxyDeps } from "./ProxyDeps.js";
import { ClusterMessageService } from "./service/ClusterMessageService.js";
import type { MessageService } from "./service/MessageService.js";
import { proxySideConsumerRegistry } from "./service/ConsumerRegistry.js";
import { LocalConsumerRegistry } from "./service/LocalConsumerRegistry.js";
import { cacheSpecsOf, TopicRouteService } from "./service/TopicRouteService.js";
import { TransactionDataManager } from "./service/TransactionDataManager.js";
import { ReceiptHandleManager } from "./service/ReceiptHandleManager.js";
import { changeInvisibleTimeOnBroker, decodeHandle } from "./grpc/ConsumerActivity.js";

const MAX_INBOUND_MESSAGE_SIZE = 130 * 1024 * 1024;
const MAX_CONNECTION_IDLE_MS = 120_000;

/** Cluster mode: the addresses the client used to reach the proxy, with the proxy's gRPC port. */
export function clusterModeEndpoints(config: ProxyConfig): BrokerEndpointsResolver {
  return (_brokerAddr, request) => ({
    scheme: request?.scheme ?? "IPv4",
    addresses: (request?.addresses ?? []).map((a) => ({
      host: a.host ?? "",
      port: config.useEndpointPortFromRequest ? (a.port ?? config.grpcServerPort) : config.grpcServerPort,
    })),
  });
}

/** Local mode: every broker's own host with the gRPC port (each broker runs a proxy on that port). */
export function localModeEndpoints(config: ProxyConfig): BrokerEndpointsResolver {
  return (brokerAddr): Endpoints => {
    const host = brokerAddr.slice(0, brokerAddr.lastIndexOf(":"));
    const ipv4 = /^\d+\.\d+\.\d+\.\d+$/.test(host);
    return {
      scheme: ipv4 ? "IPv4" : host.includes(":") ? "IPv6" : "DOMAIN_NAME",
      addresses: [{ host, port: config.grpcServerPort }],
    };
  };
}

export interface ProxyServerOptions {
  config: ProxyConfig;
  logger: Logger;
  messageService?: MessageService;
  /** local mode: the broker this proxy belongs to (`ip:port`) */
  localBrokerAddr?: string;
  /** local mode: the in-process broker's ConsumerManager, where gRPC consumers are recorded (as Java's) */
  localConsumerManager?: ConsumerManager;
  now?: () => number;
}

export class ProxyServer {
  readonly deps: ProxyDeps;
  private readonly server: Server;
  private boundPort = 0;
  /** the periodic tasks started by `start`, cleared by `shutdown` */
  private timers: NodeJS.Timeout[] = [];
  private readonly expiredClients: ExpiredClientCleaner;

  constructor(options: ProxyServerOptions) {
    const { config, logger } = options;
    const now = options.now ?? Date.now;
    const localBrokerAddr = options.localBrokerAddr;
    const messageService =
      options.messageService ??
      new ClusterMessageService({
        namesrvAddr: config.namesrvAddr,
        heartbeatPeriodMs: config.transactionHeartbeatPeriodSecond * 1000,
        logger,
        ...(localBrokerAddr !== undefined ? { brokerAddrs: () => [localBrokerAddr] } : {}),
      });
    const routes = new TopicRouteService(messageService, {
      clusterName: config.rocketMQClusterName,
      ...cacheSpecsOf(config),
      now,
    });
    const receiptHandles = new ReceiptHandleManager({
      config,
      now,
      logger,
      groupConfig: (group) => routes.getSubscriptionGroup(group),
      changeInvisibleTime: async (h, invisibleTime) => {
        const handle = decodeHandle(h.handle);
        const addr = await routes.getBrokerAddr(h.topic, handle.brokerName);
        if (addr === null) return null;
        return (await changeInvisibleTimeOnBroker(messageService, addr, h.group, h.topic, handle, invisibleTime))
          .handle;
      },
    });
    const channels = new GrpcChannelManager();
    const relay = new ClientRelay({ channels, now, logger });
    this.deps = {
      config,
      messageService,
      routes,
      receiptHandles,
      settings: new GrpcClientSettingsManager(config, (group) => routes.getSubscriptionGroup(group)),
      channels,
      relay,
      transactions: new TransactionDataManager(config.transactionDataMaxNum, now),
      consumers:
        options.localConsumerManager !== undefined
          ? new LocalConsumerRegistry(options.localConsumerManager, logger, (id, request) => relay.relay(id, request))
          : proxySideConsumerRegistry,
      brokerEndpoints: config.proxyMode === "LOCAL" ? localModeEndpoints(config) : clusterModeEndpoints(config),
      now,
      logger,
    };
    this.expiredClients = new ExpiredClientCleaner(this.deps);
    this.server = new Server({
      "grpc.max_receive_message_length": MAX_INBOUND_MESSAGE_SIZE,
      "grpc.max_connection_idle_ms": MAX_CONNECTION_IDLE_MS,
    });
    this.server.addService(messagingServiceDefinition(), new GrpcMessagingApplication(this.deps).implementation());
  }

  /** The port the gRPC server listens on (after start). */
  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    await this.deps.messageService.start();
    const { config, channels, transactions, receiptHandles, now } = this.deps;
    this.every(config.channelExpiredScanPeriodMillis, "expired client scan", () => this.expiredClients.scan());
    this.every(config.transactionDataExpireScanPeriodMillis, "transaction data clean", () =>
      transactions.cleanExpired(),
    );
    this.every(1000, "relay timeout scan", () =>
      channels.scanExpireResultFuture(now(), config.grpcProxyRelayRequestTimeoutInSeconds * 1000),
    );
    if (config.enableProxyAutoRenew)
      this.every(config.renewSchedulePeriodMillis, "renew scan", () => receiptHandles.scan());
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(
        `0.0.0.0:${this.deps.config.grpcServerPort}`,
        ServerCredentials.createInsecure(),
        (err, port) => (err ? reject(err) : resolve(port)),
      );
    });
    this.deps.logger.info({ port: this.boundPort, mode: this.deps.config.proxyMode }, "grpc server started");
  }

  /** Run `task` every `periodMs` (not keeping the process alive); a failure is logged. */
  private every(periodMs: number, what: string, task: () => unknown): void {
    const timer = setInterval(() => {
      Promise.resolve()
        .then(task)
        .catch((err: unknown) => this.deps.logger.warn({ err }, `${what} failed`));
    }, periodMs);
    timer.unref();
    this.timers.push(timer);
  }

  async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 3000);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    // handles the proxy kept invisible by renewing them are handed back before the brokers are left
    await this.deps.receiptHandles.clearAll();
    this.deps.consumers.unregisterAll();
    await this.deps.messageService.shutdown();
  }
}
