/**
 * Bodies of two admin answers, shared by the broker (encodes) and the admin client (decodes):
 * QUERY_CONSUME_QUEUE's QueryConsumeQueueResponseBody with its ConsumeQueueData entries, and
 * GET_ALL_PRODUCER_INFO's ProducerTableInfo of ProducerInfo (Java's protocol/body classes).
 */
import { javaHashMapOrder, stringifyFastjson } from "@rocketmq-ts/remoting";
import { decodeSubscriptionData, type SubscriptionData } from "./heartbeat.js";
import { arr, bool, entries, num, obj, optStr, parseBody, str } from "./json.js";

/** One 20-byte consume-queue entry as the answer shows it. */
export interface ConsumeQueueData {
  physicOffset: number;
  physicSize: number;
  tagsCode: number;
  /** Only for entries whose tags code is an address in the consume-queue extension. */
  extendDataJson?: string;
  bitMap?: string;
  eval: boolean;
  msg?: string;
}

export interface QueryConsumeQueueResponseBody {
  subscriptionData?: SubscriptionData;
  filterData?: string;
  queueData?: ConsumeQueueData[];
  maxQueueIndex: number;
  minQueueIndex: number;
}

export function encodeQueryConsumeQueueResponseBody(body: QueryConsumeQueueResponseBody): Buffer {
  return Buffer.from(stringifyFastjson(body), "utf8");
}

export function decodeQueryConsumeQueueResponseBody(body: Buffer | null): QueryConsumeQueueResponseBody {
  const o = obj(parseBody(body, "QueryConsumeQueueResponseBody"), "QueryConsumeQueueResponseBody");
  const out: QueryConsumeQueueResponseBody = {
    maxQueueIndex: num(o["maxQueueIndex"], "maxQueueIndex", 0),
    minQueueIndex: num(o["minQueueIndex"], "minQueueIndex", 0),
  };
  if (o["subscriptionData"] != null)
    out.subscriptionData = decodeSubscriptionData(o["subscriptionData"], "subscriptionData");
  const filterData = optStr(o["filterData"], "filterData");
  if (filterData !== undefined) out.filterData = filterData;
  if (o["queueData"] != null)
    out.queueData = arr(o["queueData"], "queueData").map((v, i) => {
      const path = `queueData[${i}]`;
      const q = obj(v, path);
      const data: ConsumeQueueData = {
        physicOffset: num(q["physicOffset"], `${path}.physicOffset`, 0),
        physicSize: num(q["physicSize"], `${path}.physicSize`, 0),
        tagsCode: num(q["tagsCode"], `${path}.tagsCode`, 0),
        eval: bool(q["eval"], `${path}.eval`, false),
      };
      for (const key of ["extendDataJson", "bitMap", "msg"] as const) {
        const value = optStr(q[key], `${path}.${key}`);
        if (value !== undefined) data[key] = value;
      }
      return data;
    });
  return out;
}

/** Java's ConsumeQueueData.toString, as mqadmin queryCq prints each entry. */
export function consumeQueueDataToString(d: ConsumeQueueData): string {
  const quoted = (v: string | undefined): string => `'${v ?? "null"}'`;
  return (
    `ConsumeQueueData{physicOffset=${d.physicOffset}, physicSize=${d.physicSize}, tagsCode=${d.tagsCode}, ` +
    `extendDataJson=${quoted(d.extendDataJson)}, bitMap=${quoted(d.bitMap)}, eval=${d.eval}, msg=${quoted(d.msg)}}`
  );
}

/** A producer connected to the broker (Java's ProducerInfo). */
export interface ProducerInfo {
  clientId: string;
  /** The connection's remote address as Java's InetSocketAddress prints it: `/host:port`. */
  remoteIP: string;
  language: string;
  version: number;
  lastUpdateTimestamp: number;
}

/** Producer group → its producers (Java's ProducerTableInfo; groups in the HashMap's order). */
export function encodeProducerTableInfo(data: ReadonlyMap<string, readonly ProducerInfo[]>): Buffer {
  const ordered = new Map(javaHashMapOrder([...data.keys()]).map((g) => [g, [...(data.get(g) ?? [])]]));
  return Buffer.from(stringifyFastjson({ data: ordered }), "utf8");
}

export function decodeProducerTableInfo(body: Buffer | null): Map<string, ProducerInfo[]> {
  const o = obj(parseBody(body, "ProducerTableInfo"), "ProducerTableInfo");
  if (o["data"] == null) return new Map();
  return new Map(
    entries(o["data"], "data").map(([group, list]) => [
      group,
      arr(list, `data.${group}`).map((v, i) => {
        const path = `data.${group}[${i}]`;
        const p = obj(v, path);
        return {
          clientId: str(p["clientId"], `${path}.clientId`),
          remoteIP: str(p["remoteIP"], `${path}.remoteIP`),
          language: str(p["language"], `${path}.language`),
          version: num(p["version"], `${path}.version`, 0),
          lastUpdateTimestamp: num(p["lastUpdateTimestamp"], `${path}.lastUpdateTimestamp`, 0),
        };
      }),
    ]),
  );
}

/** Java's ProducerInfo.toString, as mqadmin producer prints each instance. */
export function producerInfoToString(p: ProducerInfo): string {
  return `clientId=${p.clientId},remoteIP=${p.remoteIP}, language=${p.language}, version=${p.version}, lastUpdateTimestamp=${p.lastUpdateTimestamp}`;
}
