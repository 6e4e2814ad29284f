import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { createResponse, RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { defaultProxyConfig } from "../src/config/ProxyConfig.js";
import { messagingServiceDefinition } from "../src/grpc/proto.js";
import { ProxyServer } from "../src/ProxyServer.js";
import { FakeMessageService } from "./support/fakeBackend.js";

function proxyOver(backend: FakeMessageService, now: () => number): ProxyServer {
  return new ProxyServer({
    config: { ...defaultProxyConfig(), grpcServerPort: 0, namesrvAddr: "unused:1" },
    logger: pino({ level: "silent" }),
    messageService: backend,
    now,
  });
}

describe("ProxyServer", () => {
  it("on shutdown makes every auto-renewed handle visible again after 1 s, before leaving the brokers", async () => {
    const backend = new FakeMessageService();
    backend.addTopic("T");
    const clock = { now: 1_700_000_000_000 };
    backend.handlers.set(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, (req) =>
      createResponse(req, ResponseCode.SUCCESS, {
        extFields: { popTime: String(clock.now), invisibleTime: "1000", reviveQid: "3" },
      }),
    );
    const server = proxyOver(backend, () => clock.now);
    await server.start();
    for (const [client, offset] of [
      ["c1", 5],
      ["c2", 6],
    ] as const)
      server.deps.receiptHandles.add(client, {
        group: "G",
        topic: "T",
        messageId: `ID-${offset}`,
        originalHandle: `${offset} ${clock.now} 60000 3 0 broker-a 1 ${offset} 100${offset}`,
        reconsumeTimes: 0,
      });
    await server.shutdown();
    expect(server.deps.receiptHandles.size()).toBe(0);
    const changes = backend.requests.filter((r) => r.request.code === RequestCode.CHANGE_MESSAGE_INVISIBLETIME);
    expect(changes.map((r) => r.request.extFields?.["offset"]).sort()).toEqual(["5", "6"]);
    for (const r of changes) expect(r.request.extFields).toMatchObject({ invisibleTime: "1000", consumerGroup: "G" });
  });

  it("counts any RPC carrying a client id as that client's activity", async () => {
    const backend = new FakeMessageService();
    backend.addTopic("T");
    const clock = { now: 1_700_000_000_000 };
    const server = proxyOver(backend, () => clock.now);
    await server.start();
    const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const m = messagingServiceDefinition()["QueryRoute"];
      if (!m) throw new Error("no QueryRoute");
      const md = new Metadata();
      md.set("x-mq-client-id", "route-client");
      md.set("x-mq-language", "HTTP");
      await new Promise<void>((resolve, reject) =>
        client.makeUnaryRequest(
          m.path,
          m.requestSerialize,
          (b: Buffer) => m.responseDeserialize(b),
          { topic: { name: "T" }, endpoints: { scheme: "IPv4", addresses: [{ host: "127.0.0.1", port: 1 }] } },
          md,
          (err: ServiceError | null) => (err ? reject(err) : resolve()),
        ),
      );
      expect(server.deps.channels.inactiveClients(clock.now)).toEqual([]);
      expect(server.deps.channels.inactiveClients(clock.now + 1)).toEqual(["route-client"]);
    } finally {
      client.close();
      await server.shutdown();
    }
  });
});
