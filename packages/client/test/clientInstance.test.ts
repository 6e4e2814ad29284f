/** MQClientInstance's registry: one producer and one consumer per group, as Java refuses a second. */
import { describe, expect, it } from "vitest";
import { MQClientInstance, type MQProducerInner } from "../src/impl/MQClientInstance.js";
import { FakeCluster, NAMESRV } from "./support/FakeCluster.js";

const producer = (groupName: string): MQProducerInner => ({
  groupName,
  publishTopics: () => [],
  updateTopicRoute: () => undefined,
});

describe("MQClientInstance", () => {
  it("refuses a second producer of a group with Java's message, and keeps the first", async () => {
    const instance = new MQClientInstance({ namesrvAddr: NAMESRV, remotingClient: new FakeCluster().client() });
    const first = producer("pg");
    instance.registerProducer(first);
    instance.registerProducer(producer("other"));
    expect(() => instance.registerProducer(producer("pg"))).toThrow(
      "The producer group[pg] has been created before, specify another name please.",
    );
    expect(instance.selectProducer("pg")).toBe(first);
  });
});
