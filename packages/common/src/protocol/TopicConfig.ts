import type { JsonValue } from "@rocketmq-ts/remoting";
import { perm2String, PermName } from "./constants.js";
import { bool, entries, num, obj, str } from "./json.js";

export type TopicFilterType = "SINGLE_TAG" | "MULTI_TAG";

/** A topic as a broker configures it (topics.json, registration bodies). */
export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: TopicFilterType;
  topicSysFlag: number;
  order: boolean;
  /** 5.x topic attributes (e.g. `+message.type`). */
  attributes?: Record<string, string>;
}

export function newTopicConfig(topicName: string, init: Partial<TopicConfig> = {}): TopicConfig {
  return {
    topicName,
    readQueueNums: 16,
    writeQueueNums: 16,
    perm: PermName.PERM_READ | PermName.PERM_WRITE,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
    ...init,
  };
}

/** Java's TopicConfig.toString (remarks and tool output print it). */
export function topicConfigString(c: TopicConfig): string {
  return `TopicConfig [topicName=${c.topicName}, readQueueNums=${c.readQueueNums}, writeQueueNums=${c.writeQueueNums}, perm=${perm2String(c.perm)}, topicFilterType=${c.topicFilterType}, topicSysFlag=${c.topicSysFlag}, order=${c.order}]`;
}

export function decodeTopicConfig(v: JsonValue | undefined, path: string): TopicConfig {
  const o = obj(v, path);
  const filter = o["topicFilterType"];
  const config: TopicConfig = {
    topicName: str(o["topicName"], `${path}.topicName`),
    readQueueNums: num(o["readQueueNums"], `${path}.readQueueNums`, 16),
    writeQueueNums: num(o["writeQueueNums"], `${path}.writeQueueNums`, 16),
    perm: num(o["perm"], `${path}.perm`, 6),
    topicFilterType: filter === "MULTI_TAG" ? "MULTI_TAG" : "SINGLE_TAG",
    topicSysFlag: num(o["topicSysFlag"], `${path}.topicSysFlag`, 0),
    order: bool(o["order"], `${path}.order`, false),
  };
  if (o["attributes"] !== undefined && o["attributes"] !== null) {
    config.attributes = Object.fromEntries(
      entries(o["attributes"], `${path}.attributes`).map(([k, val]) => [k, String(val)]),
    );
  }
  return config;
}

/** `TopicConfig.encode()`: the space-separated form used in compressed registrations. */
export function encodeTopicConfigLine(c: TopicConfig): string {
  return [c.topicName, c.readQueueNums, c.writeQueueNums, c.perm, c.topicFilterType].join(" ");
}

export function decodeTopicConfigLine(line: string): TopicConfig {
  const [topicName, read, write, perm, filter] = line.split(" ");
  if (!topicName || read === undefined || write === undefined || perm === undefined) {
    throw new Error(`bad topic config line: ${line}`);
  }
  return newTopicConfig(topicName, {
    readQueueNums: Number(read),
    writeQueueNums: Number(write),
    perm: Number(perm),
    topicFilterType: filter === "MULTI_TAG" ? "MULTI_TAG" : "SINGLE_TAG",
  });
}
