/** HEART_BEAT body: HeartbeatData with consumer and producer groups (Java protocol/heartbeat). */
import { arr, bool, num, obj, optStr, parseBody, str } from "./json.js";
import { stringifyFastjson, type JsonValue } from "@rocketmq-ts/remoting";

export interface SubscriptionData {
  topic: string;
  subString: string;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  expressionType: string;
  classFilterMode: boolean;
}

export interface ConsumerData {
  groupName: string;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  subscriptionDataSet: SubscriptionData[];
  unitMode: boolean;
}

export interface HeartbeatData {
  clientID: string;
  producerDataSet: { groupName: string }[];
  consumerDataSet: ConsumerData[];
}

export const SUB_ALL = "*";

export function decodeSubscriptionData(v: JsonValue, path: string): SubscriptionData {
  const o = obj(v, path);
  return {
    topic: str(o["topic"], `${path}.topic`),
    subString: optStr(o["subString"], `${path}.subString`) ?? SUB_ALL,
    tagsSet: arr(o["tagsSet"], `${path}.tagsSet`).map((t) => String(t)),
    codeSet: arr(o["codeSet"], `${path}.codeSet`).map((c) => num(c, `${path}.codeSet`)),
    subVersion: num(o["subVersion"], `${path}.subVersion`, 0),
    expressionType: optStr(o["expressionType"], `${path}.expressionType`) ?? "TAG",
    classFilterMode: bool(o["classFilterMode"], `${path}.classFilterMode`, false),
  };
}

export function decodeHeartbeatData(body: Buffer | null): HeartbeatData {
  const o = obj(parseBody(body, "HeartbeatData"), "HeartbeatData");
  return {
    clientID: str(o["clientID"], "clientID"),
    producerDataSet: arr(o["producerDataSet"], "producerDataSet").map((p, i) => ({
      groupName: str(obj(p, `producerDataSet[${i}]`)["groupName"], `producerDataSet[${i}].groupName`),
    })),
    consumerDataSet: arr(o["consumerDataSet"], "consumerDataSet").map((c, i) => {
      const co = obj(c, `consumerDataSet[${i}]`);
      return {
        groupName: str(co["groupName"], "groupName"),
        consumeType: optStr(co["consumeType"], "consumeType") ?? "CONSUME_PASSIVELY",
        messageModel: optStr(co["messageModel"], "messageModel") ?? "CLUSTERING",
        consumeFromWhere: optStr(co["consumeFromWhere"], "consumeFromWhere") ?? "CONSUME_FROM_LAST_OFFSET",
        subscriptionDataSet: arr(co["subscriptionDataSet"], "subscriptionDataSet").map((s, j) =>
          decodeSubscriptionData(s, `consumerDataSet[${i}].subscriptionDataSet[${j}]`),
        ),
        unitMode: bool(co["unitMode"], "unitMode", false),
      };
    }),
  };
}

/** Java's FilterAPI.buildSubscriptionData for TAG expressions ("*", "A || B"). */
export function buildSubscriptionData(
  topic: string,
  subString: string | undefined,
  hash: (s: string) => number,
): SubscriptionData {
  const sub: SubscriptionData = {
    topic,
    subString: SUB_ALL,
    tagsSet: [],
    codeSet: [],
    subVersion: Date.now(),
    expressionType: "TAG",
    classFilterMode: false,
  };
  if (!subString || subString.trim() === "" || subString === SUB_ALL) return sub;
  sub.subString = subString;
  for (const tag of subString.split("||")) {
    const t = tag.trim();
    if (t.length > 0) {
      sub.tagsSet.push(t);
      sub.codeSet.push(hash(t));
    }
  }
  return sub;
}

/** The HEART_BEAT body as Java's client writes it (fastjson, sorted bean properties). */
export function encodeHeartbeatData(data: HeartbeatData): Buffer {
  return Buffer.from(stringifyFastjson(data as unknown as JsonValue), "utf8");
}

/** The CHECK_CLIENT_CONFIG body (Java's CheckClientRequestBody): a consumer's non-tag subscription to validate. */
export function encodeCheckClientRequestBody(clientId: string, group: string, sub: SubscriptionData): Buffer {
  return Buffer.from(stringifyFastjson({ clientId, group, subscriptionData: sub } as unknown as JsonValue), "utf8");
}

/** A SQL92 subscription (Java's FilterAPI.build for a non-tag type): no tags, the expression as subString. */
export function buildSqlSubscriptionData(topic: string, expression: string, type: string): SubscriptionData {
  return {
    topic,
    subString: expression,
    tagsSet: [],
    codeSet: [],
    subVersion: Date.now(),
    expressionType: type,
    classFilterMode: false,
  };
}
