/** ali-ons (an independent JS RocketMQ client from npm) against real bin/mqnamesrv + bin/mqbroker processes. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemotingClient } from "@rocketmq-ts/remoting";
import {
  aliConsumer,
  aliProducer,
  closeAliConsumer,
  createAliTopic,
  ons,
  type AliConsumer,
  type AliMessage,
  type AliProducer,
} from "./support/alions.js";
import { startLocalCluster, until, type LocalCluster } from "./support/cluster.js";

let cluster: LocalCluster;
const admin = new RemotingClient();

const createTopic = (topic: string, queues = 4): Promise<void> => createAliTopic(admin, cluster, topic, queues);
const producer = (group: string): AliProducer => aliProducer(cluster.namesrvAddr, group);
const consumer = (group: string, extra: Record<string, unknown> = {}): AliConsumer =>
  aliConsumer(cluster.namesrvAddr, group, extra);

async function sendAll(p: AliProducer, topic: string, n: number, tag: (i: number) => string): Promise<Set<string>> {
  const bodies = new Set<string>();
  const concurrency = 64;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const body = `msg-${i}`;
        const result = await p.send(new ons.Message(topic, tag(i), body));
        expect(result.sendStatus).toBe("SEND_OK");
        bodies.add(body);
      }
    }),
  );
  return bodies;
}

afterAll(async () => {
  await admin.shutdown();
});

// The broker's sockets in its event loop (the default) and in an I/O thread (serverSelectorThreads=1).
describe.each(["0", "1"])("ali-ons against our broker (serverSelectorThreads=%s)", (ioThreads) => {
  beforeAll(async () => {
    // one-second delay levels keep the retry and delay tests short (the levels are still Java's mechanism)
    cluster = await startLocalCluster(
      `messageDelayLevel=${Array(18).fill("1s").join(" ")}\nserverSelectorThreads=${ioThreads}`,
    );
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it("runs with its sockets where the config puts them", () => {
    const log = readFileSync(join(cluster.home, "logs", "rocketmqlogs", "remoting.log"), "utf8");
    expect(log.includes("remoting I/O thread listening")).toBe(ioThreads === "1");
  });

  it("produces 10,000 messages that two groups each consume exactly once", async () => {
    const topic = "AliOnsTopic";
    await createTopic(topic);
    const p = producer("ali_ons_producer");
    await p.ready();
    const sent = await sendAll(p, topic, 10_000, (i) => (i % 2 === 0 ? "TagA" : "TagB"));
    await p.close();

    const received = new Map<string, string[]>([
      ["g1", []],
      ["g2", []],
    ]);
    const consumers = [...received.keys()].map((g) => {
      const c = consumer(g);
      c.subscribe(topic, "*", async (msg) => {
        received.get(g)?.push(msg.body.toString());
      });
      return c;
    });
    await Promise.all(consumers.map((c) => c.ready()));
    await until(() => [...received.values()].every((r) => r.length >= 10_000), 60_000, "consumption");
    await new Promise((r) => setTimeout(r, 500));
    for (const [g, bodies] of received) {
      expect(bodies.length, g).toBe(10_000);
      expect(new Set(bodies), g).toEqual(sent);
    }
    await Promise.all(consumers.map(closeAliConsumer));
  }, 120_000);

  it("filters by tag on the broker", async () => {
    const topic = "AliOnsTagTopic";
    await createTopic(topic, 2);
    const p = producer("ali_ons_tag_producer");
    await p.ready();
    await sendAll(p, topic, 200, (i) => (i % 4 === 0 ? "Wanted" : "Other"));
    await p.close();
    const got: string[] = [];
    const c = consumer("g_tags");
    c.subscribe(topic, "Wanted", async (msg) => {
      expect(msg.tags).toBe("Wanted");
      got.push(msg.body.toString());
    });
    await c.ready();
    await until(() => got.length >= 50, 30_000, "tagged messages");
    await new Promise((r) => setTimeout(r, 1000));
    expect(got.length).toBe(50);
    await closeAliConsumer(c);
  }, 60_000);

  it("splits the queues between two consumers of one group", async () => {
    const topic = "AliOnsSplitTopic";
    await createTopic(topic, 4);
    const seen = new Map<string, Set<string>>([
      ["a", new Set()],
      ["b", new Set()],
    ]);
    const consumers = [...seen.keys()].map((name) => {
      const c = consumer("g_split", { instanceName: `inst-${name}` });
      c.subscribe(topic, "*", async (msg) => {
        seen.get(name)?.add(msg.body.toString());
      });
      return c;
    });
    await Promise.all(consumers.map((c) => c.ready()));
    // let both join and rebalance before sending
    await new Promise((r) => setTimeout(r, 3000));
    const p = producer("ali_ons_split_producer");
    await p.ready();
    const sent = await sendAll(p, topic, 400, () => "T");
    await p.close();
    await until(() => (seen.get("a")?.size ?? 0) + (seen.get("b")?.size ?? 0) >= 400, 30_000, "split consumption");
    const a = seen.get("a") as Set<string>;
    const b = seen.get("b") as Set<string>;
    expect(a.size).toBeGreaterThan(0);
    expect(b.size).toBeGreaterThan(0);
    expect(new Set([...a, ...b])).toEqual(sent);
    await Promise.all(consumers.map(closeAliConsumer));
  }, 60_000);

  it("brings a message back through the retry topic when consumption fails (CONSUMER_SEND_MSG_BACK)", async () => {
    const topic = "AliOnsRetryTopic";
    await createTopic(topic, 1);
    const p = producer("ali_ons_retry_producer");
    await p.ready();
    await sendAll(p, topic, 3, () => "X");
    await p.close();
    const deliveries: { body: string; reconsumeTimes: number }[] = [];
    const c = consumer("g_retry");
    c.subscribe(topic, "*", async (msg) => {
      deliveries.push({ body: msg.body.toString(), reconsumeTimes: msg.reconsumeTimes });
      if (msg.body.toString() === "msg-1" && msg.reconsumeTimes === 0) return ons.Consumer.ACTION_RETRY;
      return undefined;
    });
    await c.ready();
    await until(() => deliveries.some((d) => d.body === "msg-1" && d.reconsumeTimes === 1), 30_000, "redelivery");
    expect(deliveries.filter((d) => d.body === "msg-1").map((d) => d.reconsumeTimes)).toEqual([0, 1]);
    expect(deliveries.filter((d) => d.body !== "msg-1").length).toBe(2);
    await closeAliConsumer(c);
  }, 60_000);

  it("delivers a delay-level message after its delay", async () => {
    const topic = "AliOnsDelayTopic";
    await createTopic(topic, 1);
    const got: AliMessage[] = [];
    const c = consumer("g_delay");
    c.subscribe(topic, "*", async (msg) => {
      got.push(msg);
    });
    await c.ready();
    const p = producer("ali_ons_delay_producer");
    await p.ready();
    const msg = new ons.Message(topic, "D", "delayed");
    msg.delayTimeLevel = 3;
    const sentAt = Date.now();
    const result = await p.send(msg);
    expect(result.sendStatus).toBe("SEND_OK");
    // like Java: the answer names the real queue, not the schedule queue the message waits in
    expect(String(result.messageQueue.queueId)).toBe("0");
    await p.close();
    await until(() => got.length === 1, 30_000, "delayed delivery");
    expect(got[0]?.body.toString()).toBe("delayed");
    expect((got[0]?.storeTimestamp ?? 0) - sentAt).toBeGreaterThanOrEqual(900);
    await closeAliConsumer(c);
  }, 60_000);

  it("loses nothing acknowledged across a broker restart and resumes from committed offsets", async () => {
    const topic = "AliOnsRestartTopic";
    await createTopic(topic, 2);
    const p = producer("ali_ons_restart_producer");
    await p.ready();
    const first = await sendAll(p, topic, 300, () => "R");
    await p.close();
    const got: string[] = [];
    const c = consumer("g_restart");
    c.subscribe(topic, "*", async (msg) => {
      got.push(msg.body.toString());
    });
    await c.ready();
    await until(() => got.length >= 300, 30_000, "first batch");
    await closeAliConsumer(c); // persists offsets
    await cluster.restartBroker();

    const p2 = producer("ali_ons_restart_producer2");
    await p2.ready();
    const second = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const body = `after-${i}`;
      expect((await p2.send(new ons.Message(topic, "R", body))).sendStatus).toBe("SEND_OK");
      second.add(body);
    }
    await p2.close();
    const got2: string[] = [];
    const c2 = consumer("g_restart");
    c2.subscribe(topic, "*", async (msg) => {
      got2.push(msg.body.toString());
    });
    await c2.ready();
    await until(() => got2.length >= 100, 30_000, "second batch");
    await new Promise((r) => setTimeout(r, 1000));
    expect(new Set(got)).toEqual(first);
    expect(new Set(got2)).toEqual(second); // nothing re-consumed from before the restart
    await closeAliConsumer(c2);
  }, 90_000);
});
