/**
 * Auto-renew of push consumers' receipt handles (Java's DefaultReceiptHandleManager +
 * RenewStrategyPolicy + the group retry policies' nextDelayDuration).
 *
 * Java semantics kept: handles of auto-renew receives are kept per (client, group) and message id;
 * every `renewSchedulePeriodMillis` a handle whose next visible time is ≤ `renewAheadTimeMillis` away
 * is renewed to the next step of [1 m, 3 m, 5 m, 10 m, 30 m, 1 h] (by renew count); after
 * `renewMaxTimeMillis` from the receive it is made visible again after the group's retry delay for
 * its reconsume times and forgotten; a failed renew is retried up to `maxRenewRetryTimes`. Ack,
 * change and DLQ take the newest handle (and forget it); one that arrives while its handle is being
 * renewed waits for that renew (Java's handle lock, at most `lockTimeoutMsInHandleGroup`, then
 * INTERNAL_SERVER_ERROR "try to remove and get handle failed") so it never acts on a superseded
 * handle; a client that terminates or expires, or the proxy shutting down, gets all its handles
 * visible again after `invisibleTimeMillisWhenClear`.
 */
import { decodeReceiptHandle, nextVisibleTime } from "@rocketmq-ts/common";
import type { Logger } from "pino";
import type { ProxyConfig } from "../config/ProxyConfig.js";
import { Code } from "../grpc/Code.js";
import { GrpcProxyException } from "../grpc/ResponseBuilder.js";
import type { SubscriptionGroupView } from "./MessageService.js";

const RENEW_STEPS = [60_000, 180_000, 300_000, 600_000, 1_800_000, 3_600_000];

export function renewDelay(renewTimes: number): number {
  return RENEW_STEPS[Math.min(Math.max(renewTimes, 0), RENEW_STEPS.length - 1)] as number;
}

/** The group retry policy's delay for a message consumed `reconsumeTimes` times before. */
export function retryDelay(group: SubscriptionGroupView, reconsumeTimes: number): number {
  const times = Math.max(reconsumeTimes, 0);
  if (group.retryPolicyType === "EXPONENTIAL") {
    const e = group.exponential;
    return Math.min(e.max, e.initial * Math.floor(e.multiplier ** Math.min(times, 32)));
  }
  const next = group.customizedNext;
  if (next.length === 0) return 0;
  return next[Math.min(times + 2, next.length - 1)] as number;
}

/** Whether `p` settles within `ms` (real time: it bounds a wait on the network). */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    p.then(done, done);
  });
}

export interface MessageReceiptHandle {
  group: string;
  topic: string;
  messageId: string;
  originalHandle: string;
  handle: string;
  reconsumeTimes: number;
  consumeTimestamp: number;
  renewTimes: number;
  renewRetryTimes: number;
}

export interface ReceiptHandleManagerOptions {
  config: ProxyConfig;
  now: () => number;
  logger: Logger;
  /** CHANGE_MESSAGE_INVISIBLETIME for the handle: the new handle, or null when the broker refused. */
  changeInvisibleTime: (h: MessageReceiptHandle, invisibleTime: number) => Promise<string | null>;
  groupConfig: (group: string) => Promise<SubscriptionGroupView | null>;
}

export class ReceiptHandleManager {
  /** `clientId@group` → message id → handle */
  private readonly groups = new Map<string, Map<string, MessageReceiptHandle>>();
  /** handles with a renew in flight → that renew */
  private readonly renewing = new Map<MessageReceiptHandle, Promise<void>>();

  constructor(private readonly options: ReceiptHandleManagerOptions) {}

  private static key(clientId: string, group: string): string {
    return `${clientId}@${group}`;
  }

  add(
    clientId: string,
    h: Omit<MessageReceiptHandle, "handle" | "consumeTimestamp" | "renewTimes" | "renewRetryTimes">,
  ): void {
    const key = ReceiptHandleManager.key(clientId, h.group);
    const table = this.groups.get(key) ?? new Map<string, MessageReceiptHandle>();
    table.set(h.messageId, {
      ...h,
      handle: h.originalHandle,
      consumeTimestamp: this.options.now(),
      renewTimes: 0,
      renewRetryTimes: 0,
    });
    this.groups.set(key, table);
  }

  /**
   * The newest handle of a message received with `originalHandle` (and forget it), or null; waits
   * for a renew in flight to end first.
   */
  async take(clientId: string, group: string, messageId: string, originalHandle: string): Promise<string | null> {
    const table = this.groups.get(ReceiptHandleManager.key(clientId, group));
    const h = table?.get(messageId);
    if (!table || !h || h.originalHandle !== originalHandle) return null;
    // as Java's handle lock: the entry stays (and keeps being renewed) when the wait times out
    const inFlight = this.renewing.get(h);
    if (inFlight && !(await settlesWithin(inFlight, this.options.config.lockTimeoutMsInHandleGroup)))
      throw new GrpcProxyException(Code.INTERNAL_SERVER_ERROR, "try to remove and get handle failed");
    if (table.get(messageId) === h) table.delete(messageId);
    return h.handle;
  }

  size(): number {
    let n = 0;
    for (const t of this.groups.values()) n += t.size;
    return n;
  }

  /** One renew round (Java's scheduleRenewTask). */
  async scan(): Promise<void> {
    const { config, now } = this.options;
    const work: Promise<void>[] = [];
    for (const table of this.groups.values()) {
      for (const h of table.values()) {
        if (this.renewing.has(h)) continue;
        if (nextVisibleTime(decodeReceiptHandle(h.handle)) - now() > config.renewAheadTimeMillis) continue;
        const renew = this.renew(table, h).finally(() => this.renewing.delete(h));
        this.renewing.set(h, renew);
        work.push(renew);
      }
    }
    await Promise.all(work);
  }

  private async renew(table: Map<string, MessageReceiptHandle>, h: MessageReceiptHandle): Promise<void> {
    const { config, now, logger } = this.options;
    const forget = (): void => {
      if (table.get(h.messageId) === h) table.delete(h.messageId);
    };
    if (h.renewRetryTimes >= config.maxRenewRetryTimes) {
      logger.warn({ messageId: h.messageId }, "handle has exceed max renewRetryTimes");
      forget();
      return;
    }
    try {
      if (now() - h.consumeTimestamp < config.renewMaxTimeMillis) {
        const next = await this.options.changeInvisibleTime(h, renewDelay(h.renewTimes));
        if (next === null) forget();
        else {
          h.handle = next;
          h.renewRetryTimes = 0;
          h.renewTimes += 1;
        }
      } else {
        const group = await this.options.groupConfig(h.group);
        forget();
        if (group) await this.options.changeInvisibleTime(h, retryDelay(group, h.reconsumeTimes));
      }
    } catch (err) {
      logger.warn({ err, messageId: h.messageId }, "renew failed");
      h.renewRetryTimes += 1;
    }
  }

  /** A client went away: its handles become visible again soon (Java's clearGroup). */
  clearClient(clientId: string): Promise<void> {
    return this.clearWhere((key) => key.startsWith(`${clientId}@`));
  }

  /** The proxy shuts down: every handle becomes visible again soon. */
  clearAll(): Promise<void> {
    return this.clearWhere(() => true);
  }

  private async clearWhere(matches: (key: string) => boolean): Promise<void> {
    const { config, changeInvisibleTime } = this.options;
    const work: Promise<unknown>[] = [];
    for (const [key, table] of this.groups) {
      if (!matches(key)) continue;
      this.groups.delete(key);
      for (const h of table.values()) {
        // a renew in flight first, so the handle made visible is the current one
        const inFlight = this.renewing.get(h);
        const ready = inFlight ? settlesWithin(inFlight, config.lockTimeoutMsInHandleGroup) : Promise.resolve(true);
        work.push(ready.then(() => changeInvisibleTime(h, config.invisibleTimeMillisWhenClear)).catch(() => null));
      }
    }
    await Promise.all(work);
  }
}
