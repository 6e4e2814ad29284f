import { Client, credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultProxyConfig } from "../src/config/ProxyConfig.js";
import { messagingServiceDefinition } from "../src/grpc/proto.js";
import type { QueryRouteResponse, TelemetryCommand } from "../src/grpc/v2types.js";
import { ProxyServer } from "../src/ProxyServer.js";
import { FakeMessageService } from "./support/fakeBackend.js";

let server: ProxyServer;
let client: Client;
const backend = new FakeMessageService();
const def = messagingServiceDefinition();

beforeAll(async () => {
  backend.addTopic("T", "NORMAL");
  server = new ProxyServer({
    config: { ...defaultProxyConfig(), grpcServerPort: 0, namesrvAddr: "unused:1" },
    logger: pino({ level: "silent" }),
    messageService: backend,
  });
  await server.start();
  client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await server.shutdown();
});

function metadata(clientId?: string): Metadata {
  const md = new Metadata();
  if (clientId) md.set("x-mq-client-id", clientId);
  md.set("x-mq-language", "HTTP");
  return md;
}

function unary<Res>(method: string, request: unknown, md: Metadata): Promise<Res> {
  const m = def[method];
  if (!m) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      (b: Buffer) => m.responseDeserialize(b) as Res,
      request,
      md,
      (err: ServiceError | null, res?: Res) => (err ? reject(err) : resolve(res as Res)),
    );
  });
}

describe("the gRPC service", () => {
  it("answers QueryRoute", async () => {
    const res = await unary<QueryRouteResponse>(
      "QueryRoute",
      { topic: { name: "T" }, endpoints: { scheme: "IPv4", addresses: [{ host: "127.0.0.1", port: 1 }] } },
      metadata("c1"),
    );
    expect(res.status).toEqual({ code: "OK", message: "OK" });
    expect(res.message_queues).toHaveLength(4);
  });

  it("refuses a request without x-mq-client-id inside a normal response", async () => {
    const res = await unary<QueryRouteResponse>("QueryRoute", { topic: { name: "T" } }, metadata());
    expect(res.status).toEqual({ code: "CLIENT_ID_REQUIRED", message: "client id cannot be empty" });
  });

  it("leaves PullMessage / UpdateOffset / GetOffset / QueryOffset unimplemented, as Java 5.3.3", async () => {
    for (const method of ["UpdateOffset", "GetOffset", "QueryOffset"]) {
      const err = await unary<unknown>(method, {}, metadata("c1")).catch((e: unknown) => e);
      expect((err as ServiceError).code).toBe(status.UNIMPLEMENTED);
    }
  });

  it("ends a Telemetry stream whose settings have no pub_sub with INVALID_ARGUMENT", async () => {
    const m = def["Telemetry"];
    if (!m) throw new Error("no Telemetry");
    const call = client.makeBidiStreamRequest(
      m.path,
      m.requestSerialize,
      (b: Buffer) => m.responseDeserialize(b) as TelemetryCommand,
      metadata("c1"),
    );
    const err = await new Promise<ServiceError>((resolve) => {
      call.on("error", (e: ServiceError) => resolve(e));
      call.on("data", () => undefined);
      call.write({ settings: { client_type: "PRODUCER" } });
    });
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe("there is no publishing or subscription data in settings");
  });

  it("replies to producer settings on the stream", async () => {
    const m = def["Telemetry"];
    if (!m) throw new Error("no Telemetry");
    const call = client.makeBidiStreamRequest(
      m.path,
      m.requestSerialize,
      (b: Buffer) => m.responseDeserialize(b) as TelemetryCommand,
      metadata("c2"),
    );
    const reply = await new Promise<TelemetryCommand>((resolve) => {
      call.on("data", (c: TelemetryCommand) => resolve(c));
      call.write({ settings: { client_type: "PRODUCER", publishing: { topics: [{ name: "T" }] } } });
    });
    call.end();
    expect(reply.status).toEqual({ code: "OK", message: "OK" });
    expect(reply.settings?.publishing?.max_body_size).toBe(4194304);
    expect(reply.settings?.backoff_policy?.exponential_backoff?.multiplier).toBe(2);
  });
});
