// Bad peers for the chaos scenarios: frames that break the remoting protocol's rules (random bytes,
// mutated valid frames, every request code with random headers and bodies, impossible lengths),
// connections that hold on and do nothing (idle), that dribble a frame one byte at a time, announce
// a large frame and never finish it, send one a byte per TCP segment, or never read their answers
// (slow loris), and the figures a run keeps of each: frames sent, answers received, connections the
// server closed, answers' codes, remarks and latencies.
//
// The traffic runs in a worker thread (`FuzzWorker`) so that the well-behaved client in the main
// thread measures the servers' latency, not this file's event loop. Everything only ever talks to
// the addresses it is given (the scenario gives 127.0.0.1).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import * as remoting from "../../../packages/remoting/dist/index.js";

const { DEFAULT_FRAME_MAX_LENGTH, FrameDecoder, LANGUAGE_CODES, RequestCode, decodeFramePayload, encodeFrame } =
  remoting;

// ---------------------------------------------------------------------------------------------
// Randomness: a seeded generator, so that a run that found something can be repeated (--seed).

/** A small seeded PRNG (mulberry32) with the helpers the generators need. */
export class Rand {
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n) {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }

  int32() {
    return (this.next() * 4294967296) | 0;
  }

  chance(p) {
    return this.next() < p;
  }

  pick(list) {
    return list[this.int(list.length)];
  }

  bytes(n) {
    const out = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) out.writeInt32LE(this.int32(), i);
    for (; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A string of `n` characters from `alphabet` (a long one repeats a random piece of 64). */
  string(n, alphabet = ALNUM) {
    let s = "";
    for (let i = Math.min(n, 64); i > 0; i--) s += alphabet[this.int(alphabet.length)];
    return n <= 64 ? s : s.repeat(Math.ceil(n / 64)).slice(0, n);
  }
}

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
const NASTY = ALNUM + " %|&*?!\"'\\/{}[]:;,.<>=\t\n\r\u0000\u0001\u0002\u00e9\u4e3b\u9898\ud83d\ude00";

// ---------------------------------------------------------------------------------------------
// What the servers understand: request codes and header fields, read from packages/remoting.

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
function headerDeclarations() {
  return Object.values(remoting).filter(
    (v) =>
      v !== null && typeof v === "object" && typeof v.name === "string" && v.fields && typeof v.fields === "object",
  );
}

/** Names the fuzzed topics and groups come from: never the good client's, never a system topic. */
const FUZZ_NAMES = {
  topic: ["FuzzTopic0", "FuzzTopic1", "FuzzTopic2", "FuzzTopic3", "%RETRY%FuzzGroup0", "%DLQ%FuzzGroup1"],
  group: ["FuzzGroup0", "FuzzGroup1", "FuzzGroup2", "FuzzProducer0"],
  broker: ["FuzzBroker0", "FuzzBroker1"],
  cluster: ["FuzzCluster"],
  addr: ["127.0.0.1:1", "127.0.0.1:9", "10.255.255.1:10911", "not-an-address", "127.0.0.1:-5"],
};

const INT_VALUES = [
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
const LONG_VALUES = [
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
const BOOL_VALUES = ["true", "false", "TRUE", "yes", "1", "null"];
const PROPERTY_KEYS = [
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

/**
 * Builds the frames of each kind. `headers` are the declarations found in packages/remoting; their
 * field names and types give the values of most random ext fields, so requests reach past the
 * header decoding into the processors.
 */
export class FrameFactory {
  constructor(rand) {
    this.rand = rand;
    this.headers = headerDeclarations();
    this.fields = new Map();
    for (const h of this.headers) for (const [name, spec] of Object.entries(h.fields)) this.fields.set(name, spec.type);
    this.fieldNames = [...this.fields.keys()];
    const { all } = fuzzCodes();
    this.codes = all;
    this.codeIndex = 0;
    this.opaque = 1;
  }

  /** A string value as a field named `name` might carry. */
  stringValue(name) {
    const r = this.rand;
    const lower = name.toLowerCase();
    if (r.chance(0.7)) {
      if (lower.includes("topic")) return r.pick(FUZZ_NAMES.topic);
      if (lower.includes("group")) return r.pick(FUZZ_NAMES.group);
      if (lower.includes("cluster")) return r.pick(FUZZ_NAMES.cluster);
      if (lower.includes("brokername") || lower === "bname") return r.pick(FUZZ_NAMES.broker);
      if (lower.includes("addr")) return r.pick(FUZZ_NAMES.addr);
      if (lower === "properties") return this.propertiesValue();
    }
    switch (r.int(8)) {
      case 0:
        return "";
      case 1:
        return r.string(r.range(1, 300), NASTY);
      case 2:
        return r.pick(["*", "TAG_A || TAG_B", "a > 1 AND b < 'x'", "null", "undefined", "NaN", "%RETRY%", "TBW-fuzz"]);
      case 3:
        return r.pick(INT_VALUES);
      case 4:
        return r.string(r.range(2000, 40000), ALNUM);
      default:
        return r.string(r.range(1, 24), ALNUM);
    }
  }

  /** Message properties as senders encode them (name \u0001 value \u0002), with random pairs. */
  propertiesValue() {
    const r = this.rand;
    const pairs = [];
    for (let i = r.int(6); i > 0; i--) {
      const key = r.chance(0.8) ? r.pick(PROPERTY_KEYS) : r.string(r.range(0, 8), NASTY);
      const value = r.chance(0.5) ? r.pick([...INT_VALUES, ...LONG_VALUES]) : r.string(r.range(0, 20), NASTY);
      pairs.push(`${key}\u0001${value}`);
    }
    return pairs.join("\u0002") + (r.chance(0.5) ? "\u0002" : "");
  }

  fieldValue(name, type) {
    const r = this.rand;
    if (r.chance(0.1)) return this.stringValue(name);
    switch (type) {
      case "int":
        return r.chance(0.5) ? r.pick(INT_VALUES) : String(r.range(-5, 40));
      case "long":
        return r.chance(0.5) ? r.pick(LONG_VALUES) : String(r.int(2 ** 40));
      case "boolean":
        return r.pick(BOOL_VALUES);
      case "double":
        return r.pick(["0.0", "1.5", "NaN", "-Infinity", "1e308", "x"]);
      default:
        return this.stringValue(name);
    }
  }

  /** Random ext fields: mostly all fields of some real header, plus strangers; sometimes none. */
  extFields() {
    const r = this.rand;
    if (r.chance(0.08)) return null;
    const ext = {};
    const set = (k, v) =>
      Object.defineProperty(ext, k, { value: v, enumerable: true, writable: true, configurable: true });
    if (r.chance(0.75)) {
      const h = r.pick(this.headers);
      for (const [name, spec] of Object.entries(h.fields))
        if (r.chance(0.85)) set(name, this.fieldValue(name, spec.type));
    }
    for (let i = r.chance(0.35) ? r.range(1, 4) : 0; i > 0; i--) {
      if (r.chance(0.6)) {
        const name = r.pick(this.fieldNames);
        set(name, this.fieldValue(name, this.fields.get(name)));
      } else {
        const key = r.pick([
          "__proto__",
          "constructor",
          "toString",
          "hasOwnProperty",
          "",
          r.string(r.range(1, 40), NASTY),
        ]);
        set(key, this.stringValue(key));
      }
    }
    return ext;
  }

  /** A random JSON value built from the header and body names the servers know. */
  jsonValue(depth = 0) {
    const r = this.rand;
    const kind = depth > 3 ? r.int(4) : r.int(7);
    switch (kind) {
      case 0:
        return r.pick([null, true, false, 0, -1, 2 ** 31, 2 ** 53 + 1, 1.5, 1e308]);
      case 1:
        return this.stringValue(r.pick(this.fieldNames));
      case 2:
        return r.pick(FUZZ_NAMES.topic);
      case 3:
        return r.range(-3, 50);
      case 4:
      case 5: {
        const o = {};
        for (let i = r.int(8); i > 0; i--)
          o[r.chance(0.7) ? r.pick(BODY_KEYS) : r.pick(this.fieldNames)] = this.jsonValue(depth + 1);
        return o;
      }
      default:
        return Array.from({ length: r.int(5) }, () => this.jsonValue(depth + 1));
    }
  }

  /** A request body: nothing, random bytes, JSON from known names, properties text or a message batch. */
  body() {
    const r = this.rand;
    const p = r.next();
    if (p < 0.3) return null;
    if (p < 0.6) return r.bytes(r.range(1, 2048));
    if (p < 0.88) return Buffer.from(JSON.stringify(this.jsonValue()) ?? "null");
    if (p < 0.93) {
      const lines = [];
      for (let i = r.range(1, 6); i > 0; i--)
        lines.push(`${r.string(r.range(1, 12))}=${r.string(r.range(0, 12), NASTY)}`);
      return Buffer.from(lines.join("\n"));
    }
    if (p < 0.9995) return this.messageBatch();
    return r.bytes(r.range(64 * 1024, 1024 * 1024));
  }

  /**
   * A batch body in MessageDecoder.encodeMessages' layout (total size, magic, body CRC, flag, body
   * length, body, properties length, properties), its lengths sometimes wrong.
   */
  messageBatch() {
    const r = this.rand;
    const parts = [];
    for (let i = r.range(1, 4); i > 0; i--) {
      const body = r.bytes(r.range(0, 64));
      const props = Buffer.from(this.propertiesValue());
      const m = Buffer.alloc(20 + body.length + 2 + props.length);
      m.writeInt32BE(m.length, 0);
      m.writeInt32BE(r.chance(0.8) ? 0 : r.int32(), 4);
      m.writeInt32BE(r.int32(), 8);
      m.writeInt32BE(r.chance(0.9) ? 0 : r.int32(), 12);
      m.writeInt32BE(body.length, 16);
      body.copy(m, 20);
      m.writeInt16BE(props.length, 20 + body.length);
      props.copy(m, 22 + body.length);
      if (r.chance(0.3)) m.writeInt32BE(r.pick([0, -1, r.int32(), m.length + 1000]), r.pick([0, 16]));
      parts.push(m);
    }
    return Buffer.concat(parts);
  }

  /** The next code, round robin over every code so that each is sent about as often. */
  nextCode(binary) {
    for (;;) {
      const code = this.codes[this.codeIndex++ % this.codes.length];
      if (!binary || (code >= -0x8000 && code <= 0x7fff)) return code;
    }
  }

  /** A correctly encoded request (code round robin, random header and body, either encoding). */
  command({ code, binary = this.rand.chance(0.5), oneway = this.rand.chance(0.08) } = {}) {
    const r = this.rand;
    const c = code ?? this.nextCode(binary);
    return {
      code: c,
      language: r.chance(0.9) ? "JAVA" : r.pick(LANGUAGE_CODES),
      version: r.chance(0.85) ? 409 : r.pick([0, 1, 317, 479, 612, 613, 32767, -1, -32768]),
      opaque: (this.opaque = (this.opaque + 1) | 0),
      flag: oneway ? 2 : r.chance(0.02) ? r.pick([4, 8, 0x7ffffff0]) : 0,
      remark: r.chance(0.1) ? r.string(r.range(0, 80), NASTY) : null,
      extFields: this.extFields(),
      body: this.body(),
      serializeType: binary ? "ROCKETMQ" : "JSON",
    };
  }

  /** Encode, retrying with another header when a random one does not fit the binary encoding. */
  encode(cmd) {
    try {
      return encodeFrame(cmd);
    } catch {
      return encodeFrame({ ...cmd, extFields: null, version: 409 });
    }
  }

  // ---- kind: codes ------------------------------------------------------------------------

  /** `n` valid requests for one connection; `expected` answers (the ones that are not oneway). */
  codeBatch(n) {
    const frames = [];
    let expected = 0;
    for (let i = 0; i < n; i++) {
      const cmd = this.command();
      if ((cmd.flag & 2) === 0) expected++;
      frames.push(this.encode(cmd));
    }
    return { bytes: Buffer.concat(frames), frames: n, expected, variant: "requests" };
  }

  /** One request whose frame is exactly the limit (16 MiB with its length prefix). */
  frameAtLimit(code) {
    const cmd = this.command({ code, binary: true, oneway: false });
    cmd.body = null;
    cmd.extFields = { topic: "FuzzTopic0" };
    const head = encodeFrame(cmd);
    cmd.body = this.rand.bytes(DEFAULT_FRAME_MAX_LENGTH - head.length);
    const bytes = encodeFrame(cmd);
    return { bytes, frames: 1, expected: 1, variant: "at-limit" };
  }

  // ---- kind: random -----------------------------------------------------------------------

  /** Random bytes: all of them, or a correct length prefix followed by random bytes. */
  randomFrame() {
    const r = this.rand;
    if (r.chance(0.5)) return { bytes: r.bytes(r.range(4, 512)), frames: 1, variant: "all-random" };
    const payload = r.bytes(r.range(4, 2048));
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeInt32BE(payload.length);
    return { bytes: Buffer.concat([prefix, payload]), frames: 1, variant: "random-payload" };
  }

  // ---- kind: mutated ----------------------------------------------------------------------

  /** A valid request with bytes flipped or overwritten in its header length, type byte, header or body. */
  mutatedFrame() {
    const r = this.rand;
    const cmd = this.command({ oneway: false });
    if (cmd.body && cmd.body.length > 512) cmd.body = cmd.body.subarray(0, 512);
    let f = Buffer.from(this.encode(cmd));
    const json = cmd.serializeType === "JSON";
    const variants = [];
    for (let n = r.chance(0.7) ? 1 : r.range(2, 3); n > 0; n--) {
      const variant = r.pick(json ? JSON_MUTATIONS : BINARY_MUTATIONS);
      variants.push(variant);
      f = this.mutate(f, variant);
    }
    return { bytes: f, frames: 1, variant: variants[0] };
  }

  /** Apply one mutation to a whole frame `f` (prefix included); returns the new frame. */
  mutate(f, variant) {
    const r = this.rand;
    const headerLength = f.length >= 8 ? f.readUInt32BE(4) & 0xffffff : 0;
    const headerEnd = Math.min(f.length, 8 + headerLength);
    switch (variant) {
      case "header-length": {
        const v = r.pick([
          0,
          1,
          2,
          20,
          headerLength + 1,
          f.length,
          f.length + r.range(1, 1000),
          0xffffff,
          r.int(0x1000000),
        ]);
        f.writeUInt32BE(((f[4] << 24) | (v & 0xffffff)) >>> 0, 4);
        return f;
      }
      case "type-byte":
        f[4] = r.chance(0.5) ? r.range(2, 255) : f[4] ^ (1 << r.int(8));
        return f;
      case "header-bytes":
      case "ext-bytes": {
        const from = variant === "ext-bytes" ? Math.max(8, headerEnd - Math.min(64, headerLength)) : 8;
        for (let i = r.range(1, 8); i > 0 && headerEnd > from; i--) {
          const at = r.range(from, headerEnd - 1);
          f[at] = r.chance(0.5) ? r.int(256) : f[at] ^ (1 << r.int(8));
        }
        return f;
      }
      case "json-junk":
        return withHeader(f, 0, Buffer.from(this.junkJson()));
      case "binary-lengths": {
        // remark length at +13 of the binary header, ext length right after the remark, or a length
        // inside the ext entries
        const h = 8;
        if (f.length < h + 21) return f;
        const remarkLength = f.readInt32BE(h + 13);
        const extAt = h + 17 + Math.max(0, remarkLength);
        const spots = [h + 13];
        if (extAt + 4 <= headerEnd) spots.push(extAt);
        if (extAt + 6 <= headerEnd) spots.push(extAt + 4);
        const at = r.pick(spots);
        const value = r.pick([-1, -0x80000000, 0x7fffffff, headerLength, headerLength + 1, r.int32(), 0xffff]);
        if (at === extAt + 4) f.writeInt16BE((value << 16) >> 16, at);
        else f.writeInt32BE(value | 0, at);
        return f;
      }
      case "truncate": {
        const cut = f.subarray(0, r.range(8, Math.max(8, f.length - 1)));
        cut.writeInt32BE(cut.length - 4, 0);
        return cut;
      }
      case "frame-length-off":
        f.writeInt32BE(f.readInt32BE(0) + r.pick([-3, -2, -1, 1, 2, 16]), 0);
        return f;
      case "body-bytes": {
        for (let i = r.range(1, 8); i > 0 && f.length > headerEnd; i--) f[r.range(headerEnd, f.length - 1)] ^= 0xff;
        return f;
      }
      default:
        throw new Error(`unknown mutation ${variant}`);
    }
  }

  /** JSON headers fastjson would refuse or that are legal but strange. */
  junkJson() {
    const r = this.rand;
    const code = this.nextCode(false);
    const choices = [
      () => `{"code":`,
      () => "[".repeat(r.range(1, 20000)),
      () => `{"a":`.repeat(r.range(100, 5000)),
      () => `{"code":"abc","opaque":1}`,
      () => `{"code":1e400,"opaque":1}`,
      () => `{"code":${code},"opaque":1.5}`,
      () => `{"code":${code},"opaque":99999999999}`,
      () => `{"code":${code},"opaque":7,"extFields":[1,2]}`,
      () => `{"code":${code},"opaque":7,"extFields":{"topic":{"a":1}}}`,
      () => `{"code":${code},"opaque":7,"extFields":{"topic":["x"]}}`,
      () => `{"code":${code},"opaque":7,"extFields":"topic=x"}`,
      () => `{"code":${code},"opaque":7,"extFields":{"topic":123,"queueId":true}}`,
      () => `"just a string"`,
      () => "null",
      () => "{}",
      () => `{"code":${code},"flag":1,"opaque":7}`,
      () => `{code:${code},opaque:7,extFields:{topic:'FuzzTopic0'}}`,
      () => `{'code':${code},'opaque':7}`,
      () => `{"code":${code},"opaque":7,"version":-1}`,
      () => `{"code":${code},"opaque":7,"language":"KLINGON"}`,
      () => `\ufeff{"code":${code},"opaque":7}`,
      () => `{"code":${code},"opaque":7,"remark":"\ud800"}`,
      () => `{"code":${code},"opaque":7,"extFields":{"__proto__":"x","constructor":"y"}}`,
      () => `{"code":${code},"opaque":7,"extFields":{"topic":"${"x".repeat(r.range(1, 100000))}"}}`,
      () => r.string(r.range(1, 200), NASTY),
    ];
    return r.pick(choices)();
  }

  // ---- kind: oversized --------------------------------------------------------------------

  /** Frame lengths no server may accept, and header lengths larger than their frame. */
  oversizedFrame() {
    const r = this.rand;
    const max = DEFAULT_FRAME_MAX_LENGTH;
    const variant = r.pick(["0x7fffffff", "negative", "over-max", "just-over-max", "tiny", "header-over-frame"]);
    let length;
    switch (variant) {
      case "0x7fffffff":
        length = 0x7fffffff;
        break;
      case "negative":
        length = r.pick([-1, -4, -0x80000000, -r.range(1, 0x7fffffff)]);
        break;
      case "over-max":
        length = r.range(max - 3, 0x7ffffffe);
        break;
      case "just-over-max":
        length = max - 3; // + the 4-byte prefix = the limit + 1
        break;
      case "tiny":
        length = r.range(0, 3);
        break;
      default: {
        // a complete frame whose header word claims more header than the frame holds
        const f = Buffer.from(this.encode(this.command({ oneway: false })));
        const claimed = Math.min(0xffffff, f.length - 8 + r.range(1, 0xffffff));
        f.writeUInt32BE(((f[4] << 24) | claimed) >>> 0, 4);
        return { bytes: f, frames: 1, variant };
      }
    }
    const bytes = Buffer.concat([Buffer.alloc(4), r.bytes(r.range(0, 64))]);
    bytes.writeInt32BE(length, 0);
    return { bytes, frames: 1, variant };
  }

  /** A whole frame one byte over the limit, every byte of it sent. */
  frameOverLimit() {
    const f = this.frameAtLimit(RequestCode.GET_ROUTEINFO_BY_TOPIC);
    const bytes = Buffer.concat([f.bytes, Buffer.from([0])]);
    bytes.writeInt32BE(bytes.length - 4, 0);
    return { bytes, frames: 1, variant: "limit+1-complete" };
  }
}

const BODY_KEYS = [
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
const JSON_MUTATIONS = [
  "header-length",
  "type-byte",
  "header-bytes",
  "ext-bytes",
  "json-junk",
  "truncate",
  "frame-length-off",
  "body-bytes",
];
const BINARY_MUTATIONS = [
  "header-length",
  "type-byte",
  "header-bytes",
  "ext-bytes",
  "binary-lengths",
  "truncate",
  "frame-length-off",
  "body-bytes",
];

/** `f` with its header replaced by `header` (serialize type `type`), prefix and header word rewritten. */
function withHeader(f, type, header) {
  const headerLength = f.readUInt32BE(4) & 0xffffff;
  const body = f.subarray(Math.min(f.length, 8 + headerLength));
  const out = Buffer.alloc(8 + header.length + body.length);
  out.writeInt32BE(out.length - 4, 0);
  out.writeUInt32BE(((type << 24) | (header.length & 0xffffff)) >>> 0, 4);
  header.copy(out, 8);
  body.copy(out, 8 + header.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Figures kept per server.

/** Counts of one kind of frame sent to one server. */
function kindTally() {
  return {
    frames: 0,
    connections: 0,
    closedByServer: 0,
    answered: 0,
    silent: 0,
    connectFailed: 0,
    variants: {},
  };
}

/** Everything one server did with the frames it was sent. */
function serverTally() {
  return {
    kinds: { random: kindTally(), mutated: kindTally(), codes: kindTally(), oversized: kindTally() },
    answers: 0,
    unansweredRequests: 0,
    responseCodes: {},
    codesSent: new Set(),
    errorsWithoutRemark: 0,
    errorsWithoutRemarkSample: [],
    internalErrors: 0,
    internalErrorSample: {},
    slowestAnswerMs: {},
    slowAnswersBySecond: {},
    closedAfterValidFrames: 0,
    closedAfterValidSample: [],
    undecodableAnswers: 0,
    serverRequests: 0,
  };
}

function countVariant(tally, variant, frames, outcome) {
  const v = (tally.variants[variant] ??= { frames: 0, connections: 0, closedByServer: 0, answered: 0, silent: 0 });
  v.frames += frames;
  v.connections++;
  v[outcome]++;
}

// ---------------------------------------------------------------------------------------------
// One connection carrying one job: connect, write, then wait for answers, the server's close or
// the end of the wait.

/**
 * Sends `job.bytes` on a fresh connection to `target` and resolves, once `job.expected` answers came
 * (any answer when it is undefined), the server closed or reset the connection, or `waitMs` passed,
 * with what happened: `written` (the bytes went to the socket: the job counts as sent), `closed` (by
 * the server), `answers` (response frames, each also handed to `onAnswer` with the milliseconds since
 * the job was written), `undecodable` (answers that would not decode) and `error` (why the
 * connection could not be made, when it could not).
 */
export function exchange(target, job, waitMs, onAnswer) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const decoder = new FrameDecoder(DEFAULT_FRAME_MAX_LENGTH + 1024);
    const result = { written: false, connected: false, closed: false, answers: 0, undecodable: 0, error: null };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(finish, waitMs);
    socket.setNoDelay(true);
    let sentAt = 0;
    socket.on("connect", () => {
      result.connected = true;
      sentAt = Date.now();
      // sent once handed to the socket: a frame of several MiB may be cut short by the server's close
      socket.write(job.bytes);
      result.written = true;
    });
    socket.on("data", (chunk) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch {
        result.undecodable++;
        return finish();
      }
      for (const payload of frames) {
        let cmd;
        try {
          cmd = decodeFramePayload(payload);
        } catch {
          result.undecodable++;
          continue;
        }
        result.answers++;
        onAnswer?.(cmd, Date.now() - sentAt);
      }
      if (job.expected !== undefined && result.answers >= job.expected && job.expected > 0) finish();
      else if (job.expected === undefined && result.answers > 0) finish();
    });
    socket.on("end", () => {
      result.closed = true;
      finish();
    });
    socket.on("error", (err) => {
      if (result.connected) result.closed = true;
      else result.error = err.code ?? err.message;
      finish();
    });
    socket.on("close", finish);
  });
}

/**
 * The frame phase: `frames` frames in all, split evenly between `targets`, and for each target
 * between the kinds by `weights`; `concurrency` connections at a time per target. Each target also
 * gets `limitFrames` whole frames exactly at the 16 MiB limit (to be answered, sent to its
 * `limitCode`) and as many one byte over it (to be refused). Resolves with the tallies per target;
 * `onProgress(sent)` hears the running total about once a second.
 */
export async function fireFrames({ targets, frames, weights, concurrency, rand, onProgress, limitFrames = 1 }) {
  const factory = new FrameFactory(rand);
  const tallies = {};
  const started = Date.now();
  let sent = 0;
  const progress = setInterval(() => onProgress?.(sent), 1000);
  const kinds = Object.keys(weights);
  const sum = kinds.reduce((a, k) => a + weights[k], 0);
  try {
    await Promise.all(
      targets.map(async (target) => {
        const tally = serverTally();
        tallies[target.name] = tally;
        const perTarget = Math.floor(frames / targets.length);
        const budget = {};
        let assigned = 0;
        for (const k of kinds) assigned += budget[k] = Math.floor((perTarget * weights[k]) / sum);
        budget[kinds[0]] += perTarget - assigned;
        // a few special jobs first: whole frames at the limit (must be taken) and one byte over (must be refused)
        const special = [];
        for (let i = 0; i < limitFrames && budget.codes > 0; i++) {
          special.push({ kind: "codes", ...factory.frameAtLimit(target.limitCode) });
          budget.codes--;
        }
        for (let i = 0; i < limitFrames && budget.oversized > 0; i++) {
          special.push({ kind: "oversized", ...factory.frameOverLimit() });
          budget.oversized--;
        }
        const next = () => {
          if (special.length > 0) return special.shift();
          const left = kinds.filter((k) => budget[k] > 0);
          if (left.length === 0) return null;
          const total = left.reduce((a, k) => a + budget[k], 0);
          let x = rand.int(total);
          const kind = left.find((k) => (x -= budget[k]) < 0);
          let job;
          if (kind === "codes") job = factory.codeBatch(Math.min(budget.codes, rand.range(1, 48)));
          else if (kind === "random") job = factory.randomFrame();
          else if (kind === "mutated") job = factory.mutatedFrame();
          else job = factory.oversizedFrame();
          budget[kind] -= job.frames;
          return { kind, ...job };
        };
        // A job whose outcome takes long (a server waiting for the rest of a frame, a held pull) is
        // parked: its lane moves on, up to PARK_MAX parked jobs per target.
        const retry = [];
        const parked = new Set();
        const settle = (job, result) => {
          if (record(tally, job, result)) sent += job.frames;
          else if ((job.attempts = (job.attempts ?? 0) + 1) <= 20) retry.push(job); // not connected: again
        };
        const lane = async () => {
          for (let job = retry.shift() ?? next(); job; job = retry.shift() ?? next()) {
            if (job.attempts) await sleep(50 * job.attempts);
            const outcome = deliver(target, tally, job).then((result) => settle(job, result));
            if (await within(outcome, PARK_AFTER_MS)) continue;
            parked.add(outcome);
            void outcome.finally(() => parked.delete(outcome));
            while (parked.size >= PARK_MAX) await Promise.race(parked);
          }
        };
        do {
          await Promise.all(Array.from({ length: concurrency }, lane));
          await Promise.all(parked);
        } while (retry.length > 0);
      }),
    );
  } finally {
    clearInterval(progress);
  }
  return {
    tallies: Object.fromEntries(Object.entries(tallies).map(([k, t]) => [k, plainTally(t)])),
    sent,
    ms: Date.now() - started,
  };
}

/**
 * How long a job waits for its answers or the server's close before it is called silent. Random and
 * mutated frames may legitimately leave a server waiting for more bytes; an oversized one never may,
 * so its wait is long enough that only a server that never closes it is counted (not a busy one).
 */
const WAIT_MS = { random: 1500, mutated: 1500, codes: 6000, oversized: 30_000 };
/** A job still undecided after this long is parked (see fireFrames); at most PARK_MAX per target. */
const PARK_AFTER_MS = 250;
export const PARK_MAX = 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True when `promise` settles within `ms`, false otherwise (the timer is cleared either way). */
function within(promise, ms) {
  let timer;
  return Promise.race([promise.then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), ms)))]).finally(
    () => clearTimeout(timer),
  );
}

/** Send one job on a fresh connection; resolves with {@link exchange}'s result. */
function deliver(target, tally, job) {
  if (job.kind === "codes" && !job.opaques) {
    // what was asked, so that an answer can be matched to its request code
    job.opaques = new Map();
    for (let p = 0; p + 8 <= job.bytes.length;) {
      const len = job.bytes.readInt32BE(p);
      const cmd = decodeFramePayload(job.bytes.subarray(p + 4, p + 4 + len));
      const literal = /undefined|NaN/.test(JSON.stringify(cmd.extFields ?? {}));
      job.opaques.set(cmd.opaque, { code: cmd.code, literal });
      tally.codesSent.add(cmd.code);
      p += 4 + len;
    }
  }
  const waitMs = job.expected === 0 ? 500 : WAIT_MS[job.kind]; // all oneway: only a close can come
  return exchange(target, job, waitMs, (cmd, ms) => onAnswer(tally, cmd, job.opaques, ms));
}

/** Count what the server did with a job; false when it was never sent (no connection). */
function record(tally, job, result) {
  const kt = tally.kinds[job.kind];
  if (!result.written) {
    kt.connectFailed++;
    return false;
  }
  kt.connections++;
  kt.frames += job.frames;
  tally.undecodableAnswers += result.undecodable;
  let outcome;
  if (result.answers > 0) {
    kt.answered += result.answers;
    outcome = "answered";
  }
  if (result.closed) {
    kt.closedByServer++;
    outcome ??= "closedByServer";
  }
  if (!outcome) {
    kt.silent++;
    outcome = "silent";
  }
  countVariant(kt, job.variant, job.frames, outcome);
  if (job.kind === "codes") {
    tally.unansweredRequests += Math.max(0, job.expected - result.answers);
    if (result.closed) {
      tally.closedAfterValidFrames++;
      if (tally.closedAfterValidSample.length < 10)
        tally.closedAfterValidSample.push({
          codes: [...job.opaques.values()].slice(0, 8),
          answers: result.answers,
          expected: job.expected,
        });
    }
  }
  return true;
}

function onAnswer(tally, cmd, opaques = new Map(), ms = 0) {
  if ((cmd.flag & 1) === 0) {
    tally.serverRequests++; // e.g. NOTIFY_CONSUMER_IDS_CHANGED after a fuzzed heartbeat registered us
    return;
  }
  tally.answers++;
  tally.responseCodes[cmd.code] = (tally.responseCodes[cmd.code] ?? 0) + 1;
  const request = opaques.get(cmd.opaque);
  const requestCode = request?.code;
  if (requestCode !== undefined && ms > (tally.slowestAnswerMs[requestCode] ?? 0))
    tally.slowestAnswerMs[requestCode] = ms;
  if (ms >= SLOW_ANSWER_MS) {
    // when they came: many at once is a server that stalled, spread out is a slow request
    const second = Math.floor(Date.now() / 1000);
    tally.slowAnswersBySecond[second] = (tally.slowAnswersBySecond[second] ?? 0) + 1;
  }
  // SUCCESS (0) needs no remark; neither do the pull / query "not found" answers of a processor
  // that ran (their remark is the store status, but not always).
  if (cmd.code !== 0 && (cmd.remark === null || cmd.remark === "") && ![19, 20, 21, 22, 23, 206].includes(cmd.code)) {
    tally.errorsWithoutRemark++;
    if (tally.errorsWithoutRemarkSample.length < 20)
      tally.errorsWithoutRemarkSample.push({ requestCode, responseCode: cmd.code });
  }
  // a JavaScript error in the remark: a processor failed on input it should have refused the way Java
  // does ("undefined" and "NaN" count only when the request did not carry them itself)
  const remark = cmd.remark ?? "";
  if (INTERNAL_ERROR.test(remark) || (!request?.literal && /\bundefined\b|\bNaN\b/.test(remark))) {
    tally.internalErrors++;
    const key = `${requestCode}/${cmd.code}: ${remark.slice(0, 160)}`;
    if (Object.keys(tally.internalErrorSample).length < 40 || key in tally.internalErrorSample)
      tally.internalErrorSample[key] = (tally.internalErrorSample[key] ?? 0) + 1;
  }
}

/** An answer later than this is counted in `slowAnswersBySecond`. */
const SLOW_ANSWER_MS = 2000;

/** Remarks that name a JavaScript error rather than a Java exception or a RocketMQ message. */
const INTERNAL_ERROR =
  /\b(TypeError|RangeError|ReferenceError|SyntaxError|AssertionError|ERR_[A-Z_]+)\b|Cannot read propert|is not a function|is not iterable|undefined/;

function plainTally(t) {
  const slowest = Object.entries(t.slowestAnswerMs)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
  return { ...t, codesSent: t.codesSent.size, slowestAnswerMs: Object.fromEntries(slowest) };
}

// ---------------------------------------------------------------------------------------------
// Connections that do nothing, and the slow ones.

/**
 * Opens `count` connections to each target and holds them without a byte sent. One the server closes
 * after its idle timeout (Java: serverChannelMaxIdleTimeSeconds, 120 s) is opened again, so that
 * `count` stay held for as long as the pool runs; one closed before it is counted as dropped.
 */
export class IdlePool {
  constructor(idleTimeoutMs = 120_000) {
    this.idleTimeoutMs = idleTimeoutMs;
    this.sockets = new Map(); // target name → Set of sockets
    this.stats = {};
    this.holding = false;
  }

  async open(targets, count, parallel = 200) {
    this.holding = true;
    for (const target of targets) {
      this.sockets.set(target.name, new Set());
      const st = (this.stats[target.name] = {
        requested: count,
        opened: 0,
        connectFailed: 0,
        closedByServer: 0,
        closedBeforeIdleTimeout: 0,
        reopenedAfterIdleTimeout: 0,
        firstClosedAfterMs: null,
      });
      let todo = count;
      const lane = async () => {
        while (todo > 0) {
          todo--; // before the wait: the other lanes see it at once
          if (await this.openOne(target)) st.opened++;
        }
      };
      await Promise.all(Array.from({ length: parallel }, lane));
    }
  }

  /** One idle connection to `target`; resolves true once connected. */
  openOne(target) {
    const st = this.stats[target.name];
    const set = this.sockets.get(target.name);
    return new Promise((resolve) => {
      const socket = net.connect({ host: target.host, port: target.port });
      socket.once("connect", () => {
        const openedAt = Date.now();
        set.add(socket);
        socket.once("close", () => {
          if (!set.delete(socket)) return; // closed by us
          const after = Date.now() - openedAt;
          st.closedByServer++;
          st.firstClosedAfterMs = Math.min(st.firstClosedAfterMs ?? Infinity, after);
          // the server's timer starts at its accept, a little after our connect
          if (after < this.idleTimeoutMs - 1000) st.closedBeforeIdleTimeout++;
          else if (this.holding) {
            st.reopenedAfterIdleTimeout++;
            void this.openOne(target);
          }
        });
        resolve(true);
      });
      socket.on("error", () => {
        if (!set.has(socket)) {
          st.connectFailed++;
          resolve(false);
        }
      });
    });
  }

  status() {
    return Object.fromEntries(
      Object.entries(this.stats).map(([name, st]) => [name, { ...st, open: this.sockets.get(name)?.size ?? 0 }]),
    );
  }

  closeAll() {
    this.holding = false;
    for (const set of this.sockets.values()) {
      for (const s of [...set]) {
        set.delete(s);
        s.destroy();
      }
    }
  }
}

/**
 * Slow loris: dribblers send a valid request one byte every `dribbleMs` (± a fifth), wait for its
 * answer and start again; stallers announce a large frame, send a part of it and then nothing;
 * choppers send the largest frame allowed a byte per write, as fast as the socket goes; non-readers
 * pipeline small requests as fast as the server takes them and never read an answer.
 */
export class SlowLoris {
  constructor(rand) {
    this.rand = rand;
    this.running = false;
    this.dribblers = [];
    this.stallers = [];
    this.nonReaders = [];
    this.choppers = [];
    this.stats = {};
  }

  statsOf(name) {
    return (this.stats[name] ??= {
      dribblers: 0,
      bytesDribbled: 0,
      framesCompleted: 0,
      framesAnswered: 0,
      dribblersClosedByServer: 0,
      stallers: 0,
      stallerBytes: 0,
      stallersClosedByServer: 0,
      stallerClosedAfterMs: [],
      nonReaders: 0,
      nonReaderRequests: 0,
      nonReadersClosedByServer: 0,
      choppers: 0,
      bytesChopped: 0,
      choppersClosedByServer: 0,
    });
  }

  /** Start `perTarget` dribblers on each target; they run until {@link stop}. */
  startDribblers(targets, perTarget, dribbleMs) {
    this.running = true;
    for (const target of targets) {
      const st = this.statsOf(target.name);
      for (let i = 0; i < perTarget; i++) {
        st.dribblers++;
        this.dribblers.push(this.dribble(target, st, dribbleMs));
      }
    }
  }

  async dribble(target, st, dribbleMs) {
    const socket = net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    let closed = false;
    let answered = 0;
    let wake = null;
    socket.on("data", (chunk) => {
      try {
        answered += decoder.push(chunk).length;
      } catch {
        socket.destroy();
      }
      wake?.();
    });
    socket.on("error", () => undefined);
    socket.once("close", () => {
      closed = true;
      wake?.();
    });
    await new Promise((r) => {
      socket.once("connect", r);
      socket.once("close", r);
    });
    const sleep = (ms) =>
      new Promise((r) => {
        const t = setTimeout(r, ms);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    while (this.running && !closed) {
      const frame = encodeFrame({
        code: target.dribbleCode,
        language: "JAVA",
        version: 409,
        opaque: this.rand.int32(),
        flag: 0,
        remark: null,
        extFields: null,
        body: null,
        serializeType: "ROCKETMQ",
      });
      const before = answered;
      for (let i = 0; i < frame.length && this.running && !closed; i++) {
        socket.write(frame.subarray(i, i + 1));
        st.bytesDribbled++;
        if (i < frame.length - 1) await sleep(dribbleMs * (0.8 + 0.4 * this.rand.next()));
      }
      if (!this.running || closed) break;
      st.framesCompleted++;
      const until = Date.now() + 10_000;
      while (answered === before && !closed && Date.now() < until && this.running) await sleep(until - Date.now());
      if (answered > before) st.framesAnswered++;
    }
    if (closed && this.running) st.dribblersClosedByServer++;
    socket.destroy();
  }

  /**
   * Start `perTarget` stallers on each target: half announce the largest frame allowed and send
   * its header word only, half send 256 KiB of it; then nothing until {@link stop}.
   */
  startStallers(targets, perTarget) {
    for (const target of targets) {
      const st = this.statsOf(target.name);
      for (let i = 0; i < perTarget; i++) {
        const length = DEFAULT_FRAME_MAX_LENGTH - 4;
        const part = i % 2 === 0 ? 4 : 256 * 1024;
        const bytes = Buffer.concat([Buffer.alloc(4), this.rand.bytes(part)]);
        bytes.writeInt32BE(length, 0);
        bytes.writeUInt32BE(((1 << 24) | 1000) >>> 0, 4);
        const socket = net.connect({ host: target.host, port: target.port });
        const openedAt = Date.now();
        socket.on("connect", () => {
          st.stallers++;
          socket.write(bytes, (err) => {
            if (!err) st.stallerBytes += bytes.length;
          });
        });
        socket.on("data", () => undefined);
        socket.on("error", () => undefined);
        socket.once("close", () => {
          if (!socket.stalledByUs) {
            st.stallersClosedByServer++;
            st.stallerClosedAfterMs.push(Date.now() - openedAt);
          }
        });
        this.stallers.push(socket);
      }
    }
  }

  /**
   * Start `perTarget` non-readers on each target, sending `target.noReadCode` with
   * `target.noReadExt` in batches of 1,000 whenever the socket takes more; they run until {@link stop}.
   */
  startNonReaders(targets, perTarget) {
    this.running = true;
    for (const target of targets) {
      const st = this.statsOf(target.name);
      const request = encodeFrame({
        code: target.noReadCode,
        language: "JAVA",
        version: 409,
        opaque: 1,
        flag: 0,
        remark: null,
        extFields: target.noReadExt ?? null,
        body: null,
        serializeType: "ROCKETMQ",
      });
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => request));
      for (let i = 0; i < perTarget; i++) {
        const socket = net.connect({ host: target.host, port: target.port });
        socket.pause(); // never reads
        socket.on("error", () => undefined);
        socket.once("close", () => {
          if (!socket.stoppedByUs) st.nonReadersClosedByServer++;
        });
        const pump = () => {
          while (this.running && !socket.destroyed) {
            st.nonReaderRequests += 1000;
            if (!socket.write(batch)) return void socket.once("drain", pump);
          }
        };
        socket.once("connect", () => {
          st.nonReaders++;
          pump();
        });
        this.nonReaders.push(socket);
      }
    }
  }

  /**
   * Start `perTarget` choppers on each target: each announces the largest frame allowed and sends it
   * one byte per write (a few writes per turn of the event loop, so each leaves as its own segment)
   * until {@link stop}. A server that kept each piece as it came would hold a hundred times what it got.
   */
  startChoppers(targets, perTarget) {
    this.running = true;
    const one = Buffer.from([0x41]);
    for (const target of targets) {
      const st = this.statsOf(target.name);
      for (let i = 0; i < perTarget; i++) {
        const socket = net.connect({ host: target.host, port: target.port });
        socket.setNoDelay(true);
        socket.on("error", () => undefined);
        socket.on("data", () => undefined);
        socket.once("close", () => {
          if (!socket.stoppedByUs) st.choppersClosedByServer++;
        });
        const head = Buffer.alloc(8);
        head.writeInt32BE(DEFAULT_FRAME_MAX_LENGTH - 4, 0);
        head.writeUInt32BE(((1 << 24) | 1000) >>> 0, 4);
        let sent = head.length;
        const chop = () => {
          if (!this.running || socket.destroyed) return;
          for (let n = 0; n < 4 && sent < DEFAULT_FRAME_MAX_LENGTH; n++, sent++) {
            socket.write(one);
            st.bytesChopped++;
          }
          if (socket.writableLength > 64 * 1024) socket.once("drain", chop);
          else if (sent < DEFAULT_FRAME_MAX_LENGTH) setImmediate(chop);
        };
        socket.once("connect", () => {
          st.choppers++;
          socket.write(head);
          chop();
        });
        this.choppers.push(socket);
      }
    }
  }

  /** Stop dribbling, close the stallers, non-readers and choppers; resolves with the figures per target. */
  async stop() {
    this.running = false;
    for (const s of [...this.stallers, ...this.nonReaders, ...this.choppers]) {
      s.stalledByUs = s.stoppedByUs = true;
      s.destroy();
    }
    await Promise.all(this.dribblers);
    const out = {};
    for (const [name, st] of Object.entries(this.stats)) {
      const { stallerClosedAfterMs, ...rest } = st;
      out[name] = {
        ...rest,
        firstStallerClosedAfterMs: stallerClosedAfterMs.length ? Math.min(...stallerClosedAfterMs) : null,
      };
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Process figures.

/** VmRSS and VmHWM (peak) of `pid` in bytes from /proc/<pid>/status, or null once it is gone. */
export function memoryOf(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** The soft and hard "Max open files" of `pid` (or "self"), from /proc/<pid>/limits. */
export function openFilesLimit(pid = "self") {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const [soft, hard] = line
      .trim()
      .split(/\s{2,}/)
      .slice(1, 3);
    const n = (v) => (v === "unlimited" ? Infinity : Number(v));
    return { soft: n(soft), hard: n(hard) };
  } catch {
    return null;
  }
}

/**
 * Make sure this process may open `needed` files: raises its soft limit towards the hard one with
 * prlimit(1) when it is lower (servers started afterwards inherit it). Returns the limit now in force.
 */
export function ensureOpenFiles(needed) {
  const before = openFilesLimit();
  if (!before || before.soft >= needed) return { before, after: before, raised: false };
  const target = Math.min(before.hard, Math.max(needed, before.soft));
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${target}:${before.hard}`], { stdio: "ignore" });
  } catch {
    // no prlimit: the caller sees the limit unchanged and says so
  }
  const after = openFilesLimit();
  return { before, after, raised: after !== null && after.soft > before.soft };
}

// ---------------------------------------------------------------------------------------------
// The worker thread that carries all of the above, and its handle in the main thread.

/** The fuzzing traffic in a worker thread; `call(cmd, args)` runs one of its commands. */
export class FuzzWorker {
  constructor({ seed, onProgress }) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { badPeersFuzzer: true, seed } });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.on("message", (m) => {
      if (m.progress !== undefined) return onProgress?.(m.progress);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    this.worker.on("error", (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  call(cmd, args = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, cmd, args });
    });
  }

  terminate() {
    return this.worker.terminate();
  }
}

if (!isMainThread && workerData?.badPeersFuzzer) {
  const rand = new Rand(workerData.seed);
  const idle = new IdlePool();
  const loris = new SlowLoris(rand);
  const commands = {
    openIdle: ({ targets, perTarget }) => idle.open(targets, perTarget).then(() => idle.status()),
    idleStatus: () => idle.status(),
    closeIdle: () => idle.closeAll(),
    startDribblers: ({ targets, perTarget, dribbleMs }) => loris.startDribblers(targets, perTarget, dribbleMs),
    startStallers: ({ targets, perTarget }) => loris.startStallers(targets, perTarget),
    startNonReaders: ({ targets, perTarget }) => loris.startNonReaders(targets, perTarget),
    startChoppers: ({ targets, perTarget }) => loris.startChoppers(targets, perTarget),
    stopSlowLoris: () => loris.stop(),
    frames: (args) => fireFrames({ ...args, rand, onProgress: (sent) => parentPort.postMessage({ progress: sent }) }),
  };
  parentPort.on("message", async ({ id, cmd, args }) => {
    try {
      const result = await commands[cmd](args);
      parentPort.postMessage({ id, result });
    } catch (err) {
      parentPort.postMessage({ id, error: err.stack ?? String(err) });
    }
  });
}
