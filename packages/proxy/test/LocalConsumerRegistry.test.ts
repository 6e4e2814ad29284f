import { ConsumerManager } from "@rocketmq-ts/broker";
import { buildSubscriptionData } from "@rocketmq-ts/common";
import {
  createOnewayRequest,
  createRequest,
  createResponse,
  javaStringHashCode,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
  type Connection,
} from "@rocketmq-ts/remoting";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { LocalConsumerRegistry } from "../src/service/LocalConsumerRegistry.js";

function setup(): { registry: LocalConsumerRegistry; manager: ConsumerManager; events: string[]; relayed: number[] } {
  const events: string[] = [];
  const relayed: number[] = [];
  const logger = pino({ level: "silent" });
  const manager = new ConsumerManager((event, group) => events.push(`${event} ${group}`), logger);
  const relay = (_clientId: string, request: RemotingCommand): Promise<RemotingCommand | null> => {
    relayed.push(request.code);
    return Promise.resolve(createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: "relayed" }));
  };
  return { registry: new LocalConsumerRegistry(manager, logger, relay), manager, events, relayed };
}

const registration = (clientId: string, group = "G") => ({
  clientId,
  group,
  language: "HTTP",
  remoteAddr: "127.0.0.1:50001",
  consumeType: "CONSUME_ACTIVELY" as const,
  subscriptions: [buildSubscriptionData("T", "TagA || TagB", javaStringHashCode)],
});

describe("LocalConsumerRegistry (gRPC consumers in the local broker's ConsumerManager)", () => {
  it("registers each client as a channel of its group, with Java's consumer fields", () => {
    const { registry, manager } = setup();
    registry.register(registration("c1"));
    registry.register(registration("c2"));
    registry.register(registration("c1")); // a heartbeat: the same channel
    const info = manager.getConsumerGroupInfo("G");
    expect(info?.getAllClientIds().sort()).toEqual(["c1", "c2"]);
    expect(info?.consumeType).toBe("CONSUME_ACTIVELY");
    expect(info?.messageModel).toBe("CLUSTERING");
    expect(info?.consumeFromWhere).toBe("CONSUME_FROM_LAST_OFFSET");
    const channel = [...(info?.channelInfoTable.values() ?? [])][0];
    expect(channel?.language).toBe("HTTP");
    expect(channel?.connection.remoteAddr).toBe("127.0.0.1:50001");
    expect(info?.subscriptionTable.get("T")?.tagsSet).toEqual(["TagA", "TagB"]);
  });

  it("termination and expiry take the client out; the last one takes the group", () => {
    const { registry, manager, events } = setup();
    registry.register(registration("c1"));
    registry.register(registration("c2"));
    registry.register(registration("c2", "H"));
    registry.unregister("c1", "G");
    expect(manager.getConsumerGroupInfo("G")?.getAllClientIds()).toEqual(["c2"]);
    registry.unregisterClient("c2");
    expect(manager.getConsumerGroupInfo("G")).toBeUndefined();
    expect(manager.getConsumerGroupInfo("H")).toBeUndefined();
    expect(events).toContain("UNREGISTER G");
    expect(events).toContain("UNREGISTER H");
    // as Java's ClientProcessor: the group's other consumers are not told (no CHANGE notice)
    expect(events.filter((e) => e.startsWith("CHANGE"))).toEqual([]);
  });

  it("hands what the broker asks of the client to the relay and swallows its oneway notices", async () => {
    const { registry, manager, relayed } = setup();
    registry.register(registration("c1"));
    const connection = [...(manager.getConsumerGroupInfo("G")?.channelInfoTable.keys() ?? [])][0] as Connection;
    const res = await connection.request(createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO), 1000);
    expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(res.remark).toBe("relayed");
    await connection.write(createOnewayRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED));
    await new Promise((r) => setImmediate(r));
    expect(relayed).toEqual([RequestCode.GET_CONSUMER_RUNNING_INFO]);
    expect(connection.isClosed).toBe(false);
  });

  it("a channel the broker's scan closes is forgotten: the next heartbeat registers a new one", () => {
    const { registry, manager } = setup();
    registry.register(registration("c1"));
    const first = [...(manager.getConsumerGroupInfo("G")?.channelInfoTable.keys() ?? [])][0] as Connection;
    first.close("consumer channel expired");
    expect(manager.getConsumerGroupInfo("G")).toBeUndefined();
    registry.register(registration("c1"));
    const second = [...(manager.getConsumerGroupInfo("G")?.channelInfoTable.keys() ?? [])][0] as Connection;
    expect(second).not.toBe(first);
    expect(second.isClosed).toBe(false);
  });
});
