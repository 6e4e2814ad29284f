/** Message properties string: `name\u0001value` pairs joined by `\u0002` (4.9.8: no trailing separator). */
import { javaHashMapOrder } from "@rocketmq-ts/remoting";

export const NAME_VALUE_SEPARATOR = "\u0001";
export const PROPERTY_SEPARATOR = "\u0002";

export const MessageConst = {
  PROPERTY_KEYS: "KEYS",
  PROPERTY_TAGS: "TAGS",
  PROPERTY_WAIT_STORE_MSG_OK: "WAIT",
  PROPERTY_DELAY_TIME_LEVEL: "DELAY",
  PROPERTY_REAL_TOPIC: "REAL_TOPIC",
  PROPERTY_REAL_QUEUE_ID: "REAL_QID",
  PROPERTY_TRANSACTION_PREPARED: "TRAN_MSG",
  PROPERTY_PRODUCER_GROUP: "PGROUP",
  PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX: "UNIQ_KEY",
  PROPERTY_MAX_RECONSUME_TIMES: "MAX_RECONSUME_TIMES",
  PROPERTY_RECONSUME_TIME: "RECONSUME_TIME",
  PROPERTY_CONSUME_START_TIMESTAMP: "CONSUME_START_TIME",
  PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET: "TRAN_PREPARED_QUEUE_OFFSET",
  PROPERTY_TRANSACTION_CHECK_TIMES: "TRANSACTION_CHECK_TIMES",
  PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS: "CHECK_IMMUNITY_TIME_IN_SECONDS",
  PROPERTY_CLUSTER: "CLUSTER",
  PROPERTY_RETRY_TOPIC: "RETRY_TOPIC",
  PROPERTY_ORIGIN_MESSAGE_ID: "ORIGIN_MESSAGE_ID",
  // 5.x (POP, timer messages, the gRPC proxy)
  PROPERTY_TRANSACTION_ID: "__transactionId__",
  PROPERTY_POP_CK: "POP_CK",
  PROPERTY_POP_CK_OFFSET: "POP_CK_OFFSET",
  PROPERTY_FIRST_POP_TIME: "1ST_POP_TIME",
  PROPERTY_SHARDING_KEY: "__SHARDINGKEY",
  PROPERTY_TRACE_CONTEXT: "TRACE_CONTEXT",
  PROPERTY_TIMER_DELAY_SEC: "TIMER_DELAY_SEC",
  PROPERTY_TIMER_DELIVER_MS: "TIMER_DELIVER_MS",
  PROPERTY_TIMER_DELAY_MS: "TIMER_DELAY_MS",
  PROPERTY_TIMER_ENQUEUE_MS: "TIMER_ENQUEUE_MS",
  PROPERTY_TIMER_DEQUEUE_MS: "TIMER_DEQUEUE_MS",
  PROPERTY_TIMER_ROLL_TIMES: "TIMER_ROLL_TIMES",
  PROPERTY_TIMER_OUT_MS: "TIMER_OUT_MS",
  PROPERTY_TIMER_DEL_UNIQKEY: "TIMER_DEL_UNIQKEY",
  PROPERTY_TIMER_DELAY_LEVEL: "TIMER_DELAY_LEVEL",
  PROPERTY_BORN_HOST: "__BORNHOST",
  PROPERTY_BORN_TIMESTAMP: "BORN_TIMESTAMP",
  PROPERTY_DLQ_ORIGIN_TOPIC: "DLQ_ORIGIN_TOPIC",
  PROPERTY_DLQ_ORIGIN_MESSAGE_ID: "DLQ_ORIGIN_MESSAGE_ID",
  PROPERTY_CRC32: "__CRC32#",
  KEY_SEPARATOR: " ",
} as const;

/**
 * Keys a user property may not use (5.x MessageConst.STRING_HASH_SET): the proxy refuses them on send
 * and leaves them out of a received message's user properties.
 */
export const SYSTEM_PROPERTY_KEYS: ReadonlySet<string> = new Set([
  "TRACE_ON",
  "MSG_REGION",
  "KEYS",
  "TAGS",
  "WAIT",
  "DELAY",
  "RETRY_TOPIC",
  "REAL_TOPIC",
  "REAL_QID",
  "TRAN_MSG",
  "PGROUP",
  "MIN_OFFSET",
  "MAX_OFFSET",
  "BUYER_ID",
  "ORIGIN_MESSAGE_ID",
  "TRANSFER_FLAG",
  "CORRECTION_FLAG",
  "MQ2_FLAG",
  "RECONSUME_TIME",
  "UNIQ_KEY",
  "MAX_RECONSUME_TIMES",
  "CONSUME_START_TIME",
  "POP_CK",
  "POP_CK_OFFSET",
  "1ST_POP_TIME",
  "TRAN_PREPARED_QUEUE_OFFSET",
  "DUP_INFO",
  "EXTEND_UNIQ_INFO",
  "INSTANCE_ID",
  "CORRELATION_ID",
  "REPLY_TO_CLIENT",
  "TTL",
  "ARRIVE_TIME",
  "PUSH_REPLY_TIME",
  "CLUSTER",
  "MSG_TYPE",
  "INNER_MULTI_QUEUE_OFFSET",
  "TIMER_DELAY_MS",
  "TIMER_DELAY_SEC",
  "TIMER_DELIVER_MS",
  "TIMER_ENQUEUE_MS",
  "TIMER_DEQUEUE_MS",
  "TIMER_ROLL_TIMES",
  "TIMER_OUT_MS",
  "TIMER_DEL_UNIQKEY",
  "TIMER_DELAY_LEVEL",
  "__BORNHOST",
  "BORN_TIMESTAMP",
  "DLQ_ORIGIN_TOPIC",
  "DLQ_ORIGIN_MESSAGE_ID",
  "__CRC32#",
]);

/**
 * Parse as Java does: split on U+0002, skip pieces shorter than 3, keep pairs with non-empty key and
 * value (last wins). Scans with indexOf instead of splitting: no array and no string per piece (half
 * the time on a send's properties).
 */
export function string2messageProperties(s: string): Map<string, string> {
  const map = new Map<string, string>();
  if (!s) return map;
  const length = s.length;
  for (let from = 0; from <= length;) {
    let end = s.indexOf(PROPERTY_SEPARATOR, from);
    if (end < 0) end = length;
    if (end - from >= 3) {
      const i = s.indexOf(NAME_VALUE_SEPARATOR, from);
      if (i > from && i < end - 1) map.set(s.substring(from, i), s.substring(i + 1, end));
    }
    from = end + 1;
  }
  return map;
}

/** 4.9.8 serialization: pairs in map order, no trailing separator. */
export function messageProperties2String(props: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const [k, v] of props) parts.push(`${k}${NAME_VALUE_SEPARATOR}${v}`);
  return parts.join(PROPERTY_SEPARATOR);
}

/**
 * Java's messageProperties2String over a HashMap holding these keys: the broker re-serializes
 * properties from a HashMap, so the stored order is the HashMap's iteration order. The order of each
 * key list (in insertion order) is remembered: the same few sets come with every message.
 */
export function javaPropertiesString(props: ReadonlyMap<string, string>): string {
  let keyList = "";
  // lengths make the list unambiguous whatever the keys hold
  for (const key of props.keys()) keyList += `${key.length}:${key}`;
  let order = propertyOrders.get(keyList);
  if (order === undefined) {
    order = javaHashMapOrder([...props.keys()]);
    if (propertyOrders.size >= 4096) propertyOrders.clear();
    propertyOrders.set(keyList, order);
  }
  let out = "";
  for (let i = 0; i < order.length; i++) {
    const key = order[i] as string;
    out += `${i === 0 ? "" : PROPERTY_SEPARATOR}${key}${NAME_VALUE_SEPARATOR}${props.get(key)}`;
  }
  return out;
}

const propertyOrders = new Map<string, readonly string[]>();

/**
 * Value of one property without building the whole map (hot path: dispatch reads TAGS, KEYS,
 * UNIQ_KEY, DELAY, WAIT per message). Same last-wins result as string2messageProperties.
 */
const needles = new Map<string, string>();

export function getProperty(s: string, name: string): string | undefined {
  let found: string | undefined;
  let needle = needles.get(name);
  if (needle === undefined) {
    needle = `${name}${NAME_VALUE_SEPARATOR}`;
    if (needles.size < 1000) needles.set(name, needle);
  }
  let from = 0;
  for (;;) {
    const i = s.indexOf(needle, from);
    if (i < 0) return found;
    if (i === 0 || s.charCodeAt(i - 1) === 2) {
      const start = i + needle.length;
      let end = s.indexOf(PROPERTY_SEPARATOR, start);
      if (end < 0) end = s.length;
      if (end > start) found = s.slice(start, end);
    }
    from = i + needle.length;
  }
}
