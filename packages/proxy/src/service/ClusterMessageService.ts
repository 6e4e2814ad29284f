/**
 * MessageService over remoting: routes from the name server, everything else sent to the broker
 * addresses the route names (Java's ClusterMessageService + ClusterMetadataService +
 * MQClientAPIFactory). Local mode uses it too, towards the broker in the same process over
 * loopback (see ProxyStartup for why).
 *
 * The proxy's own remoting client heartbeats every broker of the cluster every
 * `transactionHeartbeatPeriodSecond` with the producer groups of its clients (group = topic) as
 * client id `rmq-proxy-producer-client`, so that brokers send CHECK_TRANSACTION_STATE to it.
 */
import {
  decodeTopicConfig,
  decodeTopicRouteData,
  encodeHeartbeatData,
  parseBody,
  type TopicConfig,
  type TopicRouteData,
} from "@rocketmq-ts/common";
import {
  createRequest,
  encodeHeader,
  GetRouteInfoRequestHeader,
  GetSubscriptionGroupConfigRequestHeader,
  GetTopicConfigRequestHeader,
  RemotingClient,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { MQBrokerException, MQClientException } from "../grpc/ResponseBuilder.js";
import type { CheckTransactionStateRequest, MessageService, SubscriptionGroupView } from "./MessageService.js";
import { decodeSubscriptionGroupView } from "./subscriptionGroupView.js";

export const PROXY_PRODUCER_CLIENT_ID = "rmq-proxy-producer-client";
const NAMESRV_TIMEOUT_MS = 3000;
const BROKER_META_TIMEOUT_MS = 3000;

export interface ClusterMessageServiceOptions {
  namesrvAddr: string;
  heartbeatPeriodMs: number;
  logger: Logger;
  /** restrict broker heartbeats to these addresses (local mode: the broker in this process) */
  brokerAddrs?: () => readonly string[];
}

export class ClusterMessageService implements MessageService {
  private readonly remoting: RemotingClient;
  private producerGroups: string[] = [];
  private readonly knownBrokers = new Set<string>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private checkHandler: ((req: CheckTransactionStateRequest) => void) | null = null;

  constructor(private readonly options: ClusterMessageServiceOptions) {
    this.remoting = new RemotingClient({ logger: options.logger });
    this.remoting.updateNameServerAddressList(options.namesrvAddr.split(";"));
    this.remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (request, ctx) => {
      this.checkHandler?.({ brokerAddr: ctx.remoteAddr, command: request });
      return null;
    });
  }

  async getTopicRouteFromNameServer(topic: string): Promise<TopicRouteData> {
    const request = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, {
      extFields: encodeHeader(GetRouteInfoRequestHeader, { topic }),
    });
    const response = await this.remoting.invokeSync(null, request, NAMESRV_TIMEOUT_MS);
    if (response.code !== ResponseCode.SUCCESS) throw new MQClientException(response.code, response.remark);
    const route = decodeTopicRouteData(response.body);
    for (const b of route.brokerDatas) for (const addr of b.brokerAddrs.values()) this.knownBrokers.add(addr);
    return route;
  }

  async getTopicConfig(brokerAddr: string, topic: string): Promise<TopicConfig | null> {
    const request = createRequest(RequestCode.GET_TOPIC_CONFIG, {
      extFields: encodeHeader(GetTopicConfigRequestHeader, { topic }),
    });
    const response = await this.remoting.invokeSync(brokerAddr, request, BROKER_META_TIMEOUT_MS);
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) return null;
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerException(response.code, response.remark, brokerAddr);
    return decodeTopicConfig(parseBody(response.body, "TopicConfig"), "topicConfig");
  }

  async getSubscriptionGroupConfig(brokerAddr: string, group: string): Promise<SubscriptionGroupView | null> {
    const request = createRequest(RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, {
      extFields: encodeHeader(GetSubscriptionGroupConfigRequestHeader, { group }),
    });
    const response = await this.remoting.invokeSync(brokerAddr, request, BROKER_META_TIMEOUT_MS);
    if (response.code === ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST) return null;
    if (response.code !== ResponseCode.SUCCESS) throw new MQBrokerException(response.code, response.remark, brokerAddr);
    return decodeSubscriptionGroupView(parseBody(response.body, "SubscriptionGroupConfig"));
  }

  invoke(brokerAddr: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    return this.remoting.invokeSync(brokerAddr, request, timeoutMs);
  }

  invokeOneway(brokerAddr: string, request: RemotingCommand, timeoutMs: number): Promise<void> {
    return this.remoting.invokeOneway(brokerAddr, request, timeoutMs);
  }

  updateClientGroups(producerGroups: readonly string[]): void {
    const next = [...new Set(producerGroups)].sort();
    const changed = next.length !== this.producerGroups.length || next.some((g, i) => g !== this.producerGroups[i]);
    this.producerGroups = next;
    if (changed) void this.sendHeartbeat();
  }

  onCheckTransactionState(handler: (req: CheckTransactionStateRequest) => void): void {
    this.checkHandler = handler;
  }

  start(): Promise<void> {
    this.heartbeatTimer = setInterval(() => void this.sendHeartbeat(), this.options.heartbeatPeriodMs);
    this.heartbeatTimer.unref();
    return Promise.resolve();
  }

  async shutdown(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    await this.remoting.shutdown();
  }

  private async sendHeartbeat(): Promise<void> {
    if (this.producerGroups.length === 0) return;
    const body = encodeHeartbeatData({
      clientID: PROXY_PRODUCER_CLIENT_ID,
      producerDataSet: this.producerGroups.map((groupName) => ({ groupName })),
      consumerDataSet: [],
    });
    const targets = this.options.brokerAddrs ? this.options.brokerAddrs() : [...this.knownBrokers];
    await Promise.all(
      targets.map((addr) =>
        this.remoting
          .invokeSync(addr, createRequest(RequestCode.HEART_BEAT, { body }), BROKER_META_TIMEOUT_MS)
          .then((res) => {
            if (res.code !== ResponseCode.SUCCESS)
              this.options.logger.warn({ addr, code: res.code }, "proxy heartbeat refused");
          })
          .catch((err: unknown) => this.options.logger.warn({ err, addr }, "proxy heartbeat failed")),
      ),
    );
  }
}
