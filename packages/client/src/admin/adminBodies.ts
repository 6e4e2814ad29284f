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

/** One window of a broker stats item (Java's BrokerStatsItem). */
export interface BrokerStatsItem {
  sum: number;
  tps: number;
  avgpt: number;
}

/** VIEW_BROKER_STATS_DATA's body (Java's BrokerStatsData). */
export interface BrokerStatsData {
  statsMinute: BrokerStatsItem;
  statsHour: BrokerStatsItem;
  statsDay: BrokerStatsItem;
}

/** One group's progress on one topic of a broker (Java's ConsumeStats). */
export interface ConsumeStats {
  offsetTable: ConsumeQueueProgress[];
  consumeTps: number;
}

/** GET_BROKER_CONSUME_STATS's body (Java's ConsumeStatsList): per group, its topics' progress. */
export interface ConsumeStatsList {
  brokerAddr: string;
  totalDiff: number;
  consumeStatsList: Map<string, ConsumeStats[]>[];
}

function statsItemOf(v: JsonValue | undefined): BrokerStatsItem {
  return { sum: numOf(v, "sum"), tps: numOf(v, "tps"), avgpt: numOf(v, "avgpt") };
}

export function brokerStatsDataOf(v: JsonValue): BrokerStatsData {
  const o = v as Record<string, JsonValue>;
  return {
    statsMinute: statsItemOf(o["statsMinute"]),
    statsHour: statsItemOf(o["statsHour"]),
    statsDay: statsItemOf(o["statsDay"]),
  };
}

/** A MessageQueue-keyed offsetTable (a Map with bean keys in fastjson's form). */
export function progressOf(table: JsonValue | undefined): ConsumeQueueProgress[] {
  const entries: [JsonValue, JsonValue][] = table instanceof Map ? [...table.entries()] : [];
  return entries.map(([k, v]) => {
    const key = k as Record<string, JsonValue>;
    return {
      brokerName: String(key["brokerName"]),
      queueId: Number(key["queueId"]),
      topic: String(key["topic"]),
      brokerOffset: numOf(v, "brokerOffset"),
      consumerOffset: numOf(v, "consumerOffset"),
      lastTimestamp: numOf(v, "lastTimestamp"),
    };
  });
}

export function consumeStatsListOf(v: JsonValue): ConsumeStatsList {
  const o = v as Record<string, JsonValue>;
  const list = Array.isArray(o["consumeStatsList"]) ? o["consumeStatsList"] : [];
  return {
    brokerAddr: String(o["brokerAddr"] ?? ""),
    totalDiff: numOf(o, "totalDiff"),
    consumeStatsList: list.map((m) => {
      const groups = new Map<string, ConsumeStats[]>();
      const entries = m instanceof Map ? [...m.entries()] : Object.entries(m as Record<string, JsonValue>);
      for (const [group, stats] of entries) {
        groups.set(
          String(group),
          (Array.isArray(stats) ? stats : []).map((s) => ({
            offsetTable: progressOf((s as Record<string, JsonValue>)["offsetTable"]),
            consumeTps: numOf(s, "consumeTps"),
          })),
        );
      }
      return groups;
    }),
  };
}
