/**
 * The proxy's view of routes and metadata (Java's TopicRouteService + ClusterMetadataService):
 * name-server routes, topic message types and subscription groups, each behind a cache that expires
 * 300 s after the last read, reloads in the background after 20 s and holds 20,000 entries at most
 * (Java's topicRouteServiceCache* / topicConfigCache* / subscriptionGroupConfigCache* keys).
 *
 * Java semantics kept: a topic the name server does not know is cached as an empty route and
 * reported as TOPIC_NOT_EXIST "No topic route info in name server for the topic: <t>"; the topic's
 * message type comes from one broker of its route (GET_TOPIC_CONFIG): no attribute → NORMAL, topic
 * unknown to the broker → UNSPECIFIED; a subscription group is read from one broker of the cluster
 * (the route of the cluster name), absent → null (the client's settings are not overlaid).
 */
import { TOPIC_MESSAGE_TYPE_ATTRIBUTE, type TopicMessageType, type TopicRouteData } from "@rocketmq-ts/common";
import { ResponseCode } from "@rocketmq-ts/remoting";
import { isTopicNotExist, MQClientException } from "../grpc/ResponseBuilder.js";
import type { ProxyConfig } from "../config/ProxyConfig.js";
import { LoadingCache, type CacheSpec } from "./LoadingCache.js";
import type { MessageService, SubscriptionGroupView } from "./MessageService.js";

export interface TopicRouteServiceOptions {
  clusterName: string;
  /** the caches of routes, topic configs (message types) and subscription groups */
  routeCache: CacheSpec;
  topicConfigCache: CacheSpec;
  groupCache: CacheSpec;
  now: () => number;
}

/** The three caches' sizes and times from Java's ProxyConfig keys. */
export function cacheSpecsOf(
  config: ProxyConfig,
): Pick<TopicRouteServiceOptions, "routeCache" | "topicConfigCache" | "groupCache"> {
  const spec = (expiredSeconds: number, refreshSeconds: number, maxNum: number): CacheSpec => ({
    expireAfterAccessMs: expiredSeconds * 1000,
    refreshAfterWriteMs: refreshSeconds * 1000,
    maximumSize: maxNum,
  });
  return {
    routeCache: spec(
      config.topicRouteServiceCacheExpiredSeconds,
      config.topicRouteServiceCacheRefreshSeconds,
      config.topicRouteServiceCacheMaxNum,
    ),
    topicConfigCache: spec(
      config.topicConfigCacheExpiredSeconds,
      config.topicConfigCacheRefreshSeconds,
      config.topicConfigCacheMaxNum,
    ),
    groupCache: spec(
      config.subscriptionGroupConfigCacheExpiredSeconds,
      config.subscriptionGroupConfigCacheRefreshSeconds,
      config.subscriptionGroupConfigCacheMaxNum,
    ),
  };
}

const TOPIC_TYPES: ReadonlySet<string> = new Set(["UNSPECIFIED", "NORMAL", "FIFO", "DELAY", "TRANSACTION", "MIXED"]);

/** A broker master address of the route (Java BrokerData.selectBrokerAddr: the master, else any). */
export function selectBrokerAddr(route: TopicRouteData, brokerName?: string): string | null {
  for (const b of route.brokerDatas) {
    if (brokerName !== undefined && b.brokerName !== brokerName) continue;
    const master = b.brokerAddrs.get(0);
    if (master) return master;
    const any = [...b.brokerAddrs.values()][0];
    if (any) return any;
  }
  return null;
}

export class TopicRouteService {
  private readonly routes: LoadingCache<TopicRouteData | null>;
  private readonly topicTypes: LoadingCache<TopicMessageType>;
  private readonly groups: LoadingCache<SubscriptionGroupView | null>;

  constructor(
    private readonly messageService: MessageService,
    private readonly options: TopicRouteServiceOptions,
  ) {
    this.routes = new LoadingCache(
      async (topic) => {
        try {
          return await messageService.getTopicRouteFromNameServer(topic);
        } catch (err) {
          if (isTopicNotExist(err)) return null;
          throw err;
        }
      },
      { ...options.routeCache, now: options.now },
    );
    this.topicTypes = new LoadingCache((topic) => this.loadTopicMessageType(topic), {
      ...options.topicConfigCache,
      now: options.now,
    });
    this.groups = new LoadingCache((group) => this.loadSubscriptionGroup(group), {
      ...options.groupCache,
      now: options.now,
    });
  }

  /** The route, or MQClientException(TOPIC_NOT_EXIST) with Java's text. */
  async getRoute(topic: string): Promise<TopicRouteData> {
    const route = await this.routes.get(topic);
    if (!route || route.queueDatas.length === 0 || route.brokerDatas.length === 0) {
      throw new MQClientException(
        ResponseCode.TOPIC_NOT_EXIST,
        `No topic route info in name server for the topic: ${topic}`,
      );
    }
    return route;
  }

  async getBrokerAddr(topic: string, brokerName: string): Promise<string | null> {
    return selectBrokerAddr(await this.getRoute(topic), brokerName);
  }

  getTopicMessageType(topic: string): Promise<TopicMessageType> {
    return this.topicTypes.get(topic);
  }

  getSubscriptionGroup(group: string): Promise<SubscriptionGroupView | null> {
    return this.groups.get(group);
  }

  private async loadTopicMessageType(topic: string): Promise<TopicMessageType> {
    const route = await this.routes.get(topic);
    const addr = route ? selectBrokerAddr(route) : null;
    if (addr === null) return "UNSPECIFIED";
    const config = await this.messageService.getTopicConfig(addr, topic);
    if (!config) return "UNSPECIFIED";
    const type = config.attributes?.[TOPIC_MESSAGE_TYPE_ATTRIBUTE];
    if (type === undefined) return "NORMAL";
    return TOPIC_TYPES.has(type) ? (type as TopicMessageType) : "UNSPECIFIED";
  }

  private async loadSubscriptionGroup(group: string): Promise<SubscriptionGroupView | null> {
    const route = await this.routes.get(this.options.clusterName);
    const addr = route ? selectBrokerAddr(route) : null;
    if (addr === null) return null;
    return this.messageService.getSubscriptionGroupConfig(addr, group);
  }
}
