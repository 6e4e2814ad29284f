/**
 * An in-memory stand-in for the brokers behind a proxy: a MessageService whose routes, topic configs
 * and groups are tables, and whose `invoke` hands each remoting request to a handler the test sets
 * per request code (recording every request), plus ProxyDeps built on it with a fake clock.
 */
import { newTopicConfig, type TopicConfig, type TopicRouteData } from "@rocketmq-ts/common";
import { createResponse, ResponseCode, type RemotingCommand } from "@rocketmq-ts/remoting";
import { pino } from "pino";
import { defaultProxyConfig, type ProxyConfig } from "../../src/config/ProxyConfig.js";
import { ClientRelay } from "../../src/grpc/ClientRelay.js";
import { GrpcChannelManager } from "../../src/grpc/GrpcChannelManager.js";
import { GrpcClientSettingsManager } from "../../src/grpc/GrpcClientSettingsManager.js";
import { createProxyContext, type ProxyContext } from "../../src/grpc/ProxyContext.js";
import type { ProxyDeps } from "../../src/ProxyDeps.js";
import { clusterModeEndpoints } from "../../src/ProxyServer.js";
import type {
  CheckTransactionStateRequest,
  MessageService,
  SubscriptionGroupView,
} from "../../src/service/MessageService.js";
import { cacheSpecsOf, TopicRouteService } from "../../src/service/TopicRouteService.js";
import { TransactionDataManager } from "../../src/service/TransactionDataManager.js";
import { proxySideConsumerRegistry } from "../../src/service/ConsumerRegistry.js";
import { ReceiptHandleManager } from "../../src/service/ReceiptHandleManager.js";
import { MQClientException } from "../../src/grpc/ResponseBuilder.js";
import { Metadata } from "@grpc/grpc-js";

export const BROKER_ADDR = "10.0.0.1:10911";

export function routeOf(
  brokerName = "broker-a",
  queues = 4,
  perm = 6,
  addrs: [number, string][] = [[0, BROKER_ADDR]],
): TopicRouteData {
  return {
    queueDatas: [{ brokerName, readQueueNums: queues, writeQueueNums: queues, perm, topicSysFlag: 0 }],
    brokerDatas: [{ cluster: "DefaultCluster", brokerName, brokerAddrs: new Map(addrs) }],
    filterServerTable: new Map(),
  };
}

export type Handler = (request: RemotingCommand, addr: string) => RemotingCommand | Promise<RemotingCommand>;

export class FakeMessageService implements MessageService {
  readonly routes = new Map<string, TopicRouteData>();
  readonly topics = new Map<string, TopicConfig>();
  readonly groups = new Map<string, SubscriptionGroupView>();
  readonly handlers = new Map<number, Handler>();
  readonly requests: { addr: string; request: RemotingCommand; oneway: boolean }[] = [];
  producerGroups: readonly string[] = [];
  checkHandler: ((req: CheckTransactionStateRequest) => void) | null = null;

  addTopic(topic: string, type?: string, route = routeOf()): void {
    this.routes.set(topic, route);
    this.topics.set(topic, newTopicConfig(topic, type ? { attributes: { "message.type": type } } : {}));
  }

  getTopicRouteFromNameServer(topic: string): Promise<TopicRouteData> {
    const r = this.routes.get(topic);
    if (!r)
      return Promise.reject(
        new MQClientException(
          ResponseCode.TOPIC_NOT_EXIST,
          `No topic route info in name server for the topic: ${topic}`,
        ),
      );
    return Promise.resolve(r);
  }
  getTopicConfig(_addr: string, topic: string): Promise<TopicConfig | null> {
    return Promise.resolve(this.topics.get(topic) ?? null);
  }
  getSubscriptionGroupConfig(_addr: string, group: string): Promise<SubscriptionGroupView | null> {
    return Promise.resolve(this.groups.get(group) ?? null);
  }
  async invoke(addr: string, request: RemotingCommand): Promise<RemotingCommand> {
    this.requests.push({ addr, request, oneway: false });
    const h = this.handlers.get(request.code);
    if (!h) return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, { remark: "not supported" });
    return h(request, addr);
  }
  invokeOneway(addr: string, request: RemotingCommand): Promise<void> {
    this.requests.push({ addr, request, oneway: true });
    return Promise.resolve();
  }
  updateClientGroups(groups: readonly string[]): void {
    this.producerGroups = groups;
  }
  onCheckTransactionState(handler: (req: CheckTransactionStateRequest) => void): void {
    this.checkHandler = handler;
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface FakeProxy {
  deps: ProxyDeps;
  backend: FakeMessageService;
  clock: { now: number };
  ctx: (clientId?: string, deadlineIn?: number | null, version?: string) => ProxyContext;
}

export function fakeProxy(config: Partial<ProxyConfig> = {}): FakeProxy {
  const clock = { now: 1_700_000_000_000 };
  const now = (): number => clock.now;
  const cfg = { ...defaultProxyConfig(), namesrvAddr: "127.0.0.1:9876", ...config };
  const backend = new FakeMessageService();
  const routes = new TopicRouteService(backend, {
    clusterName: "DefaultCluster",
    ...cacheSpecsOf(cfg),
    now,
  });
  backend.routes.set("DefaultCluster", routeOf());
  const logger = pino({ level: "silent" });
  const channels = new GrpcChannelManager();
  const deps: ProxyDeps = {
    receiptHandles: new ReceiptHandleManager({
      config: cfg,
      now,
      logger,
      groupConfig: (g) => routes.getSubscriptionGroup(g),
      changeInvisibleTime: () => Promise.resolve(null),
    }),
    config: cfg,
    messageService: backend,
    routes,
    settings: new GrpcClientSettingsManager(cfg, (g) => routes.getSubscriptionGroup(g)),
    channels,
    relay: new ClientRelay({ channels, now, logger }),
    transactions: new TransactionDataManager(cfg.transactionDataMaxNum, now),
    consumers: proxySideConsumerRegistry,
    brokerEndpoints: clusterModeEndpoints(cfg),
    now,
    logger,
  };
  const ctx = (clientId = "client-1", deadlineIn: number | null = 3000, version = "1.0.8"): ProxyContext => {
    const md = new Metadata();
    if (clientId) md.set("x-mq-client-id", clientId);
    md.set("x-mq-language", "HTTP");
    md.set("x-mq-client-version", version);
    return createProxyContext(md, "ipv4:192.168.1.7:50000", deadlineIn === null ? null : clock.now + deadlineIn, now);
  };
  return { deps, backend, clock, ctx };
}
