/** Route bodies exchanged with the name server: TopicRouteData, ClusterInfo, TopicList, KVTable. */
import { stringifyFastjson, type JsonValue } from "@rocketmq-ts/remoting";
import { arr, entries, num, obj, optStr, parseBody, str } from "./json.js";

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** brokerId → `ip:port`; 0 is the master. */
  brokerAddrs: Map<number, string>;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  filterServerTable: Map<string, string[]>;
}

export interface ClusterInfo {
  brokerAddrTable: Map<string, BrokerData>;
  clusterAddrTable: Map<string, string[]>;
}

/** Sort ids ascending, as Java's HashMap iterates small Long keys. */
function sortedAddrs(addrs: Map<number, string>): Map<number, string> {
  return new Map([...addrs.entries()].sort((a, b) => a[0] - b[0]));
}

function brokerDataJson(b: BrokerData): BrokerData {
  return { brokerAddrs: sortedAddrs(b.brokerAddrs), brokerName: b.brokerName, cluster: b.cluster };
}

/**
 * TopicRouteData as the Java name server writes it: `standard` (request version ≥ V4_9_4 or
 * acceptStandardJsonOnly) quotes the brokerAddrs keys; the legacy form writes them bare.
 */
export function encodeTopicRouteData(route: TopicRouteData, standard: boolean): Buffer {
  const body = {
    brokerDatas: route.brokerDatas.map(brokerDataJson),
    filterServerTable: route.filterServerTable,
    orderTopicConf: route.orderTopicConf,
    queueDatas: route.queueDatas.map((q) => ({ ...q })),
  };
  return Buffer.from(stringifyFastjson(body, { quoteNumericKeys: standard, asciiOnly: standard }), "utf8");
}

function decodeBrokerData(v: JsonValue, path: string): BrokerData {
  const o = obj(v, path);
  return {
    cluster: str(o["cluster"], `${path}.cluster`),
    brokerName: str(o["brokerName"], `${path}.brokerName`),
    brokerAddrs: new Map(
      entries(o["brokerAddrs"], `${path}.brokerAddrs`).map(([id, addr]) => [
        Number(id),
        str(addr, `${path}.brokerAddrs`),
      ]),
    ),
  };
}

function decodeQueueData(v: JsonValue, path: string): QueueData {
  const o = obj(v, path);
  return {
    brokerName: str(o["brokerName"], `${path}.brokerName`),
    readQueueNums: num(o["readQueueNums"], `${path}.readQueueNums`),
    writeQueueNums: num(o["writeQueueNums"], `${path}.writeQueueNums`),
    perm: num(o["perm"], `${path}.perm`),
    // named topicSynFlag up to 4.8
    topicSysFlag: num(o["topicSysFlag"] ?? o["topicSynFlag"], `${path}.topicSysFlag`, 0),
  };
}

export function decodeTopicRouteData(body: Buffer | null): TopicRouteData {
  const o = obj(parseBody(body, "TopicRouteData"), "TopicRouteData");
  const route: TopicRouteData = {
    queueDatas: arr(o["queueDatas"], "queueDatas").map((q, i) => decodeQueueData(q, `queueDatas[${i}]`)),
    brokerDatas: arr(o["brokerDatas"], "brokerDatas").map((b, i) => decodeBrokerData(b, `brokerDatas[${i}]`)),
    filterServerTable: new Map(
      entries(o["filterServerTable"], "filterServerTable").map(([k, v]) => [k, arr(v, k).map((s) => str(s, k))]),
    ),
  };
  const orderTopicConf = optStr(o["orderTopicConf"], "orderTopicConf");
  if (orderTopicConf !== undefined) route.orderTopicConf = orderTopicConf;
  return route;
}

/** ClusterInfo: always fastjson's legacy form (bare numeric keys), as the Java name server sends it. */
export function encodeClusterInfo(info: ClusterInfo): Buffer {
  const brokerAddrTable = new Map([...info.brokerAddrTable].map(([name, b]) => [name, brokerDataJson(b)]));
  return Buffer.from(stringifyFastjson({ brokerAddrTable, clusterAddrTable: info.clusterAddrTable }), "utf8");
}

export function decodeClusterInfo(body: Buffer | null): ClusterInfo {
  const o = obj(parseBody(body, "ClusterInfo"), "ClusterInfo");
  return {
    brokerAddrTable: new Map(
      entries(o["brokerAddrTable"], "brokerAddrTable").map(([k, v]) => [
        k,
        decodeBrokerData(v, `brokerAddrTable.${k}`),
      ]),
    ),
    clusterAddrTable: new Map(
      entries(o["clusterAddrTable"], "clusterAddrTable").map(([k, v]) => [k, arr(v, k).map((s) => str(s, k))]),
    ),
  };
}

export function encodeTopicList(topics: Iterable<string>, brokerAddr?: string): Buffer {
  return Buffer.from(stringifyFastjson({ brokerAddr, topicList: [...topics] }), "utf8");
}

export function decodeTopicList(body: Buffer | null): { topicList: string[]; brokerAddr?: string } {
  const o = obj(parseBody(body, "TopicList"), "TopicList");
  const out: { topicList: string[]; brokerAddr?: string } = {
    topicList: arr(o["topicList"], "topicList").map((t) => str(t, "topicList")),
  };
  const brokerAddr = optStr(o["brokerAddr"], "brokerAddr");
  if (brokerAddr !== undefined) out.brokerAddr = brokerAddr;
  return out;
}

export function encodeKVTable(table: Map<string, string>): Buffer {
  return Buffer.from(stringifyFastjson({ table }), "utf8");
}

export function decodeKVTable(body: Buffer | null): Map<string, string> {
  const o = obj(parseBody(body, "KVTable"), "KVTable");
  return new Map(entries(o["table"], "table").map(([k, v]) => [k, str(v, `table.${k}`)]));
}
