/**
 * FrameDecoder against peers that cut their frames into the smallest pieces TCP allows (found by
 * test/chaos bad-peers): what a connection holds must stay about the size of what it received.
 */
import { describe, expect, it } from "vitest";
import { FrameDecoder, RemotingCodecError } from "@rocketmq-ts/remoting";

/** A frame (length prefix + payload) whose payload bytes count up from `seed`. */
function frame(payloadLength: number, seed = 0): { bytes: Buffer; payload: Buffer } {
  const payload = Buffer.alloc(payloadLength);
  for (let i = 0; i < payloadLength; i++) payload[i] = (seed + i) & 0xff;
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payloadLength);
  return { bytes: Buffer.concat([prefix, payload]), payload };
}

describe("FrameDecoder fed one byte at a time", () => {
  it("holds a frame that arrives a byte per chunk in a few buffers, not one per byte", () => {
    // (a buffer per byte also made joining them quadratic: a 1 MiB frame so sent took minutes)
    const { bytes, payload } = frame(128 * 1024);
    const decoder = new FrameDecoder();
    let most = 0;
    const out: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) {
      out.push(...decoder.push(bytes.subarray(i, i + 1)));
      if ((i & 0x3ff) === 0) most = Math.max(most, decoder.heldBuffers);
    }
    // accumulation buffers doubling from 256 bytes to 64 KiB: about ten, not 128 Ki
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThan(16);
    expect(out).toHaveLength(1);
    expect(out[0]?.equals(payload)).toBe(true);
    expect(decoder.pendingBytes).toBe(0);
    expect(decoder.heldBuffers).toBe(0);
  });

  it("keeps earlier frames intact while later bytes accumulate behind them", () => {
    const frames = Array.from({ length: 300 }, (_, i) => frame(4 + ((i * 37) % 700), i));
    const stream = Buffer.concat(frames.map((f) => f.bytes));
    const decoder = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0, step = 1; i < stream.length; i += step, step = 1 + ((step * 7) % 13)) {
      out.push(...decoder.push(stream.subarray(i, i + step)));
    }
    // compared only now: a frame handed out as a view must not have been overwritten since
    expect(out).toHaveLength(frames.length);
    out.forEach((f, i) => expect(f.equals(frames[i]?.payload as Buffer)).toBe(true));
  });

  it("reads a length prefix split over single bytes, and still refuses a bad one", () => {
    const decoder = new FrameDecoder();
    const { bytes, payload } = frame(10);
    const out: Buffer[] = [];
    for (const b of bytes) out.push(...decoder.push(Buffer.from([b])));
    expect(out).toEqual([payload]);
    const bad = new FrameDecoder();
    expect(bad.push(Buffer.from([0xff]))).toEqual([]);
    expect(bad.push(Buffer.from([0xff]))).toEqual([]);
    expect(bad.push(Buffer.from([0xff]))).toEqual([]);
    expect(() => bad.push(Buffer.from([0xfe]))).toThrow(RemotingCodecError);
  });
});
