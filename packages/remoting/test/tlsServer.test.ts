/**
 * TLS on a RemotingServer, real sockets on 127.0.0.1: the three modes (plain and TLS clients on one
 * port in permissive), mutual authentication, handshake failures that close only their connection,
 * and certificate rotation — each with the sockets in the test's thread and in an I/O thread.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  buildClientTls,
  buildServerTls,
  createRequest,
  createResponse,
  loadTlsSystemConfig,
  RemotingClient,
  RemotingServer,
  ServerTlsWatcher,
  type ClientTls,
  type ServerTls,
  type TlsMode,
} from "@rocketmq-ts/remoting";
import { TlsAcceptor } from "../src/net/tls/TlsAcceptor.js";
import { memoryLogger, waitFor } from "./helpers.js";
import { makeTestPki, type TestPki } from "./tlsPki.js";

const ECHO = 99;

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki?.remove());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Settings as -D words would give them. */
const settings = (props: Record<string, string>) =>
  loadTlsSystemConfig({ property: (key) => props[key], readProperties: () => undefined });

/** The server's own certificate, test mode off, plus `props`. */
function serverTls(mode: TlsMode, props: Record<string, string> = {}): Promise<ServerTls> {
  return buildServerTls(
    mode,
    settings({
      "tls.test.mode.enable": "false",
      "tls.server.keyPath": pki.serverKey,
      "tls.server.certPath": pki.serverCert,
      ...props,
    }),
  );
}

const clientTls = (props: Record<string, string> = {}): ClientTls => buildClientTls(settings(props));
/** A client that checks the server against our CA and presents the CA-signed client certificate. */
const mutualClient = (): ClientTls =>
  clientTls({
    "tls.client.authServer": "true",
    "tls.client.trustCertPath": pki.caCert,
    "tls.client.keyPath": pki.clientKey,
    "tls.client.certPath": pki.clientCert,
  });

async function startServer(tls: ServerTls, ioThreads: number) {
  const { logger, lines } = memoryLogger();
  const server = new RemotingServer({ listenPort: 0, bindAddress: "127.0.0.1", ioThreads, tls, logger });
  server.registerProcessor(ECHO, (req) => createResponse(req, 0, { body: req.body ?? Buffer.alloc(0) }));
  const port = await server.start();
  cleanups.push(() => server.shutdown());
  const messages = (): string[] => lines().map((l) => String(l["msg"]));
  return { server, addr: `127.0.0.1:${port}`, messages };
}

function client(tls?: ClientTls): RemotingClient {
  const c = new RemotingClient({ connectTimeoutMillis: 2000, ...(tls ? { useTLS: true, tls } : {}) });
  cleanups.push(() => c.shutdown());
  return c;
}

/** Echo round trip; resolves with the body or rejects with the client's error. */
async function echo(c: RemotingClient, addr: string, text = "hello"): Promise<string> {
  const res = await c.invokeSync(addr, createRequest(ECHO, { body: Buffer.from(text) }), 3000);
  return res.body?.toString() ?? "";
}

/** The error `p` rejects with. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
}

describe.each([0, 1])("TLS on a RemotingServer (ioThreads=%i)", (ioThreads) => {
  it("permissive serves a plain and a TLS client on the same port", async () => {
    const { server, addr, messages } = await startServer(await serverTls("permissive"), ioThreads);
    const tlsClient = client(clientTls({ "tls.client.authServer": "true", "tls.client.trustCertPath": pki.caCert }));
    const plainClient = client();
    expect(await echo(tlsClient, addr, "over TLS")).toBe("over TLS");
    expect(await echo(plainClient, addr, "in plain")).toBe("in plain");
    expect(server.connectionCount).toBe(2);
    // a large body crosses TLS records intact
    const big = "x".repeat(3 * 1024 * 1024);
    expect(await echo(tlsClient, addr, big)).toBe(big);
    await waitFor(() => messages().includes("TLS session established"));
  });

  it("enforcing refuses a plain client with a log line and serves TLS clients", async () => {
    const { addr, messages } = await startServer(await serverTls("enforcing"), ioThreads);
    const err = await failure(echo(client(), addr));
    expect(err.message).toMatch(/closed|timeout/);
    await waitFor(() => messages().some((m) => m.includes("plain connection refused")));
    expect(await echo(client(clientTls()), addr)).toBe("hello");
  });

  it("disabled serves plain clients and refuses a TLS hello with a log line", async () => {
    const { addr, messages } = await startServer({ mode: "disabled", context: null }, ioThreads);
    expect(await echo(client(), addr)).toBe("hello");
    const err = await failure(echo(client(clientTls()), addr));
    expect(err.name).toBe("RemotingConnectException");
    await waitFor(() => messages().some((m) => m.includes("TLS connection refused")));
  });

  it("mutual auth (require, authClient): no certificate or an untrusted one is refused, a CA-signed one accepted", async () => {
    const tls = await serverTls("enforcing", {
      "tls.server.need.client.auth": "require",
      "tls.server.authClient": "true",
      "tls.server.trustCertPath": pki.caCert,
    });
    const { addr, messages } = await startServer(tls, ioThreads);
    await failure(echo(client(clientTls()), addr));
    await waitFor(() => messages().some((m) => m.includes("no client certificate")));
    const rogue = clientTls({ "tls.client.keyPath": pki.rogueKey, "tls.client.certPath": pki.rogueCert });
    await failure(echo(client(rogue), addr));
    await waitFor(() => messages().some((m) => m.includes("client certificate not trusted")));
    expect(await echo(client(mutualClient()), addr)).toBe("hello");
  });

  it("require without authClient wants a certificate but trusts any (Java's insecure trust manager)", async () => {
    const { addr } = await startServer(
      await serverTls("enforcing", { "tls.server.need.client.auth": "require" }),
      ioThreads,
    );
    await failure(echo(client(clientTls()), addr));
    const rogue = clientTls({ "tls.client.keyPath": pki.rogueKey, "tls.client.certPath": pki.rogueCert });
    expect(await echo(client(rogue), addr)).toBe("hello");
  });

  it("optional with authClient: no certificate is fine, an untrusted one is not", async () => {
    const tls = await serverTls("enforcing", {
      "tls.server.need.client.auth": "optional",
      "tls.server.authClient": "true",
      "tls.server.trustCertPath": pki.caCert,
    });
    const { addr } = await startServer(tls, ioThreads);
    expect(await echo(client(clientTls()), addr)).toBe("hello");
    expect(await echo(client(mutualClient()), addr)).toBe("hello");
    const rogue = clientTls({ "tls.client.keyPath": pki.rogueKey, "tls.client.certPath": pki.rogueCert });
    await failure(echo(client(rogue), addr));
  });

  it("a client with authServer refuses a server its CA did not sign; without it, trusts any (test mode's self-signed)", async () => {
    const { addr } = await startServer(await serverTls("enforcing"), ioThreads);
    const strict = client(clientTls({ "tls.client.authServer": "true", "tls.client.trustCertPath": pki.ca2Cert }));
    const err = await failure(echo(strict, addr));
    expect(err.name).toBe("RemotingConnectException");
    const selfSigned = await startServer(await buildServerTls("enforcing", settings({})), ioThreads);
    expect(selfSigned.server.port).toBeGreaterThan(0);
    expect(await echo(client(clientTls()), selfSigned.addr)).toBe("hello");
  });

  it("a broken TLS hello and a silent peer close only their connection, with a log line", async () => {
    const { logger, lines } = memoryLogger();
    const tls = await serverTls("permissive");
    const server = new RemotingServer({
      listenPort: 0,
      bindAddress: "127.0.0.1",
      ioThreads,
      tls,
      logger,
      serverChannelMaxIdleTimeSeconds: 1,
    });
    server.registerProcessor(ECHO, (req) => createResponse(req, 0, { body: req.body ?? Buffer.alloc(0) }));
    const port = await server.start();
    cleanups.push(() => server.shutdown());
    const addr = `127.0.0.1:${port}`;
    const logged = (text: string) => () => lines().some((l) => String(l["msg"]).includes(text));
    const raw = async (bytes: number[]): Promise<void> => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.on("error", () => undefined);
      socket.resume(); // read the alert and the close
      await new Promise<void>((r) => socket.once("connect", () => r()));
      if (bytes.length > 0) socket.write(Buffer.from(bytes));
      await new Promise<void>((r) => socket.once("close", () => r()));
    };
    // a handshake record whose message type does not exist
    await raw([0x16, 0x03, 0x01, 0x00, 0x05, 0xff, 0x00, 0x00, 0x01, 0x00]);
    await waitFor(logged("TLS handshake failed"));
    // connected, never a byte: closed after the idle time
    await raw([]);
    await waitFor(logged("sent nothing within the idle time"));
    expect(await echo(client(clientTls()), addr)).toBe("hello");
    expect(await echo(client(), addr)).toBe("hello");
  });
});

describe("certificate rotation", () => {
  it.each([0, 1])(
    "the watcher reloads once certificate and key have both changed; new sessions get the new pair (ioThreads=%i)",
    async (ioThreads) => {
      const certPath = join(pki.dir, `live-${ioThreads}.crt`);
      const keyPath = join(pki.dir, `live-${ioThreads}.key`);
      copyFileSync(pki.serverCert, certPath);
      copyFileSync(pki.serverKey, keyPath);
      const tls = await buildServerTls(
        "enforcing",
        settings({ "tls.test.mode.enable": "false", "tls.server.keyPath": keyPath, "tls.server.certPath": certPath }),
      );
      const { server, addr } = await startServer(tls, ioThreads);
      const watchLog = memoryLogger();
      const watcher = new ServerTlsWatcher(tls, [server], watchLog.logger, 20);
      watcher.start();
      cleanups.push(() => watcher.stop());
      const reloaded = (): boolean => watchLog.lines().some((l) => l["msg"] === "TLS credentials reloaded");
      const trusting = (ca: string): ClientTls =>
        clientTls({ "tls.client.authServer": "true", "tls.client.trustCertPath": ca });
      expect(await echo(client(trusting(pki.caCert)), addr)).toBe("hello");
      copyFileSync(pki.server2Cert, certPath); // the certificate alone: not yet
      for (let i = 0; i < 3; i++) watcher.check(); // a round sees the change; it starts no reload
      expect(reloaded()).toBe(false);
      expect(await echo(client(trusting(pki.caCert)), addr)).toBe("hello");
      copyFileSync(pki.server2Key, keyPath);
      await waitFor(reloaded);
      expect(await echo(client(trusting(pki.ca2Cert)), addr)).toBe("hello");
      await failure(echo(client(trusting(pki.caCert)), addr));
    },
  );

  it("a reload that fails (a key caught half written) keeps the old pair and is tried again at the next change", async () => {
    const certPath = join(pki.dir, "half.crt");
    const keyPath = join(pki.dir, "half.key");
    copyFileSync(pki.serverCert, certPath);
    copyFileSync(pki.serverKey, keyPath);
    const tls = await buildServerTls(
      "enforcing",
      settings({ "tls.test.mode.enable": "false", "tls.server.keyPath": keyPath, "tls.server.certPath": certPath }),
    );
    const { server, addr } = await startServer(tls, 0);
    const watchLog = memoryLogger();
    const watcher = new ServerTlsWatcher(tls, [server], watchLog.logger, 20);
    watcher.start();
    cleanups.push(() => watcher.stop());
    const count = (msg: string) => (): number => watchLog.lines().filter((l) => l["msg"] === msg).length;
    const failed = count("TLS reload failed, keeping the current credentials");
    const reloaded = count("TLS credentials reloaded");
    copyFileSync(pki.server2Cert, certPath);
    const key = readFileSync(pki.server2Key, "utf8");
    writeFileSync(keyPath, key.slice(0, key.length / 2));
    await waitFor(() => failed() === 1);
    for (let i = 0; i < 3; i++) watcher.check(); // rounds without a change start no reload
    expect(failed()).toBe(1); // not retried while nothing changes
    const trusting = (ca: string): ClientTls =>
      clientTls({ "tls.client.authServer": "true", "tls.client.trustCertPath": ca });
    expect(await echo(client(trusting(pki.caCert)), addr)).toBe("hello");
    writeFileSync(keyPath, key);
    await waitFor(() => reloaded() === 1);
    expect(await echo(client(trusting(pki.ca2Cert)), addr)).toBe("hello");
  });
});

describe("the TLS handshake's hard limit", () => {
  it("closes a handshake dribbled a byte at a time (Node's own timeout restarts with every byte)", async () => {
    const { logger, lines } = memoryLogger();
    const acceptor = new TlsAcceptor({
      tls: await serverTls("enforcing"),
      idleTimeoutMs: 0,
      log: logger,
      onConnection: (socket) => socket.destroy(),
      handshakeTimeoutMs: 300,
    });
    const server = net.createServer((socket) => acceptor.accept(socket));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => {
      acceptor.close();
      server.close();
    });
    const { port } = server.address() as net.AddressInfo;
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => undefined);
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    // a handshake record announcing 512 bytes, then one byte every 50 ms
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    const dribble = setInterval(() => socket.write(Buffer.from([0x01])), 50);
    try {
      await closed;
    } finally {
      clearInterval(dribble);
    }
    expect(lines().some((l) => String(l["msg"]).includes("TLS handshake not done within 300 ms"))).toBe(true);
  });
});
