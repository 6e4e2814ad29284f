/** What the routes use: one admin client for the cluster and the services built on it. */
import { MQAdminClient } from "@rocketmq-ts/client";
import type { Logger } from "pino";
import type { ConsoleConfig } from "./config.js";
import { ExporterMetrics } from "./metrics/ExporterMetrics.js";
import { MetricsCollector } from "./metrics/MetricsCollector.js";
import { ClusterService } from "./service/ClusterService.js";
import { ConsumerService } from "./service/ConsumerService.js";
import { MessageService } from "./service/MessageService.js";
import { NamesrvService } from "./service/NamesrvService.js";
import { StatsHistory } from "./service/StatsHistory.js";
import { TopicService } from "./service/TopicService.js";

export interface ConsoleServices {
  admin: MQAdminClient;
  cluster: ClusterService;
  topics: TopicService;
  consumers: ConsumerService;
  messages: MessageService;
  namesrv: NamesrvService;
  history: StatsHistory;
  metrics: ExporterMetrics;
  /** Samples the cluster on the collect interval for the charts and /metrics. */
  collector: MetricsCollector;
}

export function createServices(config: ConsoleConfig, logger?: Logger): ConsoleServices {
  const admin = new MQAdminClient({
    namesrvAddr: config.namesrvAddrs.join(";"),
    timeoutMillis: config.timeoutMillis,
    ...(logger ? { logger } : {}),
  });
  const cluster = new ClusterService(admin);
  const history = new StatsHistory(cluster, config.collectIntervalMs);
  const metrics = new ExporterMetrics(admin);
  const namesrv = new NamesrvService(admin, config.namesrvAddrs, config.timeoutMillis);
  const collector = new MetricsCollector(history, metrics, config.collectIntervalMs, (err) =>
    logger?.warn({ err: err instanceof Error ? err.message : String(err) }, "metrics collection failed"),
  );
  return {
    admin,
    cluster,
    topics: new TopicService(admin),
    consumers: new ConsumerService(admin, metrics),
    messages: new MessageService(admin, () => namesrv.list()),
    namesrv,
    history,
    metrics,
    collector,
  };
}
