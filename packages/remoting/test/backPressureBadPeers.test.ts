/**
 * A peer that pipelines small requests and never reads the answers (found by test/chaos bad-peers):
 * the server must stop reading from it before the answers it cannot send cost more than a few MB.
 * Counting bytes alone let some 75,000 small answers (4 MiB) queue per connection, 25-70 MB of a
 * name server's memory each with their objects.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createResponse, encodeFrame, RemotingServer, type Connection } from "@rocketmq-ts/remoting";
import { MAX_QUEUED_FRAMES, type SocketTransport } from "../src/net/transport/SocketTransport.js";
import { waitFor } from "./helpers.js";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A request with no header fields and no body in the binary encoding: 29 bytes on the wire. */
const smallRequest = encodeFrame({
  code: 106,
  language: "JAVA",
  version: 409,
  opaque: 1,
  flag: 0,
  remark: null,
  extFields: null,
  body: null,
  serializeType: "ROCKETMQ",
});

/** Until `read()` has not changed for `quietMs`, within `boundMs`. */
async function steady(read: () => number, quietMs: number, boundMs: number): Promise<void> {
  const end = Date.now() + boundMs;
  let value = read();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > end) throw new Error(`still changing after ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
    if (read() !== value) {
      value = read();
      since = Date.now();
    }
  }
}

describe("a peer that never reads its answers", () => {
  it("is no longer read once its unsent answers pass the frame mark, long before the byte mark", async () => {
    const server = new RemotingServer({ listenPort: 0, bindAddress: "127.0.0.1" });
    let processed = 0;
    server.registerProcessor(106, (request) => {
      processed++;
      return createResponse(request, 0);
    });
    let conn: Connection | null = null;
    server.on("connect", (c: Connection) => (conn = c));
    const port = await server.start();
    cleanups.push(() => server.shutdown());

    const peer = net.connect({ host: "127.0.0.1", port });
    peer.pause(); // never reads
    peer.on("error", () => undefined);
    cleanups.push(() => void peer.destroy());
    await new Promise<void>((resolve) => peer.once("connect", () => resolve()));
    // up to a million requests (29 MB): their answers are more than the kernel's loopback buffers of
    // both sides and the server's marks can hold, so the server has to stop reading at some point
    const batch = Buffer.concat(Array.from({ length: 10_000 }, () => smallRequest));
    let written = 0;
    const pump = (): void => {
      while (written < 100 && peer.write(batch)) written++;
      if (written < 100) peer.once("drain", pump);
    };
    pump();

    // the server stops reading: what it has processed stops growing
    await waitFor(() => processed > 0);
    await steady(() => processed, 500, 20_000);

    const transport = (conn as Connection | null)?.transport as SocketTransport;
    expect(transport.socket.isPaused()).toBe(true);
    // the answers waiting in the server: the frame mark plus what one read of requests answered at
    // once (64 KiB of 29-byte requests), not the ~75,000 that 4 MiB of 60-byte answers would be
    expect(transport.pendingWriteBytes).toBeLessThan(512 * 1024);
    expect(transport.pendingWriteFrames).toBeLessThanOrEqual(MAX_QUEUED_FRAMES + 65536 / smallRequest.length);
  }, 60_000);
});
