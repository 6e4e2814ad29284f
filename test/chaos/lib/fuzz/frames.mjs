// The frames of each kind: valid requests (codes, from {@link RequestFactory}), random bytes,
// mutated valid frames and impossible lengths (oversized).
import * as remoting from "../../../../packages/remoting/dist/index.js";
import { NASTY } from "./rand.mjs";
import { RequestFactory } from "./requests.mjs";

const { DEFAULT_FRAME_MAX_LENGTH, RequestCode } = remoting;

/** Builds the frames of each kind: the valid requests of {@link RequestFactory} and the broken ones. */
export class FrameFactory extends RequestFactory {
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
