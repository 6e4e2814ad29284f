/**
 * The seeds' disaster drills on a real 2m-2s-sync cluster (conf/2m-2s-sync templates, five
 * processes on loopback): slave stopped → SLAVE_NOT_AVAILABLE; master A killed → consumers finish
 * from slave A while producers go on with B, and after A returns nothing is consumed twice; one
 * "data centre" (master A + slave B) killed while sending; kill -9 of a SYNC_FLUSH master under
 * load loses no acknowledged message; an empty slave catches up with a multi-file master.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DefaultMQProducer } from "@rocketmq-ts/client";
import {
  decodePulledMessages,
  DefaultMQPushConsumer,
  Message,
  MQAdminClient,
  type MessageExt,
  type MessageQueue,
  type SendResult,
} from "@rocketmq-ts/client";
import { newTopicConfig } from "@rocketmq-ts/common";
import { createRequest, parseFastjson, RequestCode } from "@rocketmq-ts/remoting";
import { runTool, until } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";
import { loadScenarios } from "./support/corpus.js";
import { replay } from "./support/replay.js";
import { startHACluster, type HACluster } from "./support/haCluster.js";

let cluster: HACluster;
let admin: MQAdminClient;
const started = new StartedClients();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cluster = await startHACluster("2m-2s-sync", {
    // 1 MiB commit-log files so the catch-up drill spans several; faster HA reports than the 5 s default
    all: ["mappedFileSizeCommitLog=1048576", "haSendHeartbeatInterval=1000"],
    "broker-b": ["flushDiskType=SYNC_FLUSH"],
  });
  admin = new MQAdminClient({ namesrvAddr: cluster.namesrvAddr });
}, 120_000);

afterAll(async () => {
  await started.shutdownAll();
  await admin?.remoting.shutdown();
  await cluster?.stop();
});

function producer(group: string): Promise<DefaultMQProducer> {
  return started.producer(cluster.namesrvAddr, group);
}

/** A push consumer counting deliveries per message key. */
async function consumer(
  group: string,
  topic: string,
): Promise<{ c: DefaultMQPushConsumer; seen: Map<string, number> }> {
  const seen = new Map<string, number>();
  const c = new DefaultMQPushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    consumerGroup: group,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    // routes refreshed every second (Java: 30 s) so a returning master is seen quickly
    pollNameServerInterval: 1000,
  });
  c.subscribe(topic, "*");
  c.registerMessageListener((msgs: MessageExt[]) => {
    for (const m of msgs) {
      const key = m.properties.get("KEYS") ?? "";
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    return "CONSUME_SUCCESS";
  });
  await c.start();
  started.push(c);
  return { c, seen };
}

/** Create `topic` on the given masters and wait until their slaves synced it (topics.json, every 10 s). */
async function createTopic(topic: string, brokerNames: string[]): Promise<void> {
  for (const name of brokerNames)
    await admin.createAndUpdateTopicConfig(
      cluster.broker(name).addr,
      newTopicConfig(topic, { readQueueNums: 4, writeQueueNums: 4 }),
    );
  for (const name of brokerNames) {
    const slave = cluster.broker(`${name}-s`);
    await until(
      () => slave.readStoreFile("config", "topics.json").includes(`"${topic}"`),
      20_000,
      `${topic} on ${slave.name}`,
    );
  }
}

async function routeBrokerIds(topic: string): Promise<Map<string, number[]>> {
  const route = await admin.examineTopicRouteInfo(topic);
  return new Map(route.brokerDatas.map((b) => [b.brokerName, [...b.brokerAddrs.keys()].sort()]));
}

async function untilRoute(topic: string, expected: Record<string, number[]>, ms = 20_000): Promise<void> {
  const want = JSON.stringify(Object.entries(expected).sort());
  const end = Date.now() + ms;
  for (;;) {
    const ids = await routeBrokerIds(topic).catch(() => new Map<string, number[]>());
    if (JSON.stringify([...ids.entries()].sort()) === want) return;
    if (Date.now() > end) throw new Error(`route of ${topic} is ${JSON.stringify([...ids.entries()])}, want ${want}`);
    await sleep(200);
  }
}

const queue = (topic: string, brokerName: string, queueId: number): MessageQueue => ({ topic, brokerName, queueId });

describe("2m-2s-sync drills", () => {
  it("shows four brokers in clusterList (BID 0 and 1 for each name)", async () => {
    const out = await runTool("mqadmin", ["clusterList", "-n", cluster.namesrvAddr]);
    expect(out.code).toBe(0);
    const rows = out.stdout
      .split("\n")
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(/\s+/).slice(0, 4));
    expect(rows).toEqual([
      ["DefaultCluster", "broker-a", "0", cluster.broker("broker-a").addr],
      ["DefaultCluster", "broker-a", "1", cluster.broker("broker-a-s").addr],
      ["DefaultCluster", "broker-b", "0", cluster.broker("broker-b").addr],
      ["DefaultCluster", "broker-b", "1", cluster.broker("broker-b-s").addr],
    ]);
  });

  it("(c) a SYNC_MASTER whose slave is stopped answers SLAVE_NOT_AVAILABLE, and SEND_OK once it is back", async () => {
    await createTopic("DrillC", ["broker-b"]);
    const p = await producer("drill-c");
    const mq = queue("DrillC", "broker-b", 0);
    expect((await p.sendToQueue(new Message("DrillC", Buffer.from("before")), mq)).sendStatus).toBe("SEND_OK");
    const slave = cluster.broker("broker-b-s");
    await slave.stop();
    await untilRoute("DrillC", { "broker-b": [0] });
    const without = await p.sendToQueue(new Message("DrillC", Buffer.from("alone")), mq);
    expect(without.sendStatus).toBe("SLAVE_NOT_AVAILABLE");
    await slave.start();
    let status = "";
    const end = Date.now() + 20_000;
    while (status !== "SEND_OK" && Date.now() < end) {
      status = (await p.sendToQueue(new Message("DrillC", Buffer.from("again")), mq)).sendStatus;
      if (status !== "SEND_OK") await sleep(200);
    }
    expect(status).toBe("SEND_OK");
  }, 60_000);

  it("(a) master A killed: a consumer gets all 1,000 from slave A and master B, producers go on with B; after A returns nothing is consumed again", async () => {
    const topic = "DrillA";
    await createTopic(topic, ["broker-a", "broker-b"]);
    const p = await producer("drill-a-p");
    const sent: SendResult[] = [];
    for (let i = 0; i < 1000; i++)
      sent.push(
        await p.sendToQueue(
          new Message(topic, Buffer.from(`m${i}`), { keys: `a-${i}` }),
          queue(topic, i % 2 ? "broker-b" : "broker-a", i % 4),
        ),
      );
    expect(sent.every((r) => r.sendStatus === "SEND_OK")).toBe(true);

    await cluster.broker("broker-a").kill9();
    await untilRoute(topic, { "broker-a": [1], "broker-b": [0, 1] });
    const { c, seen } = await consumer("drill-a-c", topic);
    // producers continue: every send now lands on broker-b
    for (let i = 1000; i < 1200; i++) {
      const r = await p.send(new Message(topic, Buffer.from(`m${i}`), { keys: `a-${i}` }));
      expect(r.messageQueue.brokerName).toBe("broker-b");
    }
    await until(() => seen.size === 1200, 60_000, "all 1,200 consumed");
    await c.persistConsumerOffset(false); // offsets of broker-a's queues go to slave A
    expect([...seen.values()].every((n) => n === 1)).toBe(true);

    await cluster.broker("broker-a").start();
    await untilRoute(topic, { "broker-a": [0, 1], "broker-b": [0, 1] });
    // once the consumer's route names master A again it pulls there and commits its offsets there
    await sleep(3000);
    for (let i = 1200; i < 1300; i++)
      await p.sendToQueue(
        new Message(topic, Buffer.from(`m${i}`), { keys: `a-${i}` }),
        queue(topic, i % 2 ? "broker-b" : "broker-a", i % 4),
      );
    await until(() => seen.size === 1300, 60_000, "the 100 sent after A returned");
    await c.shutdown(); // persists its offsets, to master A again
    // a new consumer of the same group starts where the old one stopped
    const again = await consumer("drill-a-c", topic);
    for (let i = 1300; i < 1320; i++)
      await p.sendToQueue(
        new Message(topic, Buffer.from(`m${i}`), { keys: `a-${i}` }),
        queue(topic, i % 2 ? "broker-b" : "broker-a", i % 4),
      );
    await until(() => again.seen.size >= 20, 60_000, "the 20 sent to the new consumer");
    await sleep(2000);
    expect([...again.seen.keys()].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `a-${1300 + i}`).sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }, 240_000);

  it("(b) crossed deployment: DC1 (master A + slave B) dies while 1,000 are sent; every acknowledged message is consumed", async () => {
    const topic = "DrillB";
    await createTopic(topic, ["broker-a", "broker-b"]);
    const p = await producer("drill-b-p");
    const acked = new Set<string>();
    let killed = false;
    for (let i = 0; i < 1000; i++) {
      if (i === 400) {
        killed = true;
        await Promise.all([cluster.broker("broker-a").kill9(), cluster.broker("broker-b-s").kill9()]);
      }
      try {
        // stored on the master whatever the replication status: SEND_OK, or SLAVE_NOT_AVAILABLE once slave B is gone
        const r = await p.send(new Message(topic, Buffer.from(`m${i}`), { keys: `b-${i}` }));
        acked.add(`b-${i}`);
        if (!killed) expect(r.sendStatus).toBe("SEND_OK");
      } catch {
        // not acknowledged: the producer may give up while the route still names master A
      }
    }
    expect(acked.size).toBeGreaterThan(900);
    const { seen } = await consumer("drill-b-c", topic);
    await until(() => [...acked].every((k) => seen.has(k)), 60_000, "every acknowledged message consumed");
    // DC1 comes back
    await cluster.broker("broker-a").start();
    await cluster.broker("broker-b-s").start();
    await untilRoute(topic, { "broker-a": [0, 1], "broker-b": [0, 1] });
  }, 240_000);

  it("(d) kill -9 of a SYNC_MASTER + SYNC_FLUSH master under load: every SEND_OK message is on its slave", async () => {
    const topic = "DrillD";
    await createTopic(topic, ["broker-b"]);
    // the restarted slave B must be replicating again before the load starts
    const p = await producer("drill-d-p");
    let status = "";
    for (let t = Date.now(); status !== "SEND_OK" && Date.now() - t < 20_000; await sleep(100))
      status = (await p.send(new Message(topic, Buffer.from("probe"), { keys: "d-probe" }))).sendStatus;
    expect(status).toBe("SEND_OK");

    const ok = new Set<string>(["d-probe"]);
    let n = 0;
    let stop = false;
    const writer = async (): Promise<void> => {
      while (!stop) {
        const key = `d-${n++}`;
        try {
          const r = await p.send(new Message(topic, Buffer.alloc(512, 66), { keys: key }), 3000);
          if (r.sendStatus === "SEND_OK") ok.add(key);
        } catch {
          // the master died under this send
        }
      }
    };
    const writers = Array.from({ length: 16 }, writer);
    await sleep(1500);
    await cluster.broker("broker-b").kill9();
    stop = true;
    await Promise.all(writers);
    expect(ok.size).toBeGreaterThan(100);
    await untilRoute(topic, { "broker-b": [1] });
    const { seen } = await consumer("drill-d-c", topic);
    await until(() => [...ok].every((k) => seen.has(k)), 60_000, "every SEND_OK message read from slave B");
    await cluster.broker("broker-b").start();
    await untilRoute(topic, { "broker-b": [0, 1] });
  }, 180_000);

  it("(e) a slave that starts empty catches up with a master holding several commit-log files", async () => {
    const topic = "DrillE";
    await createTopic(topic, ["broker-a"]);
    const p = await producer("drill-e-p");
    const body = Buffer.alloc(3000, 67); // below the 4 KiB compression threshold
    for (let i = 0; i < 1200; i++)
      await p.sendToQueue(new Message(topic, body, { keys: `e-${i}` }), queue(topic, "broker-a", i % 4));
    const master = cluster.broker("broker-a");
    const masterStats = await admin.fetchBrokerRuntimeStats(master.addr);
    const masterMax = Number(masterStats.get("commitLogMaxOffset"));
    expect(masterMax).toBeGreaterThan(3 * 1048576);

    const slave = cluster.broker("broker-a-s");
    await slave.stop();
    slave.wipeStore();
    await slave.start();
    let slaveMax = 0;
    const end = Date.now() + 30_000;
    while (slaveMax !== masterMax && Date.now() < end) {
      await sleep(300);
      slaveMax = Number((await admin.fetchBrokerRuntimeStats(slave.addr)).get("commitLogMaxOffset"));
    }
    expect(slaveMax).toBe(masterMax);
    // as Java: a fresh slave starts at the master's last file
    const slaveMin = Number((await admin.fetchBrokerRuntimeStats(slave.addr)).get("commitLogMinOffset"));
    expect(slaveMin).toBe(masterMax - (masterMax % 1048576));
    // and serves what it holds: the newest message is readable on the slave by key
    const res = await admin.remoting.invokeSync(
      slave.addr,
      createRequest(RequestCode.QUERY_MESSAGE, {
        extFields: {
          topic,
          key: "e-1199",
          maxNum: "32",
          beginTimestamp: "0",
          endTimestamp: String(Date.now() + 60_000),
        },
      }),
      15_000,
    );
    expect(res.code).toBe(0);
    const found = decodePulledMessages(res.body ?? Buffer.alloc(0), "broker-a");
    expect(found.map((m) => m.properties.get("KEYS"))).toEqual(["e-1199"]);
  }, 180_000);

  it("(f) slaveReadEnable sends a consumer far behind to the slave (whichBrokerWhenConsumeSlowly); a slave refuses sends", async () => {
    const topic = "DrillF";
    await createTopic(topic, ["broker-a"]);
    const p = await producer("drill-f-p");
    for (let i = 0; i < 5; i++)
      await p.sendToQueue(new Message(topic, Buffer.from(`f${i}`), { keys: `f-${i}` }), queue(topic, "broker-a", 0));
    const master = cluster.broker("broker-a");
    const pull = async (): Promise<string | undefined> => {
      const res = await admin.remoting.invokeSync(
        master.addr,
        createRequest(RequestCode.PULL_MESSAGE, {
          extFields: {
            consumerGroup: "drill-f-c",
            topic,
            queueId: "0",
            queueOffset: "0",
            maxMsgNums: "1",
            sysFlag: "4",
            commitOffset: "0",
            suspendTimeoutMillis: "0",
            subscription: "*",
            subVersion: "0",
            expressionType: "TAG",
          },
        }),
        5000,
      );
      expect(res.code).toBe(0);
      return res.extFields?.["suggestWhichBrokerId"];
    };
    expect(await pull()).toBe("0"); // slaveReadEnable=false: always the master
    // a backlog larger than accessMessageInMemoryMaxRatio% of RAM: with 0 %, any backlog is one
    await admin.updateBrokerConfig(
      master.addr,
      new Map([
        ["slaveReadEnable", "true"],
        ["accessMessageInMemoryMaxRatio", "0"],
      ]),
    );
    expect(await pull()).toBe("1");
    await admin.updateBrokerConfig(master.addr, new Map([["accessMessageInMemoryMaxRatio", "40"]]));
    expect(await pull()).toBe("0"); // in memory: the group's brokerId
    await admin.updateBrokerConfig(master.addr, new Map([["slaveReadEnable", "false"]]));

    const toSlave = await admin.remoting.invokeSync(
      cluster.broker("broker-a-s").addr,
      createRequest(RequestCode.SEND_MESSAGE, {
        extFields: {
          producerGroup: "drill-f-p",
          topic,
          defaultTopic: "TBW102",
          defaultTopicQueueNums: "4",
          queueId: "0",
          sysFlag: "0",
          bornTimestamp: String(Date.now()),
          flag: "0",
          properties: "",
          reconsumeTimes: "0",
          unitMode: "false",
          batch: "false",
        },
        body: Buffer.from("to the slave"),
      }),
      5000,
    );
    expect(toSlave.code).toBe(14); // SERVICE_NOT_AVAILABLE
    expect(toSlave.remark).toContain("messages are put to the slave");
  }, 60_000);

  it("answers the Java slave's metadata-sync requests (captured) as the Java master did", async () => {
    const scenario = loadScenarios().find((x) => x.name === "ha-replication");
    if (!scenario) throw new Error("ha-replication capture missing");
    const master = cluster.broker("broker-a");
    for (const [capturedPort, port] of [
      [30909, master.listenPort - 2],
      [30911, master.listenPort],
    ] as const) {
      const exchanges = await replay(scenario.frames, capturedPort, { host: "127.0.0.1", port });
      expect(exchanges.length).toBeGreaterThan(0);
      for (const x of exchanges) {
        const ours = x.ours?.cmd;
        const java = x.captured;
        if (!ours || !java) throw new Error(`no answer to ${x.request.codeName}`);
        expect([x.request.codeName, ours.code]).toEqual([x.request.codeName, java.header.code]);
        // same top-level JSON shape (the tables' contents differ by nature)
        const keys = (text: string): string[] => Object.keys(parseFastjson(text) as object);
        expect(keys(ours.body?.toString("utf8") ?? "")).toEqual(keys(java.bodyText ?? ""));
      }
    }
  });
});
