// What the servers understand: request codes and header fields, read from packages/remoting, and
// the names and values the generators draw from.
import * as remoting from "../../../../packages/remoting/dist/index.js";

const { RequestCode } = remoting;

/** Codes Java never defined, for both encodings (binary codes are int16). */
const UNKNOWN_CODES = [0, 1, 9, 16, 19, 44, 99, 107, 199, 999, 9999, 32767, -1, -32768];
/** Codes only JSON can carry (beyond int16). */
const JSON_ONLY_CODES = [32768, 65535, 200050, 2147483647, -2147483648];

/**
 * Every request code of RocketMQ 4.9.8 and 5.3.3 (packages/remoting's RequestCode table: the union
 * of what the name server and the broker register, and what they do not), then codes nobody defines.
 */
export function fuzzCodes() {
  const known = [...new Set(Object.values(RequestCode))].sort((a, b) => a - b);
  return { known, all: [...known, ...UNKNOWN_CODES, ...JSON_ONLY_CODES] };
}

/** The request/response header declarations (`defineHeader`) exported by packages/remoting. */
export function headerDeclarations() {
  return Object.values(remoting).filter(
    (v) =>
      v !== null && typeof v === "object" && typeof v.name === "string" && v.fields && typeof v.fields === "object",
  );
}
/** Names the fuzzed topics and groups come from: never the good client's, never a system topic. */
export const FUZZ_NAMES = {
  topic: ["FuzzTopic0", "FuzzTopic1", "FuzzTopic2", "FuzzTopic3", "%RETRY%FuzzGroup0", "%DLQ%FuzzGroup1"],
  group: ["FuzzGroup0", "FuzzGroup1", "FuzzGroup2", "FuzzProducer0"],
  broker: ["FuzzBroker0", "FuzzBroker1"],
  cluster: ["FuzzCluster"],
  addr: ["127.0.0.1:1", "127.0.0.1:9", "10.255.255.1:10911", "not-an-address", "127.0.0.1:-5"],
};

export const INT_VALUES = [
  "0",
  "1",
  "-1",
  "2",
  "3",
  "15",
  "16",
  "64",
  "2147483647",
  "-2147483648",
  "2147483648",
  "1.5",
  " 1",
  "0x10",
  "abc",
  "1e3",
  "٣",
];
export const LONG_VALUES = [
  "0",
  "-1",
  "1",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775808",
  "1e19",
  "99999999999999999999999",
  "4294967296",
  "1700000000000",
  "-0",
];
export const BOOL_VALUES = ["true", "false", "TRUE", "yes", "1", "null"];
export const PROPERTY_KEYS = [
  "UNIQ_KEY",
  "KEYS",
  "TAGS",
  "DELAY",
  "TRAN_MSG",
  "PGROUP",
  "WAIT",
  "REAL_TOPIC",
  "REAL_QID",
  "RETRY_TOPIC",
  "MAX_OFFSET",
  "MIN_OFFSET",
  "__STARTDELIVERTIME",
  "INSTANCE_ID",
  "CORRELATION_ID",
  "REPLY_TO_CLIENT",
  "TTL",
  "MSG_TYPE",
  "CLUSTER",
];
export const BODY_KEYS = [
  "clientID",
  "producerDataSet",
  "consumerDataSet",
  "groupName",
  "consumeType",
  "messageModel",
  "consumeFromWhere",
  "subscriptionDataSet",
  "topic",
  "subString",
  "tagsSet",
  "codeSet",
  "subVersion",
  "expressionType",
  "classFilterMode",
  "unitMode",
  "topicConfigSerializeWrapper",
  "topicConfigTable",
  "dataVersion",
  "timestamp",
  "counter",
  "filterServerList",
  "mqSet",
  "brokerName",
  "queueId",
  "consumerGroup",
  "offsetTable",
  "retryMaxTimes",
  "readQueueNums",
  "writeQueueNums",
  "perm",
  "order",
  "topicName",
  "brokerAddrs",
  "brokerDatas",
  "queueDatas",
  "subscriptionGroupTable",
  "consumeEnable",
  "whichBrokerWhenConsumeSlowly",
  "namespace",
  "key",
  "value",
  "kvTable",
  "table",
  "list",
];
