/** topicList, topicRoute, topicStatus, updateTopic, deleteTopic against Java's captured runs. */
import { describe, expect, it } from "vitest";
import { newTopicConfig } from "@rocketmq-ts/common";
import { loadCapture } from "./support/capture.js";
import { CAPTURED_BROKER, capturedAdmin } from "./support/capturedAdmin.js";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";
import { inCapturedTimezone } from "./support/timezone.js";

inCapturedTimezone();

describe("topic commands print what Java's mqadmin printed", () => {
  it("topicList", async () => {
    const capture = loadCapture("topicList");
    const r = await runWith(["topicList", "-n", "127.0.0.1:39876"], capturedAdmin(capture));
    expect(r).toMatchObject({ code: 0, stderr: "", namesrvAddr: "127.0.0.1:39876" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("topicRoute", async () => {
    const capture = loadCapture("topicRoute");
    const r = await runWith(["topicRoute", "-n", "127.0.0.1:39876", "-t", "TopicTest"], capturedAdmin(capture));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(capture.stdout);
  });

  it("topicStatus", async () => {
    const capture = loadCapture("topicStatus");
    const r = await runWith(["topicStatus", "-n", "127.0.0.1:39876", "-t", "TopicTest"], capturedAdmin(capture));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(capture.stdout);
  });

  it("updateTopic -c (every master of the cluster) sends Java's topic config", async () => {
    const capture = loadCapture("updateTopic");
    const r = await runWith(
      ["updateTopic", "-c", "DefaultCluster", "-t", "RefTopicC", "-r", "4", "-w", "4"],
      capturedAdmin(capture),
      {},
      { NAMESRV_ADDR: "127.0.0.1:39876" },
    );
    expect(r).toMatchObject({ code: 0, stderr: "", namesrvAddr: "127.0.0.1:39876" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("updateTopic -b", async () => {
    const capture = loadCapture("updateTopic-b");
    const r = await runWith(
      ["updateTopic", "-b", CAPTURED_BROKER, "-t", "RefTopicB", "-r", "2", "-w", "2", "-p", "6"],
      capturedAdmin(capture),
      {},
      { NAMESRV_ADDR: "127.0.0.1:39876" },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(capture.stdout);
  });

  it("deleteTopic: from the cluster's masters, then from every name server", async () => {
    const capture = loadCapture("deleteTopic");
    const r = await runWith(
      ["deleteTopic", "-c", "DefaultCluster", "-t", "RefTopicB"],
      capturedAdmin(capture),
      {},
      { NAMESRV_ADDR: "127.0.0.1:39876" },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(capture.stdout);
  });
});

describe("topic commands beyond the captures", () => {
  it("topicRoute -l prints the route as a table", async () => {
    const capture = loadCapture("topicRoute");
    const r = await runWith(["topicRoute", "-n", "x:1", "-t", "TopicTest", "-l"], capturedAdmin(capture));
    expect(r.stdout.split("\n")).toEqual([
      `${"#ClusterName".padEnd(45)} ${"#BrokerName".padEnd(32)} ${"#BrokerAddrs".padEnd(50)} #ReadQueue #WriteQueue #Perm`,
      `${"DefaultCluster".padEnd(45)} ${"broker-a".padEnd(32)} ${"{0=127.0.0.1:30911}".padEnd(50)} 4          4           6    `,
      "",
    ]);
  });

  it("topicList -c: cluster and consuming groups of every topic but retry and DLQ topics", async () => {
    const capture = loadCapture("queryMsgById"); // holds TopicTest's route and QUERY_TOPIC_CONSUME_BY_WHO
    const admin = capturedAdmin(capture, {
      fetchAllTopicList: async () => ["%RETRY%g", "%DLQ%g", "TopicTest", "NoRoute"],
    });
    const r = await runWith(["topicList", "-n", "x:1", "-c"], admin);
    const row = (c: string, t: string, g: string): string => `${c.padEnd(20)}  ${t.padEnd(64)}  ${g.padEnd(64)}`;
    expect(r.stdout.split("\n")).toEqual([
      `${"#Cluster Name".padEnd(20)}  ${"#Topic".padEnd(48)}  ${"#Consumer Group".padEnd(48)}`,
      // the groups in the order of the broker's answer; NoRoute has no route in the capture and is skipped
      ...[
        "lite_pull_consumer_test",
        "please_rename_unique_group_name",
        "please_rename_unique_group_name_3",
        "please_rename_unique_group_name_4",
      ].map((g) => row("DefaultCluster", "TopicTest", g)),
      "",
    ]);
  });

  it("updateTopic parses perm, order, unit and hasUnitSub into the topic config", async () => {
    const sent: unknown[] = [];
    const admin = fakeAdmin({
      createAndUpdateTopicConfig: async (addr, config) => void sent.push([addr, config]),
    });
    const r = await runWith(
      ["updateTopic", "-n", "x:1", "-b", "b:1", "-t", "T", "-p", "4", "-o", "true", "-u", "true", "-s", "true"],
      admin,
    );
    expect(r.code).toBe(0);
    expect(sent).toEqual([
      ["b:1", newTopicConfig("T", { readQueueNums: 8, writeQueueNums: 8, perm: 4, order: true, topicSysFlag: 3 })],
    ]);
    expect(r.stdout).toBe(
      "create topic to b:1 success.\nTopicConfig [topicName=T, readQueueNums=8, writeQueueNums=8, perm=R--, topicFilterType=SINGLE_TAG, topicSysFlag=3, order=true]",
    );
  });

  it("updateTopic -a sends 5.x's attribute change and prints the config as 5.x does", async () => {
    const sent: unknown[] = [];
    const admin = fakeAdmin({
      createAndUpdateTopicConfig: async (addr, _config, attributes) => void sent.push([addr, attributes]),
    });
    const r = await runWith(["updateTopic", "-n", "x:1", "-b", "b:1", "-t", "T", "-a", "+message.type=FIFO"], admin);
    expect(r.code).toBe(0);
    expect(sent).toEqual([["b:1", new Map([["+message.type", "FIFO"]])]]);
    expect(r.stdout).toBe(
      "create topic to b:1 success.\nTopicConfig [topicName=T, readQueueNums=8, writeQueueNums=8, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false, attributes={+message.type=FIFO}]",
    );
    const bad = await runWith(["updateTopic", "-n", "x:1", "-b", "b:1", "-t", "T", "-a", "message.type=FIFO"], admin);
    expect(bad).toMatchObject({
      code: 1,
      stderr: "updateTopic command failed: add/alter attribute format is wrong: message.type\n",
    });
  });

  it("updateTopic without -b and with an unknown cluster fails", async () => {
    const capture = loadCapture("updateTopic");
    const r = await runWith(["updateTopic", "-n", "x:1", "-c", "NoSuchCluster", "-t", "T"], capturedAdmin(capture));
    expect(r).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "updateTopic command failed: no broker found: give -b or -c\n",
    });
  });

  it("topicStatus of a topic without queues", async () => {
    const r = await runWith(["topicStatus", "-n", "x:1", "-t", "T"], fakeAdmin({ examineTopicStats: async () => [] }));
    expect(r.stdout).toBe("Not found the topic stats info\n");
  });
});
