/**
 * bin/mqadmin against real processes, compared with what the Java 4.9.8 mqadmin printed in the capture
 * (`../shared/conformance/wire/mqadmin-4.9.8/<command>/stdout.txt`). Digits are masked (kept at their
 * width) since addresses, offsets, times and TPS differ by nature; everything else must match.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequest, RemotingClient } from "@rocketmq-ts/remoting";
import { DefaultMQProducer, DefaultMQPushConsumer, Message } from "@rocketmq-ts/client";
import { ROOT, runTool, startLocalCluster, until, type LocalCluster } from "./support/cluster.js";
import { WIRE_DIR } from "./support/corpus.js";
import { sendMessageV2Fields } from "./support/sendHeader.js";
import { brokerKeysSince5x } from "./support/configKeys.js";

let cluster: LocalCluster;

const mqadmin = (...args: string[]): ReturnType<typeof runTool> => runTool("mqadmin", args, { NAMESRV_ADDR: "" });

const golden = (command: string): string =>
  readFileSync(join(WIRE_DIR, "mqadmin-4.9.8", command, "stdout.txt"), "utf8");
/** Every digit becomes 9, so fixed-width columns keep their layout. */
const maskDigits = (s: string): string => s.replace(/\d/g, "9");
/** Every number becomes N (for free text whose numbers vary in length). */
/** Message ids (32 hex digits) differ by nature. */
const maskIds = (s: string): string => s.replace(/\b[0-9A-F]{32}\b/g, "#".repeat(32));
const maskNumbers = (s: string): string => s.replace(/\d+/g, "N");

beforeAll(async () => {
  cluster = await startLocalCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("bin/mqadmin output matches the Java tool's", () => {
  it("clusterList", async () => {
    const r = await mqadmin("clusterList", "-n", cluster.namesrvAddr);
    expect(r.code).toBe(0);
    // port widths differ from the capture's only if ours is not 5 digits
    expect(maskDigits(r.stdout)).toBe(maskDigits(golden("clusterList")));
  });

  it("updateTopic (-c and -b), topicRoute, topicStatus", async () => {
    const c = await mqadmin(
      "updateTopic",
      "-n",
      cluster.namesrvAddr,
      "-c",
      "DefaultCluster",
      "-t",
      "RefTopicC",
      "-r",
      "4",
      "-w",
      "4",
    );
    expect(maskDigits(c.stdout)).toBe(maskDigits(golden("updateTopic")));
    const b = await mqadmin(
      "updateTopic",
      "-n",
      cluster.namesrvAddr,
      "-b",
      cluster.brokerAddr,
      "-t",
      "RefTopicB",
      "-r",
      "2",
      "-w",
      "2",
      "-p",
      "6",
    );
    expect(maskDigits(b.stdout)).toBe(maskDigits(golden("updateTopic-b")));

    // TopicTest with 4 queues and a three-digit number of messages in each, like the capture's
    await mqadmin(
      "updateTopic",
      "-n",
      cluster.namesrvAddr,
      "-b",
      cluster.brokerAddr,
      "-t",
      "TopicTest",
      "-r",
      "4",
      "-w",
      "4",
    );
    const client = new RemotingClient();
    for (let i = 0; i < 404; i++) {
      const ext = sendMessageV2Fields({ a: "pg", b: "TopicTest", e: String(i % 4) });
      expect(
        (
          await client.invokeSync(
            cluster.brokerAddr,
            createRequest(310, { extFields: ext, body: Buffer.from(`m${i}`) }),
            5000,
          )
        ).code,
      ).toBe(0);
    }
    await client.shutdown();
    const route = await mqadmin("topicRoute", "-n", cluster.namesrvAddr, "-t", "TopicTest");
    expect(maskDigits(route.stdout)).toBe(maskDigits(golden("topicRoute")));
    const status = await mqadmin("topicStatus", "-n", cluster.namesrvAddr, "-t", "TopicTest");
    expect(maskDigits(status.stdout)).toBe(maskDigits(golden("topicStatus")));
  }, 60_000);

  it("deleteTopic, updateBrokerConfig, wipe/addWritePerm, KV config, updateSubGroup", async () => {
    const ns = cluster.namesrvAddr;
    expect((await mqadmin("deleteTopic", "-n", ns, "-c", "DefaultCluster", "-t", "RefTopicB")).stdout).toBe(
      golden("deleteTopic"),
    );
    const ubc = await mqadmin(
      "updateBrokerConfig",
      "-n",
      ns,
      "-b",
      cluster.brokerAddr,
      "-k",
      "fileReservedTime",
      "-v",
      "48",
    );
    expect(maskDigits(ubc.stdout)).toBe(maskDigits(golden("updateBrokerConfig")));
    for (const cmd of ["wipeWritePerm", "addWritePerm"]) {
      const r = await mqadmin(cmd, "-n", ns, "-b", "broker-a");
      expect(maskNumbers(r.stdout)).toBe(maskNumbers(golden(cmd)));
    }
    expect((await mqadmin("updateKvConfig", "-n", ns, "-s", "REF_NS", "-k", "refKey", "-v", "refValue")).stdout).toBe(
      golden("updateKvConfig"),
    );
    expect((await mqadmin("deleteKvConfig", "-n", ns, "-s", "REF_NS", "-k", "refKey")).stdout).toBe(
      golden("deleteKvConfig"),
    );
    const sub = await mqadmin("updateSubGroup", "-n", ns, "-c", "DefaultCluster", "-g", "ref_sub_group");
    expect(maskDigits(sub.stdout)).toBe(maskDigits(golden("updateSubGroup")));
  }, 60_000);

  it("getBrokerConfig, getNamesrvConfig, brokerStatus: same keys, same line format", async () => {
    const keysOf = (text: string): string[] =>
      text
        .split("\n")
        .filter((l) => l.includes("=  "))
        .map((l) => l.slice(0, 50).trim())
        .sort();
    const gbc = await mqadmin("getBrokerConfig", "-n", cluster.namesrvAddr, "-b", cluster.brokerAddr);
    expect(gbc.stdout.split("\n")[0]).toBe(`============${cluster.brokerAddr}============`);
    // the captured broker named storePathCommitLog in its config; ours leaves it null, and a null key is
    // left out of the answer, as Java leaves it out
    const javaKeys = keysOf(golden("getBrokerConfig")).filter((k) => k !== "storePathCommitLog");
    const since5x = brokerKeysSince5x();
    expect(keysOf(gbc.stdout).filter((k) => !since5x.has(k))).toEqual(javaKeys);
    expect(gbc.stdout.endsWith("\n\n")).toBe(true);
    const gnc = await mqadmin("getNamesrvConfig", "-n", cluster.namesrvAddr);
    expect(keysOf(gnc.stdout)).toEqual(keysOf(golden("getNamesrvConfig")));
    const bs = await mqadmin("brokerStatus", "-n", cluster.namesrvAddr, "-b", cluster.brokerAddr);
    const statusKeys = (t: string): string[] =>
      t
        .split("\n")
        .filter(Boolean)
        .map((l) => l.slice(0, l.indexOf(": ")).trim())
        .filter((k) => !k.startsWith("commitLogDiskRatio_") && !k.startsWith("scheduleMessageOffset_"));
    const ours = new Set(statusKeys(bs.stdout));
    expect(statusKeys(golden("brokerStatus")).filter((k) => !ours.has(k))).toEqual([]);
    // %-32s: keys shorter than 32 are padded, longer ones are not
    for (const line of bs.stdout.split("\n").filter(Boolean)) expect(line.indexOf(": ")).toBeGreaterThanOrEqual(32);
  });

  it("a closed stdout ends the command quietly (`mqadmin brokerStatus … | head -3`)", async () => {
    const args = ["brokerStatus", "-n", cluster.namesrvAddr, "-b", cluster.brokerAddr];
    // as an operator types it: three lines, the tool's own exit status 0, no stack trace
    const shell = spawn(
      "bash",
      ["-c", `set -o pipefail; "${join(ROOT, "bin", "mqadmin")}" ${args.join(" ")} | head -3`],
      {
        env: { ...process.env, NAMESRV_ADDR: "" },
      },
    );
    let piped = "";
    let pipedErr = "";
    shell.stdout.on("data", (d: Buffer) => (piped += d.toString()));
    shell.stderr.on("data", (d: Buffer) => (pipedErr += d.toString()));
    const pipeStatus = await new Promise<number | null>((r) => shell.on("exit", (c) => r(c)));
    expect(piped.split("\n").filter(Boolean)).toHaveLength(3);
    expect(pipedErr).toBe("");
    expect(pipeStatus).toBe(0);
    // deterministic: the reader is gone before the tool writes its first line
    const child = spawn(join(ROOT, "bin", "mqadmin"), args, { env: { ...process.env, NAMESRV_ADDR: "" } });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("queryMsgByKey", async () => {
    const p = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "pg-query" });
    await p.start();
    try {
      for (const k of ["KEY4", "KEY5", "KEY6"])
        await p.send(new Message("TopicTestjjj", Buffer.from(k), { tags: "TagA", keys: k }));
    } finally {
      await p.shutdown();
    }
    const r = await mqadmin("queryMsgByKey", "-n", cluster.namesrvAddr, "-t", "TopicTestjjj", "-k", "KEY5");
    expect(r.code).toBe(0);
    expect(maskDigits(maskIds(r.stdout))).toBe(maskDigits(maskIds(golden("queryMsgByKey"))));
  });

  it("sendMessage (to any queue and to a chosen one)", async () => {
    const r = await mqadmin(
      "sendMessage",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "SendCmdTopic",
      "-p",
      "hello",
      "-k",
      "K1",
      "-c",
      "T1",
    );
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("#Broker Name                      #QID  #Send Result            #MsgId");
    expect(lines[1]).toMatch(/^broker-a {24} {2}\d {3} {2}SEND_OK {13} {4}[0-9A-F]{32}$/);
    const q = await mqadmin(
      "sendMessage",
      "-n",
      cluster.namesrvAddr,
      "-t",
      "SendCmdTopic",
      "-p",
      "x",
      "-b",
      "broker-a",
      "-i",
      "2",
    );
    expect(q.stdout.split("\n")[1]).toMatch(/^broker-a {24} {2}2 {3} {2}SEND_OK/);
    const bad = await mqadmin("sendMessage", "-n", cluster.namesrvAddr, "-t", "SendCmdTopic", "-p", "x", "-i", "2");
    expect(bad.stdout).toBe("Broker name must be set if the queue is chosen!");
    const found = await mqadmin("queryMsgByKey", "-n", cluster.namesrvAddr, "-t", "SendCmdTopic", "-k", "K1");
    expect(found.stdout).toContain(lines[1]!.slice(-32));
  });

  it("clusterRT prints a round per interval until stopped", async () => {
    const child = spawn(join(ROOT, "bin", "mqadmin"), ["clusterRT", "-n", cluster.namesrvAddr, "-a", "5", "-i", "1"]);
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await until(() => stdout.split("\n").length >= 4, 20_000, "two rounds");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const lines = stdout.split("\n");
    // Java: "%-24s  %-24s  %-4s  %-8s  %-8s%n"
    expect(lines[0]).toBe(
      `${"#Cluster Name".padEnd(24)}  ${"#Broker Name".padEnd(24)}  #RT   #successCount  #failCount`,
    );
    expect(lines[1]).toMatch(/^DefaultCluster {10} {2}broker-a {16} {2}\d+\.\d{2} + {2}5 {15} {2}0 {15}$/);
  }, 30_000);

  it("resetOffsetByTime rolls a running consumer back; output as Java's", async () => {
    const topic = "TopicTest";
    const group = "please_rename_unique_group_name_4";
    const p = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "pg-reset" });
    await p.start();
    const bodies: string[] = [];
    const c = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: group,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    try {
      // the broker picks, per queue, the message stored nearest to the timestamp (Java's search):
      // "before" lies far before it, the m's just after it
      await p.send(new Message(topic, Buffer.from("reset-before")));
      await new Promise((r) => setTimeout(r, 500));
      const since = Date.now();
      await new Promise((r) => setTimeout(r, 2));
      for (let i = 0; i < 8; i++) await p.send(new Message(topic, Buffer.from(`reset-m${i}`)));
      c.subscribe(topic, "*");
      c.registerMessageListener((msgs) => {
        // TopicTest is shared with other tests: count only this test's messages
        for (const m of msgs) if (m.body.toString().startsWith("reset-")) bodies.push(m.body.toString());
        return "CONSUME_SUCCESS";
      });
      await c.start();
      await until(() => bodies.length >= 9, 20_000, `first consumption`).catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(bodies)} ${JSON.stringify(c.assignedQueues())}`);
      });
      await new Promise((r) => setTimeout(r, 300));
      await c.persistConsumerOffset(false);
      const r = await mqadmin(
        "resetOffsetByTime",
        "-n",
        cluster.namesrvAddr,
        "-g",
        group,
        "-t",
        topic,
        "-s",
        String(since),
      );
      expect(r.stderr).toBe("");
      // offsets differ in width: compare numbers masked and spaces collapsed, and the fixed line lengths
      const shape = (t: string): string[] => t.split("\n").map((l) => maskNumbers(l).replace(/ +/g, " "));
      expect(shape(r.stdout)).toEqual(shape(golden("resetOffsetByTime")));
      expect(r.stdout.split("\n").map((l) => l.length)).toEqual(
        golden("resetOffsetByTime")
          .split("\n")
          .map((l) => l.length),
      );
      // the running consumer is told (RESET_CONSUMER_CLIENT_OFFSET) and consumes m0..m7 again, not "before"
      await until(() => bodies.length >= 17, 20_000, "consumption after the reset");
      await new Promise((r) => setTimeout(r, 300));
      expect(bodies).toHaveLength(17);
      expect(bodies.slice(9).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `reset-m${i}`));
    } finally {
      await c.shutdown();
      await p.shutdown();
    }
  }, 60_000);

  it("queryMsgById and queryMsgByUniqueKey print Java's message view and message tracks", async () => {
    const p = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "pg-track" });
    await p.start();
    const seen: string[] = [];
    let bodyFile = "";
    const c = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "cg-track",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    try {
      const sent = await p.send(new Message("TopicTest", Buffer.from("track-me"), { tags: "TagA" }));
      c.subscribe("TopicTest", "*");
      c.registerMessageListener((msgs) => {
        for (const m of msgs) seen.push(m.body.toString());
        return "CONSUME_SUCCESS";
      });
      await c.start();
      await until(() => seen.includes("track-me"), 20_000, "the message consumed");
      await new Promise((r) => setTimeout(r, 300));
      await c.persistConsumerOffset(false);

      // the view: 15 "%-20s %s" lines; numbers and ids differ by nature
      const view = (t: string): string[] =>
        t
          .split("\n")
          .slice(0, 15)
          .map((l) => maskNumbers(maskIds(l)));
      const byId = await mqadmin("queryMsgById", "-n", cluster.namesrvAddr, "-i", sent.offsetMsgId);
      expect(byId.stderr).toBe("");
      expect(view(byId.stdout)).toEqual(view(golden("queryMsgById")));
      expect(byId.stdout).toContain(`OffsetID:            ${sent.offsetMsgId}\n`);
      bodyFile = `/tmp/rocketmq/msgbodys/${sent.msgId}`;
      expect(readFileSync(bodyFile, "utf8")).toBe("track-me");
      const tracks = byId.stdout.slice(byId.stdout.indexOf("\n\n\n") + 3);
      expect(tracks).toContain("MessageTrack [consumerGroup=cg-track, trackType=CONSUMED, exceptionDesc=null]");
      for (const t of tracks.split("]MessageTrack").map((x) => x.replace(/^MessageTrack|\]$/g, "")))
        expect(t).toMatch(
          /^ \[consumerGroup=[^,]+, trackType=[A-Z_]+, exceptionDesc=(null|CODE:206 DESC:the consumer group\[[^\]]+\] not online)$/,
        );

      const byKey = await mqadmin(
        "queryMsgByUniqueKey",
        "-n",
        cluster.namesrvAddr,
        "-i",
        sent.msgId,
        "-t",
        "TopicTest",
      );
      expect(byKey.stderr).toBe("");
      expect(view(byKey.stdout).slice(0, 14)).toEqual(view(golden("queryMsgByUniqueKey")).slice(0, 14));
      expect(byKey.stdout).toContain("MessageTrack [consumerGroup=cg-track, trackType=CONSUMED, exceptionDesc=null]");
    } finally {
      // the tool writes the body where Java's does; the test removes what it caused
      if (bodyFile) rmSync(bodyFile, { force: true });
      await c.shutdown();
      await p.shutdown();
    }
  }, 60_000);

  it("fails with one clear line, no stack trace, when the name server is unreachable", async () => {
    const r = await mqadmin("clusterList", "-n", "127.0.0.1:1");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("clusterList command failed: connect to 127.0.0.1:1 failed\n");
  });

  it("consumerStatus asks each client for its running info, writes it per client and prints Java's summary", async () => {
    const topic = "CsTopic";
    await mqadmin("updateTopic", "-n", cluster.namesrvAddr, "-b", cluster.brokerAddr, "-t", topic);
    const c = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "cs-group",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    c.subscribe(topic, "*");
    c.registerMessageListener(() => "CONSUME_SUCCESS");
    await c.start();
    const cwd = mkdtempSync(join(tmpdir(), "mqadmin-cs-"));
    try {
      await until(() => c.assignedQueues().length > 0, 15_000, "rebalance");
      const r = await runTool("mqadmin", ["consumerStatus", "-n", cluster.namesrvAddr, "-g", "cs-group"], {}, cwd);
      expect(r.code).toBe(0);
      const lines = r.stdout.split("\n");
      const javaLines = golden("consumerStatus").split("\n");
      expect(lines[0]).toBe(javaLines[0]);
      const row = /^(\d+) +(\S+) +(V\d+_\d+_\d+) +(\d+\/\S+)$/.exec(lines[1] ?? "");
      expect(row?.[2]).toBe(c.clientId);
      expect(row?.[3]).toBe("V4_9_8");
      expect(lines.slice(2)).toEqual(javaLines.slice(2));
      // the per-client file: Java's formatString sections, our subscriptions and queues
      const file = readFileSync(join(cwd, row?.[4] ?? ""), "utf8");
      const sections = (t: string): string[] => t.split("\n").filter((l) => /^#Consumer .*#$/.test(l));
      expect(sections(file)).toEqual(
        sections(
          readFileSync(join(WIRE_DIR, "mqadmin-4.9.8", "consumerStatus", "consumerRunningInfoFile.txt"), "utf8"),
        ),
      );
      expect(file).toMatch(/^002 Topic: CsTopic {34}ClassFilter: false {4}SubExpression: \*$/m);
      expect(file).toContain("PROP_CONSUME_TYPE                       : CONSUME_PASSIVELY");
      expect(file.match(/^CsTopic +broker-a +\d +\d+ *$/gm)).toHaveLength(8); // updateTopic: 8 queues
      // -i prints the same report for one client
      const one = await runTool(
        "mqadmin",
        ["consumerStatus", "-n", cluster.namesrvAddr, "-g", "cs-group", "-i", c.clientId],
        {},
        cwd,
      );
      expect(sections(one.stdout)).toEqual(sections(file));
    } finally {
      await c.shutdown();
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("consumeMessage prints what a pull consumer reads, as Java's tool does", async () => {
    const topic = "CmTopic";
    await mqadmin(
      "updateTopic",
      "-n",
      cluster.namesrvAddr,
      "-b",
      cluster.brokerAddr,
      "-t",
      topic,
      "-r",
      "1",
      "-w",
      "1",
    );
    const p = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "cm-p" });
    await p.start();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await p.send(new Message(topic, Buffer.from(`hello ${i}`), { keys: `k${i}` }))).msgId);
    await p.shutdown();
    const r = await mqadmin("consumeMessage", "-n", cluster.namesrvAddr, "-t", topic, "-b", "broker-a", "-i", "0");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter(Boolean);
    expect(lines[0]).toBe("Consume ok");
    lines.slice(1, 4).forEach((line, i) => {
      expect(line).toMatch(
        new RegExp(
          `^MSGID: ${ids[i]} MessageExt \\[brokerName=broker-a, queueId=0, storeSize=\\d+, queueOffset=${i}, sysFlag=0, ` +
            `bornTimestamp=\\d+, bornHost=/[\\d.]+:\\d+, storeTimestamp=\\d+, storeHost=/${cluster.brokerAddr.replace(/\./g, "\\.")}, ` +
            `msgId=${ids[i]}, commitLogOffset=\\d+, bodyCRC=\\d+, reconsumeTimes=0, preparedTransactionOffset=0, ` +
            `toString\\(\\)=Message\\{topic='${topic}', flag=0, properties=\\{.*MIN_OFFSET=0.*\\}, body=\\[[-\\d, ]+\\], transactionId='null'\\}\\] BODY: hello ${i}$`,
        ),
      );
    });
    expect(lines[4]).toBe(
      `MessageQueue [topic=${topic}, brokerName=broker-a, queueId=0] print msg finished. status=NO_NEW_MSG, offset=3`,
    );
    const two = await mqadmin("consumeMessage", "-n", cluster.namesrvAddr, "-t", topic, "-c", "2");
    expect(two.stdout.split("\n").filter(Boolean).slice(0, 2)).toEqual([
      "The older 2 message of the 0 queue will be provided",
      "Consume ok",
    ]);
    expect((await mqadmin("consumeMessage", "-n", cluster.namesrvAddr, "-t", topic, "-i", "0")).stdout).toBe(
      "Please set the brokerName before queueId!",
    );
  });

  it("queryMsgByUniqueKey -g -d has that consumer consume the message now (CONSUME_MESSAGE_DIRECTLY)", async () => {
    const topic = "CdTopic";
    await mqadmin(
      "updateTopic",
      "-n",
      cluster.namesrvAddr,
      "-b",
      cluster.brokerAddr,
      "-t",
      topic,
      "-r",
      "1",
      "-w",
      "1",
    );
    const seen: string[] = [];
    const c = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "cd-group",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    c.subscribe(topic, "*");
    c.registerMessageListener((msgs) => {
      for (const m of msgs) seen.push(m.body.toString());
      return "CONSUME_SUCCESS";
    });
    await c.start();
    const p = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "cd-p" });
    await p.start();
    const sent = await p.send(new Message(topic, Buffer.from("direct me")));
    await p.shutdown();
    try {
      await until(() => seen.length === 1, 15_000, "normal delivery");
      const r = await mqadmin(
        "queryMsgByUniqueKey",
        "-n",
        cluster.namesrvAddr,
        "-t",
        topic,
        "-i",
        sent.msgId,
        "-g",
        "cd-group",
        "-d",
        c.clientId,
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /^ConsumeMessageDirectlyResult \[order=false, autoCommit=true, consumeResult=CR_SUCCESS, remark=null, spentTimeMills=\d+\]$/,
      );
      expect(seen).toEqual(["direct me", "direct me"]);
    } finally {
      await c.shutdown();
    }
  });
});
