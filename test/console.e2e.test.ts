/**
 * bin/mqconsole against a real name server and broker: its JSON API, /metrics with the exporter's
 * names, the pages' files, and the seed-000 check that a dead name server in the list does not stop
 * it (the dead one is listed first).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQProducer, DefaultMQPushConsumer, Message } from "@rocketmq-ts/client";
import { freePort, run, runTool, startLocalCluster, until, type LocalCluster, type Proc } from "./support/cluster.js";

let cluster: LocalCluster;
let mqconsole: Proc;
let base = "";
let deadNamesrv = "";

async function get(path: string): Promise<{ status: number; json: unknown; text: string; type: string }> {
  const res = await fetch(`${base}${path}`);
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  return { status: res.status, text, type, json: type.includes("json") ? JSON.parse(text) : null };
}

async function send(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  cluster = await startLocalCluster();
  const port = await freePort();
  deadNamesrv = `127.0.0.1:${await freePort()}`; // nothing listens there
  mqconsole = run(
    "mqconsole",
    [
      `--server.port=${port}`,
      "--server.address=127.0.0.1",
      `--rocketmq.config.namesrvAddr="${deadNamesrv};${cluster.namesrvAddr}"`,
      "--rocketmq.config.collectIntervalMs=500",
    ],
    cluster.home,
  );
  await until(() => mqconsole.stdout().includes("mqconsole listening on") || mqconsole.child.exitCode !== null, 20_000);
  expect(mqconsole.stderr()).toBe("");
  base = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  await mqconsole?.stop();
  await cluster?.stop();
});

describe("bin/mqconsole", () => {
  it("refuses a bad setting, naming the key", async () => {
    const r = await runTool("mqconsole", ["--server.port=http", "-n", "127.0.0.1:9876"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("server.port");
    const none = await runTool("mqconsole", [], { NAMESRV_ADDR: "" });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("rocketmq.config.namesrvAddr");
  });

  it("lists the cluster's broker with its id, address, version and runtime figures", async () => {
    const r = await get("/api/cluster");
    expect(r.status).toBe(200);
    const view = r.json as { clusters: { name: string; brokerNames: string[] }[]; brokers: Record<string, unknown>[] };
    expect(view.clusters).toEqual([{ name: "DefaultCluster", brokerNames: ["broker-a"] }]);
    expect(view.brokers).toHaveLength(1);
    expect(view.brokers[0]).toMatchObject({ brokerName: "broker-a", brokerId: 0, addr: cluster.brokerAddr });
    expect(view.brokers[0]?.["version"]).toMatch(/^V\d+_\d+_\d+/);
    expect(view.brokers[0]?.["runtime"]).toHaveProperty("commitLogMaxOffset");
    const config = await get(`/api/cluster/broker-config?addr=${cluster.brokerAddr}`);
    expect((config.json as { config: Record<string, string> }).config["brokerName"]).toBe("broker-a");
  });

  it("answers with one name server of two down, and shows which answers", async () => {
    const r = await get("/api/ops/namesrv");
    const state = r.json as { namesrvAddrs: string[]; probes: { addr: string; ok: boolean }[] };
    expect(state.namesrvAddrs).toEqual([deadNamesrv, cluster.namesrvAddr]);
    expect(state.probes.map((p) => [p.addr, p.ok])).toEqual([
      [deadNamesrv, false],
      [cluster.namesrvAddr, true],
    ]);
    for (let i = 0; i < 3; i++) expect((await get("/api/topics")).status).toBe(200);
    const bad = await send("PUT", "/api/ops/namesrv", { namesrvAddr: "nohost" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain("not a host:port address");
  });

  it("creates a topic on a cluster (seen by mqadmin), finds it, shows its status and route, deletes it", async () => {
    const created = await send("POST", "/api/topics", {
      topic: "ConsoleTopic",
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
      clusterNames: ["DefaultCluster"],
    });
    expect(created).toEqual({ status: 200, json: { topic: "ConsoleTopic", brokers: [cluster.brokerAddr] } });
    const list = await runTool("mqadmin", ["topicList", "-n", cluster.namesrvAddr]);
    expect(list.stdout.split("\n")).toContain("ConsoleTopic");

    const found = await get("/api/topics?search=consoletop&kind=NORMAL");
    expect(found.json).toEqual({
      total: 1,
      page: 1,
      pageSize: 50,
      topics: [{ topic: "ConsoleTopic", kind: "NORMAL" }],
    });
    const system = (await get("/api/topics?kind=SYSTEM&pageSize=1000")).json as { topics: { topic: string }[] };
    expect(system.topics.map((t) => t.topic)).toEqual(expect.arrayContaining(["TBW102", "DefaultCluster", "broker-a"]));

    const status = (await get("/api/topics/ConsoleTopic/status")).json as { queues: { queueId: number }[] };
    expect(status.queues.map((q) => q.queueId)).toEqual([0, 1, 2, 3]);
    const route = (await get("/api/topics/ConsoleTopic/route")).json as { brokerDatas: unknown[] };
    expect(route.brokerDatas).toEqual([
      { cluster: "DefaultCluster", brokerName: "broker-a", brokerAddrs: { "0": cluster.brokerAddr } },
    ]);

    const invalid = await send("POST", "/api/topics", {
      topic: "bad topic!",
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
    });
    expect(invalid.status).toBe(400);
    const nowhere = await send("POST", "/api/topics", {
      topic: "ConsoleTopic2",
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
      clusterNames: ["NoSuchCluster"],
    });
    expect(nowhere).toMatchObject({ status: 502, json: { error: { remark: "cluster [NoSuchCluster] not exist" } } });

    const deleted = await send("DELETE", "/api/topics/ConsoleTopic");
    expect(deleted).toEqual({ status: 200, json: { topic: "ConsoleTopic", unreachableNamesrvs: [deadNamesrv] } });
    const gone = await get("/api/topics/ConsoleTopic/route");
    expect(gone.status).toBe(502);
    expect(gone.json).toMatchObject({ error: { code: 17 } });
  });

  it("/metrics shows a group's backlog as rocketmq_group_diff, and the broker's TPS", async () => {
    const topic = "MetricsTopic";
    expect(
      (
        await send("POST", "/api/topics", {
          topic,
          readQueueNums: 2,
          writeQueueNums: 2,
          perm: 6,
          brokerNames: ["broker-a"],
        })
      ).status,
    ).toBe(200);
    const producer = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "console_pg" });
    await producer.start();
    // the group consumes what is there, then stops: what is sent afterwards is its backlog
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "console_cg",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    let consumed = 0;
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener(() => {
      consumed++;
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    try {
      for (let i = 0; i < 4; i++) await producer.send(new Message(topic, Buffer.from(`before ${i}`)));
      await until(() => consumed === 4, 30_000, "consumed");
    } finally {
      await consumer.shutdown();
    }
    for (let i = 0; i < 7; i++) await producer.send(new Message(topic, Buffer.from(`after ${i}`)));
    await producer.shutdown();

    const brokerLabels = `cluster="DefaultCluster",brokerIP="${cluster.brokerAddr}",broker="broker-a"`;
    // the figures of one collection: wait for one that ran wholly after every send
    const wanted: RegExp[] = [
      /^rocketmq_group_diff\{group="console_cg",topic="MetricsTopic",countOfOnlineConsumers="0",msgModel="1"\} 7$/m,
      /^rocketmq_producer_offset\{cluster="DefaultCluster",broker="broker-a",topic="MetricsTopic"\} 11$/m,
      /^rocketmq_consumer_offset\{cluster="DefaultCluster",broker="broker-a",topic="MetricsTopic",group="console_cg"\} 4$/m,
      /^rocketmq_group_count\{caddr="",localaddr="",group="console_cg"\} 0$/m,
      /^rocketmq_group_get_latency_by_storetime\{cluster="DefaultCluster",broker="broker-a",topic="MetricsTopic",group="console_cg"\} \d+$/m,
      /^rocketmq_brokeruntime_commitlog_maxoffset\{cluster="DefaultCluster",brokerIP="[\d.:]+",brokerHost="",des="V\d+_\d+_\d+",boottime="\d+",broker_version="\d+"\} \d+$/m,
    ];
    let text = "";
    const end = Date.now() + 30_000;
    for (;;) {
      const r = await get("/metrics");
      expect(r.status).toBe(200);
      expect(r.type).toContain("text/plain");
      text = r.text;
      const missing = wanted.filter((re) => !re.test(text));
      if (missing.length === 0 && text.includes(`\nrocketmq_broker_tps{${brokerLabels}} `)) break;
      if (Date.now() > end) {
        const ours = text.split("\n").filter((l) => /^rocketmq_(group|producer|consumer|broker_)/.test(l));
        throw new Error(`missing ${missing.map(String).join(", ")} in:\n${ours.join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(text).toMatch(/^# TYPE rocketmq_group_diff gauge$/m);
    const consumers = (await get(`/api/topics/${topic}/consumers`)).json as { groups: string[] };
    expect(consumers.groups).toContain("console_cg");
  }, 90_000);

  it("serves the pages, the charting library and the TPS history", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/js/app.js">');
    expect((await get("/js/app.js")).status).toBe(200);
    expect((await get("/vendor/chart.js/chart.umd.js")).status).toBe(200);
    const series = (await get("/api/dashboard/broker-tps")).json as { broker: string; points: unknown[] }[];
    expect(series.map((s) => s.broker)).toEqual(["broker-a/0"]);
    expect(series[0]?.points.length).toBeGreaterThan(0);
    // the backlog of the group left behind in the metrics test, over time
    const lag = (await get("/api/dashboard/group-lag?top=5")).json as { name: string; points: { value: number }[] }[];
    expect(lag.find((s) => s.name === "console_cg")?.points.at(-1)?.value).toBe(7);
    const topics = (await get("/api/dashboard/topic-tps")).json as { name: string }[];
    expect(topics.map((s) => s.name)).toContain("MetricsTopic");
  });

  it("logs where rocketmq-dashboard does", () => {
    expect(existsSync(join(cluster.home, "logs", "consolelogs", "rocketmq-console.log"))).toBe(true);
  });
});
