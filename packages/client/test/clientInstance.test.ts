/** MQClientInstance's registry: one producer and one consumer per group, as Java refuses a second. */
import { describe, expect, it } from "vitest";
import { MQClientInstance, type MQConsumerInner, type MQProducerInner } from "../src/impl/MQClientInstance.js";
import { FakeCluster, NAMESRV } from "./support/FakeCluster.js";

const producer = (groupName: string): MQProducerInner => ({
  groupName,
  publishTopics: () => [],
  updateTopicRoute: () => undefined,
});

const consumer = (groupName: string): MQConsumerInner => ({
  groupName,
  consumerData: () => ({
    groupName,
    consumeType: "CONSUME_PASSIVELY",
    messageModel: "CLUSTERING",
    consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
    subscriptionDataSet: [],
    unitMode: false,
  }),
  subscribeTopics: () => [],
  updateTopicSubscribeInfo: () => undefined,
  doRebalance: async () => undefined,
  persistConsumerOffset: async () => undefined,
  resetOffset: async () => undefined,
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

  it("refuses a second consumer of a group with Java's message, and keeps the first", () => {
    const instance = new MQClientInstance({ namesrvAddr: NAMESRV, remotingClient: new FakeCluster().client() });
    const first = consumer("cg");
    instance.registerConsumer(first);
    expect(() => instance.registerConsumer(consumer("cg"))).toThrow(
      "The consumer group[cg] has been created before, specify another name please.",
    );
    expect(instance.selectConsumer("cg")).toBe(first);
  });
});
