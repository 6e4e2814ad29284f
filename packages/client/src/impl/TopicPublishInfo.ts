/** Publish queues of a topic and Java's round-robin selection (TopicPublishInfo, MQFaultStrategy). */
import { isWriteable, MixAll, type TopicRouteData } from "@rocketmq-ts/common";
import type { MessageQueue } from "../message/Message.js";

export interface TopicPublishInfo {
  orderTopic: boolean;
  haveTopicRouterInfo: boolean;
  messageQueueList: MessageQueue[];
  route: TopicRouteData;
}

/** Writable queues on brokers that have a master, brokers in name order (orderTopicConf overrides). */
export function topicRouteData2TopicPublishInfo(topic: string, route: TopicRouteData): TopicPublishInfo {
  const list: MessageQueue[] = [];
  if (route.orderTopicConf) {
    for (const item of route.orderTopicConf.split(";")) {
      const [brokerName = "", nums = "0"] = item.split(":");
      for (let i = 0; i < Number(nums); i++) list.push({ topic, brokerName, queueId: i });
    }
    return { orderTopic: true, haveTopicRouterInfo: true, messageQueueList: list, route };
  }
  const queueDatas = [...route.queueDatas].sort((a, b) =>
    a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0,
  );
  for (const qd of queueDatas) {
    if (!isWriteable(qd.perm)) continue;
    const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    if (!bd?.brokerAddrs.has(MixAll.MASTER_ID)) continue;
    for (let i = 0; i < qd.writeQueueNums; i++) list.push({ topic, brokerName: qd.brokerName, queueId: i });
  }
  return { orderTopic: false, haveTopicRouterInfo: true, messageQueueList: list, route };
}

/** 4.9.8 latency → not-available-duration steps (sendLatencyFaultEnable). */
const LATENCY_MAX = [50, 100, 550, 1000, 2000, 3000, 15000];
const NOT_AVAILABLE = [0, 0, 30000, 60000, 120000, 180000, 600000];

export class MQFaultStrategy {
  private readonly faults = new Map<string, number>(); // brokerName → available again at
  private index = Math.floor(Math.random() * 0x7fffffff);

  constructor(public sendLatencyFaultEnable = false) {}

  selectOneMessageQueue(info: TopicPublishInfo, lastBrokerName: string | null): MessageQueue | undefined {
    const list = info.messageQueueList;
    if (list.length === 0) return undefined;
    if (this.sendLatencyFaultEnable) {
      const now = Date.now();
      for (let i = 0; i < list.length; i++) {
        const mq = list[Math.abs(this.index++) % list.length];
        if (mq && (this.faults.get(mq.brokerName) ?? 0) <= now) return mq;
      }
    }
    if (lastBrokerName === null) return list[Math.abs(this.index++) % list.length];
    for (let i = 0; i < list.length; i++) {
      const mq = list[Math.abs(this.index++) % list.length];
      if (mq && mq.brokerName !== lastBrokerName) return mq;
    }
    return list[Math.abs(this.index++) % list.length];
  }

  updateFaultItem(brokerName: string, currentLatency: number, isolation: boolean): void {
    if (!this.sendLatencyFaultEnable) return;
    const latency = isolation ? 30000 : currentLatency;
    let duration = 0;
    for (let i = LATENCY_MAX.length - 1; i >= 0; i--) {
      if (latency >= (LATENCY_MAX[i] ?? 0)) {
        duration = NOT_AVAILABLE[i] ?? 0;
        break;
      }
    }
    this.faults.set(brokerName, Date.now() + duration);
  }
}
