/**
 * Java's GrpcClientSettingsManager: client settings kept per client id (not per stream), and the
 * settings the proxy answers with.
 *
 * Java semantics kept: a consumer's stored settings are the defaults of an empty
 * SubscriptionGroupConfig with the client's own fields laid over them; on read a producer gets
 * backoff {max_attempts 3, exponential 10 ms..1 s ×2}, validate_message_type and max_body_size from
 * the config; a consumer whose group exists gets receive_batch_size 32, long_polling_timeout 20 s,
 * fifo = consumeMessageOrderly, max_attempts = retryMaxTimes + 1 and the group's retry policy
 * (CUSTOMIZED `next` list, or EXPONENTIAL); everybody gets `metric {on: false}`.
 */
import type { ProxyConfig } from "../config/ProxyConfig.js";
import type { SubscriptionGroupView } from "../service/MessageService.js";
import { defaultSubscriptionGroupView } from "../service/subscriptionGroupView.js";
import { millisToDuration, type RetryPolicy, type Settings } from "./v2types.js";

export type GroupLookup = (group: string) => Promise<SubscriptionGroupView | null>;

function retryPolicyOfGroup(group: SubscriptionGroupView): RetryPolicy {
  if (group.retryPolicyType === "EXPONENTIAL") {
    return {
      max_attempts: group.retryMaxTimes + 1,
      exponential_backoff: {
        initial: millisToDuration(group.exponential.initial),
        max: millisToDuration(group.exponential.max),
        multiplier: group.exponential.multiplier,
      },
    };
  }
  return {
    max_attempts: group.retryMaxTimes + 1,
    customized_backoff: { next: group.customizedNext.map(millisToDuration) },
  };
}

/** protobuf `mergeFrom` of the fields we know: set fields of `over` replace, repeated ones append. */
function mergeSettings(base: Settings, over: Settings): Settings {
  const out: Settings = { ...base };
  if (over.client_type !== undefined) out.client_type = over.client_type;
  if (over.access_point !== undefined) out.access_point = over.access_point;
  if (over.request_timeout !== undefined) out.request_timeout = over.request_timeout;
  if (over.user_agent !== undefined) out.user_agent = over.user_agent;
  if (over.metric !== undefined) out.metric = over.metric;
  if (over.backoff_policy !== undefined) {
    const b: RetryPolicy = { ...(base.backoff_policy ?? {}) };
    const o = over.backoff_policy;
    if (o.max_attempts !== undefined) b.max_attempts = o.max_attempts;
    if (o.exponential_backoff !== undefined) {
      delete b.customized_backoff;
      b.exponential_backoff = o.exponential_backoff;
    }
    if (o.customized_backoff !== undefined) {
      delete b.exponential_backoff;
      b.customized_backoff = o.customized_backoff;
    }
    out.backoff_policy = b;
  }
  if (over.publishing !== undefined) {
    delete out.subscription;
    out.publishing = over.publishing;
  }
  if (over.subscription !== undefined) {
    delete out.publishing;
    const s = { ...(base.subscription ?? {}) };
    const o = over.subscription;
    if (o.group !== undefined) s.group = o.group;
    if (o.subscriptions !== undefined) s.subscriptions = [...(s.subscriptions ?? []), ...o.subscriptions];
    if (o.fifo !== undefined) s.fifo = o.fifo;
    if (o.receive_batch_size !== undefined) s.receive_batch_size = o.receive_batch_size;
    if (o.long_polling_timeout !== undefined) s.long_polling_timeout = o.long_polling_timeout;
    out.subscription = s;
  }
  return out;
}

function withoutOneofTags(s: Settings): Settings {
  const out: Settings = { ...s };
  delete out.pub_sub;
  if (out.backoff_policy) {
    out.backoff_policy = { ...out.backoff_policy };
    delete out.backoff_policy.strategy;
  }
  return out;
}

export class GrpcClientSettingsManager {
  private readonly settingsByClient = new Map<string, Settings>();

  constructor(
    private readonly config: ProxyConfig,
    private readonly groupLookup: GroupLookup,
  ) {}

  /** Java mergeSubscriptionData(settings, groupConfig). */
  private mergeSubscriptionGroup(settings: Settings, group: SubscriptionGroupView): Settings {
    return {
      ...settings,
      subscription: {
        ...(settings.subscription ?? {}),
        receive_batch_size: this.config.grpcClientConsumerLongPollingBatchSize,
        long_polling_timeout: millisToDuration(this.config.grpcClientConsumerMaxLongPollingTimeoutMillis),
        fifo: group.consumeMessageOrderly,
      },
      backoff_policy: retryPolicyOfGroup(group),
    };
  }

  updateClientSettings(clientId: string, settings: Settings): void {
    let stored = withoutOneofTags(settings);
    if (stored.subscription !== undefined) {
      const defaults = this.mergeSubscriptionGroup({}, defaultSubscriptionGroupView(""));
      stored = mergeSettings(defaults, stored);
    }
    this.settingsByClient.set(clientId, stored);
  }

  getRawClientSettings(clientId: string): Settings | undefined {
    return this.settingsByClient.get(clientId);
  }

  async getClientSettings(clientId: string): Promise<Settings | null> {
    const settings = this.settingsByClient.get(clientId);
    if (!settings) return null;
    return this.merged(settings);
  }

  /** Forget a client's settings (it expired). */
  removeClientSettings(clientId: string): void {
    this.settingsByClient.delete(clientId);
  }

  async removeAndGetClientSettings(clientId: string): Promise<Settings | null> {
    const settings = this.settingsByClient.get(clientId);
    if (!settings) return null;
    this.settingsByClient.delete(clientId);
    return this.merged(settings);
  }

  private async merged(settings: Settings): Promise<Settings> {
    let out = settings;
    if (settings.publishing !== undefined) {
      out = {
        ...settings,
        backoff_policy: {
          ...(settings.backoff_policy ?? {}),
          max_attempts: this.config.grpcClientProducerMaxAttempts,
          exponential_backoff: {
            initial: millisToDuration(this.config.grpcClientProducerBackoffInitialMillis),
            max: millisToDuration(this.config.grpcClientProducerBackoffMaxMillis),
            multiplier: this.config.grpcClientProducerBackoffMultiplier,
          },
        },
        publishing: {
          ...settings.publishing,
          validate_message_type: this.config.enableTopicMessageTypeCheck,
          max_body_size: this.config.maxMessageSize,
        },
      };
      if (out.backoff_policy) delete out.backoff_policy.customized_backoff;
    } else if (settings.subscription !== undefined) {
      const group = await this.groupLookup(settings.subscription.group?.name ?? "");
      if (group) out = this.mergeSubscriptionGroup(settings, group);
    }
    return { ...out, metric: { on: false } };
  }
}
