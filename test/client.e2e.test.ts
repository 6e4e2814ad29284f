/**
 * packages/client against real namesrv + broker processes: producer modes, push consumers
 * (clustering exactly once per group, broadcasting, retry), and the producer's frames compared
 * with the Java 4.9.8 producer's captured frames.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DefaultLitePullConsumer,
  DefaultMQProducer,
  DefaultMQPushConsumer,
  localAddress,
  Message,
  MQClientException,
  type MessageExt,
  type MessageQueue,
} from "@rocketmq-ts/client";
import { encodeFrame, type RemotingCommand, type RPCHook } from "@rocketmq-ts/remoting";
import { frameBytes, loadScenarios, type CapturedFrame } from "./support/corpus.js";
import { startLocalCluster, until, type LocalCluster } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";

let cluster: LocalCluster;

/** The UNIQ_KEY value inside a properties string. */
const uniqKeyOf = (props: string | undefined): string => {
  const at = (props ?? "").indexOf("UNIQ_KEY\u0001");
  return at < 0 ? "" : (props ?? "").slice(at + 9, at + 41);
};
const started = new StartedClients();

function producer(group: string, extra: Partial<ConstructorParameters<typeof DefaultMQProducer>[0]> = {}) {
  return started.producer(cluster.namesrvAddr, group, extra);
}

async function consumer(
  group: string,
  topic: string,
  onMessage: (m: MessageExt) => "CONSUME_SUCCESS" | "RECONSUME_LATER",
  extra: Partial<ConstructorParameters<typeof DefaultMQPushConsumer>[0]> = {},
  expression = "*",
) {
  const c = new DefaultMQPushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    consumerGroup: group,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    ...extra,
  });
  c.subscribe(topic, expression);
  c.registerMessageListener((msgs) => {
    for (const m of msgs) if (onMessage(m) === "RECONSUME_LATER") return "RECONSUME_LATER";
    return "CONSUME_SUCCESS";
  });
  await c.start();
  started.push(c);
  return c;
}

beforeAll(async () => {
  cluster = await startLocalCluster();
}, 60_000);

afterAll(async () => {
  await started.shutdownAll();
  await cluster?.stop();
});

describe("DefaultMQProducer", () => {
  it("sync, async, oneway, batch and selector sends are stored where the results say", async () => {
    const p = await producer("pg-modes");
    const sync = await p.send(new Message("ModesTopic", Buffer.from("sync"), { tags: "T", keys: "k1" }));
    expect(sync.sendStatus).toBe("SEND_OK");
    expect(sync.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(sync.offsetMsgId).toMatch(/^[0-9A-F]{32}$/);
    const asyncs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => p.sendAsync(new Message("ModesTopic", Buffer.from(`a${i}`)))),
    );
    expect(asyncs.every((r) => r.sendStatus === "SEND_OK")).toBe(true);
    await p.sendOneway(new Message("ModesTopic", Buffer.from("oneway")));
    const batch = await p.sendBatch([1, 2, 3].map((i) => new Message("ModesTopic", Buffer.from(`b${i}`))));
    expect(batch.msgId.split(",")).toHaveLength(3);
    expect(batch.offsetMsgId.split(",")).toHaveLength(3);
    const byKey = (mqs: MessageQueue[], _m: Message, key: number) => mqs[key % mqs.length] as MessageQueue;
    const ordered = await Promise.all(
      [0, 4, 8].map((k) => p.sendWithSelector(new Message("ModesTopic", Buffer.from(`o${k}`)), byKey, k)),
    );
    expect(new Set(ordered.map((r) => r.messageQueue.queueId)).size).toBe(1);
    // queue offsets on one queue grow one by one
    const offsets = ordered.map((r) => r.queueOffset).sort((a, b) => a - b);
    expect(offsets[2]! - offsets[0]!).toBe(2);

    // everything arrives, bodies intact
    const got: string[] = [];
    await consumer("cg-modes", "ModesTopic", (m) => {
      got.push(m.body.toString());
      return "CONSUME_SUCCESS";
    });
    await until(() => got.length >= 1 + 20 + 1 + 3 + 3, 30_000, "all sends consumed");
    expect(got.sort()).toEqual(
      ["sync", "oneway", "b1", "b2", "b3", "o0", "o4", "o8", ...Array.from({ length: 20 }, (_, i) => `a${i}`)].sort(),
    );
  }, 60_000);

  it("compresses bodies above 4 KB and consumers see the original body", async () => {
    const p = await producer("pg-big");
    const body = Buffer.from("x".repeat(64 * 1024));
    const r = await p.send(new Message("BigTopic", body));
    let seen: MessageExt | undefined;
    await consumer("cg-big", "BigTopic", (m) => {
      seen = m;
      return "CONSUME_SUCCESS";
    });
    await until(() => seen !== undefined, 30_000, "big message");
    expect(seen?.body.equals(body)).toBe(true);
    expect((seen?.sysFlag ?? 0) & 0x1).toBe(1);
    expect(seen?.storeSize).toBeLessThan(4096);
    expect(seen?.msgId).toBe(r.msgId);
  }, 60_000);

  it("rejects bad topics with Java's messages", async () => {
    const p = await producer("pg-bad");
    await expect(p.send(new Message("bad topic", Buffer.from("x")))).rejects.toThrow(/contains illegal characters/);
    await expect(p.send(new Message("EmptyBody", Buffer.alloc(0)))).rejects.toThrow(/body length is zero/);
  });
});

describe("DefaultMQPushConsumer", () => {
  it("clustering: two groups each get every message exactly once, split over their consumers", async () => {
    const topic = "ClusterTopic";
    const counts = { A: new Map<string, number>(), B: new Map<string, number>() };
    const count = (g: "A" | "B") => (m: MessageExt) => {
      const k = m.body.toString();
      counts[g].set(k, (counts[g].get(k) ?? 0) + 1);
      return "CONSUME_SUCCESS" as const;
    };
    const p = await producer("pg-cluster");
    await p.send(new Message(topic, Buffer.from("warm-up")));
    const a1 = await consumer("cg-A", topic, count("A"));
    const a2 = await consumer("cg-A", topic, count("A"));
    await consumer("cg-B", topic, count("B"));
    const topicQueues = (c: DefaultMQPushConsumer) => c.assignedQueues().filter((q) => q.topic === topic).length;
    // rebalancing converges (each consumer rebalances on its own): the 4 queues end up split 2 + 2
    await until(() => topicQueues(a1) === 2 && topicQueues(a2) === 2, 30_000, "the A consumers split the queues");
    const n = 2000;
    for (let i = 0; i < n; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => p.send(new Message(topic, Buffer.from(`m${i + j}`)))));
    }
    await until(() => counts.A.size === n + 1 && counts.B.size === n + 1, 60_000, "both groups consumed everything");
    await new Promise((r) => setTimeout(r, 500));
    // the warm-up was consumed while the group was still rebalancing: a queue handed over before its
    // offset was committed is read again (at-least-once, as with Java); once stable, exactly once
    expect(counts.A.get("warm-up")).toBeGreaterThanOrEqual(1);
    counts.A.delete("warm-up");
    counts.B.delete("warm-up");
    expect([...counts.A.values()].every((v) => v === 1)).toBe(true);
    expect([...counts.B.values()].every((v) => v === 1)).toBe(true);
    expect(counts.A.size).toBe(n);
  }, 120_000);

  it("broadcasting: every consumer gets every message", async () => {
    const topic = "BroadcastTopic";
    const p = await producer("pg-bc");
    await p.send(new Message(topic, Buffer.from("create")));
    const got = [new Set<string>(), new Set<string>()];
    for (const s of got) {
      await consumer(
        "cg-bc",
        topic,
        (m) => {
          s.add(m.body.toString());
          return "CONSUME_SUCCESS";
        },
        { messageModel: "BROADCASTING" },
      );
    }
    for (let i = 0; i < 50; i++) await p.send(new Message(topic, Buffer.from(`b${i}`)));
    await until(() => got.every((s) => s.size === 51), 30_000, "every consumer has every message");
  }, 60_000);

  it("broadcasting offsets persist in a local file and survive a restart (fixed instanceName)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rmq-offsets-"));
    const saved = process.env["JAVA_OPT_EXT"];
    process.env["JAVA_OPT_EXT"] = `-Drocketmq.client.localOffsetStoreDir=${dir}`;
    try {
      const topic = "BcFileTopic";
      const p = await producer("pg-bc-file");
      for (let i = 0; i < 5; i++) await p.send(new Message(topic, Buffer.from(`first${i}`)));
      const run = async (expected: number): Promise<string[]> => {
        const got: string[] = [];
        const c = new DefaultMQPushConsumer({
          namesrvAddr: cluster.namesrvAddr,
          consumerGroup: "cg-bc-file",
          messageModel: "BROADCASTING",
          consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
          instanceName: "bc-fixed",
        });
        c.subscribe(topic, "*");
        c.registerMessageListener((msgs) => {
          for (const m of msgs) got.push(m.body.toString());
          return "CONSUME_SUCCESS";
        });
        await c.start();
        await until(() => got.length >= expected, 20_000, `${expected} broadcast messages`);
        await new Promise((r) => setTimeout(r, 300));
        await c.shutdown();
        return got;
      };
      expect((await run(5)).sort()).toEqual(["first0", "first1", "first2", "first3", "first4"]);
      const file = readFileSync(join(dir, `${localAddress()}@bc-fixed`, "cg-bc-file", "offsets.json"), "utf8");
      expect(file).toMatch(/^\{\n\t"offsetTable":\{/);
      for (let i = 0; i < 3; i++) await p.send(new Message(topic, Buffer.from(`second${i}`)));
      expect((await run(3)).sort()).toEqual(["second0", "second1", "second2"]);
    } finally {
      if (saved === undefined) delete process.env["JAVA_OPT_EXT"];
      else process.env["JAVA_OPT_EXT"] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("RECONSUME_LATER sends the message back; it returns with reconsumeTimes 1 and its own topic", async () => {
    const topic = "RetryTopic";
    const p = await producer("pg-retry");
    const sent = await p.send(new Message(topic, Buffer.from("retry-me"), { tags: "R" }));
    const deliveries: MessageExt[] = [];
    await consumer(
      "cg-retry",
      topic,
      (m) => {
        deliveries.push(m);
        return deliveries.length === 1 ? "RECONSUME_LATER" : "CONSUME_SUCCESS";
      },
      {},
      "R",
    );
    // delay level 3 (10 s) for the first retry
    await until(() => deliveries.length === 2, 40_000, "redelivery");
    const [first, second] = deliveries;
    expect(second?.topic).toBe(topic);
    expect(second?.reconsumeTimes).toBe(1);
    expect(second?.msgId).toBe(sent.msgId);
    expect(second?.body.toString()).toBe("retry-me");
    expect((second?.storeTimestamp ?? 0) - (first?.storeTimestamp ?? 0)).toBeGreaterThanOrEqual(9_000);
  }, 60_000);

  it("orderly: each queue consumed by one locked consumer, in queue order, SUSPEND retries in place", async () => {
    const topic = "OrderTopic";
    const p = await producer("pg-order");
    await p.send(new Message(topic, Buffer.from("create")));
    const seen = new Map<number, number[]>(); // order id → steps in arrival order
    const seenBy = new Map<string, Set<string>>(); // queue → consumer
    let suspended = false;
    const mk = async (name: string) => {
      const c = new DefaultMQPushConsumer({
        namesrvAddr: cluster.namesrvAddr,
        consumerGroup: "cg-order",
        consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
      });
      c.subscribe(topic, "*");
      c.registerMessageListenerOrderly((msgs, ctx) => {
        for (const m of msgs) {
          if (!m.body.toString().includes(":")) continue; // the topic-creating message
          const [order, step] = m.body.toString().split(":").map(Number) as [number, number];
          if (order === 3 && step === 5 && !suspended) {
            suspended = true;
            return "SUSPEND_CURRENT_QUEUE_A_MOMENT";
          }
          seen.set(order, [...(seen.get(order) ?? []), step]);
          const q = `${ctx.messageQueue.brokerName}/${ctx.messageQueue.queueId}`;
          seenBy.set(q, (seenBy.get(q) ?? new Set()).add(name));
        }
        return "SUCCESS";
      });
      await c.start();
      started.push(c);
      return c;
    };
    const c1 = await mk("c1");
    const c2 = await mk("c2");
    const topicQueues = (c: DefaultMQPushConsumer) => c.assignedQueues().filter((q) => q.topic === topic).length;
    await until(() => topicQueues(c1) === 2 && topicQueues(c2) === 2, 30_000, "the orderly consumers split the queues");
    const byOrder = (mqs: MessageQueue[], _m: Message, order: number) => mqs[order % mqs.length] as MessageQueue;
    for (let step = 0; step < 20; step++) {
      await Promise.all(
        Array.from({ length: 8 }, (_, order) =>
          p.sendWithSelector(new Message(topic, Buffer.from(`${order}:${step}`)), byOrder, order),
        ),
      );
    }
    await until(() => [...seen.values()].reduce((n, s) => n + s.length, 0) === 160, 30_000, "all ordered messages");
    expect(suspended).toBe(true);
    for (let order = 0; order < 8; order++) expect(seen.get(order)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const consumers of seenBy.values()) expect(consumers.size).toBe(1);
  }, 90_000);

  it("tag subscriptions only deliver matching tags", async () => {
    const topic = "TagTopic";
    const p = await producer("pg-tag");
    for (const t of ["A", "B", "C", "A"]) await p.send(new Message(topic, Buffer.from(t), { tags: t }));
    const got: string[] = [];
    await consumer(
      "cg-tag",
      topic,
      (m) => {
        got.push(m.tags ?? "");
        return "CONSUME_SUCCESS";
      },
      {},
      "A || C",
    );
    await until(() => got.length >= 3, 30_000, "tagged messages");
    await new Promise((r) => setTimeout(r, 300));
    expect(got.sort()).toEqual(["A", "A", "C"]);
  }, 60_000);
});

describe("DefaultLitePullConsumer", () => {
  it("subscribe: polls every message once, commitSync stores the polled positions", async () => {
    const topic = "LiteTopic";
    const p = await producer("pg-lite");
    for (let i = 0; i < 100; i++) await p.send(new Message(topic, Buffer.from(`l${i}`)));
    const c = new DefaultLitePullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "cg-lite",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      autoCommit: false,
    });
    c.subscribe(topic, "*");
    await c.start();
    started.push(c);
    const got: string[] = [];
    const deadline = Date.now() + 30_000;
    while (got.length < 100 && Date.now() < deadline) {
      for (const m of await c.poll(1000)) got.push(m.body.toString());
    }
    expect(got.sort()).toEqual(Array.from({ length: 100 }, (_, i) => `l${i}`).sort());
    expect(await c.poll(300)).toEqual([]);
    await c.commitSync();
    const queues = c.assignment().filter((q) => q.topic === topic);
    expect(queues).toHaveLength(4);
    let committed = 0;
    for (const q of queues) committed += await c.committed(q);
    expect(committed).toBe(100);
  }, 60_000);

  it("assign + seek: only the assigned queue, replayed from the sought offset", async () => {
    const topic = "LiteAssignTopic";
    const p = await producer("pg-lite-assign");
    for (let i = 0; i < 40; i++) await p.send(new Message(topic, Buffer.from(`a${i}`)));
    const c = new DefaultLitePullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "cg-lite-assign",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    const mqs = await c.fetchMessageQueues(topic);
    expect(mqs.map((q) => q.queueId)).toEqual([0, 1, 2, 3]);
    const mq = mqs[1] as MessageQueue;
    c.assign([mq]);
    await c.start();
    started.push(c);
    const first: MessageExt[] = [];
    const deadline = Date.now() + 20_000;
    while (first.length < 10 && Date.now() < deadline) first.push(...(await c.poll(1000)));
    expect(first.every((m) => m.queueId === 1)).toBe(true);
    expect(first.map((m) => m.queueOffset)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    c.seek(mq, 3);
    const again = await c.poll(5000);
    expect(again[0]?.queueOffset).toBe(3);
  }, 60_000);
});

describe("client frames match the Java 4.9.8 producer's", () => {
  it("SEND_MESSAGE_V2, HEART_BEAT and UNREGISTER_CLIENT are byte-identical up to ids, times and queue choice", async () => {
    const capture = loadScenarios().find((s) => s.name === "producer-sync-json");
    if (!capture) throw new Error("producer-sync-json capture missing");
    const javaFrame = (code: number): CapturedFrame => {
      const f = capture.frames.find((x) => x.dir === "c2s" && x.header.code === code);
      if (!f) throw new Error(`no frame ${code}`);
      return f;
    };
    const sent: RemotingCommand[] = [];
    const hook: RPCHook = {
      doBeforeRequest: (_addr, req) =>
        void sent.push({
          ...req,
          extFields: req.extFields ? { ...req.extFields } : null,
          body: req.body ? Buffer.from(req.body) : null,
        }),
      doAfterResponse: () => undefined,
    };
    const p = await producer("please_rename_unique_group_name", { rpcHook: hook });
    await p.send(new Message("TopicTest", Buffer.from("Hello RocketMQ 0"), { tags: "TagA" }));
    await p.instance.sendHeartbeatToAllBrokers();
    await p.shutdown();

    const send = javaFrame(310);
    const ours = sent.find((c) => c.code === 310);
    const jext = send.header.extFields as Record<string, string>;
    if (!ours?.extFields) throw new Error("no send");
    const ourUniq = uniqKeyOf(ours.extFields["i"]);
    const javaUniq = uniqKeyOf(jext["i"]);
    ours.opaque = send.header.opaque ?? 0;
    ours.extFields["g"] = jext["g"] ?? "";
    ours.extFields["e"] = jext["e"] ?? "";
    ours.extFields["i"] = (ours.extFields["i"] ?? "").replace(ourUniq, javaUniq);
    expect(encodeFrame(ours).equals(frameBytes(send))).toBe(true);

    const javaClientId = /"clientID":"([^"]+)"/.exec(javaFrame(34).bodyText ?? "")?.[1] ?? "";
    const hb = sent.find((c) => c.code === 34);
    if (!hb?.body) throw new Error("no heartbeat");
    hb.opaque = javaFrame(34).header.opaque ?? 0;
    hb.body = Buffer.from(hb.body.toString().replace(p.clientId, javaClientId));
    expect(encodeFrame(hb).equals(frameBytes(javaFrame(34)))).toBe(true);

    const un = sent.find((c) => c.code === 35);
    if (!un?.extFields) throw new Error("no unregister");
    un.opaque = javaFrame(35).header.opaque ?? 0;
    un.extFields["clientID"] = javaClientId;
    expect(encodeFrame(un).equals(frameBytes(javaFrame(35)))).toBe(true);
  }, 30_000);

  it("the push consumer's requests carry Java's header fields in Java's order", async () => {
    const capture = loadScenarios().find((s) => s.name === "push-consumer");
    if (!capture) throw new Error("push-consumer capture missing");
    const sent: RemotingCommand[] = [];
    const hook: RPCHook = {
      doBeforeRequest: (_addr, req) =>
        void sent.push({
          ...req,
          extFields: req.extFields ? { ...req.extFields } : null,
          body: req.body ? Buffer.from(req.body) : null,
        }),
      doAfterResponse: () => undefined,
    };
    const p = await producer("pg-frames");
    await p.send(new Message("FramesTopic", Buffer.from("x")));
    const c = await consumer("please_rename_unique_group_name_4", "FramesTopic", () => "CONSUME_SUCCESS", {
      rpcHook: hook,
    });
    await until(() => [11, 14, 38].every((code) => sent.some((r) => r.code === code)), 20_000, "consumer requests");
    await c.persistConsumerOffset();
    for (const code of [38, 14, 11, 15]) {
      const java = capture.frames.find(
        (f) => f.dir === "c2s" && f.header.code === code && !f.header.extFields?.["AccessKey"],
      );
      const ours = sent.find((r) => r.code === code);
      if (!java || !ours?.extFields) throw new Error(`missing ${code}`);
      // same keys in the same order; values are the capture's (offsets, times, queue ids differ by nature)
      const jext = java.header.extFields as Record<string, string>;
      expect(Object.keys(ours.extFields)).toEqual(Object.keys(jext));
      const normalised: RemotingCommand = { ...ours, opaque: java.header.opaque ?? 0, extFields: { ...jext } };
      expect(encodeFrame(normalised).equals(frameBytes(java))).toBe(true);
    }
  }, 40_000);

  it("a producer with no route and no TBW102 fails with Java's message", async () => {
    const c2 = await startLocalCluster("autoCreateTopicEnable=false\n");
    try {
      const p = new DefaultMQProducer({ namesrvAddr: c2.namesrvAddr, producerGroup: "pg-noroute" });
      await p.start();
      const err = await p.send(new Message("NoSuchTopic", Buffer.from("x"))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MQClientException);
      expect((err as Error).message).toContain("No route info of this topic: NoSuchTopic");
      await p.shutdown();
    } finally {
      await c2.stop();
    }
  }, 60_000);
});
