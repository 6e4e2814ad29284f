/**
 * A slave's metadata copy from its master (store-ha-config.md §8.7): topic configs (over the
 * master's VIP port), consumer offsets, delay offsets and subscription groups, every 10 s (first
 * after 3 s), against the master address the name server returned at registration; and, with timer
 * messages, the master's timer checkpoint every 3 s (syncTimerCheckPoint: GET_TIMER_CHECK_POINT over
 * the VIP port; its lastReadTimeMs, masterTimerQueueOffset and data version are copied while this
 * broker does not dequeue, so the slave's timer builds its wheel up to the master's queue offset and
 * takes over from the master's read time). Failures are only logged.
 */
import { join } from "node:path";
import { string2File } from "@rocketmq-ts/common";
import { createRequest, parseFastjson, RequestCode, ResponseCode, type RemotingClient } from "@rocketmq-ts/remoting";
import { decodeTimerCheckpoint, TIMER_CHECKPOINT_SIZE, type TimerMessageStore } from "@rocketmq-ts/store";
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
  /** The timer store (timerWheelEnable), created after this object, else null. */
  timerMessageStore: () => TimerMessageStore | null;
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

  /** Java's syncTimerCheckPoint: the master's timer read time and queue offset, while this broker does not dequeue. */
  async syncTimerCheckPoint(): Promise<void> {
    const master = this.masterAddr;
    const timer = this.deps.timerMessageStore();
    if (!master || !timer || timer.isShouldRunningDequeue) return;
    try {
      const body = await this.fetch(brokerVIPChannel(master), RequestCode.GET_TIMER_CHECK_POINT);
      // four longs; the data version that follows is absent from a pre-5.x-data-version master's answer
      if (body.length < 32) throw new Error(`timer checkpoint of ${body.length} bytes`);
      const withVersion = body.length >= TIMER_CHECKPOINT_SIZE;
      const remote = decodeTimerCheckpoint(withVersion ? body : Buffer.concat([body, Buffer.alloc(24)]));
      const local = timer.timerCheckpoint;
      local.lastReadTimeMs = remote.lastReadTimeMs;
      local.masterTimerQueueOffset = remote.masterTimerQueueOffset;
      if (withVersion) {
        local.stateVersion = remote.stateVersion;
        local.timestamp = remote.timestamp;
        local.counter = remote.counter;
      }
    } catch (err) {
      this.deps.logger.error({ master, err: (err as Error).message }, "syncTimerCheckPoint Exception");
    }
  }
}
