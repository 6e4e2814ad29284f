import { describe, expect, it } from "vitest";
import { Code } from "../src/grpc/Code.js";
import { statusOfError } from "../src/grpc/ResponseBuilder.js";
import { genMessageQueues, RouteActivity } from "../src/grpc/RouteActivity.js";
import { localModeEndpoints } from "../src/ProxyServer.js";
import { fakeProxy, routeOf } from "./support/fakeBackend.js";

const endpoints = { scheme: "IPv4" as const, addresses: [{ host: "proxy.example", port: 1234 }] };

describe("QueryRoute", () => {
  it("numbers read-only, then write-only, then read-write queues", () => {
    const broker = { name: "b", id: 0 };
    const q = genMessageQueues({ perm: 6, readQueueNums: 8, writeQueueNums: 4 }, { name: "T" }, ["NORMAL"], broker);
    expect(q.map((m) => `${m.id}:${m.permission}`)).toEqual([
      "0:READ",
      "1:READ",
      "2:READ",
      "3:READ",
      "4:READ_WRITE",
      "5:READ_WRITE",
      "6:READ_WRITE",
      "7:READ_WRITE",
    ]);
    const w = genMessageQueues({ perm: 6, readQueueNums: 2, writeQueueNums: 3 }, { name: "T" }, ["NORMAL"], broker);
    expect(w.map((m) => `${m.id}:${m.permission}`)).toEqual(["0:WRITE", "1:READ_WRITE", "2:READ_WRITE"]);
    expect(
      genMessageQueues({ perm: 4, readQueueNums: 2, writeQueueNums: 5 }, { name: "T" }, [], broker).map(
        (m) => m.permission,
      ),
    ).toEqual(["READ", "READ"]);
    expect(
      genMessageQueues({ perm: 0, readQueueNums: 0, writeQueueNums: 0 }, { name: "T" }, [], broker).map(
        (m) => m.permission,
      ),
    ).toEqual(["NONE"]);
  });

  it("lists every broker id, with the request's endpoints on the proxy's port (cluster mode)", async () => {
    const p = fakeProxy({ grpcServerPort: 8081 });
    p.backend.addTopic(
      "T",
      "FIFO",
      routeOf("broker-a", 2, 6, [
        [0, "10.0.0.1:10911"],
        [1, "10.0.0.2:10911"],
      ]),
    );
    const res = await new RouteActivity(p.deps).queryRoute({ topic: { name: "T" }, endpoints });
    expect(res.status).toEqual({ code: Code.OK, message: "OK" });
    expect(res.message_queues?.map((q) => `${q.broker?.id}/${q.id}`)).toEqual(["0/0", "0/1", "1/0", "1/1"]);
    expect(res.message_queues?.[0]?.broker?.endpoints).toEqual({
      scheme: "IPv4",
      addresses: [{ host: "proxy.example", port: 8081 }],
    });
    expect(res.message_queues?.[0]?.accept_message_types).toEqual(["FIFO"]);
  });

  it("local mode advertises each broker's own host with the gRPC port", () => {
    const p = fakeProxy({ grpcServerPort: 9999 });
    expect(localModeEndpoints(p.deps.config)("10.0.0.2:10911", endpoints)).toEqual({
      scheme: "IPv4",
      addresses: [{ host: "10.0.0.2", port: 9999 }],
    });
  });

  it("message types: no attribute → NORMAL, MIXED → all four, topic unknown to the broker → UNSPECIFIED", async () => {
    const p = fakeProxy();
    p.backend.addTopic("Plain");
    p.backend.addTopic("Mixed", "MIXED");
    p.backend.routes.set("Ghost", routeOf());
    const route = new RouteActivity(p.deps);
    const types = async (t: string): Promise<unknown> =>
      (await route.queryRoute({ topic: { name: t }, endpoints })).message_queues?.[0]?.accept_message_types;
    expect(await types("Plain")).toEqual(["NORMAL"]);
    expect(await types("Mixed")).toEqual(["NORMAL", "FIFO", "DELAY", "TRANSACTION"]);
    expect(await types("Ghost")).toEqual(["MESSAGE_TYPE_UNSPECIFIED"]);
  });

  it("refuses bad and system topics, and reports a topic the name server does not know", async () => {
    const p = fakeProxy();
    const route = new RouteActivity(p.deps);
    await expect(route.queryRoute({ topic: { name: "a b" }, endpoints })).rejects.toMatchObject({
      code: Code.ILLEGAL_TOPIC,
    });
    await expect(route.queryRoute({ topic: { name: "TBW102" }, endpoints })).rejects.toMatchObject({
      code: Code.ILLEGAL_TOPIC,
      message: "cannot access system topic",
    });
    const missing = await route.queryRoute({ topic: { name: "Nope" }, endpoints }).catch((err: unknown) => err);
    // Java answers the exception's whole message: code, text and the FAQ line
    expect(statusOfError(missing)).toEqual({
      code: Code.TOPIC_NOT_FOUND,
      message:
        "CODE: 17  DESC: No topic route info in name server for the topic: Nope\n" +
        "For more information, please visit the url, https://rocketmq.apache.org/docs/bestPractice/06FAQ",
    });
  });
});

describe("QueryAssignment", () => {
  it("one assignment with queue −1 per broker, one per queue for an orderly group", async () => {
    const p = fakeProxy();
    p.backend.addTopic("T", undefined, routeOf("broker-a", 3));
    const route = new RouteActivity(p.deps);
    const plain = await route.queryAssignment({ topic: { name: "T" }, group: { name: "G" }, endpoints });
    expect(plain.assignments?.map((a) => a.message_queue.id)).toEqual([-1]);
    p.backend.groups.set("Fifo", {
      groupName: "Fifo",
      consumeMessageOrderly: true,
      retryMaxTimes: 16,
      retryPolicyType: "CUSTOMIZED",
      exponential: { initial: 1, max: 2, multiplier: 2 },
      customizedNext: [],
    });
    const fifo = await route.queryAssignment({ topic: { name: "T" }, group: { name: "Fifo" }, endpoints });
    expect(fifo.assignments?.map((a) => a.message_queue.id)).toEqual([0, 1, 2]);
  });

  it("FORBIDDEN when no queue is readable", async () => {
    const p = fakeProxy();
    p.backend.addTopic("W", undefined, routeOf("broker-a", 4, 2));
    const res = await new RouteActivity(p.deps).queryAssignment({
      topic: { name: "W" },
      group: { name: "G" },
      endpoints,
    });
    expect(res.status).toEqual({ code: Code.FORBIDDEN, message: "no readable queue" });
  });
});
