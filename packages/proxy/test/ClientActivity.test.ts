import { status as GrpcStatus } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ClientActivity, TelemetryStreamError } from "../src/grpc/ClientActivity.js";
import { Code } from "../src/grpc/Code.js";
import type { TelemetryCommand } from "../src/grpc/v2types.js";
import { fakeProxy } from "./support/fakeBackend.js";

function writer(): { out: TelemetryCommand[]; write: (c: TelemetryCommand) => void } {
  const out: TelemetryCommand[] = [];
  return { out, write: (c) => out.push(c) };
}

describe("Telemetry settings", () => {
  it("a producer gets Java's exponential backoff, max body size and type validation", async () => {
    const p = fakeProxy();
    p.backend.addTopic("Tx", "TRANSACTION");
    const w = writer();
    await new ClientActivity(p.deps).telemetry(
      p.ctx(),
      {
        settings: {
          client_type: "PRODUCER",
          publishing: { topics: [{ name: "Tx" }] },
          request_timeout: { seconds: 3 },
        },
      },
      w,
    );
    expect(w.out).toHaveLength(1);
    const s = w.out[0]?.settings;
    expect(w.out[0]?.status).toEqual({ code: Code.OK, message: "OK" });
    expect(s?.backoff_policy).toEqual({
      max_attempts: 3,
      exponential_backoff: { initial: { seconds: 0, nanos: 10_000_000 }, max: { seconds: 1, nanos: 0 }, multiplier: 2 },
    });
    expect(s?.publishing).toMatchObject({ max_body_size: 4194304, validate_message_type: true });
    expect(s?.metric).toEqual({ on: false });
    expect(s?.request_timeout).toEqual({ seconds: 3 });
    // a TRANSACTION topic makes the proxy stand for producer group = topic at the brokers
    expect(p.backend.producerGroups).toEqual(["Tx"]);
  });

  it("a consumer without a group config keeps the defaults under its own fields; with one, the group's policy", async () => {
    const p = fakeProxy();
    const w = writer();
    const client = new ClientActivity(p.deps);
    await client.telemetry(
      p.ctx("c1"),
      {
        settings: {
          client_type: "SIMPLE_CONSUMER",
          subscription: { group: { name: "G" }, long_polling_timeout: { seconds: 30 } },
        },
      },
      w,
    );
    const s = w.out[0]?.settings;
    expect(s?.subscription).toMatchObject({
      receive_batch_size: 32,
      long_polling_timeout: { seconds: 30 },
      fifo: false,
    });
    expect(s?.backoff_policy?.max_attempts).toBe(17);
    expect(s?.backoff_policy?.customized_backoff?.next?.[0]).toEqual({ seconds: 1, nanos: 0 });
    expect(s?.backoff_policy?.customized_backoff?.next).toHaveLength(18);
    p.backend.groups.set("G2", {
      groupName: "G2",
      consumeMessageOrderly: true,
      retryMaxTimes: 3,
      retryPolicyType: "EXPONENTIAL",
      exponential: { initial: 1000, max: 60_000, multiplier: 3 },
      customizedNext: [],
    });
    const w2 = writer();
    await client.telemetry(
      p.ctx("c2"),
      { settings: { client_type: "PUSH_CONSUMER", subscription: { group: { name: "G2" } } } },
      w2,
    );
    const s2 = w2.out[0]?.settings;
    expect(s2?.subscription).toMatchObject({
      fifo: true,
      receive_batch_size: 32,
      long_polling_timeout: { seconds: 20, nanos: 0 },
    });
    expect(s2?.backoff_policy).toEqual({
      max_attempts: 4,
      exponential_backoff: { initial: { seconds: 1, nanos: 0 }, max: { seconds: 60, nanos: 0 }, multiplier: 3 },
    });
  });

  it("settings without publishing or subscription end the stream with INVALID_ARGUMENT", async () => {
    const p = fakeProxy();
    const err = await new ClientActivity(p.deps)
      .telemetry(p.ctx(), { settings: { client_type: "PRODUCER" } }, writer())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelemetryStreamError);
    expect(err).toMatchObject({
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      message: "there is no publishing or subscription data in settings",
    });
  });

  it("a bad group ends the stream with INVALID_ARGUMENT and Java's description", async () => {
    const p = fakeProxy();
    const err = await new ClientActivity(p.deps)
      .telemetry(
        p.ctx(),
        { settings: { client_type: "SIMPLE_CONSUMER", subscription: { group: { name: "CID_RMQ_SYS_X" } } } },
        writer(),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      message: "process client telemetryCommand failed. cannot use system consumer group",
    });
  });

  it("a subscription whose filter FilterAPI refuses ends the stream: expression format is not correct", async () => {
    const p = fakeProxy();
    const err = await new ClientActivity(p.deps)
      .telemetry(
        p.ctx(),
        {
          settings: {
            client_type: "SIMPLE_CONSUMER",
            subscription: {
              group: { name: "G" },
              subscriptions: [{ topic: { name: "T" }, expression: { type: "SQL", expression: "" } }],
            },
          },
        },
        writer(),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      message: "process client telemetryCommand failed. expression format is not correct",
    });
  });
});

describe("Heartbeat / NotifyClientTermination", () => {
  it("need stored settings", async () => {
    const p = fakeProxy();
    const client = new ClientActivity(p.deps);
    const unknown = { code: Code.UNRECOGNIZED_CLIENT_TYPE, message: "cannot find client settings for this client" };
    expect((await client.heartbeat(p.ctx(), { client_type: "PRODUCER" })).status).toEqual(unknown);
    expect((await client.notifyClientTermination(p.ctx(), {})).status).toEqual(unknown);
    p.backend.addTopic("T");
    await client.telemetry(
      p.ctx(),
      { settings: { client_type: "PRODUCER", publishing: { topics: [{ name: "T" }] } } },
      writer(),
    );
    expect((await client.heartbeat(p.ctx(), { client_type: "PRODUCER" })).status.code).toBe(Code.OK);
    expect((await client.notifyClientTermination(p.ctx(), {})).status.code).toBe(Code.OK);
    expect((await client.heartbeat(p.ctx(), { client_type: "PRODUCER" })).status).toEqual(unknown);
  });
});
