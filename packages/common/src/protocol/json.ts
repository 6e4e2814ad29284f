/** Small validators turning parsed JSON bodies into typed values; they throw BodyDecodeError. */
import {
  isJsonObject,
  jsonEntries,
  parseFastjson,
  type JsonMapKey,
  type JsonObject,
  type JsonValue,
} from "@rocketmq-ts/remoting";

export class BodyDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BodyDecodeError";
  }
}

export function parseBody(body: Buffer | null, what: string): JsonValue {
  if (body === null || body.length === 0) throw new BodyDecodeError(`${what}: empty body`);
  try {
    return parseFastjson(body.toString("utf8"));
  } catch (e) {
    throw new BodyDecodeError(`${what}: ${(e as Error).message}`);
  }
}

export function obj(v: JsonValue | undefined, path: string): JsonObject {
  if (!isJsonObject(v)) throw new BodyDecodeError(`${path} is not an object`);
  return v;
}

export function str(v: JsonValue | undefined, path: string): string {
  if (typeof v !== "string") throw new BodyDecodeError(`${path} is not a string`);
  return v;
}

export function optStr(v: JsonValue | undefined, path: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, path);
}

export function num(v: JsonValue | undefined, path: string, fallback?: number): number {
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && /^[+-]?\d+(\.\d+)?$/.test(v)) return Number(v);
  throw new BodyDecodeError(`${path} is not a number`);
}

export function bool(v: JsonValue | undefined, path: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw new BodyDecodeError(`${path} is not a boolean`);
}

export function arr(v: JsonValue | undefined, path: string): JsonValue[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BodyDecodeError(`${path} is not an array`);
  return v;
}

/** Map-like JSON (object or fastjson Map with bare keys) as entries with string keys. */
export function entries(v: JsonValue | undefined, path: string): [string, JsonValue][] {
  if (v === undefined || v === null) return [];
  if (!isJsonObject(v) && !(v instanceof Map)) throw new BodyDecodeError(`${path} is not a map`);
  return jsonEntries(v).map(([k, val]: [JsonMapKey, JsonValue]) => {
    if (typeof k === "object") throw new BodyDecodeError(`${path} has a non-scalar key`);
    return [String(k), val];
  });
}
