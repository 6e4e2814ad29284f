/** REGISTER_BROKER body: topic configs + data version, as JSON or zlib-compressed (compressedRegister=true). */
import { deflateSync, inflateSync, constants as zlibConstants } from "node:zlib";
import { stringifyFastjson, type JsonValue } from "@rocketmq-ts/remoting";
import { decodeDataVersion, type DataVersion } from "./DataVersion.js";
import { arr, BodyDecodeError, entries, obj, parseBody, str } from "./json.js";
import { decodeTopicConfig, decodeTopicConfigLine, encodeTopicConfigLine, type TopicConfig } from "./TopicConfig.js";

export interface TopicConfigSerializeWrapper {
  dataVersion: DataVersion;
  topicConfigTable: Map<string, TopicConfig>;
}

export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  filterServerList: string[];
}

export function topicConfigWrapperJson(w: TopicConfigSerializeWrapper): TopicConfigSerializeWrapper {
  return { dataVersion: w.dataVersion, topicConfigTable: w.topicConfigTable };
}

export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compressed = false): Buffer {
  if (!compressed) {
    const json = {
      filterServerList: body.filterServerList,
      topicConfigSerializeWrapper: topicConfigWrapperJson(body.topicConfigSerializeWrapper),
    };
    return Buffer.from(stringifyFastjson(json), "utf8");
  }
  const parts: Buffer[] = [];
  const lengthPrefixed = (text: string): void => {
    const bytes = Buffer.from(text, "utf8");
    const len = Buffer.alloc(4);
    len.writeInt32BE(bytes.length);
    parts.push(len, bytes);
  };
  lengthPrefixed(stringifyFastjson(body.topicConfigSerializeWrapper.dataVersion));
  const count = Buffer.alloc(4);
  count.writeInt32BE(body.topicConfigSerializeWrapper.topicConfigTable.size);
  parts.push(count);
  for (const config of body.topicConfigSerializeWrapper.topicConfigTable.values())
    lengthPrefixed(encodeTopicConfigLine(config));
  lengthPrefixed(stringifyFastjson(body.filterServerList));
  return deflateSync(Buffer.concat(parts), { level: zlibConstants.Z_BEST_COMPRESSION });
}

export function decodeTopicConfigWrapper(v: JsonValue | undefined, path: string): TopicConfigSerializeWrapper {
  const o = obj(v, path);
  return {
    dataVersion:
      o["dataVersion"] === undefined
        ? { timestamp: 0, counter: 0 }
        : decodeDataVersion(o["dataVersion"], `${path}.dataVersion`),
    topicConfigTable: new Map(
      entries(o["topicConfigTable"], `${path}.topicConfigTable`).map(([name, c]) => [
        name,
        decodeTopicConfig(c, `${path}.topicConfigTable.${name}`),
      ]),
    ),
  };
}

/**
 * Decode a registration body. `wrapperOnly` is for brokers older than V3_0_11, which send a bare
 * TopicConfigSerializeWrapper. An absent body is an empty table with data version {0, 0}.
 */
export function decodeRegisterBrokerBody(
  body: Buffer | null,
  options: { compressed: boolean; wrapperOnly?: boolean },
): RegisterBrokerBody {
  if (body === null || body.length === 0) {
    return {
      topicConfigSerializeWrapper: { dataVersion: { timestamp: 0, counter: 0 }, topicConfigTable: new Map() },
      filterServerList: [],
    };
  }
  if (options.compressed) return decodeCompressed(body);
  const json = parseBody(body, "RegisterBrokerBody");
  if (options.wrapperOnly)
    return { topicConfigSerializeWrapper: decodeTopicConfigWrapper(json, "body"), filterServerList: [] };
  const o = obj(json, "RegisterBrokerBody");
  return {
    topicConfigSerializeWrapper: decodeTopicConfigWrapper(
      o["topicConfigSerializeWrapper"] ?? {},
      "topicConfigSerializeWrapper",
    ),
    filterServerList: arr(o["filterServerList"], "filterServerList").map((s) => str(s, "filterServerList")),
  };
}

function decodeCompressed(body: Buffer): RegisterBrokerBody {
  let data: Buffer;
  try {
    data = inflateSync(body);
  } catch (e) {
    throw new BodyDecodeError(`compressed RegisterBrokerBody: ${(e as Error).message}`);
  }
  let p = 0;
  const readInt = (): number => {
    if (p + 4 > data.length) throw new BodyDecodeError("compressed RegisterBrokerBody truncated");
    const v = data.readInt32BE(p);
    p += 4;
    return v;
  };
  const readText = (): string => {
    const n = readInt();
    if (n < 0 || p + n > data.length) throw new BodyDecodeError("compressed RegisterBrokerBody truncated");
    const text = data.toString("utf8", p, p + n);
    p += n;
    return text;
  };
  const dataVersion = decodeDataVersion(parseBody(Buffer.from(readText()), "dataVersion"));
  const topicConfigTable = new Map<string, TopicConfig>();
  const count = readInt();
  for (let i = 0; i < count; i++) {
    const config = decodeTopicConfigLine(readText());
    topicConfigTable.set(config.topicName, config);
  }
  let filterServerList: string[] = [];
  try {
    filterServerList = arr(parseBody(Buffer.from(readText()), "filterServerList"), "filterServerList").map((s) =>
      str(s, "filterServerList"),
    );
  } catch {
    // Java logs and carries on with an empty list
  }
  return { topicConfigSerializeWrapper: { dataVersion, topicConfigTable }, filterServerList };
}
