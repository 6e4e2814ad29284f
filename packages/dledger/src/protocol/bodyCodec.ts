/**
 * The machinery behind the DLedger body codecs: a body is a fastjson bean described by a field
 * spec (name → wire type and Java default). Encoding writes what fastjson writes for the bean
 * (keys sorted, nulls left out, byte[] as base64, enums by name, HashMap keys in Java's order);
 * decoding is lenient where fastjson is (numbers as strings, missing keys → the default).
 */
import {
  isJsonObject,
  javaHashMapOrder,
  parseFastjson,
  quoteJavaString,
  stringifyFastjson,
  type JsonValue,
} from "@rocketmq-ts/remoting";
import { PUSH_TYPES, VOTE_RESULTS, type PushEntryType, type VoteResult } from "./VoteResult.js";
import { createWireEntry, type WireDLedgerEntry } from "./wireEntry.js";

/** A body that does not decode (not JSON, not an object, a field of the wrong type). */
export class DLedgerBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DLedgerBodyError";
  }
}

export interface FieldTypes {
  string: string | null;
  int: number;
  long: number;
  /** java.lang.Long: may be null. */
  boxedLong: number | null;
  bytes: Buffer | null;
  bytesList: Buffer[] | null;
  longList: number[] | null;
  stringMap: Record<string, string> | null;
  entry: WireDLedgerEntry | null;
  entryList: WireDLedgerEntry[];
  voteResult: VoteResult;
  pushType: PushEntryType;
}

export type FieldType = keyof FieldTypes;

export interface FieldSpec<T extends FieldType = FieldType> {
  readonly type: T;
  /** Java's initial value (an empty list literal is copied for each new body). */
  readonly default: FieldTypes[T] | readonly [];
}

export type BodySpec = Readonly<Record<string, FieldSpec>>;

/** The TypeScript shape of a body described by `S`. */
export type BodyOf<S extends BodySpec> = { -readonly [K in keyof S]: FieldTypes[S[K]["type"]] };

export interface BodyCodec<B> {
  /** A body with Java's defaults, overridden by `init`. */
  create(init?: Partial<B>): B;
  /** The bytes Java's `JSON.toJSONBytes` writes for the body. */
  encode(body: B): Buffer;
  /** Parse a body; throws DLedgerBodyError when it does not decode. */
  decode(bytes: Buffer | null): B;
}

/** RequestOrResponse's fields, shared by every body. */
export const BASE_FIELDS = {
  group: { type: "string", default: null },
  remoteId: { type: "string", default: null },
  localId: { type: "string", default: null },
  code: { type: "int", default: 200 },
  leaderId: { type: "string", default: null },
  term: { type: "long", default: -1 },
} as const satisfies BodySpec;

/**
 * A codec for the bean described by `spec`; `derived` adds the getter-only properties fastjson
 * writes besides the fields (PushEntryRequest's `count`, `batch`, …), ignored when decoding.
 */
export function defineBody<S extends BodySpec>(
  name: string,
  spec: S,
  derived?: (body: BodyOf<S>) => Record<string, number | boolean>,
): BodyCodec<BodyOf<S>> {
  const fields = Object.entries(spec);
  const defaults: Record<string, unknown> = {};
  const listKeys: string[] = [];
  for (const [key, field] of fields) {
    defaults[key] = field.default;
    if (Array.isArray(field.default)) listKeys.push(key);
  }
  const create = (init: Partial<BodyOf<S>> = {}): BodyOf<S> => {
    const out: Record<string, unknown> = { ...defaults };
    // an empty list literal is copied for each new body
    for (const key of listKeys) out[key] = cloneDefault(defaults[key]);
    return Object.assign(out, init) as BodyOf<S>;
  };
  return {
    create,
    encode(body) {
      // fastjson writes a bean's properties sorted by name, nulls left out
      const props: [string, string][] = [];
      for (const [key, field] of fields) {
        const text = fieldJson(field.type, (body as Record<string, unknown>)[key]);
        if (text !== null) props.push([key, text]);
      }
      if (derived) for (const [key, value] of Object.entries(derived(body))) props.push([key, String(value)]);
      props.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      let json = "{";
      for (let i = 0; i < props.length; i++) {
        const [key, text] = props[i] as [string, string];
        json += `${i === 0 ? "" : ","}"${key}":${text}`;
      }
      return Buffer.from(`${json}}`, "utf8");
    },
    decode(bytes) {
      if (bytes === null || bytes.length === 0) return create();
      let json: JsonValue;
      try {
        json = parseFastjson(bytes.toString("utf8"));
      } catch (err) {
        throw new DLedgerBodyError(`${name}: body is not JSON: ${(err as Error).message}`);
      }
      if (!isJsonObject(json)) throw new DLedgerBodyError(`${name}: body is not a JSON object`);
      const out = create();
      for (const [key, field] of Object.entries(spec)) {
        const raw = json[key];
        if (raw === undefined || raw === null) continue;
        (out as Record<string, unknown>)[key] = decodeField(`${name}.${key}`, field.type, raw);
      }
      return out;
    },
  };
}

function cloneDefault(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value;
}

/** A base64 string: nothing in it needs escaping. */
const base64Json = (bytes: Buffer): string => `"${bytes.toString("base64")}"`;

/** A DLedgerEntry as fastjson writes it: its properties in name order, a null body left out. */
function entryJson(e: WireDLedgerEntry): string {
  const body = e.body ? `"body":${base64Json(e.body)},` : "";
  return `{${body}"bodyCrc":${e.bodyCrc},"chainCrc":${e.chainCrc},"channel":${e.channel},"index":${e.index},"magic":${e.magic},"pos":${e.pos},"size":${e.size},"term":${e.term}}`;
}

/** The JSON text of one field's value as fastjson writes it, or null when left out. */
function fieldJson(type: FieldType, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "int":
    case "long":
    case "boxedLong":
      return Number.isSafeInteger(value) ? String(value) : stringifyFastjson(value as number);
    case "string":
    case "voteResult":
    case "pushType":
      return quoteJavaString(value as string);
    case "bytes":
      return base64Json(value as Buffer);
    case "bytesList":
      return `[${(value as Buffer[]).map(base64Json).join(",")}]`;
    case "entry":
      return entryJson(value as WireDLedgerEntry);
    case "entryList":
      return `[${(value as WireDLedgerEntry[]).map(entryJson).join(",")}]`;
    case "stringMap": {
      const map = value as Record<string, string>;
      return stringifyFastjson(new Map(javaHashMapOrder(Object.keys(map)).map((k) => [k, map[k] as string])));
    }
    case "longList":
      return stringifyFastjson([...(value as number[])]);
  }
}

function toLong(where: string, raw: JsonValue): number {
  if (typeof raw === "number" && Number.isInteger(raw)) return raw;
  if (typeof raw === "bigint") return Number(raw);
  if (typeof raw === "string" && /^[+-]?\d+$/.test(raw.trim())) return Number(raw.trim());
  throw new DLedgerBodyError(`${where}: not an integer: ${JSON.stringify(String(raw))}`);
}

function toStr(where: string, raw: JsonValue): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean" || typeof raw === "bigint") return String(raw);
  throw new DLedgerBodyError(`${where}: not a string`);
}

function toBytes(where: string, raw: JsonValue): Buffer {
  if (typeof raw !== "string") throw new DLedgerBodyError(`${where}: byte[] not a base64 string`);
  return Buffer.from(raw, "base64");
}

function toList(where: string, raw: JsonValue): JsonValue[] {
  if (!Array.isArray(raw)) throw new DLedgerBodyError(`${where}: not a JSON array`);
  return raw;
}

function decodeEntry(where: string, raw: JsonValue): WireDLedgerEntry {
  if (!isJsonObject(raw)) throw new DLedgerBodyError(`${where}: entry is not a JSON object`);
  const entry = createWireEntry();
  for (const key of ["magic", "size", "index", "term", "pos", "channel", "chainCrc", "bodyCrc"] as const) {
    const v = raw[key];
    if (v !== undefined && v !== null) entry[key] = toLong(`${where}.${key}`, v);
  }
  const body = raw["body"];
  if (body !== undefined && body !== null) entry.body = toBytes(`${where}.body`, body);
  return entry;
}

function decodeEnum<T extends string>(where: string, names: readonly T[], raw: JsonValue): T {
  const found = names.find((n) => n === raw);
  if (found === undefined) throw new DLedgerBodyError(`${where}: unknown constant ${JSON.stringify(String(raw))}`);
  return found;
}

function decodeField(where: string, type: FieldType, raw: JsonValue): unknown {
  switch (type) {
    case "string":
      return toStr(where, raw);
    case "int":
    case "long":
    case "boxedLong":
      return toLong(where, raw);
    case "bytes":
      return toBytes(where, raw);
    case "bytesList":
      return toList(where, raw).map((v, i) => toBytes(`${where}[${i}]`, v));
    case "longList":
      return toList(where, raw).map((v, i) => toLong(`${where}[${i}]`, v));
    case "stringMap": {
      if (!isJsonObject(raw)) throw new DLedgerBodyError(`${where}: not a JSON object`);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) if (v !== null) out[k] = toStr(`${where}.${k}`, v);
      return out;
    }
    case "entry":
      return decodeEntry(where, raw);
    case "entryList":
      return toList(where, raw).map((v, i) => decodeEntry(`${where}[${i}]`, v));
    case "voteResult":
      return decodeEnum(where, VOTE_RESULTS, raw);
    case "pushType":
      return decodeEnum(where, PUSH_TYPES, raw);
  }
}
