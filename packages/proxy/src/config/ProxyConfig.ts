/**
 * Java's ProxyConfig: the keys this proxy reads, with Java 5.3.3's names and defaults. Loaded from
 * the JSON file `rmq-proxy.json` (`-pc`); unknown keys are kept out silently as Java's fastjson
 * binding does.
 */
import { readFileSync } from "node:fs";

export type ProxyMode = "LOCAL" | "CLUSTER";

export interface ProxyConfig {
  rocketMQClusterName: string;
  proxyMode: ProxyMode;
  namesrvAddr: string;
  /** the broker of local mode; empty: `<proxy home>/conf/broker.conf` (ProxyStartup fills it in) */
  brokerConfigPath: string;
  grpcServerPort: number;
  remotingListenPort: number;
  /** host the proxy advertises in cluster mode when the request names none (Java: local address) */
  localServeAddr: string;
  useEndpointPortFromRequest: boolean;
  maxMessageSize: number;
  enableMessageBodyEmptyCheck: boolean;
  maxUserPropertySize: number;
  userPropertyMaxNum: number;
  maxMessageGroupSize: number;
  defaultInvisibleTimeMills: number;
  minInvisibleTimeMillsForRecv: number;
  maxInvisibleTimeMills: number;
  maxDelayTimeMills: number;
  maxTransactionRecoverySecond: number;
  enableTopicMessageTypeCheck: boolean;
  grpcClientProducerMaxAttempts: number;
  grpcClientProducerBackoffInitialMillis: number;
  grpcClientProducerBackoffMaxMillis: number;
  grpcClientProducerBackoffMultiplier: number;
  grpcClientConsumerMinLongPollingTimeoutMillis: number;
  grpcClientConsumerMaxLongPollingTimeoutMillis: number;
  grpcClientConsumerLongPollingBatchSize: number;
  topicRouteServiceCacheExpiredSeconds: number;
  topicRouteServiceCacheRefreshSeconds: number;
  topicRouteServiceCacheMaxNum: number;
  topicConfigCacheExpiredSeconds: number;
  topicConfigCacheRefreshSeconds: number;
  topicConfigCacheMaxNum: number;
  subscriptionGroupConfigCacheExpiredSeconds: number;
  subscriptionGroupConfigCacheRefreshSeconds: number;
  subscriptionGroupConfigCacheMaxNum: number;
  transactionDataExpireMillis: number;
  transactionDataMaxNum: number;
  transactionDataExpireScanPeriodMillis: number;
  transactionHeartbeatPeriodSecond: number;
  enableProxyAutoRenew: boolean;
  renewAheadTimeMillis: number;
  renewSchedulePeriodMillis: number;
  renewMaxTimeMillis: number;
  /** how long an ack / change / DLQ waits for a renew of its handle in flight */
  lockTimeoutMsInHandleGroup: number;
  /** how long a request relayed to a 5.x client (stack trace, message verification) waits */
  grpcProxyRelayRequestTimeoutInSeconds: number;
  maxRenewRetryTimes: number;
  invisibleTimeMillisWhenClear: number;
  /** a client without Heartbeat / Telemetry / RPC activity for longer than this (ms) is forgotten */
  channelExpiredTimeout: number;
  /** how often inactive clients are looked for (Java scans not-active channels every 10 s) */
  channelExpiredScanPeriodMillis: number;
}

export function defaultProxyConfig(env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  return {
    rocketMQClusterName: "DefaultCluster",
    proxyMode: "CLUSTER",
    brokerConfigPath: "",
    namesrvAddr: env["NAMESRV_ADDR"] ?? "",
    grpcServerPort: 8081,
    remotingListenPort: 8080,
    localServeAddr: "",
    useEndpointPortFromRequest: false,
    maxMessageSize: 4 * 1024 * 1024,
    enableMessageBodyEmptyCheck: true,
    maxUserPropertySize: 16 * 1024,
    userPropertyMaxNum: 128,
    maxMessageGroupSize: 64,
    defaultInvisibleTimeMills: 60_000,
    minInvisibleTimeMillsForRecv: 10_000,
    maxInvisibleTimeMills: 12 * 3600_000,
    maxDelayTimeMills: 24 * 3600_000,
    maxTransactionRecoverySecond: 3600,
    enableTopicMessageTypeCheck: true,
    grpcClientProducerMaxAttempts: 3,
    grpcClientProducerBackoffInitialMillis: 10,
    grpcClientProducerBackoffMaxMillis: 1000,
    grpcClientProducerBackoffMultiplier: 2,
    grpcClientConsumerMinLongPollingTimeoutMillis: 5000,
    grpcClientConsumerMaxLongPollingTimeoutMillis: 20_000,
    grpcClientConsumerLongPollingBatchSize: 32,
    topicRouteServiceCacheExpiredSeconds: 300,
    topicRouteServiceCacheRefreshSeconds: 20,
    topicRouteServiceCacheMaxNum: 20_000,
    topicConfigCacheExpiredSeconds: 300,
    topicConfigCacheRefreshSeconds: 20,
    topicConfigCacheMaxNum: 20_000,
    subscriptionGroupConfigCacheExpiredSeconds: 300,
    subscriptionGroupConfigCacheRefreshSeconds: 20,
    subscriptionGroupConfigCacheMaxNum: 20_000,
    transactionDataExpireMillis: 30_000,
    transactionDataMaxNum: 15,
    transactionDataExpireScanPeriodMillis: 10_000,
    transactionHeartbeatPeriodSecond: 20,
    enableProxyAutoRenew: true,
    renewAheadTimeMillis: 10_000,
    renewSchedulePeriodMillis: 5000,
    renewMaxTimeMillis: 3 * 3600_000,
    lockTimeoutMsInHandleGroup: 3000,
    grpcProxyRelayRequestTimeoutInSeconds: 5,
    maxRenewRetryTimes: 3,
    invisibleTimeMillisWhenClear: 1000,
    channelExpiredTimeout: 120_000,
    channelExpiredScanPeriodMillis: 10_000,
  };
}

/** Overlay JSON keys onto the defaults; a value of the wrong type refuses to start, naming the key. */
export function applyProxyConfigJson(config: ProxyConfig, json: unknown): ProxyConfig {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new Error("proxy config must be a JSON object");
  }
  const out: ProxyConfig = { ...config };
  const target = out as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (!(key in target)) continue;
    const current = target[key];
    if (key === "proxyMode" && typeof value === "string") {
      out.proxyMode = parseProxyMode(value);
      continue;
    }
    if (typeof current === "number" && typeof value === "number") target[key] = value;
    else if (typeof current === "number" && typeof value === "string" && /^-?\d+$/.test(value.trim()))
      target[key] = Number(value.trim());
    else if (typeof current === "boolean" && typeof value === "boolean") target[key] = value;
    else if (typeof current === "boolean" && typeof value === "string") target[key] = value.toLowerCase() === "true";
    else if (typeof current === "string" && typeof value === "string") target[key] = value;
    else throw new Error(`proxy config key ${key}: bad value ${JSON.stringify(value)}`);
  }
  return out;
}

export function parseProxyMode(s: string): ProxyMode {
  const m = s.trim().toUpperCase();
  if (m === "LOCAL" || m === "CLUSTER") return m;
  throw new Error(`unknown proxyMode ${s}: expected local or cluster`);
}

export function loadProxyConfigFile(path: string): ProxyConfig {
  return applyProxyConfigJson(defaultProxyConfig(), JSON.parse(readFileSync(path, "utf8")) as unknown);
}
