/**
 * The name server's route tables and Java 4.9.8's rules for changing them: registration,
 * unregistration, liveness expiry, connection-close cleanup, route assembly and write-permission
 * changes. Pure state; the caller supplies time and connections.
 */
import {
  dataVersionEquals,
  MixAll,
  PermName,
  TopicSysFlag,
  type BrokerData,
  type ClusterInfo,
  type DataVersion,
  type QueueData,
  type TopicConfigSerializeWrapper,
  type TopicRouteData,
} from "@rocketmq-ts/common";
import type { Connection } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";

export interface BrokerLiveInfo {
  lastUpdateTimestamp: number;
  dataVersion: DataVersion;
  connection: Connection | null;
  haServerAddr: string;
}

export interface RegisterBrokerArgs {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  topicConfigWrapper: TopicConfigSerializeWrapper | null;
  filterServerList: string[] | null;
  connection: Connection | null;
}

export interface RegisterBrokerResult {
  masterAddr?: string;
  haServerAddr?: string;
}

/** Java's default broker expiry: 120 s without a registration. */
export const BROKER_CHANNEL_EXPIRED_TIME = 120_000;

export class RouteInfoManager {
  /** topic → brokerName → QueueData */
  readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  readonly brokerAddrTable = new Map<string, BrokerData>();
  readonly clusterAddrTable = new Map<string, Set<string>>();
  readonly brokerLiveTable = new Map<string, BrokerLiveInfo>();
  readonly filterServerTable = new Map<string, string[]>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  registerBroker(args: RegisterBrokerArgs): RegisterBrokerResult {
    const { clusterName, brokerAddr, brokerName, brokerId } = args;
    let brokerNames = this.clusterAddrTable.get(clusterName);
    if (!brokerNames) this.clusterAddrTable.set(clusterName, (brokerNames = new Set()));
    brokerNames.add(brokerName);

    let registerFirst = false;
    let brokerData = this.brokerAddrTable.get(brokerName);
    if (!brokerData) {
      registerFirst = true;
      brokerData = { cluster: clusterName, brokerName, brokerAddrs: new Map() };
      this.brokerAddrTable.set(brokerName, brokerData);
    }
    // A slave promoted to master keeps one record per address: drop the old id.
    for (const [id, addr] of brokerData.brokerAddrs) {
      if (addr === brokerAddr && id !== brokerId) brokerData.brokerAddrs.delete(id);
    }
    const oldAddr = brokerData.brokerAddrs.get(brokerId);
    brokerData.brokerAddrs.set(brokerId, brokerAddr);
    registerFirst = registerFirst || oldAddr === undefined;

    const wrapper = args.topicConfigWrapper;
    if (wrapper && brokerId === MixAll.MASTER_ID) {
      if (this.isBrokerTopicConfigChanged(brokerAddr, wrapper.dataVersion) || registerFirst) {
        for (const config of wrapper.topicConfigTable.values()) {
          this.createAndUpdateQueueData(
            brokerName,
            {
              brokerName,
              readQueueNums: config.readQueueNums,
              writeQueueNums: config.writeQueueNums,
              perm: config.perm,
              topicSysFlag: config.topicSysFlag,
            },
            config.topicName,
          );
        }
      }
    }

    const previous = this.brokerLiveTable.get(brokerAddr);
    this.brokerLiveTable.set(brokerAddr, {
      lastUpdateTimestamp: this.now(),
      dataVersion: wrapper?.dataVersion ?? { timestamp: 0, counter: 0 },
      connection: args.connection,
      haServerAddr: args.haServerAddr,
    });
    if (!previous) this.logger.info({ brokerAddr, haServerAddr: args.haServerAddr }, "new broker registered");

    if (args.filterServerList) {
      if (args.filterServerList.length === 0) this.filterServerTable.delete(brokerAddr);
      else this.filterServerTable.set(brokerAddr, args.filterServerList);
    }

    const result: RegisterBrokerResult = {};
    if (brokerId !== MixAll.MASTER_ID) {
      const masterAddr = brokerData.brokerAddrs.get(MixAll.MASTER_ID);
      const masterLive = masterAddr === undefined ? undefined : this.brokerLiveTable.get(masterAddr);
      if (masterAddr !== undefined && masterLive) {
        result.haServerAddr = masterLive.haServerAddr;
        result.masterAddr = masterAddr;
      }
    }
    return result;
  }

  private createAndUpdateQueueData(brokerName: string, queueData: QueueData, topic: string): void {
    let byBroker = this.topicQueueTable.get(topic);
    if (!byBroker) {
      byBroker = new Map();
      this.topicQueueTable.set(topic, byBroker);
      this.logger.info({ topic, queueData }, "new topic registered");
    }
    const existing = byBroker.get(brokerName);
    if (!existing || !queueDataEquals(existing, queueData)) {
      if (existing) this.logger.info({ topic, old: existing, new: queueData }, "topic changed");
      byBroker.set(brokerName, queueData);
    }
  }

  isBrokerTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    const prev = this.brokerLiveTable.get(brokerAddr);
    return !prev || !dataVersionEquals(prev.dataVersion, dataVersion);
  }

  queryBrokerTopicConfig(brokerAddr: string): DataVersion | undefined {
    return this.brokerLiveTable.get(brokerAddr)?.dataVersion;
  }

  updateBrokerInfoUpdateTimestamp(brokerAddr: string): void {
    const live = this.brokerLiveTable.get(brokerAddr);
    if (live) live.lastUpdateTimestamp = this.now();
  }

  unregisterBroker(clusterName: string, brokerAddr: string, brokerName: string, brokerId: number): void {
    const live = this.brokerLiveTable.get(brokerAddr);
    this.brokerLiveTable.delete(brokerAddr);
    this.filterServerTable.delete(brokerAddr);
    this.logger.info({ brokerAddr, removed: live !== undefined }, "unregisterBroker, remove from brokerLiveTable");
    let removeBrokerName = false;
    const brokerData = this.brokerAddrTable.get(brokerName);
    if (brokerData) {
      brokerData.brokerAddrs.delete(brokerId);
      if (brokerData.brokerAddrs.size === 0) {
        this.brokerAddrTable.delete(brokerName);
        removeBrokerName = true;
      }
    }
    if (removeBrokerName) {
      const names = this.clusterAddrTable.get(clusterName);
      if (names) {
        names.delete(brokerName);
        if (names.size === 0) this.clusterAddrTable.delete(clusterName);
      }
      this.removeTopicByBrokerName(brokerName);
    }
  }

  private removeTopicByBrokerName(brokerName: string): void {
    for (const [topic, byBroker] of this.topicQueueTable) {
      if (byBroker.delete(brokerName))
        this.logger.info({ topic, brokerName }, "removeTopicByBrokerName, remove one broker's topic");
      if (byBroker.size === 0) {
        this.topicQueueTable.delete(topic);
        this.logger.info({ topic }, "removeTopicByBrokerName, remove the topic all queue");
      }
    }
  }

  /**
   * Cleanup when a broker's connection closes or it expires: find the broker by connection (else by
   * the remote address), drop that address; a broker name with no address left loses its topics.
   */
  onChannelDestroy(remoteAddr: string, connection: Connection | null): void {
    let brokerAddrFound: string | undefined;
    if (connection) {
      for (const [addr, live] of this.brokerLiveTable) {
        if (live.connection === connection) {
          brokerAddrFound = addr;
          break;
        }
      }
    }
    brokerAddrFound ??= remoteAddr;
    if (!brokerAddrFound) return;
    const wasLive = this.brokerLiveTable.delete(brokerAddrFound);
    this.filterServerTable.delete(brokerAddrFound);

    const removedNames = new Set<string>();
    for (const [brokerName, brokerData] of this.brokerAddrTable) {
      for (const [id, addr] of brokerData.brokerAddrs) {
        if (addr === brokerAddrFound) {
          brokerData.brokerAddrs.delete(id);
          this.logger.info(
            { brokerId: id, brokerAddr: addr },
            "the broker's channel destroyed, remove brokerAddr from brokerAddrTable",
          );
        }
      }
      if (brokerData.brokerAddrs.size === 0) {
        removedNames.add(brokerName);
        this.brokerAddrTable.delete(brokerName);
      }
    }
    if (wasLive)
      this.logger.info(
        { brokerAddr: brokerAddrFound },
        "the broker's channel destroyed, clean it's data structure at once",
      );
    if (removedNames.size === 0) return;
    for (const [cluster, names] of this.clusterAddrTable) {
      for (const name of removedNames) names.delete(name);
      if (names.size === 0) this.clusterAddrTable.delete(cluster);
    }
    for (const name of removedNames) this.removeTopicByBrokerName(name);
  }

  /** Close and forget brokers silent for longer than `expiredMs`. Returns the expired addresses. */
  scanNotActiveBroker(expiredMs = BROKER_CHANNEL_EXPIRED_TIME): string[] {
    const expired: string[] = [];
    const now = this.now();
    for (const [addr, live] of this.brokerLiveTable) {
      if (live.lastUpdateTimestamp + expiredMs < now) {
        expired.push(addr);
        this.logger.warn({ brokerAddr: addr, expiredMs }, "The broker channel expired");
        live.connection?.close("broker channel expired");
        this.onChannelDestroy(addr, live.connection);
      }
    }
    return expired;
  }

  /** Route of a topic, or null when it has no queue data or none of its brokers is known. */
  pickupTopicRouteData(topic: string): TopicRouteData | null {
    const byBroker = this.topicQueueTable.get(topic);
    if (!byBroker || byBroker.size === 0) return null;
    const names = [...byBroker.keys()].sort();
    const brokerDatas: BrokerData[] = [];
    const filterServerTable = new Map<string, string[]>();
    for (const name of names) {
      const bd = this.brokerAddrTable.get(name);
      if (!bd) continue;
      brokerDatas.push({ cluster: bd.cluster, brokerName: bd.brokerName, brokerAddrs: new Map(bd.brokerAddrs) });
      for (const addr of bd.brokerAddrs.values()) {
        const servers = this.filterServerTable.get(addr);
        if (servers) filterServerTable.set(addr, servers);
      }
    }
    if (brokerDatas.length === 0) return null;
    return {
      queueDatas: names.map((n) => ({ ...(byBroker.get(n) as QueueData) })),
      brokerDatas,
      filterServerTable,
    };
  }

  getAllClusterInfo(): ClusterInfo {
    return {
      brokerAddrTable: new Map([...this.brokerAddrTable].sort(([a], [b]) => a.localeCompare(b))),
      clusterAddrTable: new Map([...this.clusterAddrTable].map(([c, names]) => [c, [...names].sort()])),
    };
  }

  /** WIPE (clear the write bit) or ADD (set read+write) on every queue data of a broker; returns the count. */
  operateWritePermOfBroker(brokerName: string, op: "wipe" | "add"): number {
    let count = 0;
    for (const byBroker of this.topicQueueTable.values()) {
      const qd = byBroker.get(brokerName);
      if (!qd) continue;
      qd.perm = op === "wipe" ? qd.perm & ~PermName.PERM_WRITE : PermName.PERM_READ | PermName.PERM_WRITE;
      count++;
    }
    return count;
  }

  getAllTopicList(): string[] {
    return [...this.topicQueueTable.keys()];
  }

  /** Remove a topic, or only its queues on the brokers of `clusterName`. */
  deleteTopic(topic: string, clusterName?: string): void {
    if (clusterName === undefined || clusterName === "") {
      this.topicQueueTable.delete(topic);
      return;
    }
    const byBroker = this.topicQueueTable.get(topic);
    const names = this.clusterAddrTable.get(clusterName);
    if (!byBroker || !names) return;
    for (const name of names) byBroker.delete(name);
    if (byBroker.size === 0) this.topicQueueTable.delete(topic);
  }

  /** Cluster and broker names (Java lists them as "system topics") and the first broker's address. */
  getSystemTopicList(): { topicList: string[]; brokerAddr?: string } {
    const topicList: string[] = [];
    for (const [cluster, names] of this.clusterAddrTable) topicList.push(cluster, ...names);
    const out: { topicList: string[]; brokerAddr?: string } = { topicList };
    for (const bd of this.brokerAddrTable.values()) {
      const first = [...bd.brokerAddrs.entries()].sort((a, b) => a[0] - b[0])[0];
      if (first) {
        out.brokerAddr = first[1];
        break;
      }
    }
    return out;
  }

  getTopicsByCluster(cluster: string): string[] {
    const names = this.clusterAddrTable.get(cluster);
    if (!names) return [];
    const topics: string[] = [];
    for (const [topic, byBroker] of this.topicQueueTable) {
      if ([...byBroker.keys()].some((n) => names.has(n))) topics.push(topic);
    }
    return topics;
  }

  /** Topics whose first queue data matches `test` on its topicSysFlag (unit-topic lists). */
  topicsBySysFlag(test: (flag: number) => boolean): string[] {
    const out: string[] = [];
    for (const [topic, byBroker] of this.topicQueueTable) {
      const first = byBroker.values().next().value as QueueData | undefined;
      if (first && test(first.topicSysFlag)) out.push(topic);
    }
    return out;
  }

  static readonly hasUnitFlag = (f: number): boolean => (f & TopicSysFlag.FLAG_UNIT) === TopicSysFlag.FLAG_UNIT;
  static readonly hasUnitSubFlag = (f: number): boolean =>
    (f & TopicSysFlag.FLAG_UNIT_SUB) === TopicSysFlag.FLAG_UNIT_SUB;
}

function queueDataEquals(a: QueueData, b: QueueData): boolean {
  return (
    a.brokerName === b.brokerName &&
    a.readQueueNums === b.readQueueNums &&
    a.writeQueueNums === b.writeQueueNums &&
    a.perm === b.perm &&
    a.topicSysFlag === b.topicSysFlag
  );
}
