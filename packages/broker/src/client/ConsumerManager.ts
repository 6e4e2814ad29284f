/**
 * Consumer groups known from heartbeats: connections, client ids, subscriptions (Java ConsumerManager).
 *
 * Beside them, as Java 5.3.3, a compensation table of groups that consume without heartbeats (POP
 * consumers, proxies): each POP records its group (CONSUME_POP, CLUSTERING) and its subscriptions of
 * the topic and of the group's POP retry topic. Subscription look-ups fall back on it by default
 * (findSubscriptionData), group look-ups only when asked (getConsumerGroupInfo(group, true));
 * subscriptions not refreshed for subscriptionExpiredTimeout (10 min) are dropped by the scan.
 */
import type { Connection, LanguageCode } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import type { ConsumerData, SubscriptionData } from "@rocketmq-ts/common";

export interface ClientChannelInfo {
  connection: Connection;
  clientId: string;
  language: LanguageCode | null;
  version: number;
  lastUpdateTimestamp: number;
}

export class ConsumerGroupInfo {
  readonly channelInfoTable = new Map<Connection, ClientChannelInfo>();
  readonly subscriptionTable = new Map<string, SubscriptionData>();
  consumeType = "CONSUME_PASSIVELY";
  messageModel = "CLUSTERING";
  consumeFromWhere = "CONSUME_FROM_LAST_OFFSET";
  lastUpdateTimestamp = Date.now();

  constructor(readonly groupName: string) {}

  getAllClientIds(): string[] {
    return [...this.channelInfoTable.values()].map((c) => c.clientId);
  }

  /** Register/refresh a channel; true when it is new. */
  updateChannel(info: ClientChannelInfo, consumeType: string, messageModel: string, consumeFromWhere: string): boolean {
    this.consumeType = consumeType;
    this.messageModel = messageModel;
    this.consumeFromWhere = consumeFromWhere;
    const existing = this.channelInfoTable.get(info.connection);
    this.lastUpdateTimestamp = Date.now();
    if (!existing || existing.clientId !== info.clientId) {
      this.channelInfoTable.set(info.connection, info);
      return true;
    }
    existing.lastUpdateTimestamp = info.lastUpdateTimestamp;
    return false;
  }

  /** Java's updateSubscription: new topics and removed topics are changes; newer subVersions replace. */
  updateSubscription(subs: SubscriptionData[]): boolean {
    let changed = false;
    for (const sub of subs) {
      const old = this.subscriptionTable.get(sub.topic);
      if (!old) {
        this.subscriptionTable.set(sub.topic, sub);
        changed = true;
      } else if (sub.subVersion > old.subVersion) {
        this.subscriptionTable.set(sub.topic, sub);
      }
    }
    const topics = new Set(subs.map((s) => s.topic));
    for (const topic of [...this.subscriptionTable.keys()]) {
      if (!topics.has(topic)) {
        this.subscriptionTable.delete(topic);
        changed = true;
      }
    }
    this.lastUpdateTimestamp = Date.now();
    return changed;
  }
}

/** Called with the group whose membership changed (the broker notifies its consumers). */
export type ConsumerIdsChangeListener = (
  event: "CHANGE" | "UNREGISTER" | "REGISTER",
  group: string,
  connections: Connection[],
) => void;

/** Java's BrokerConfig.subscriptionExpiredTimeout default: compensated subscriptions live 10 min. */
export const SUBSCRIPTION_EXPIRED_TIMEOUT_MS = 10 * 60 * 1000;

export class ConsumerManager {
  readonly consumerTable = new Map<string, ConsumerGroupInfo>();
  /** groups seen consuming without a heartbeat (Java's consumerCompensationTable) */
  readonly consumerCompensationTable = new Map<string, ConsumerGroupInfo>();

  constructor(
    private readonly listener: ConsumerIdsChangeListener,
    private readonly logger: Logger,
  ) {}

  getConsumerGroupInfo(group: string, fromCompensationTable = false): ConsumerGroupInfo | undefined {
    return (
      this.consumerTable.get(group) ?? (fromCompensationTable ? this.consumerCompensationTable.get(group) : undefined)
    );
  }

  /** The group's subscription of the topic: from its heartbeats, else (by default) from the compensation table. */
  findSubscriptionData(group: string, topic: string, fromCompensationTable = true): SubscriptionData | undefined {
    const fromHeartbeat = this.consumerTable.get(group)?.subscriptionTable.get(topic);
    if (fromHeartbeat || !fromCompensationTable) return fromHeartbeat;
    return this.consumerCompensationTable.get(group)?.subscriptionTable.get(topic);
  }

  private compensation(group: string): ConsumerGroupInfo {
    let info = this.consumerCompensationTable.get(group);
    if (!info) this.consumerCompensationTable.set(group, (info = new ConsumerGroupInfo(group)));
    return info;
  }

  /** A group consuming without heartbeats (a POP): record how it consumes. */
  compensateBasicConsumerInfo(group: string, consumeType: string, messageModel: string): void {
    const info = this.compensation(group);
    info.consumeType = consumeType;
    info.messageModel = messageModel;
  }

  /** A group consuming without heartbeats: record (refresh) its subscription of `topic`. */
  compensateSubscribeData(group: string, topic: string, subscription: SubscriptionData): void {
    this.compensation(group).subscriptionTable.set(topic, subscription);
  }

  /** Drop compensated subscriptions older (subVersion) than `expiredMs`, and groups left without any. */
  removeExpireConsumerGroupInfo(expiredMs = SUBSCRIPTION_EXPIRED_TIMEOUT_MS, now = Date.now()): void {
    for (const [group, info] of [...this.consumerCompensationTable]) {
      let removed = false;
      for (const [topic, sub] of [...info.subscriptionTable]) {
        if (now - sub.subVersion > expiredMs) {
          info.subscriptionTable.delete(topic);
          removed = true;
        }
      }
      if (removed && info.subscriptionTable.size === 0) this.consumerCompensationTable.delete(group);
    }
  }

  registerConsumer(data: ConsumerData, info: ClientChannelInfo, notify: boolean): boolean {
    let group = this.consumerTable.get(data.groupName);
    if (!group) this.consumerTable.set(data.groupName, (group = new ConsumerGroupInfo(data.groupName)));
    const r1 = group.updateChannel(info, data.consumeType, data.messageModel, data.consumeFromWhere);
    const r2 = group.updateSubscription(data.subscriptionDataSet);
    if ((r1 || r2) && notify) this.listener("CHANGE", data.groupName, [...group.channelInfoTable.keys()]);
    this.listener("REGISTER", data.groupName, []);
    return r1 || r2;
  }

  unregisterConsumer(groupName: string, connection: Connection, notify: boolean): void {
    const group = this.consumerTable.get(groupName);
    if (!group) return;
    if (group.channelInfoTable.delete(connection)) {
      this.logger.info({ group: groupName, remote: connection.remoteAddr }, "unregister consumer ok");
      if (group.channelInfoTable.size === 0) {
        this.consumerTable.delete(groupName);
        this.listener("UNREGISTER", groupName, []);
      }
      if (notify) this.listener("CHANGE", groupName, [...group.channelInfoTable.keys()]);
    }
  }

  /** A connection closed: drop it from every group (Java doChannelCloseEvent). */
  doChannelCloseEvent(connection: Connection): void {
    for (const [name, group] of [...this.consumerTable]) {
      if (!group.channelInfoTable.delete(connection)) continue;
      if (group.channelInfoTable.size === 0) {
        this.consumerTable.delete(name);
        this.listener("UNREGISTER", name, []);
      }
      this.listener("CHANGE", name, [...group.channelInfoTable.keys()]);
    }
  }

  /** Drop channels silent for over 120 s, then expired compensated subscriptions (Java scanNotActiveChannel). */
  scanNotActiveChannel(expiredMs = 120_000, subscriptionExpiredMs = SUBSCRIPTION_EXPIRED_TIMEOUT_MS): void {
    const now = Date.now();
    for (const group of this.consumerTable.values()) {
      for (const info of [...group.channelInfoTable.values()]) {
        if (now - info.lastUpdateTimestamp > expiredMs) {
          this.logger.warn(
            { group: group.groupName, clientId: info.clientId },
            "SCAN: remove expired channel from ConsumerManager",
          );
          info.connection.close("consumer channel expired");
          this.doChannelCloseEvent(info.connection);
        }
      }
    }
    this.removeExpireConsumerGroupInfo(subscriptionExpiredMs, now);
  }
}
