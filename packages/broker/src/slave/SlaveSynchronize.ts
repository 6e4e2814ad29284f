/**
 * A slave's metadata copy from its master (store-ha-config.md §8.7): topic configs (over the
 * master's VIP port), consumer offsets, delay offsets and subscription groups, every 10 s (first
 * after 3 s), against the master address the name server returned at registration. Failures are
 * only logged.
 */
import { join } from "node:path";
import { string2File } from "@rocketmq-ts/common";
import { createRequest, parseFastjson, RequestCode, ResponseCode, type RemotingClient } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import type { ConsumerOffsetManager } from "../offset/ConsumerOffsetManager.js";
import type { SubscriptionGroupManager } from "../subscription/SubscriptionGroupManager.js";
import type { TopicConfigManager } from "../topic/TopicConfigManager.js";

export interface SlaveSynchronizeDeps {
  client: RemotingClient;
  logger: Logger;
  storeRoot: string;
  /** This broker's own address (a master address equal to it is ignored). */
  brokerAddr: string;
  topicConfigManager: TopicConfigManager;
  consumerOffsetManager: ConsumerOffsetManager;
  subscriptionGroupManager: SubscriptionGroupManager;
}

const TIMEOUT_MILLIS = 3000;

/** The master's VIP channel: same host, listenPort − 2. */
export function brokerVIPChannel(addr: string): string {
  const sep = addr.lastIndexOf(":");
  return `${addr.slice(0, sep)}:${Number(addr.slice(sep + 1)) - 2}`;
}

export class SlaveSynchronize {
  masterAddr: string | null = null;

  constructor(private readonly deps: SlaveSynchronizeDeps) {}

  private async fetch(addr: string, code: number): Promise<Buffer> {
    const res = await this.deps.client.invokeSync(addr, createRequest(code), TIMEOUT_MILLIS);
    if (res.code !== ResponseCode.SUCCESS) throw new Error(`code ${res.code}: ${res.remark ?? ""}`);
    return res.body ?? Buffer.alloc(0);
  }

  async syncAll(): Promise<void> {
    const master = this.masterAddr;
    if (!master || master === this.deps.brokerAddr) return;
    const d = this.deps;
    const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        d.logger.error({ master, err: (err as Error).message }, `${what} Exception`);
      }
    };
    await step("syncTopicConfig", async () => {
      const body = await this.fetch(brokerVIPChannel(master), RequestCode.GET_ALL_TOPIC_CONFIG);
      if (d.topicConfigManager.syncFromMaster(parseFastjson(body.toString("utf8"))))
        d.logger.info({ master }, "Update slave topic config from master");
    });
    await step("syncConsumerOffset", async () => {
      const body = await this.fetch(master, RequestCode.GET_ALL_CONSUMER_OFFSET);
      d.consumerOffsetManager.syncFromMaster(parseFastjson(body.toString("utf8")));
      d.logger.info({ master }, "Update slave consumer offset from master");
    });
    await step("syncDelayOffset", async () => {
      const body = await this.fetch(master, RequestCode.GET_ALL_DELAY_OFFSET);
      string2File(body.toString("utf8"), join(d.storeRoot, "config", "delayOffset.json"));
      d.logger.info({ master }, "Update slave delay offset from master");
    });
    await step("syncSubscriptionGroupConfig", async () => {
      const body = await this.fetch(master, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
      if (d.subscriptionGroupManager.syncFromMaster(parseFastjson(body.toString("utf8"))))
        d.logger.info({ master }, "Update slave Subscription Group from master");
    });
  }
}
