import { describe, expect, it, vi } from "vitest";
import { FrameRing } from "../src/net/io/FrameRing.js";
import { RingReader, RingWriter, type LargePayload } from "../src/net/io/RingEnds.js";
import { waitFor } from "./helpers.js";

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

function drainAll(ring: FrameRing): { type: number; id: number; payload: Buffer }[] {
  const out: { type: number; id: number; payload: Buffer }[] = [];
  ring.read((type, id, payload) => {
    out.push({ type, id, payload: Buffer.from(payload) });
    return true;
  });
  return out;
}

describe("FrameRing", () => {
  it("keeps records in order across many wraps, payloads intact", () => {
    const ring = new FrameRing(FrameRing.allocate(1024));
    let written = 0;
    let read = 0;
    for (let round = 0; round < 500; round++) {
      // a varying number of varying sizes (some unaligned) between reads
      for (let k = 0; k < (round % 5) + 1; k++) {
        const size = (written * 37) % ring.maxPayload;
        if (!ring.tryWrite(2, written, [bytes(size, written & 0xff)], size)) break;
        written++;
      }
      for (const r of drainAll(ring)) {
        expect(r.id).toBe(read);
        expect(r.payload.length).toBe((read * 37) % ring.maxPayload);
        expect(r.payload.every((b) => b === (read & 0xff))).toBe(true);
        read++;
      }
    }
    expect(read).toBe(written);
    expect(written).toBeGreaterThan(500);
    expect(ring.isEmpty).toBe(true);
  });

  it("refuses a record when full and takes it once the consumer made room", () => {
    const ring = new FrameRing(FrameRing.allocate(256));
    let n = 0;
    while (ring.tryWrite(2, n, [bytes(40, n)], 40)) n++;
    expect(n).toBeGreaterThan(3);
    expect(n).toBeLessThan(6); // 52-byte records in 256 bytes, one slot always free
    let seen = 0;
    ring.read(() => ++seen <= 2); // consume two, stop before the third
    expect(seen).toBe(3);
    expect(ring.tryWrite(2, n, [bytes(40, n)], 40)).toBe(true);
    expect(drainAll(ring).map((r) => r.id)).toEqual(Array.from({ length: n - 1 }, (_, i) => i + 2));
  });

  it("joins a payload given in parts and rejects one over a quarter of the ring", () => {
    const ring = new FrameRing(FrameRing.allocate(1024));
    expect(ring.tryWrite(7, 9, [Buffer.from("ab"), Buffer.from("cde")], 5)).toBe(true);
    expect(drainAll(ring)).toEqual([{ type: 7, id: 9, payload: Buffer.from("abcde") }]);
    expect(() => ring.tryWrite(2, 1, [bytes(ring.maxPayload + 1, 0)], ring.maxPayload + 1)).toThrow(RangeError);
  });
});

describe("RingWriter / RingReader", () => {
  function pair(capacity: number): {
    writer: RingWriter;
    got: { type: number; id: number; payload: Buffer }[];
    reader: RingReader;
    blocked: boolean[];
  } {
    const memory = FrameRing.allocate(capacity);
    const got: { type: number; id: number; payload: Buffer }[] = [];
    const reader = new RingReader(new FrameRing(memory), (type, id, payload) =>
      got.push({ type, id, payload: Buffer.from(payload) }),
    );
    const blocked: boolean[] = [];
    // payloads too big for the ring go "beside it", delivered a little later (as a message would be)
    const writer = new RingWriter(
      new FrameRing(memory),
      (message: LargePayload) => setTimeout(() => reader.deliverLarge(message), 20),
      (b) => blocked.push(b),
    );
    return { writer, got, reader, blocked };
  }

  it("delivers everything in order through overflow, wake-ups and large payloads", async () => {
    const { writer, got, reader, blocked } = pair(4096);
    reader.start();
    const sizes: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const size = i % 97 === 0 ? 3000 : (i * 13) % 600; // some larger than the ring's quarter
      sizes.push(size);
      writer.write(2, i, [bytes(size, i & 0xff)], size);
    }
    expect(writer.overflowBytes).toBeGreaterThan(0); // far more than 4 KiB at once
    await waitFor(() => got.length === 2000, 10_000);
    got.forEach((r, i) => {
      expect(r.id).toBe(i);
      expect(r.payload.length).toBe(sizes[i]);
      expect(r.payload.every((b) => b === (i & 0xff))).toBe(true);
    });
    expect(writer.overflowBytes).toBe(0);
    expect(blocked).toEqual([true, false]);
  });

  it("wakes a sleeping reader, and a paused reader leaves records until resumed", async () => {
    const { writer, got, reader } = pair(4096);
    reader.start();
    await new Promise((r) => setTimeout(r, 20)); // the reader found nothing and sleeps
    writer.write(2, 1, [Buffer.from("x")], 1);
    await waitFor(() => got.length === 1, 5_000);
    reader.pause();
    writer.write(2, 2, [Buffer.from("y")], 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(got.length).toBe(1);
    reader.resume();
    await waitFor(() => got.length === 2, 5_000);
    expect(got[1]?.payload.toString()).toBe("y");
  });
});

describe("RingWriter when its owner writes from onBlocked", () => {
  it("keeps waiting for room when unblocking at once fills the ring again", async () => {
    const memory = FrameRing.allocate(256);
    const consumerSide = new FrameRing(memory);
    const got: number[] = [];
    const take = (): void => {
      consumerSide.read((_type, id) => {
        got.push(id);
        return true;
      });
    };
    const events: boolean[] = [];
    let next = 0;
    const writeSome = (n: number): void => {
      for (let i = 0; i < n; i++) writer.write(2, next++, [bytes(40, 1)], 40);
    };
    const writer: RingWriter = new RingWriter(
      new FrameRing(memory),
      () => undefined,
      (blocked) => {
        events.push(blocked);
        // The consumer makes room just as the writer starts to wait (its retry then succeeds), and
        // the owner answers "unblocked" by writing more than fits: the writer must wait again.
        if (blocked && events.length === 1) take();
        if (!blocked && events.length === 2) writeSome(8);
      },
    );
    writeSome(5); // 52-byte records: the fifth does not fit
    expect(events).toEqual([true, false, true]);
    expect(writer.overflowBytes).toBeGreaterThan(0);
    // a real reader from here on: it wakes the writer whenever it makes room
    const reader = new RingReader(consumerSide, (_type, id) => got.push(id));
    reader.start();
    await waitFor(() => got.length === next, 5_000);
    expect(got).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(writer.overflowBytes).toBe(0);
    expect(events.at(-1)).toBe(false);
    reader.stop();
  });

  it("a reader paused and resumed while asleep keeps a single wait", async () => {
    const memory = FrameRing.allocate(4096);
    let handled = 0;
    const reader = new RingReader(new FrameRing(memory), () => handled++);
    const writer = new RingWriter(new FrameRing(memory), () => undefined);
    reader.start();
    await new Promise((r) => setTimeout(r, 20)); // asleep
    const waits = vi.spyOn(Atomics, "waitAsync");
    try {
      for (let i = 0; i < 50; i++) {
        reader.pause();
        reader.resume();
        await new Promise((r) => setImmediate(r));
      }
      expect(waits).not.toHaveBeenCalled();
    } finally {
      waits.mockRestore();
    }
    writer.write(2, 1, [Buffer.from("x")], 1);
    await waitFor(() => handled === 1, 5_000);
    expect(handled).toBe(1);
    reader.stop();
  });
});
