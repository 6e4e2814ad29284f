import { buildRecallHandle } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeHeader,
  RecallMessageRequestHeader,
  RequestCode,
  ResponseCode,
} from "@rocketmq-ts/remoting";
import { describe, expect, it } from "vitest";
import { Code } from "../src/grpc/Code.js";
import { RecallMessageActivity } from "../src/grpc/RecallMessageActivity.js";
import { statusOfError } from "../src/grpc/ResponseBuilder.js";
import type { Status } from "../src/grpc/v2types.js";
import { BROKER_ADDR, fakeProxy, routeOf, type FakeProxy } from "./support/fakeBackend.js";

const HANDLE = buildRecallHandle("D", "broker-a", "1700000005001", "UNIQ1");

function proxyWithDelayTopic(type = "DELAY"): FakeProxy {
  const p = fakeProxy();
  p.backend.addTopic("D", type);
  p.backend.routes.set("broker-a", routeOf("broker-a"));
  return p;
}

async function statusOf(run: Promise<unknown>): Promise<Status> {
  try {
    await run;
  } catch (err) {
    return statusOfError(err);
  }
  throw new Error("expected a failure");
}

describe("RecallMessage", () => {
  it("sends RECALL_MESSAGE to the handle's broker master and answers the recalled message id", async () => {
    const p = proxyWithDelayTopic();
    p.backend.handlers.set(RequestCode.RECALL_MESSAGE, (req) =>
      createResponse(req, ResponseCode.SUCCESS, { extFields: { msgId: "UNIQ1" } }),
    );
    const res = await new RecallMessageActivity(p.deps).recallMessage({
      topic: { name: "D" },
      recall_handle: HANDLE,
    });
    expect(res).toEqual({ status: { code: Code.OK, message: "OK" }, message_id: "UNIQ1" });
    const sent = p.backend.requests[0];
    expect(sent?.addr).toBe(BROKER_ADDR);
    expect(sent?.request.code).toBe(RequestCode.RECALL_MESSAGE);
    expect(decodeHeader(RecallMessageRequestHeader, sent?.request.extFields ?? null)).toEqual({
      topic: "D",
      recallHandle: HANDLE,
      bname: "broker-a",
    });
  });

  it("maps the broker's refusal as any remoting answer (remark kept)", async () => {
    const p = proxyWithDelayTopic();
    p.backend.handlers.set(RequestCode.RECALL_MESSAGE, (req) =>
      createResponse(req, ResponseCode.NO_PERMISSION, { remark: "recall failed, operation is forbidden" }),
    );
    const status = await statusOf(
      new RecallMessageActivity(p.deps).recallMessage({ topic: { name: "D" }, recall_handle: HANDLE }),
    );
    expect(status).toEqual({ code: Code.INTERNAL_SERVER_ERROR, message: "recall failed, operation is forbidden" });
  });

  it("refuses a topic that is not DELAY or MIXED, a bad handle and an unknown broker with Java's codes", async () => {
    const normal = proxyWithDelayTopic("NORMAL");
    expect(
      await statusOf(
        new RecallMessageActivity(normal.deps).recallMessage({ topic: { name: "D" }, recall_handle: HANDLE }),
      ),
    ).toEqual({
      code: Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE,
      message: "TopicMessageType validate failed, the expected type is NORMAL, but actual type is DELAY",
    });
    const mixed = proxyWithDelayTopic("MIXED");
    mixed.backend.handlers.set(RequestCode.RECALL_MESSAGE, (req) =>
      createResponse(req, ResponseCode.SUCCESS, { extFields: { msgId: "UNIQ1" } }),
    );
    await expect(
      new RecallMessageActivity(mixed.deps).recallMessage({ topic: { name: "D" }, recall_handle: HANDLE }),
    ).resolves.toMatchObject({ message_id: "UNIQ1" });

    const p = proxyWithDelayTopic();
    expect(
      await statusOf(new RecallMessageActivity(p.deps).recallMessage({ topic: { name: "D" }, recall_handle: "@@" })),
    ).toEqual({ code: Code.INTERNAL_SERVER_ERROR, message: "recall handle is invalid" });
    const elsewhere = buildRecallHandle("D", "broker-z", "1700000005001", "UNIQ1");
    expect(
      await statusOf(
        new RecallMessageActivity(p.deps).recallMessage({ topic: { name: "D" }, recall_handle: elsewhere }),
      ),
    ).toEqual({ code: Code.BAD_REQUEST, message: "cannot find broker broker-z" });
    expect(
      await statusOf(new RecallMessageActivity(p.deps).recallMessage({ topic: { name: "" }, recall_handle: HANDLE })),
    ).toMatchObject({ code: Code.ILLEGAL_TOPIC });
    expect(p.backend.requests.filter((r) => r.request.code === RequestCode.RECALL_MESSAGE)).toHaveLength(0);
  });
});
