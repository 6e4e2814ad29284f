// Valid requests: every request code, either encoding, with random ext fields (from the header
// declarations of packages/remoting) and random bodies.
import * as remoting from "../../../../packages/remoting/dist/index.js";
import { ALNUM, NASTY } from "./rand.mjs";
import {
  BODY_KEYS,
  BOOL_VALUES,
  FUZZ_NAMES,
  fuzzCodes,
  headerDeclarations,
  INT_VALUES,
  LONG_VALUES,
  PROPERTY_KEYS,
} from "./codes.mjs";

const { DEFAULT_FRAME_MAX_LENGTH, LANGUAGE_CODES, encodeFrame } = remoting;

/**
 * Builds the frames of each kind. `headers` are the declarations found in packages/remoting; their
 * field names and types give the values of most random ext fields, so requests reach past the
 * header decoding into the processors.
 */
export class RequestFactory {
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
}
