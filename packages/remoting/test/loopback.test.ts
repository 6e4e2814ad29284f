import { spawn } from "node:child_process";
import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createRequest,
  createResponse,
  decodeFramePayload,
  decodeHeader,
  encodeFrame,
  FrameDecoder,
  GetRouteInfoRequestHeader,
  RemotingClient,
  RemotingServer,
  RemotingConnectException,
  RemotingTimeoutException,
  RequestCode,
  ResponseCode,
  type Connection,
  type RemotingCommand,
  type RPCHook,
} from "@rocketmq-ts/remoting";
import { memoryLogger, sleep, waitFor } from "./helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  ioThreads = 0;
});

/** Servers' sockets in the test's thread (0) or in an I/O thread (1): both must behave the same. */
let ioThreads = 0;

async function startServer(config: Partial<ConstructorParameters<typeof RemotingServer>[0]> = {}): Promise<{
  server: RemotingServer;
  addr: string;
}> {
  const server = new RemotingServer({ listenPort: 0, bindAddress: "127.0.0.1", ioThreads, ...config });
  const port = await server.start();
  cleanups.push(() => server.shutdown());
  return { server, addr: `127.0.0.1:${port}` };
}

function newClient(config: ConstructorParameters<typeof RemotingClient>[0] = {}): RemotingClient {
  const client = new RemotingClient(config);
  cleanups.push(() => client.shutdown());
  return client;
}

/** A raw socket speaking frames, to see exactly what the server sends. */
async function rawConnect(
  addr: string,
): Promise<{ socket: net.Socket; frames: RemotingCommand[]; closed: () => boolean }> {
  const [host, port] = addr.split(":");
  const socket = net.connect({ host: host as string, port: Number(port) });
  await new Promise<void>((r) => socket.once("connect", () => r()));
  const decoder = new FrameDecoder();
  const frames: RemotingCommand[] = [];
  let closed = false;
  socket.on("data", (c: Buffer) => frames.push(...decoder.push(c).map(decodeFramePayload)));
  socket.on("close", () => (closed = true));
  socket.on("error", () => undefined);
  cleanups.push(() => void socket.destroy());
  return { socket, frames, closed: () => closed };
}

function echoProcessor(request: RemotingCommand): RemotingCommand {
  return createResponse(request, ResponseCode.SUCCESS, { extFields: request.extFields, body: request.body });
}

describe.each([0, 1])("RemotingServer + RemotingClient over loopback (I/O threads: %i)", (threads) => {
  beforeEach(() => {
    ioThreads = threads;
  });

  it("answers a request, echoing opaque and encoding", async () => {
    const { server, addr } = await startServer();
    server.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => {
      const header = decodeHeader(GetRouteInfoRequestHeader, req.extFields);
      return createResponse(req, ResponseCode.SUCCESS, { body: Buffer.from(`route of ${header.topic}`) });
    });
    const client = newClient();
    for (const serializeType of ["JSON", "ROCKETMQ"] as const) {
      const req = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "T1" }, serializeType });
      const res = await client.invokeSync(addr, req, 3000);
      expect(res.code).toBe(0);
      expect(res.opaque).toBe(req.opaque);
      expect(res.serializeType).toBe(serializeType);
      expect(res.body?.toString()).toBe("route of T1");
    }
  });

  it("answers unknown codes with REQUEST_CODE_NOT_SUPPORTED and Java's remark", async () => {
    const { addr } = await startServer();
    const res = await newClient().invokeSync(addr, createRequest(9999), 3000);
    expect(res.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(res.remark).toBe(" request type 9999 not supported");
  });

  it("answers a missing required header field with SYSTEM_ERROR naming the field", async () => {
    const { server, addr } = await startServer();
    server.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => {
      decodeHeader(GetRouteInfoRequestHeader, req.extFields);
      return createResponse(req, 0);
    });
    const res = await newClient().invokeSync(
      addr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: {} }),
      3000,
    );
    expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(res.remark).toBe(
      "org.apache.rocketmq.remoting.exception.RemotingCommandException: the custom field <topic> is null",
    );
  });

  it("never replies to oneway requests, even unknown or failing ones", async () => {
    const { server, addr } = await startServer();
    const seen: number[] = [];
    server.registerProcessor(15, (req) => {
      seen.push(req.code);
      return createResponse(req, 0);
    });
    server.registerProcessor(16, () => {
      throw new Error("boom");
    });
    const raw = await rawConnect(addr);
    for (const code of [15, 16, 9999]) {
      const req = createRequest(code);
      req.flag = 2;
      raw.socket.write(encodeFrame(req));
    }
    const probe = createRequest(9998);
    raw.socket.write(encodeFrame(probe));
    await waitFor(() => raw.frames.length > 0);
    await sleep(50);
    expect(raw.frames.map((f) => f.opaque)).toEqual([probe.opaque]);
    expect(seen).toEqual([15]);
  });

  it("times out a sync call and closes that connection; the next call reconnects", async () => {
    const { server, addr } = await startServer();
    server.registerProcessor(1, () => null); // never answers
    server.registerProcessor(2, (req) => createResponse(req, 0));
    const client = newClient();
    const closes: string[] = [];
    client.on("close", (a: string) => closes.push(a));
    await expect(client.invokeSync(addr, createRequest(1), 200)).rejects.toBeInstanceOf(RemotingTimeoutException);
    await waitFor(() => closes.length === 1);
    const res = await client.invokeSync(addr, createRequest(2), 3000);
    expect(res.code).toBe(0);
  });

  it("times out async calls without closing the connection", async () => {
    const { server, addr } = await startServer();
    server.registerProcessor(1, () => null);
    server.registerProcessor(2, (req) => createResponse(req, 0));
    const client = newClient();
    await client.invokeSync(addr, createRequest(2), 3000);
    await expect(client.invokeAsync(addr, createRequest(1), 100)).rejects.toBeInstanceOf(RemotingTimeoutException);
    expect(server.connectionCount).toBe(1);
    expect((await client.invokeAsync(addr, createRequest(2), 3000)).code).toBe(0);
  });

  it("carries a 4 MiB body both ways", async () => {
    const { server, addr } = await startServer();
    server.registerProcessor(310, echoProcessor);
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const res = await newClient().invokeSync(addr, createRequest(310, { body }), 10_000);
    expect(res.body?.equals(body)).toBe(true);
  });

  it("keeps 10,000 requests in flight on one connection and matches every response", async () => {
    const { server, addr } = await startServer();
    // answer in reverse batches so responses come back out of order
    let queue: RemotingCommand[] = [];
    const waiting: ((r: RemotingCommand) => void)[] = [];
    server.registerProcessor(11, (req) => {
      return new Promise<RemotingCommand>((resolve) => {
        queue.push(req);
        waiting.push(resolve);
        if (queue.length === 100) {
          const reqs = queue;
          const resolvers = waiting.splice(0);
          queue = [];
          for (let i = reqs.length - 1; i >= 0; i--) {
            (resolvers[i] as (r: RemotingCommand) => void)(echoProcessor(reqs[i] as RemotingCommand));
          }
        }
      });
    });
    const client = newClient();
    const requests = Array.from({ length: 10_000 }, (_, i) => createRequest(11, { extFields: { i: String(i) } }));
    const responses = await Promise.all(requests.map((r) => client.invokeAsync(addr, r, 20_000)));
    responses.forEach((res, i) => expect(res.extFields?.["i"]).toBe(String(i)));
    expect(server.connectionCount).toBe(1);
  });

  it("lets the server call a connected client (sync and oneway)", async () => {
    const { server, addr } = await startServer();
    const connected: Connection[] = [];
    server.on("connect", (c: Connection) => connected.push(c));
    server.registerProcessor(34, (req) => createResponse(req, 0));
    const client = newClient();
    const oneways: RemotingCommand[] = [];
    client.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, (req) =>
      createResponse(req, 0, { body: Buffer.from("running") }),
    );
    client.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
      oneways.push(req);
      return null;
    });
    await client.invokeSync(addr, createRequest(34), 3000);
    const conn = connected[0] as Connection;
    const res = await server.invokeSync(conn, createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO), 3000);
    expect(res.body?.toString()).toBe("running");
    await server.invokeOneway(conn, createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED), 3000);
    await waitFor(() => oneways.length === 1);
    // a code the client does not handle comes back as REQUEST_CODE_NOT_SUPPORTED
    expect((await server.invokeSync(conn, createRequest(39), 3000)).code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });

  it("runs RPC hooks around server processing and client calls", async () => {
    const { server, addr } = await startServer();
    server.registerProcessor(34, (req) => createResponse(req, 0));
    const events: string[] = [];
    const hook = (side: string): RPCHook => ({
      doBeforeRequest: (_a, req) => {
        events.push(`${side}:before:${req.code}`);
        if (side === "client") req.extFields = { ...(req.extFields ?? {}), AccessKey: "ak" };
      },
      doAfterResponse: (_a, req, res) =>
        events.push(`${side}:after:${req.code}:${res?.code}:${req.extFields?.["AccessKey"]}`),
    });
    server.registerRPCHook(hook("server"));
    const client = newClient();
    client.registerRPCHook(hook("client"));
    await client.invokeSync(addr, createRequest(34), 3000);
    expect(events).toEqual(["client:before:34", "server:before:34", "server:after:34:0:ak", "client:after:34:0:ak"]);
  });

  it("runs a server's hooks only on requests it processes, not on those it sends its clients (as Java)", async () => {
    const { server, addr } = await startServer();
    const connected: Connection[] = [];
    server.on("connect", (c: Connection) => connected.push(c));
    server.registerProcessor(34, (req) => createResponse(req, 0));
    const checked: number[] = [];
    // like the broker's ACL check: refuses any request without an AccessKey
    server.registerRPCHook({
      doBeforeRequest: (_a, req) => {
        checked.push(req.code);
        if (!req.extFields?.["AccessKey"]) throw new Error("No accessKey is configured");
      },
      doAfterResponse: () => undefined,
    });
    const client = newClient();
    const oneways: RemotingCommand[] = [];
    client.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req) => createResponse(req, 0));
    client.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
      oneways.push(req);
      return null;
    });
    expect((await client.invokeSync(addr, createRequest(34), 3000)).code).toBe(ResponseCode.SYSTEM_ERROR);
    await client.invokeSync(addr, createRequest(34, { extFields: { AccessKey: "ak" } }), 3000);
    const conn = connected[0] as Connection;
    expect((await server.invokeSync(conn, createRequest(RequestCode.CHECK_TRANSACTION_STATE), 3000)).code).toBe(0);
    await server.invokeOneway(conn, createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED), 3000);
    await waitFor(() => oneways.length === 1);
    expect(checked).toEqual([34, 34]);
  });

  it("emits connect/close events and closes idle connections", async () => {
    const { server, addr } = await startServer({ serverChannelMaxIdleTimeSeconds: 0.3 });
    const events: string[] = [];
    server.on("connect", () => events.push("connect"));
    server.on("idle", () => events.push("idle"));
    server.on("close", () => events.push("close"));
    server.registerProcessor(34, (req) => createResponse(req, 0));
    await newClient().invokeSync(addr, createRequest(34), 3000);
    await waitFor(() => events.includes("close"));
    expect(events).toEqual(["connect", "idle", "close"]);
  });

  it("stops reading from a peer that does not read its responses (bounded buffering)", async () => {
    const { server, addr } = await startServer({ writeHighWaterMark: 256 * 1024 });
    let processed = 0;
    const big = Buffer.alloc(64 * 1024, 7);
    server.registerProcessor(12, (req) => {
      processed++;
      return createResponse(req, 0, { body: big });
    });
    const raw = await rawConnect(addr);
    raw.socket.pause(); // never read: responses pile up in the server's socket buffer
    const request = encodeFrame(createRequest(12));
    const batch = Buffer.concat(Array.from({ length: 200 }, () => request));
    for (let i = 0; i < 20; i++) raw.socket.write(batch); // 4,000 requests = 256 MB of responses
    // the server gets 1.5 s to misbehave (a busy machine only makes it process fewer): without
    // back-pressure it would process every request and buffer ~256 MB; with it, it stops after the
    // socket buffers (a few MB) and its 256 KiB high-water mark are full
    await sleep(1500);
    expect(processed).toBeLessThan(1000);
    const conns = [...(server as unknown as { connections: Set<Connection> }).connections];
    expect(conns[0]?.transport.pendingWriteBytes ?? 0).toBeLessThan(64 * 1024 * 1024);
    raw.socket.resume();
    await waitFor(() => processed === 4000, 60_000);
  }, 90_000);
});

describe("name server selection", () => {
  it("keeps the chosen name server and rotates to the next one when it fails", async () => {
    const a = await startServer();
    const b = await startServer();
    for (const s of [a, b]) s.server.registerProcessor(105, (req) => createResponse(req, 0, { remark: s.addr }));
    const dead = await new Promise<string>((resolve) => {
      const srv = net.createServer();
      srv.listen(0, "127.0.0.1", () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(`127.0.0.1:${port}`));
      });
    });
    const client = newClient({ connectTimeoutMillis: 500 });
    client.updateNameServerAddressList([dead, a.addr, b.addr]);
    const first = (await client.invokeSync(null, createRequest(105), 3000)).remark;
    expect([a.addr, b.addr]).toContain(first);
    // sticky while it works
    for (let i = 0; i < 5; i++) expect((await client.invokeSync(null, createRequest(105), 3000)).remark).toBe(first);
    // the chosen one goes away: the next call moves on to the other live one
    const chosen = first === a.addr ? a : b;
    const other = first === a.addr ? b : a;
    await chosen.server.shutdown();
    await waitFor(() => client.chosenNameServer === null);
    expect((await client.invokeSync(null, createRequest(105), 3000)).remark).toBe(other.addr);
  });

  it("does not wait out silent name servers: the next one is tried after the hedge delay", async () => {
    // A listener that never accepts, with its backlog filled: the kernel drops further SYNs, so a
    // connect neither succeeds nor fails (as across a partition) until the connect timeout.
    const silent = async (): Promise<{ addr: string; close: () => void }> => {
      const py = spawn("python3", [
        "-c",
        "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)",
      ]);
      const port = await new Promise<number>((resolve) => py.stdout.once("data", (d: Buffer) => resolve(Number(d))));
      const fillers = Array.from({ length: 3 }, () => net.connect(port, "127.0.0.1").on("error", () => undefined));
      await sleep(200);
      return {
        addr: `127.0.0.1:${port}`,
        close: () => {
          for (const f of fillers) f.destroy();
          py.kill("SIGKILL");
        },
      };
    };
    const [s1, s2] = [await silent(), await silent()];
    const live = await startServer();
    live.server.registerProcessor(105, (req) => createResponse(req, 0, { remark: "live" }));
    try {
      // two silent ones before the live one would cost Java 2 × 3 s; every order must answer within 3 s
      const clients = Array.from({ length: 6 }, () => newClient({ connectTimeoutMillis: 3000 }));
      const answers = await Promise.all(
        clients.map((c) => {
          c.updateNameServerAddressList([s1.addr, s2.addr, live.addr]);
          return c.invokeSync(null, createRequest(105), 3000);
        }),
      );
      for (const a of answers) expect(a.remark).toBe("live");
      for (const c of clients) expect(c.chosenNameServer).toBe(live.addr);
    } finally {
      s1.close();
      s2.close();
    }
  }, 30_000);

  it("fails with a connect error when no name server is reachable", async () => {
    const client = newClient({ connectTimeoutMillis: 300 });
    await expect(client.invokeSync(null, createRequest(105), 3000)).rejects.toBeInstanceOf(RemotingConnectException);
    client.updateNameServerAddressList(["127.0.0.1:1"]);
    await expect(client.invokeSync(null, createRequest(105), 3000)).rejects.toBeInstanceOf(RemotingConnectException);
  });
});

describe.each([0, 1])("bad input never takes the server down (I/O threads: %i)", (threads) => {
  beforeEach(() => {
    ioThreads = threads;
  });

  it("closes only the offending connection, with a log line, for random, truncated and oversized frames", async () => {
    const { logger, lines } = memoryLogger();
    const { server, addr } = await startServer({ logger });
    server.registerProcessor(34, (req) => createResponse(req, 0));
    const healthy = newClient();
    await healthy.invokeSync(addr, createRequest(34), 3000);

    let seed = 42;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const valid = encodeFrame(createRequest(34, { extFields: { k: "v" }, body: Buffer.from("body") }));
    const attacks: Buffer[] = [];
    // oversized: length beyond 16 MiB
    const oversized = Buffer.alloc(8);
    oversized.writeInt32BE(64 * 1024 * 1024, 0);
    attacks.push(oversized);
    // negative / tiny lengths
    attacks.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), Buffer.from([0, 0, 0, 1, 0]));
    // header length larger than the frame, unknown serialize type
    const badHeaderLen = Buffer.from(valid);
    badHeaderLen.writeUInt32BE(0x00ffffff, 4);
    attacks.push(badHeaderLen);
    const badType = Buffer.from(valid);
    badType.writeUInt8(9, 4);
    attacks.push(badType);
    // random garbage and bit flips in a valid frame's header
    for (let i = 0; i < 40; i++) attacks.push(Buffer.from(Array.from({ length: 8 + rnd(200) }, () => rnd(256))));
    for (let i = 0; i < 40; i++) {
      const f = Buffer.from(valid);
      f[8 + rnd(f.length - 8)] = rnd(256);
      attacks.push(f);
    }
    for (const attack of attacks) {
      const raw = await rawConnect(addr);
      raw.socket.write(attack);
      // a truncated frame must not be answered nor crash; either it closes or waits for more bytes
      await sleep(5);
      raw.socket.destroy();
    }
    // the decoder closed the malformed ones with a log line
    await waitFor(() => lines().some((l) => String(l["msg"]).includes("malformed frame")));
    expect(lines().some((l) => String(l["msg"]).includes("undecodable frame"))).toBe(true);
    // the process and the healthy connection are fine
    expect((await healthy.invokeSync(addr, createRequest(34), 3000)).code).toBe(0);
    const fresh = newClient();
    expect((await fresh.invokeSync(addr, createRequest(34), 3000)).code).toBe(0);
  });

  it("closes a connection that announces an oversized frame instead of buffering it", async () => {
    const { addr } = await startServer();
    const raw = await rawConnect(addr);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(16 * 1024 * 1024 - 3); // one byte over Java's limit
    raw.socket.write(prefix);
    await waitFor(() => raw.closed(), 3000);
  });
});
