/**
 * Issue 20 item 4: a 4.x remoting client and a 5.x gRPC client on the same topic at the same time.
 * ali-ons (4.x remoting, npm) and rocketmq-client-nodejs 1.0.8 (5.x gRPC, Apache's), both unmodified,
 * against a real name server + broker and a cluster-mode proxy (bin/mqproxy, Java's flags).
 */
import { describe, expect, it } from "vitest";
import { Producer, SimpleConsumer } from "rocketmq-client-nodejs";
import {
  aliConsumer,
  aliProducer,
  closeAliConsumer,
  createAliTopic,
  ons,
  type AliConsumer,
  type AliProducer,
} from "./support/alions.js";
import { until, type LocalCluster } from "./support/cluster.js";
import { quietLogger as quiet, useProxiedCluster } from "./support/proxy.js";

let cluster: LocalCluster;
let endpoints: string;
useProxiedCluster(
  "cluster",
  {
    setup: async (c, admin) => {
      await createAliTopic(admin, c, "InteropToV5");
      await createAliTopic(admin, c, "InteropToV4");
    },
  },
  (c, grpc) => {
    cluster = c;
    endpoints = grpc;
  },
);

describe("4.x remoting and 5.x gRPC clients on one topic", () => {
  it("ali-ons produces while a 5.x SimpleConsumer receives and acks every message, once", async () => {
    const consumer = new SimpleConsumer({
      endpoints,
      consumerGroup: "InteropV5Group",
      subscriptions: new Map([["InteropToV5", "*"]]),
      namespace: "",
      // the proxy needs 5 s of deadline left for a long poll (Java's minimum): requestTimeout + this
      awaitDuration: 3000,
      logger: quiet,
    });
    await consumer.startup();
    const producer: AliProducer = aliProducer(cluster.namesrvAddr, "InteropV4Producer");
    await producer.ready();
    const total = 200;
    const got = new Map<string, number>();
    // both at once: the consumer polls while the 4.x producer sends
    const receiving = (async (): Promise<void> => {
      const end = Date.now() + 60_000;
      while (got.size < total && Date.now() < end) {
        for (const view of await consumer.receive(16, 15_000)) {
          const body = view.body.toString();
          got.set(body, (got.get(body) ?? 0) + 1);
          expect(view.topic).toBe("InteropToV5");
          expect(view.tag).toBe("v4");
          await consumer.ack(view);
        }
      }
    })();
    for (let i = 0; i < total; i++) {
      const msg = new ons.Message("InteropToV5", "v4", `from-v4-${i}`);
      const sent = await producer.send(msg);
      expect(sent.sendStatus).toBe("SEND_OK");
    }
    await receiving;
    await producer.close();
    await consumer.shutdown();
    expect(got.size).toBe(total);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
  }, 90_000);

  it("a 5.x Producer sends while ali-ons consumes every message", async () => {
    const consumer: AliConsumer = aliConsumer(cluster.namesrvAddr, "InteropV4Group");
    const got = new Set<string>();
    consumer.subscribe("InteropToV4", "*", async (msg) => {
      got.add(msg.body.toString());
      expect(msg.tags).toBe("v5");
    });
    await consumer.ready();
    const producer = new Producer({ endpoints, namespace: "", topics: ["InteropToV4"], logger: quiet });
    await producer.startup();
    const total = 200;
    for (let i = 0; i < total; i++) {
      const receipt = await producer.send({ topic: "InteropToV4", tag: "v5", body: Buffer.from(`from-v5-${i}`) });
      expect(receipt.messageId).toMatch(/^[0-9A-F]{34}$/);
    }
    await until(() => got.size === total, 60_000, `ali-ons to get ${total} messages (has ${got.size})`);
    await producer.shutdown();
    await closeAliConsumer(consumer);
  }, 90_000);
});
