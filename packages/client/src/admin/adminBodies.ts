/** What admin answers carry, as typed values: queue stats, consume progress, connections. */
import type { JsonValue } from "@rocketmq-ts/remoting";

export interface QueueStats {
  brokerName: string;
  queueId: number;
  topic: string;
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface ConsumeQueueProgress {
  brokerName: string;
  queueId: number;
  topic: string;
  brokerOffset: number;
  consumerOffset: number;
  lastTimestamp: number;
}

export interface ConnectionInfo {
  clientId: string;
  clientAddr: string;
  language: string;
  version: number;
}

/** BrokerData.selectBrokerAddr: the master, else any address. */
export function selectBrokerAddr(addrs: Map<number, string>): string | undefined {
  return addrs.get(0) ?? [...addrs.values()][Math.floor(Math.random() * addrs.size)];
}

export function numOf(v: JsonValue | undefined, key: string): number {
  const o = v as Record<string, JsonValue> | undefined;
  return Number(o?.[key] ?? 0);
}

/** The connectionSet of a ConsumerConnection / ProducerConnection body. */
export function connectionsOf(v: JsonValue | undefined): ConnectionInfo[] {
  return (Array.isArray(v) ? v : []).map((c) => {
    const o = c as Record<string, JsonValue>;
    return {
      clientId: String(o["clientId"]),
      clientAddr: String(o["clientAddr"]),
      language: String(o["language"]),
      version: Number(o["version"]),
    };
  });
}
