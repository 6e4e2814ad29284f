import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  CLIENT_CORK_FRAMES,
  SERVER_CORK_FRAMES,
  SocketTransport,
  type SocketTransportOptions,
} from "../src/net/transport/SocketTransport.js";
import { waitFor } from "./helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

/** A connected pair on loopback: our transport on one end, a raw socket counting bytes on the other. */
async function pair(options: Partial<SocketTransportOptions> = {}): Promise<{
  transport: SocketTransport;
  received: () => number;
}> {
  let peer: net.Socket | null = null;
  let bytes = 0;
  const server = net.createServer((s) => {
    peer = s;
    s.on("data", (chunk: Buffer) => (bytes += chunk.length));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  const socket = net.connect(address.port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  await waitFor(() => peer !== null);
  const transport = new SocketTransport(socket, {
    maxFrameLength: 1 << 20,
    idleTimeoutMs: 0,
    writeHighWaterMark: 1 << 22,
    ...options,
  });
  transport.start({ frame: () => undefined, malformed: () => undefined, idle: () => undefined, end: () => undefined });
  cleanups.push(() => {
    transport.destroy();
    peer?.destroy();
    server.close();
  });
  return { transport, received: () => bytes };
}

const frame = (): Buffer[] => [Buffer.from([0, 0, 0, 4]), Buffer.from("abcd")];

describe("SocketTransport corking", () => {
  it("keeps a turn's frames corked until corkFrames of them are written, then writes them at once", async () => {
    const { transport } = await pair({ corkFrames: 4 });
    for (let i = 0; i < 3; i++) transport.writeFrame(frame());
    expect(transport.socket.writableCorked).toBe(1);
    expect(transport.pendingWriteBytes).toBe(3 * 8);
    transport.writeFrame(frame());
    expect(transport.socket.writableCorked).toBe(0);
  });

  it("writes what is left at the end of the turn", async () => {
    const { transport, received } = await pair({ corkFrames: 4 });
    transport.writeFrame(frame());
    expect(transport.socket.writableCorked).toBe(1);
    await waitFor(() => received() === 8);
    expect(transport.socket.writableCorked).toBe(0);
  });

  it("corks CLIENT_CORK_FRAMES frames when not told otherwise", async () => {
    expect(SERVER_CORK_FRAMES).toBeGreaterThan(CLIENT_CORK_FRAMES);
    const { transport, received } = await pair();
    for (let i = 0; i < CLIENT_CORK_FRAMES - 1; i++) transport.writeFrame(frame());
    expect(transport.socket.writableCorked).toBe(1);
    transport.writeFrame(frame());
    expect(transport.socket.writableCorked).toBe(0);
    await waitFor(() => received() === CLIENT_CORK_FRAMES * 8);
  });
});

describe("SocketTransport back-pressure", () => {
  it("reads again once writes drain under a mark lower than the socket's own", async () => {
    // 8 corked frames of 8 bytes pass a 40-byte mark, never the socket's own (16 KiB or more): no 'drain'
    const { transport, received } = await pair({ writeHighWaterMark: 40, corkFrames: 100 });
    let writable = 0;
    transport.onWritable = () => writable++;
    for (let i = 0; i < 8; i++) transport.writeFrame(frame());
    expect(transport.isWritable).toBe(false);
    expect(transport.socket.isPaused()).toBe(true);
    await waitFor(() => received() === 64);
    await waitFor(() => writable === 1);
    expect(transport.isWritable).toBe(true);
    expect(transport.socket.isPaused()).toBe(false);
  });
});
