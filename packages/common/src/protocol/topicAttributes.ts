/**
 * 5.x topic attributes (Java's AttributeParser, AttributeUtil, TopicAttributes, TopicMessageType).
 *
 * On the wire and in `mqadmin updateTopic -a` a change is `+key=value,+key2=value2,-key3`: `+` adds
 * or alters, `-` deletes. The broker stores the resulting map without the signs
 * (`{"message.type": "FIFO"}`). Known attributes: `message.type` (UNSPECIFIED, NORMAL, FIFO, DELAY,
 * TRANSACTION, MIXED; changeable), `queue.type` and `cleanup.policy` (set at creation only),
 * `reserve.time` (a long ≥ −1). Failures throw Error with Java's message; the broker answers them
 * with SYSTEM_ERROR and that message as remark, as Java's catch-all does.
 */
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import { MessageConst } from "../message/properties.js";
import type { TopicConfig } from "./TopicConfig.js";

export const TopicMessageType = {
  UNSPECIFIED: "UNSPECIFIED",
  NORMAL: "NORMAL",
  FIFO: "FIFO",
  DELAY: "DELAY",
  TRANSACTION: "TRANSACTION",
  MIXED: "MIXED",
} as const;
export type TopicMessageType = (typeof TopicMessageType)[keyof typeof TopicMessageType];

export const TOPIC_MESSAGE_TYPE_ATTRIBUTE = "message.type";

interface AttributeSpec {
  readonly changeable: boolean;
  /** throws Java's message when the value is not allowed */
  verify(value: string): void;
}

/** Java prints the allowed values as a Guava `Sets.newHashSet(...)`: in hash order, sized for them. */
function enumAttribute(changeable: boolean, universe: readonly string[]): AttributeSpec {
  const allowed = new Set(universe);
  const n = universe.length;
  const capacity = n < 3 ? n + 1 : Math.floor(n / 0.75 + 1);
  const shown = `[${javaHashMapOrder([...universe], capacity).join(", ")}]`;
  return {
    changeable,
    verify(value) {
      if (!allowed.has(value)) throw new Error(`value is not in set: ${shown}`);
    },
  };
}

function longRangeAttribute(changeable: boolean, min: bigint, max: bigint): AttributeSpec {
  return {
    changeable,
    verify(value) {
      if (!/^[+-]?\d+$/.test(value)) throw new Error(`For input string: "${value}"`);
      const n = BigInt(value);
      if (n < min || n > max) throw new Error(`value is not in range(${min}, ${max})`);
    },
  };
}

const ALL_ATTRIBUTES: ReadonlyMap<string, AttributeSpec> = new Map([
  ["queue.type", enumAttribute(false, ["BatchCQ", "SimpleCQ"])],
  ["cleanup.policy", enumAttribute(false, ["DELETE", "COMPACTION"])],
  [TOPIC_MESSAGE_TYPE_ATTRIBUTE, enumAttribute(true, Object.values(TopicMessageType))],
  ["reserve.time", longRangeAttribute(true, -1n, 9223372036854775807n)],
]);

/** `+k=v,-k2` → {"+k": "v", "-k2": ""} (Java's AttributeParser.parseToMap). Empty → {}. */
export function parseAttributes(modification: string | undefined | null): Map<string, string> {
  const attributes = new Map<string, string>();
  if (!modification) return attributes;
  for (const kv of javaSplit(modification, ",")) {
    let key: string;
    let value: string;
    if (kv.includes("=")) {
      const parts = javaSplit(kv, "=");
      key = parts[0] ?? "";
      if (parts.length < 2) throw new Error(`Index 1 out of bounds for length ${parts.length}`);
      value = parts[1] ?? "";
      if (!key.includes("+")) throw new Error(`add/alter attribute format is wrong: ${key}`);
    } else {
      key = kv;
      value = "";
      if (!key.includes("-")) throw new Error(`delete attribute format is wrong: ${key}`);
    }
    if (attributes.has(key)) throw new Error(`key duplication: ${key}`);
    attributes.set(key, value);
  }
  return attributes;
}

/** The map back to `+k=v,-k` (Java's parseToString; entries in HashMap order, a blank value without `=`). */
export function attributesToString(attributes: ReadonlyMap<string, string> | undefined): string {
  if (!attributes || attributes.size === 0) return "";
  return javaHashMapOrder([...attributes.keys()])
    .map((k) => {
      const v = attributes.get(k) ?? "";
      return v === "" ? k : `${k}=${v}`;
    })
    .join(",");
}

/**
 * The topic's attributes after a change (Java's AttributeUtil.alterCurrentAttributes): creating
 * accepts only `+`; altering needs an existing key for `-` and a changeable attribute for both.
 */
export function alterAttributes(
  create: boolean,
  current: Readonly<Record<string, string>>,
  change: ReadonlyMap<string, string>,
): Record<string, string> {
  const set = new Map<string, string>();
  const remove = new Set<string>();
  const seen = new Set<string>();
  const apply: Array<{ key: string; value: string; init: boolean; del: boolean }> = [];
  for (const key of javaHashMapOrder([...change.keys()])) {
    const value = change.get(key) ?? "";
    const realKey = key.substring(1);
    if (realKey === "" || realKey.includes("+") || realKey.includes("-")) throw new Error("kv string format wrong.");
    if (seen.has(realKey)) throw new Error(`alter duplication key. key: ${realKey}`);
    seen.add(realKey);
    if (create) {
      if (!key.startsWith("+"))
        throw new Error(`only add attribute is supported while creating topic. key: ${realKey}`);
      apply.push({ key: realKey, value, init: true, del: false });
    } else if (key.startsWith("+")) {
      apply.push({ key: realKey, value, init: false, del: false });
    } else if (key.startsWith("-")) {
      if (!(realKey in current)) throw new Error(`attempt to delete a nonexistent key: ${realKey}`);
      apply.push({ key: realKey, value, init: false, del: true });
    } else {
      throw new Error(`wrong format key: ${realKey}`);
    }
  }
  for (const { key, value, init, del } of apply) {
    const spec = ALL_ATTRIBUTES.get(key);
    if (!spec) throw new Error(`unsupported key: ${key}`);
    if (!init && !spec.changeable) throw new Error(`attempt to update an unchangeable attribute. key: ${key}`);
    if (!del) spec.verify(value);
    if (del) remove.add(key);
    else set.set(key, value);
  }
  const result: Record<string, string> = { ...current };
  for (const [k, v] of set) result[k] = v;
  for (const k of remove) delete result[k];
  return result;
}

/** The topic's message type (Java's TopicConfig.getTopicMessageType): NORMAL when not set. */
export function topicMessageTypeOf(config: Pick<TopicConfig, "attributes">): TopicMessageType {
  const value = config.attributes?.[TOPIC_MESSAGE_TYPE_ATTRIBUTE];
  if (value === undefined) return TopicMessageType.NORMAL;
  return isTopicMessageType(value) ? value : TopicMessageType.UNSPECIFIED;
}

export function isTopicMessageType(value: string): value is TopicMessageType {
  return (Object.values(TopicMessageType) as string[]).includes(value);
}

/** What a message's properties make it (Java's TopicMessageType.parseFromMessageProperty). */
export function messageTypeOfProperties(props: ReadonlyMap<string, string>): TopicMessageType {
  if (props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) === "true") return TopicMessageType.TRANSACTION;
  if (
    props.has(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ||
    props.has(MessageConst.PROPERTY_TIMER_DELIVER_MS) ||
    props.has(MessageConst.PROPERTY_TIMER_DELAY_SEC) ||
    props.has(MessageConst.PROPERTY_TIMER_DELAY_MS)
  )
    return TopicMessageType.DELAY;
  if (props.has(MessageConst.PROPERTY_SHARDING_KEY)) return TopicMessageType.FIFO;
  return TopicMessageType.NORMAL;
}

/** Java's String.split(regex) for a one-character literal: trailing empty strings dropped. */
function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}
