import { parseFastjson, isJsonObject, type JsonValue } from "../json/fastjson.js";
import { quoteJavaString } from "../json/fastjsonWriter.js";
import { isLanguageCode } from "../protocol/LanguageCode.js";
import { nextOpaque, type ExtFields, type RemotingCommand } from "../protocol/RemotingCommand.js";
import { RemotingCodecError } from "./RemotingCodecError.js";

/** Header fields of a command, without the body. */
export type CommandHeader = Omit<RemotingCommand, "body" | "serializeType">;

/**
 * Encode as fastjson does: properties alphabetical, nulls omitted, `serializeTypeCurrentRPC`
 * included, extFields in the map's own order. `reserve` bytes are left free at the front.
 */
export function encodeJsonHeader(cmd: CommandHeader, reserve = 0): Buffer {
  let s = `{"code":${cmd.code}`;
  if (cmd.extFields !== null) {
    s += ',"extFields":{';
    let first = true;
    for (const key in cmd.extFields) {
      const value = cmd.extFields[key];
      if (value === undefined || value === null) continue;
      s += `${first ? "" : ","}${quoteJavaString(key)}:${quoteJavaString(value)}`;
      first = false;
    }
    s += "}";
  }
  s += `,"flag":${cmd.flag}`;
  if (cmd.language !== null) s += `,"language":"${cmd.language}"`;
  s += `,"opaque":${cmd.opaque}`;
  if (cmd.remark !== null) s += `,"remark":${quoteJavaString(cmd.remark)}`;
  s += `,"serializeTypeCurrentRPC":"JSON","version":${cmd.version}}`;
  if (reserve === 0) return Buffer.from(s, "utf8");
  const out = Buffer.allocUnsafe(reserve + Buffer.byteLength(s, "utf8"));
  out.write(s, reserve, "utf8");
  return out;
}

function toInt(value: JsonValue | undefined, field: string, fallback: () => number): number {
  if (value === undefined || value === null) return fallback();
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : NaN;
  if (!Number.isInteger(n) || n > 0x7fffffff || n < -0x80000000) {
    throw new RemotingCodecError(`JSON header field ${field} is not an int32: ${String(value)}`);
  }
  return n;
}

/** Plain assignment, except for "__proto__", which must stay an ordinary key. */
export function setOwn(target: ExtFields, key: string, value: string): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** What fastjson would coerce into a `HashMap<String,String>` value (ali-ons sends numbers). */
function toExtValue(value: JsonValue): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  throw new RemotingCodecError("JSON header extFields values must be scalars");
}

/**
 * Decode a JSON header leniently, as fastjson would: any key order, unknown keys ignored, missing
 * language ⇒ JAVA, missing opaque ⇒ a fresh id, missing code/flag/version ⇒ 0.
 */
export function decodeJsonHeader(bytes: Buffer): CommandHeader {
  const text = bytes.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    try {
      parsed = parseFastjson(text);
    } catch (e) {
      throw new RemotingCodecError(`Malformed JSON header: ${(e as Error).message}`);
    }
  }
  if (!isJsonObject(parsed as JsonValue)) throw new RemotingCodecError("JSON header is not an object");
  const h = parsed as Record<string, JsonValue>;

  let extFields: ExtFields | null = null;
  const rawExt = h["extFields"];
  if (rawExt !== undefined && rawExt !== null) {
    if (!isJsonObject(rawExt)) throw new RemotingCodecError("JSON header extFields is not an object");
    const keys = Object.keys(rawExt);
    if (keys.every((k) => typeof rawExt[k] === "string")) {
      // Java peers send strings only: keep the parsed object (JSON.parse makes "__proto__" an own key).
      extFields = rawExt as ExtFields;
    } else {
      extFields = {};
      for (const key of keys) {
        const value = toExtValue(rawExt[key] as JsonValue);
        if (value !== null) setOwn(extFields, key, value);
      }
    }
  }

  const language = h["language"];
  const remark = h["remark"];
  return {
    code: toInt(h["code"], "code", () => 0),
    language: language === undefined || language === null ? "JAVA" : isLanguageCode(language) ? language : null,
    version: toInt(h["version"], "version", () => 0),
    opaque: toInt(h["opaque"], "opaque", nextOpaque),
    flag: toInt(h["flag"], "flag", () => 0),
    remark: remark === undefined || remark === null ? null : String(remark),
    extFields,
  };
}
