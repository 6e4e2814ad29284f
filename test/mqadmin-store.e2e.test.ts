/**
 * bin/mqadmin's store and metadata commands against a real name server and broker: queryCq,
 * exportMetadata, exportMetrics, producer, cleanExpiredCQ, cleanUnusedTopic, deleteExpiredCommitLog (the codes
 * 305, 306, 316, 321, 328, 329 and the calls around them, end to end).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequest, javaStringHashCode, parseFastjson, RemotingClient } from "@rocketmq-ts/remoting";
import { runTool, startLocalCluster, type LocalCluster } from "./support/cluster.js";
import { sendMessageV2Fields } from "./support/sendHeader.js";

let cluster: LocalCluster;
let exportDir: string;
const client = new RemotingClient();
const RULE = "======================================\n";

const mqadmin = (...args: string[]): ReturnType<typeof runTool> =>
  runTool("mqadmin", [...args, "-n", cluster.namesrvAddr], { NAMESRV_ADDR: "" });

beforeAll(async () => {
  cluster = await startLocalCluster();
  exportDir = mkdtempSync(join(tmpdir(), "mqadmin-export-e2e-"));
  const call = (code: number, extFields: Record<string, string> | null, body: Buffer | null = null) =>
    client.invokeSync(cluster.brokerAddr, createRequest(code, { extFields, body }), 5000);
  const created = await call(17, {
    topic: "CqTopic",
    defaultTopic: "TBW102",
    readQueueNums: "1",
    writeQueueNums: "1",
    perm: "6",
    topicFilterType: "SINGLE_TAG",
  });
  expect(created.code).toBe(0);
  for (const tag of ["TagA", "TagB", "TagA"]) {
    const header = sendMessageV2Fields({ a: "E2E_PG", b: "CqTopic", i: `TAGS\u0001${tag}` });
    expect((await call(310, header, Buffer.from(`body-${tag}`))).code).toBe(0);
  }
  // a producer the broker knows from its heartbeat (the connection stays open until afterAll)
  const heartbeat = { clientID: "127.0.0.1@e2e", producerDataSet: [{ groupName: "E2E_PG" }], consumerDataSet: [] };
  expect((await call(34, null, Buffer.from(JSON.stringify(heartbeat)))).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await client.shutdown();
  await cluster?.stop();
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
});

describe("mqadmin store and metadata commands against our broker", () => {
  it("queryCq prints the queue's range and each entry", async () => {
    const r = await mqadmin("queryCq", "-t", "CqTopic", "-q", "0", "-i", "0", "-b", cluster.brokerAddr);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const [head, ...entries] = r.stdout.split(RULE);
    expect(head).toBe("Queue data: \nmax: 3, min: 0\n");
    expect(entries.pop()).toBe("");
    const tags = ["TagA", "TagB", "TagA"].map((t) => javaStringHashCode(t));
    expect(entries).toHaveLength(3);
    let previousEnd = -1;
    entries.forEach((entry, i) => {
      const m =
        /^idx: (\d+)\nConsumeQueueData\{physicOffset=(\d+), physicSize=(\d+), tagsCode=(-?\d+), extendDataJson='null', bitMap='null', eval=false, msg='null'\}\n$/.exec(
          entry,
        );
      expect(m, entry).not.toBeNull();
      expect(Number(m?.[1])).toBe(i);
      expect(Number(m?.[4])).toBe(tags[i]);
      // the records follow each other in the commit log
      if (previousEnd >= 0) expect(Number(m?.[2])).toBe(previousEnd);
      previousEnd = Number(m?.[2]) + Number(m?.[3]);
    });
    // without -b the topic's route names the broker; a group that is not online is said so
    const viaRoute = await mqadmin("queryCq", "-t", "CqTopic", "-q", "0", "-i", "1", "-c", "1", "-g", "NoGroup");
    expect(viaRoute.stdout).toMatch(
      /^Filter data: \nNoGroup@CqTopic is not online!\n=+\nQueue data: \nmax: 3, min: 0\n=+\nidx: 1\nConsumeQueueData\{physicOffset=\d+, physicSize=\d+, tagsCode=-?\d+,/,
    );
  });

  it("producer lists the producer the broker knows from its heartbeat", async () => {
    const r = await mqadmin("producer", "-b", cluster.brokerAddr);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(
      /^producer group \(E2E_PG\) instance : clientId=127\.0\.0\.1@e2e,remoteIP=\/127\.0\.0\.1:\d+, language=JAVA, version=\d+, lastUpdateTimestamp=\d+\n$/,
    );
  });

  it("exportMetrics -c writes the master's rates, day counts and versions to metrics.json", async () => {
    const r = await mqadmin("exportMetrics", "-c", "DefaultCluster", "-f", exportDir);
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: `export ${exportDir}/metrics.json success` });
    const text = readFileSync(join(exportDir, "metrics.json"), "utf8");
    const metrics = parseFastjson(text) as {
      evaluateReport: Record<string, { runtimeQuota: { topicSize: number; tps: Record<string, number> } }>;
      totalData: { totalTps: Record<string, number>; totalOneDayNum: Record<string, number> };
    };
    const quota = metrics.evaluateReport["broker-a"]?.runtimeQuota;
    expect(quota?.topicSize).toBeGreaterThan(0);
    expect(Object.keys(quota?.tps ?? {}).sort()).toEqual([
      "normalInTps",
      "normalOutTps",
      "scheduleInTps",
      "transInTps",
    ]);
    expect(Object.keys(metrics.totalData.totalOneDayNum).sort()).toEqual([
      "normalOneDayInNum",
      "normalOneDayOutNum",
      "scheduleOneDayInNum",
      "transOneDayInNum",
    ]);
  });

  it("exportMetadata -c writes the cluster's user topics and groups to metadata.json", async () => {
    const r = await mqadmin("exportMetadata", "-c", "DefaultCluster", "-f", exportDir);
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: `export ${exportDir}/metadata.json success\n` });
    const exported = parseFastjson(readFileSync(join(exportDir, "metadata.json"), "utf8")) as {
      topicConfigTable: Record<string, Record<string, unknown>>;
      subscriptionGroupTable: Record<string, unknown>;
      exportTime: number;
    };
    expect(exported.topicConfigTable["CqTopic"]).toMatchObject({ topicName: "CqTopic", readQueueNums: 1 });
    // the broker's system topics (asked with GET_SYSTEM_TOPIC_LIST_FROM_BROKER) and groups stay out
    for (const system of ["TBW102", "SCHEDULE_TOPIC_XXXX", "DefaultCluster", "broker-a", "SELF_TEST_TOPIC"])
      expect(exported.topicConfigTable, system).not.toHaveProperty(system);
    for (const group of ["TOOLS_CONSUMER", "CID_RMQ_SYS_TRANS", "SELF_TEST_C_GROUP"])
      expect(exported.subscriptionGroupTable, group).not.toHaveProperty(group);
    expect(exported.exportTime).toBeGreaterThan(0);
  });

  it("cleanExpiredCQ, cleanUnusedTopic and deleteExpiredCommitLog succeed and keep live data", async () => {
    for (const command of ["cleanExpiredCQ", "cleanUnusedTopic", "deleteExpiredCommitLog"]) {
      const byBroker = await mqadmin(command, "-b", cluster.brokerAddr);
      expect(byBroker, command).toMatchObject({ code: 0, stdout: "success", stderr: "" });
      const byCluster = await mqadmin(command, "-c", "DefaultCluster");
      expect(byCluster, command).toMatchObject({ code: 0, stdout: "success" });
    }
    const after = await mqadmin("queryCq", "-t", "CqTopic", "-q", "0", "-i", "0", "-c", "1", "-b", cluster.brokerAddr);
    expect(after.stdout).toContain("max: 3, min: 0");
  });
});
