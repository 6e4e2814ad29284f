/**
 * producer, cleanExpiredCQ, deleteExpiredCommitLog, cleanUnusedTopic, queryCq and exportMetadata:
 * the lines and files Java 4.9.8's commands print and write, from answers given by a fake admin.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BrokerStatsData, SubscriptionGroupWrapper } from "@rocketmq-ts/client";
import { MQClientException } from "@rocketmq-ts/client";
import { newTopicConfig, type ProducerInfo, type TopicConfigSerializeWrapper } from "@rocketmq-ts/common";
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";

const N = ["-n", "127.0.0.1:9876"];
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop() as string, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "mqadmin-export-"));
  dirs.push(dir);
  return dir;
};

describe("cleanExpiredCQ, deleteExpiredCommitLog, cleanUnusedTopic", () => {
  const cases = [
    ["cleanExpiredCQ", "cleanExpiredConsumerQueue"],
    ["deleteExpiredCommitLog", "deleteExpiredCommitLog"],
    ["cleanUnusedTopic", "cleanUnusedTopic"],
  ] as const;

  for (const [command, method] of cases) {
    it(`${command} asks one broker (-b), a cluster (-c) or every cluster, and prints success or false`, async () => {
      const asked: unknown[] = [];
      const admin = fakeAdmin({
        [method]: async (target: unknown) => {
          asked.push(target);
          return !("cluster" in (target as object) && (target as { cluster: string }).cluster === "Empty");
        },
      });
      expect(await runWith([command, ...N, "-b", " 10.0.0.1:10911 "], admin)).toMatchObject({
        code: 0,
        stdout: "success",
        stderr: "",
      });
      expect((await runWith([command, ...N, "-c", "C"], admin)).stdout).toBe("success");
      expect((await runWith([command, ...N], admin)).stdout).toBe("success");
      expect((await runWith([command, ...N, "-c", "Empty"], admin)).stdout).toBe("false");
      expect(asked).toEqual([{ brokerAddr: "10.0.0.1:10911" }, { cluster: "C" }, {}, { cluster: "Empty" }]);
    });
  }

  it("a broker's refusal fails the command with its code and remark", async () => {
    const admin = fakeAdmin({
      cleanUnusedTopic: async () => {
        throw new MQClientException(14, "request type 316 not supported");
      },
    });
    const r = await runWith(["cleanUnusedTopic", ...N, "-b", "10.0.0.1:10911"], admin);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("cleanUnusedTopic command failed");
  });
});

describe("producer", () => {
  it("prints each producer of each group, groups in HashMap order", async () => {
    const producer = (clientId: string, port: number): ProducerInfo => ({
      clientId,
      remoteIP: `/127.0.0.1:${port}`,
      language: "JAVA",
      version: 413,
      lastUpdateTimestamp: 1_700_000_000_123,
    });
    const table = new Map<string, ProducerInfo[]>([
      ["PG_Z", [producer("c1", 5001), producer("c2", 5002)]],
      ["PG_A", [producer("c3", 5003)]],
      ["PG_EMPTY", []],
    ]);
    let asked = "";
    const admin = fakeAdmin({
      getAllProducerInfo: async (addr) => {
        asked = addr;
        return table;
      },
    });
    const r = await runWith(["producer", ...N, "-b", "10.0.0.1:10911"], admin);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(asked).toBe("10.0.0.1:10911");
    const line = (group: string, clientId: string, port: number): string =>
      `producer group (${group}) instance : clientId=${clientId},remoteIP=/127.0.0.1:${port}, language=JAVA, version=413, lastUpdateTimestamp=1700000000123\n`;
    const byGroup: Record<string, string> = {
      PG_Z: line("PG_Z", "c1", 5001) + line("PG_Z", "c2", 5002),
      PG_A: line("PG_A", "c3", 5003),
      PG_EMPTY: "producer group (PG_EMPTY) instances are empty\n",
    };
    expect(r.stdout).toBe(
      javaHashMapOrder([...table.keys()])
        .map((g) => byGroup[g])
        .join(""),
    );
  });

  it("requires -b", async () => {
    const r = await runWith(["producer", ...N], fakeAdmin({}));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--broker");
  });
});

describe("queryCq", () => {
  const RULE = "======================================\n";

  it("prints the subscription, the filter data, the queue's range and each entry as Java's toString", async () => {
    const calls: unknown[][] = [];
    const admin = fakeAdmin({
      queryConsumeQueue: async (...args) => {
        calls.push(args);
        return {
          subscriptionData: {
            classFilterMode: false,
            codeSet: [2598919],
            expressionType: "TAG",
            subString: "TagA",
            subVersion: 1_700_000_000_000,
            tagsSet: ["TagA"],
            topic: "T",
          },
          filterData: "null",
          maxQueueIndex: 12,
          minQueueIndex: 0,
          queueData: [
            { physicOffset: 0, physicSize: 180, tagsCode: 2598919, eval: false },
            { physicOffset: 180, physicSize: 181, tagsCode: -5, eval: false, msg: "Cq extend not exist!addr: -5" },
          ],
        };
      },
    });
    const r = await runWith(
      ["queryCq", ...N, "-t", "T", "-q", "1", "-i", "5", "-c", "2", "-b", "10.0.0.1:10911", "-g", "G"],
      admin,
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(calls).toEqual([["10.0.0.1:10911", "T", 1, 5, 2, "G"]]);
    expect(r.stdout).toBe(
      "Subscription data: \n" +
        '{\n\t"classFilterMode":false,\n\t"codeSet":[2598919],\n\t"expressionType":"TAG",\n\t"subString":"TagA",\n' +
        '\t"subVersion":1700000000000,\n\t"tagsSet":["TagA"],\n\t"topic":"T"\n}\n' +
        RULE +
        "Filter data: \nnull\n" +
        RULE +
        "Queue data: \nmax: 12, min: 0\n" +
        RULE +
        "idx: 5\nConsumeQueueData{physicOffset=0, physicSize=180, tagsCode=2598919, extendDataJson='null', bitMap='null', eval=false, msg='null'}\n" +
        RULE +
        "idx: 6\nConsumeQueueData{physicOffset=180, physicSize=181, tagsCode=-5, extendDataJson='null', bitMap='null', eval=false, msg='Cq extend not exist!addr: -5'}\n" +
        RULE,
    );
  });

  it("asks the master of the topic's first broker set without -b, 10 entries by default", async () => {
    const calls: unknown[][] = [];
    const admin = fakeAdmin({
      examineTopicRouteInfo: async () => ({
        queueDatas: [],
        filterServerTable: new Map(),
        brokerDatas: [
          {
            cluster: "C",
            brokerName: "b",
            brokerAddrs: new Map([
              [1, "10.0.0.2:10911"],
              [0, "10.0.0.1:10911"],
            ]),
          },
        ],
      }),
      queryConsumeQueue: async (...args) => {
        calls.push(args);
        return { maxQueueIndex: 0, minQueueIndex: 0, queueData: [] };
      },
    });
    const r = await runWith(["queryCq", ...N, "-t", "T", "-q", "0", "-i", "0"], admin);
    expect(calls).toEqual([["10.0.0.1:10911", "T", 0, 0, 10, undefined]]);
    expect(r.stdout).toBe(`Queue data: \nmax: 0, min: 0\n${RULE}`);
  });

  it("prints a failure on stderr and exits 0, as Java's printStackTrace", async () => {
    const admin = fakeAdmin({
      queryConsumeQueue: async () => {
        throw new MQClientException(1, "0@T is not exist!");
      },
    });
    const r = await runWith(["queryCq", ...N, "-t", "T", "-q", "0", "-i", "0", "-b", "10.0.0.1:10911"], admin);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("0@T is not exist!");
    const bad = await runWith(["queryCq", ...N, "-t", "T", "-q", "x", "-i", "0", "-b", "a:1"], admin);
    expect(bad.stderr).toContain('NumberFormatException: For input string: "x"');
  });
});

describe("exportMetadata", () => {
  const wrapper = (topics: [string, number][]): TopicConfigSerializeWrapper => ({
    dataVersion: { timestamp: 1_700_000_000_000, counter: 3 },
    topicConfigTable: new Map(
      topics.map(([name, queues]) => [name, newTopicConfig(name, { readQueueNums: queues, writeQueueNums: queues })]),
    ),
  });
  const groups = (names: [string, number][]): SubscriptionGroupWrapper => ({
    dataVersion: { timestamp: 1_700_000_000_001, counter: 2 },
    subscriptionGroupTable: new Map(
      names.map(([groupName, retryQueueNums]) => [groupName, { consumeEnable: true, groupName, retryQueueNums }]),
    ),
  });
  const cluster = {
    clusterAddrTable: new Map([["C", ["b-1", "b-2"]]]),
    brokerAddrTable: new Map([
      ["b-1", { cluster: "C", brokerName: "b-1", brokerAddrs: new Map([[0, "m1:1"]]) }],
      ["b-2", { cluster: "C", brokerName: "b-2", brokerAddrs: new Map([[0, "m2:1"]]) }],
    ]),
  };

  it("-c writes metadata.json: both tables merged over the masters (queue counts summed) and the export time", async () => {
    const dir = tempDir();
    const special: boolean[] = [];
    const admin = fakeAdmin({
      examineBrokerClusterInfo: async () => cluster,
      getUserTopicConfig: async (addr, specialTopic) => {
        special.push(specialTopic);
        return addr === "m1:1" ? wrapper([["Shared", 4]]) : wrapper([["Shared", 8]]);
      },
      getUserSubscriptionGroup: async (addr) => (addr === "m1:1" ? groups([["G", 1]]) : groups([["G", 2]])),
    });
    const before = Date.now();
    const r = await runWith(["exportMetadata", ...N, "-c", "C", "-f", dir, "-s"], admin);
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: `export ${dir}/metadata.json success\n` });
    expect(special).toEqual([true, true]);
    const text = readFileSync(join(dir, "metadata.json"), "utf8");
    const exportTime = Number(/"exportTime":(\d+)/.exec(text)?.[1]);
    expect(exportTime).toBeGreaterThanOrEqual(before);
    const parts: Record<string, string> = {
      topicConfigTable:
        '\t"topicConfigTable":{\n\t\t"Shared":{\n\t\t\t"order":false,\n\t\t\t"perm":6,\n\t\t\t"readQueueNums":12,\n' +
        '\t\t\t"topicFilterType":"SINGLE_TAG",\n\t\t\t"topicName":"Shared",\n\t\t\t"topicSysFlag":0,\n\t\t\t"writeQueueNums":12\n\t\t}\n\t}',
      subscriptionGroupTable:
        '\t"subscriptionGroupTable":{\n\t\t"G":{\n\t\t\t"consumeEnable":true,\n\t\t\t"groupName":"G",\n\t\t\t"retryQueueNums":3\n\t\t}\n\t}',
      exportTime: `\t"exportTime":${exportTime}`,
    };
    const order = javaHashMapOrder(["topicConfigTable", "subscriptionGroupTable", "exportTime"]);
    expect(text).toBe(`{\n${order.map((k) => parts[k]).join(",\n")}\n}`);
  });

  it("-c -t writes topic.json with the topic table only; a relative path is under the working directory", async () => {
    const dir = tempDir();
    const admin = fakeAdmin({
      examineBrokerClusterInfo: async () => cluster,
      getUserTopicConfig: async () => wrapper([["A", 1]]),
      getUserSubscriptionGroup: async () => groups([]),
    });
    const r = await runWith(["exportMetadata", ...N, "-c", "C", "-t", "-f", "out"], admin, { workDir: () => dir });
    expect(r.stdout).toBe("export out/topic.json success\n");
    const text = readFileSync(join(dir, "out", "topic.json"), "utf8");
    expect(text).toContain('"topicConfigTable":{');
    expect(text).not.toContain("subscriptionGroupTable");
  });

  it("-b -t writes the broker's user topics with the data version; -b -g its groups; -b alone nothing", async () => {
    const dir = tempDir();
    const admin = fakeAdmin({
      getUserTopicConfig: async () => wrapper([["A", 2]]),
      getUserSubscriptionGroup: async () => groups([["G", 1]]),
    });
    const t = await runWith(["exportMetadata", ...N, "-b", "m1:1", "-t", "-f", dir], admin);
    expect(t.stdout).toBe(`export ${dir}/topic.json success`);
    expect(readFileSync(join(dir, "topic.json"), "utf8")).toBe(
      '{\n\t"dataVersion":{\n\t\t"counter":3,\n\t\t"timestamp":1700000000000\n\t},\n\t"topicConfigTable":{\n\t\t"A":{\n' +
        '\t\t\t"order":false,\n\t\t\t"perm":6,\n\t\t\t"readQueueNums":2,\n\t\t\t"topicFilterType":"SINGLE_TAG",\n' +
        '\t\t\t"topicName":"A",\n\t\t\t"topicSysFlag":0,\n\t\t\t"writeQueueNums":2\n\t\t}\n\t}\n}',
    );
    const g = await runWith(["exportMetadata", ...N, "-b", "m1:1", "-g", "-f", dir], admin);
    expect(g.stdout).toBe(`export ${dir}/subscriptionGroup.json success`);
    expect(readFileSync(join(dir, "subscriptionGroup.json"), "utf8")).toContain(
      '"subscriptionGroupTable":{\n\t\t"G":{\n\t\t\t"consumeEnable":true,',
    );
    const other = tempDir();
    const none = await runWith(["exportMetadata", ...N, "-b", "m1:1", "-f", other], admin);
    expect(none).toMatchObject({ code: 0, stdout: "" });
    expect(existsSync(join(other, "metadata.json"))).toBe(false);
  });

  it("without -b or -c prints Java's HelpFormatter usage and writes nothing", async () => {
    const r = await runWith(["exportMetadata", ...N], fakeAdmin({}));
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.split("\n").slice(0, 3)).toEqual([
      "usage: mqadmin exportMetadata [-b <arg>] [-c <arg>] [-f <arg>] [-g] [-h] [-n <arg>] [-s] [-t]",
      " -b,--brokerAddr <arg>    choose a broker to export",
      " -c,--clusterName <arg>   choose a cluster to export",
    ]);
    expect(r.stdout).toContain(" -t,--topic               only export topic metadata\n");
  });
});

describe("exportMetrics", () => {
  const cluster = {
    clusterAddrTable: new Map([["C", ["b-1", "b-2", "b-3"]]]),
    brokerAddrTable: new Map([
      ["b-1", { cluster: "C", brokerName: "b-1", brokerAddrs: new Map([[0, "m1:1"]]) }],
      ["b-2", { cluster: "C", brokerName: "b-2", brokerAddrs: new Map([[0, "m2:1"]]) }],
      // a broker set whose master is gone is skipped
      ["b-3", { cluster: "C", brokerName: "b-3", brokerAddrs: new Map([[1, "s3:1"]]) }],
    ]),
  };
  const runtime = (putTps: string, today: number): Map<string, string> =>
    new Map([
      ["putTps", putTps],
      ["getTransferedTps", "2.5 1.0 0.5 "],
      ["msgPutTotalYesterdayMorning", "100"],
      ["msgPutTotalTodayMorning", String(100 + today)],
      ["msgGetTotalYesterdayMorning", "7"],
      ["msgGetTotalTodayMorning", "10"],
      ["commitLogDiskRatio", "0.25"],
      ["consumeQueueDiskRatio", "0.25"],
      ["putMessageAverageSize", "1024.0"],
    ]);
  const statsData = (tps: number, daySum: number): BrokerStatsData => ({
    statsMinute: { sum: 1, tps, avgpt: 0 },
    statsHour: { sum: 0, tps: 0, avgpt: 0 },
    statsDay: { sum: daySum, tps: 0, avgpt: 0 },
  });

  it("-c writes metrics.json: each master's environment, rates, day counts, versions, and the cluster's totals", async () => {
    const dir = tempDir();
    const asked: string[] = [];
    const admin = fakeAdmin({
      examineBrokerClusterInfo: async () => cluster,
      fetchBrokerRuntimeStats: async (addr) => (addr === "m1:1" ? runtime("10.0 8.0 6.0 ", 50) : runtime("  ", 0)),
      getBrokerConfig: async () => "brokerName=b\nclientCallbackExecutorThreads=2\n",
      getUserSubscriptionGroup: async (addr) => ({
        dataVersion: { timestamp: 1, counter: 1 },
        subscriptionGroupTable: new Map(
          addr === "m1:1"
            ? [
                ["G1", { groupName: "G1" }],
                ["G2", { groupName: "G2" }],
              ]
            : [],
        ),
      }),
      getUserTopicConfig: async () => ({
        dataVersion: { timestamp: 1, counter: 1 },
        topicConfigTable: new Map([["T", newTopicConfig("T")]]),
      }),
      viewBrokerStatsData: async (addr, name, key) => {
        asked.push(`${addr} ${name} ${key}`);
        if (addr === "m1:1" && key === "RMQ_SYS_TRANS_HALF_TOPIC") return statsData(0.5, 30);
        throw new MQClientException(1, `The stats ${name} ${key} not exist`);
      },
      examineConsumerConnectionInfo: async (group) => {
        if (group !== "G1") throw new MQClientException(206, "the consumer group not online");
        return {
          connections: [{ clientId: "c", clientAddr: "a", language: "JAVA", version: 409 }],
          body: {},
        };
      },
    });
    const r = await runWith(["exportMetrics", ...N, "-c", "C", "-f", dir], admin);
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: `export ${dir}/metrics.json success` });
    expect(asked).toContain("m2:1 TOPIC_PUT_NUMS SCHEDULE_TOPIC_XXXX");
    const text = readFileSync(join(dir, "metrics.json"), "utf8");
    // doubles as Java writes them; the broker without a sample yet reads as 0
    expect(text).toContain('"transInTps":0.0');
    expect(text).toContain('"normalInTps":10.0');
    const metrics = JSON.parse(text) as {
      evaluateReport: Record<
        string,
        { runtimeEnv: object; runtimeQuota: Record<string, unknown>; runtimeVersion: object }
      >;
      totalData: { totalTps: Record<string, number>; totalOneDayNum: Record<string, number> };
    };
    expect(Object.keys(metrics.evaluateReport)).toEqual(javaHashMapOrder(["b-1", "b-2"]));
    const b1 = metrics.evaluateReport["b-1"];
    // totalMemKBytes is not in a 4.9.8 runtime table: left out, as fastjson leaves out nulls
    expect(b1?.runtimeEnv).toEqual({ cpuNum: "2" });
    expect(b1?.runtimeQuota).toEqual({
      diskRatio: { commitLogDiskRatio: "0.25", consumeQueueDiskRatio: "0.25" },
      tps: { normalInTps: 10, normalOutTps: 2.5, transInTps: 0.5, scheduleInTps: 0 },
      oneDayNum: { normalOneDayInNum: 50, normalOneDayOutNum: 3, transOneDayInNum: 30, scheduleOneDayInNum: 0 },
      messageAverageSize: "1024.0",
      topicSize: 1,
      groupSize: 2,
    });
    expect(b1?.runtimeVersion).toEqual({ rocketmqVersion: "V4_9_8", clientInfo: ["JAVA%V4_9_8"] });
    expect(metrics.totalData).toEqual({
      totalTps: { totalNormalInTps: 10, totalNormalOutTps: 5, totalTransInTps: 0.5, totalScheduleInTps: 0 },
      totalOneDayNum: { normalOneDayInNum: 50, normalOneDayOutNum: 6, transOneDayInNum: 30, scheduleOneDayInNum: 0 },
    });
    // every map is a HashMap: keys in its order
    expect(Object.keys(b1?.runtimeQuota ?? {})).toEqual(
      javaHashMapOrder(["diskRatio", "tps", "oneDayNum", "messageAverageSize", "topicSize", "groupSize"]),
    );
  });
});
