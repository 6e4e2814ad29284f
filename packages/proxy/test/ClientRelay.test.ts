import {
  decodeConsumeMessageDirectlyResult,
  decodeConsumerRunningInfo,
  encodeRecord,
  messageProperties2String,
} from "@rocketmq-ts/common";
import {
  createRequest,
  encodeHeader,
  ConsumeMessageDirectlyResultRequestHeader,
  GetConsumerRunningInfoRequestHeader,
  RequestCode,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import { describe, expect, it } from "vitest";
import { ClientActivity } from "../src/grpc/ClientActivity.js";
import type { TelemetryCommand } from "../src/grpc/v2types.js";
import { fakeProxy, type FakeProxy } from "./support/fakeBackend.js";

/** A push consumer with a Telemetry stream whose commands land in `out`. */
async function pushConsumer(p: FakeProxy): Promise<{ client: ClientActivity; out: TelemetryCommand[] }> {
  const out: TelemetryCommand[] = [];
  const client = new ClientActivity(p.deps);
  await client.telemetry(
    p.ctx("c1"),
    { settings: { client_type: "PUSH_CONSUMER", subscription: { group: { name: "G" } } } },
    { write: (c) => out.push(c) },
  );
  out.length = 0;
  return { client, out };
}

const runningInfo = (jstackEnable: boolean) =>
  createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, {
    extFields: encodeHeader(GetConsumerRunningInfoRequestHeader, { consumerGroup: "G", clientId: "c1", jstackEnable }),
  });

describe("ClientRelay (broker → 5.x client over Telemetry)", () => {
  it("GET_CONSUMER_RUNNING_INFO with jstack: print_thread_stack_trace_command, the answer's stack in the body", async () => {
    const p = fakeProxy();
    const { client, out } = await pushConsumer(p);
    const pending = p.deps.relay.relay("c1", runningInfo(true));
    await Promise.resolve();
    expect(out).toEqual([{ print_thread_stack_trace_command: { nonce: "0" } }]);
    await client.telemetry(
      p.ctx("c1"),
      { status: { code: "OK" }, thread_stack_trace: { nonce: "0", thread_stack_trace: "main: at x()" } },
      { write: () => undefined },
    );
    const res = await pending;
    expect(res?.code).toBe(ResponseCode.SUCCESS);
    expect(decodeConsumerRunningInfo(res?.body ?? Buffer.alloc(0)).jstack).toBe("main: at x()");
    // without jstack Java relays nothing and answers nothing
    expect(await p.deps.relay.relay("c1", runningInfo(false))).toBeNull();
  });

  it("CONSUME_MESSAGE_DIRECTLY: verify_message_command with the message; the client's status → CMResult", async () => {
    const p = fakeProxy();
    const { client, out } = await pushConsumer(p);
    const host = { address: Buffer.from([127, 0, 0, 1]), port: 10911 };
    const body = encodeRecord(
      {
        topic: "T",
        queueId: 1,
        flag: 0,
        body: Buffer.from("check me"),
        propertiesString: messageProperties2String(new Map([["UNIQ_KEY", "ID-1"]])),
        sysFlag: 0,
        bornTimestamp: 1_699_999_999_000,
        bornHost: host,
        storeHost: host,
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
      },
      3,
      1003,
      1_699_999_999_500,
    );
    const direct = (): ReturnType<typeof p.deps.relay.relay> =>
      p.deps.relay.relay(
        "c1",
        createRequest(RequestCode.CONSUME_MESSAGE_DIRECTLY, {
          extFields: encodeHeader(ConsumeMessageDirectlyResultRequestHeader, { consumerGroup: "G", clientId: "c1" }),
          body,
        }),
      );
    const answers: [string, string | undefined][] = [
      ["OK", "CR_SUCCESS"],
      ["FAILED_TO_CONSUME_MESSAGE", "CR_LATER"],
      ["NOT_IMPLEMENTED", undefined],
    ];
    for (const [code, expected] of answers) {
      out.length = 0;
      const pending = direct();
      await Promise.resolve();
      const nonce = out[0]?.verify_message_command?.nonce ?? "";
      expect(out[0]?.verify_message_command?.message?.body?.toString()).toBe("check me");
      expect(out[0]?.verify_message_command?.message?.system_properties?.message_id).toBe("ID-1");
      await client.telemetry(
        p.ctx("c1"),
        { status: { code }, verify_message_result: { nonce } },
        { write: () => undefined },
      );
      const res = await pending;
      expect(res?.code).toBe(ResponseCode.SUCCESS);
      const result = decodeConsumeMessageDirectlyResult(res?.body ?? Buffer.alloc(0));
      expect(result.consumeResult).toBe(expected);
      expect(result.remark).toBe("from gRPC client");
    }
  });

  it("no answer within grpcProxyRelayRequestTimeoutInSeconds: SYSTEM_BUSY call remote timeout", async () => {
    const p = fakeProxy();
    await pushConsumer(p);
    let settled = false;
    const pending = p.deps.relay.relay("c1", runningInfo(true)).finally(() => (settled = true));
    await Promise.resolve();
    p.deps.channels.scanExpireResultFuture(p.clock.now + 5000, 5000);
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    p.deps.channels.scanExpireResultFuture(p.clock.now + 5001, 5000);
    const res = await pending;
    expect(res?.code).toBe(ResponseCode.SYSTEM_BUSY);
    expect(res?.remark).toBe("call remote timeout");
  });
});
