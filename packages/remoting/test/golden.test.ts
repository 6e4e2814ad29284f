import { describe, expect, it } from "vitest";
import {
  decodeFrame,
  encodeFrame,
  FrameDecoder,
  decodeFramePayload,
  parseFastjson,
  stringifyFastjson,
  requestCodeName,
  responseCodeName,
  javaHashMapOrder,
} from "@rocketmq-ts/remoting";
import { frameBytes, isFastjsonHeader, loadScenarios, type CapturedFrame } from "../../../test/support/corpus.js";

const scenarios = loadScenarios();
const allFrames = scenarios.flatMap((s) => s.frames.map((f) => ({ scenario: s.name, frame: f })));

function normalizeExt(ext: Record<string, unknown> | null | undefined): Record<string, string> | null {
  if (ext === null || ext === undefined) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ext)) if (v !== null && v !== "") out[k] = String(v);
  return out;
}

describe("captured Java traffic (golden vectors)", () => {
  it("has the whole corpus", () => {
    // the corpus only grows (later phases added acl-clients, dledger-group); the 49 of phases A-C stay
    expect(scenarios.length).toBeGreaterThanOrEqual(49);
    for (const name of ["broker-register", "ha-replication", "producer-transaction", "ali-ons", "push-consumer"])
      expect(scenarios.map((s) => s.name)).toContain(name);
    expect(allFrames.length).toBeGreaterThan(5000);
  });

  it("decodes every captured frame to the recorded header and body length", () => {
    let checked = 0;
    for (const { scenario, frame } of allFrames) {
      const where = `${scenario} seq ${frame.seq}`;
      const bytes = frameBytes(frame);
      if (frame.truncated) continue; // none in this corpus; the header would still decode
      const cmd = decodeFrame(bytes);
      expect(cmd.serializeType, where).toBe(frame.serializeType);
      expect(cmd.code, where).toBe(frame.header.code);
      expect(cmd.flag, where).toBe(frame.header.flag ?? 0);
      expect(cmd.opaque, where).toBe(frame.header.opaque);
      expect(cmd.version, where).toBe(frame.header.version ?? 0);
      expect(cmd.language, where).toBe(frame.header.language ?? "JAVA");
      expect(cmd.remark, where).toBe(frame.header.remark ?? null);
      const ext = normalizeExt(frame.header.extFields);
      if (frame.serializeType === "ROCKETMQ") expect(cmd.extFields, where).toEqual(ext);
      else expect(cmd.extFields ?? null, where).toEqual(ext);
      expect(cmd.body?.length ?? 0, where).toBe(frame.bodyLength);
      if (frame.bodyText !== undefined) expect(cmd.body?.toString("utf8") ?? "", where).toBe(frame.bodyText);
      checked++;
    }
    expect(checked).toBe(allFrames.length);
  });

  it("re-encodes every Java frame byte-identically (both header encodings)", () => {
    let checked = 0;
    for (const { scenario, frame } of allFrames) {
      if (frame.serializeType === "JSON" && !isFastjsonHeader(frame)) continue; // ali-ons' own key order
      const bytes = frameBytes(frame);
      const reencoded = encodeFrame(decodeFrame(bytes));
      expect(reencoded.equals(bytes), `${scenario} seq ${frame.seq}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(4000);
  });

  it("orders our own extFields exactly as Java's HashMap did on the wire", () => {
    let checked = 0;
    for (const { scenario, frame } of allFrames) {
      // (binary frames of Java's FastCodesHeader classes list their fields in declaration order instead)
      if (!isFastjsonHeader(frame)) continue;
      const cmd = decodeFrame(frameBytes(frame));
      const ext = cmd.extFields;
      if (ext === null || Object.keys(ext).length < 2) continue;
      // 5.x creates the map with capacity 256 when its ACL hook adds the first field
      const capacity = cmd.version >= 413 && "AccessKey" in ext ? 256 : 16;
      expect(javaHashMapOrder(Object.keys(ext), capacity), `${scenario} seq ${frame.seq}`).toEqual(Object.keys(ext));
      checked++;
    }
    expect(checked).toBeGreaterThan(3000);
  });

  it("names every captured request and response code as the corpus does", () => {
    const requests = new Map<number, string>();
    for (const { frame } of allFrames) {
      const f = frame as CapturedFrame & { codeName?: string; requestCode?: number };
      if (f.rpcType !== "response" && f.codeName) requests.set(f.header.code, f.codeName);
      if (f.rpcType === "response" && f.codeName) expect(responseCodeName(f.header.code)).toBe(f.codeName);
    }
    for (const [code, name] of requests) expect(requestCodeName(code)).toBe(name);
    expect(requests.size).toBeGreaterThan(40);
  });

  it("splits every captured TCP stream into the same frames whatever the chunking", () => {
    let rng = 12345;
    const random = (n: number): number => {
      rng = (Math.imul(rng, 1103515245) + 12345) & 0x7fffffff;
      return rng % n;
    };
    for (const s of scenarios) {
      const streams = new Map<string, CapturedFrame[]>();
      for (const f of s.frames) {
        const key = `${f.conn}/${f.dir}`;
        streams.set(key, [...(streams.get(key) ?? []), f]);
      }
      for (const [key, frames] of streams) {
        const stream = Buffer.concat(frames.map(frameBytes));
        const decoder = new FrameDecoder();
        const out: Buffer[] = [];
        for (let p = 0; p < stream.length;) {
          const n = 1 + random(random(4) === 0 ? 8 : 4096);
          out.push(...decoder.push(stream.subarray(p, p + n)));
          p += n;
        }
        expect(out.length, `${s.name} ${key}`).toBe(frames.length);
        expect(decoder.pendingBytes).toBe(0);
        out.forEach((payload, i) => {
          expect(decodeFramePayload(payload).opaque).toBe((frames[i] as CapturedFrame).header.opaque);
        });
      }
    }
  });

  it("parses every captured JSON body and writes it back byte-identically", () => {
    let checked = 0;
    const formats = new Set<string>();
    for (const { scenario, frame } of allFrames) {
      if (frame.bodyFormat !== "json" && frame.bodyFormat !== "json-nonstrict") continue;
      const text = frame.bodyText as string;
      const where = `${scenario} seq ${frame.seq}`;
      const preserved = parseFastjson(text, { preserve: true });
      if (isFastjsonHeader(frame) || frame.serializeType === "ROCKETMQ") {
        expect(stringifyFastjson(preserved, { sortKeys: false }), where).toBe(text);
      }
      // the default (ergonomic) model must read the same text too
      parseFastjson(text);
      formats.add(frame.bodyFormat);
      checked++;
    }
    expect(formats).toEqual(new Set(["json", "json-nonstrict"]));
    expect(checked).toBeGreaterThan(300);
  });
});
