/**
 * The broker's stats through bin/mqadmin against real processes: clusterList right after start
 * (Java's tool used to crash on our empty rate strings), statsAll after 300 sends (NO_CONSUMER for a
 * topic nobody consumes, a consuming group's counts) and brokerConsumeStats.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQProducer, DefaultMQPushConsumer, MQAdminClient, Message } from "@rocketmq-ts/client";
import { runTool, startLocalCluster, until, type LocalCluster } from "./support/cluster.js";

let cluster: LocalCluster;

const mqadmin = (...args: string[]): ReturnType<typeof runTool> => runTool("mqadmin", args, { NAMESRV_ADDR: "" });

const NOT_CONSUMED = "StatsE2ETopic";
const CONSUMED = "StatsE2EConsumed";
const GROUP = "stats_e2e_group";

/** Java's ClusterListSubCommand on a rate value: split on " " (trailing empties dropped), Double.parseDouble of the first. */
function javaFirstRate(value: string | undefined): number {
  const v = value ?? "null";
  const tokens = v.includes(" ") ? v.split(" ") : [v];
  while (tokens.length > 0 && tokens[tokens.length - 1] === "") tokens.pop();
  if (tokens.length === 0) return 0;
  const first = (tokens[0] ?? "").trim();
  if (first === "" || Number.isNaN(Number(first))) throw new Error(`NumberFormatException: ${JSON.stringify(v)}`);
  return Number(first);
}

/** The statsAll row of a topic (and group): its whitespace-separated columns after the names. */
function statsRow(stdout: string, topic: string, group?: string): string[] | undefined {
  for (const line of stdout.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols[0] === topic && (group === undefined || cols[1] === group)) return cols;
  }
  return undefined;
}

beforeAll(async () => {
  cluster = await startLocalCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("broker stats through bin/mqadmin", () => {
  it("clusterList right after start prints a normal table; every rate key parses as Java's tool parses it", async () => {
    const admin = new MQAdminClient({ namesrvAddr: cluster.namesrvAddr });
    try {
      const kv = await admin.fetchBrokerRuntimeStats(cluster.brokerAddr);
      for (const key of ["putTps", "getFoundTps", "getMissTps", "getTotalTps", "getTransferedTps"])
        expect(() => javaFirstRate(kv.get(key)), `${key}=${JSON.stringify(kv.get(key))}`).not.toThrow();
      expect(kv.has("brokerActive")).toBe(false);
      expect(kv.has("getTransferredTps")).toBe(false);
    } finally {
      await admin.shutdown();
    }
    const r = await mqadmin("clusterList", "-n", cluster.namesrvAddr);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const row = r.stdout.split("\n").find((l) => l.startsWith("DefaultCluster"));
    // #InTPS(LOAD) and #OutTPS(LOAD): numbers
    expect(row).toMatch(/ \d+\.\d\d\(\d+,\d+ms\) +\d+\.\d\d\(\d+,\d+ms\) /);
  });

  it("statsAll counts 300 sends (NO_CONSUMER) and a group's pulls; brokerConsumeStats lists the group", async () => {
    const producer = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "stats_e2e_producer" });
    await producer.start();
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: GROUP,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    let consumed = 0;
    try {
      for (let i = 0; i < 300; i++) await producer.send(new Message(NOT_CONSUMED, Buffer.from(`m${i}`)));
      for (let i = 0; i < 20; i++) await producer.send(new Message(CONSUMED, Buffer.from(`c${i}`)));
      consumer.subscribe(CONSUMED, "*");
      consumer.registerMessageListener((msgs) => {
        consumed += msgs.length;
        return "CONSUME_SUCCESS";
      });
      await consumer.start();
      await until(() => consumed >= 20, 20_000, "consumption");
      await consumer.persistConsumerOffset(false);

      // the broker's stats sample every 10 s: ask until the sample that holds the puts and pulls is in
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { stdout } = await mqadmin("statsAll", "-n", cluster.namesrvAddr);
        if (statsRow(stdout, NOT_CONSUMED)?.[3] === "300" && statsRow(stdout, CONSUMED, GROUP)?.[6] === "20") break;
        if (Date.now() > deadline) throw new Error(`statsAll never showed the figures:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 1000));
      }

      const all = await mqadmin("statsAll", "-n", cluster.namesrvAddr);
      expect(all).toMatchObject({ code: 0, stderr: "" });
      // topic, accumulation 0, in tps, 24 h in 300, NO_CONSUMER
      const alone = statsRow(all.stdout, NOT_CONSUMED);
      expect(alone?.slice(1)).toEqual(["0", alone?.[2], "300", "NO_CONSUMER"]);
      expect(Number(alone?.[2])).toBeGreaterThan(0);
      const group = statsRow(all.stdout, CONSUMED, GROUP);
      expect(group?.[2]).toBe("0"); // nothing left to consume
      expect(group?.slice(5)).toEqual(["20", "20"]);

      const active = await mqadmin("statsAll", "-n", cluster.namesrvAddr, "-a", "-t", NOT_CONSUMED);
      expect(active.stdout.split("\n").filter(Boolean)).toHaveLength(2);

      const bcs = await mqadmin("brokerConsumeStats", "-n", cluster.namesrvAddr, "-b", cluster.brokerAddr);
      expect(bcs).toMatchObject({ code: 0, stderr: "" });
      const rows = bcs.stdout.split("\n").filter((l) => l.startsWith(`${CONSUMED} `));
      expect(rows.length).toBeGreaterThan(0);
      let consumerOffsets = 0;
      for (const row of rows) {
        const cols = row.trim().split(/\s+/);
        expect(cols[1]).toBe(GROUP);
        expect(cols[2]).toBe("broker-a");
        expect(cols[4]).toBe(cols[5]); // broker offset = consumer offset
        expect(cols[6]).toBe("0");
        expect(`${cols[7]} ${cols[8]}`).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
        consumerOffsets += Number(cols[5]);
      }
      expect(consumerOffsets).toBe(20);
      expect(bcs.stdout).toMatch(/\n\nDiff Total: \d+\n$/);
    } finally {
      await consumer.shutdown();
      await producer.shutdown();
    }
  }, 60_000);
});
