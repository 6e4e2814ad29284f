/** clusterList and clusterRT, through runMqadmin with in-memory clients. */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Message, SendResult } from "@rocketmq-ts/client";
import type { ToolProducer, ToolProducerConfig } from "../src/command/MQAdminExt.js";
import { loadCapture, startedAt } from "./support/capture.js";
import { capturedAdmin } from "./support/capturedAdmin.js";
import { runWith } from "./support/fakeAdmin.js";
import { inCapturedTimezone } from "./support/timezone.js";

inCapturedTimezone();

afterEach(() => {
  vi.useRealTimers();
});

/** Date.now() as the captured tool saw it (only Date is faked; timers run). */
const atCaptureTime = (millis: number): void => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(millis);
};

describe("clusterList", () => {
  it("prints what Java's mqadmin printed (the #Hour column from the broker's earliest message to now)", async () => {
    const capture = loadCapture("clusterList");
    atCaptureTime(startedAt(capture));
    const r = await runWith(["clusterList", "-n", "127.0.0.1:39876"], capturedAdmin(capture));
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("-m prints yesterday's and today's totals", async () => {
    const capture = loadCapture("clusterList");
    const r = await runWith(["clusterList", "-n", "x:1", "-m"], capturedAdmin(capture));
    // the captured runtime info: msgPutTotalTodayNow 11312, msgGetTotalTodayNow 4953, the mornings' totals 0
    expect(r.stdout).toBe(
      "#Cluster Name     #Broker Name                       #InTotalYest  #OutTotalYest  #InTotalToday #OutTotalToday\n" +
        `DefaultCluster    ${"broker-a".padEnd(32)} ${"0".padStart(14)} ${"0".padStart(14)} ${"11312".padStart(14)} ${"4953".padStart(14)}\n`,
    );
  });

  it("-c prints only that cluster; an unreachable broker's row has empty values", async () => {
    const capture = loadCapture("clusterList");
    const other = capturedAdmin(capture, {
      fetchBrokerRuntimeStats: () => Promise.reject(new Error("connect failed")),
    });
    const none = await runWith(["clusterList", "-n", "x:1", "-c", "OtherCluster"], other);
    expect(none.stdout.split("\n")).toHaveLength(2); // the header only
    const r = await runWith(["clusterList", "-n", "x:1", "-c", "DefaultCluster"], other);
    expect(r.stdout.split("\n")[1]).toBe(
      `DefaultCluster    broker-a                0     127.0.0.1:30911        ${"".padEnd(16)} ${"0.00(,ms)".padStart(19)} ${"0.00(,ms)".padStart(19)} ${"".padStart(10)}  0.00 0.0000`,
    );
  });
});

/** A producer that records what it is asked and answers every send with SEND_OK. */
function recordingProducer(onSend: (msg: Message) => void = () => {}) {
  const log: string[] = [];
  const configs: ToolProducerConfig[] = [];
  const result = (msg: Message, queueId: number): SendResult => ({
    sendStatus: "SEND_OK",
    msgId: "C0A8000100002A9F0000000000000001",
    offsetMsgId: "",
    messageQueue: { topic: msg.topic, brokerName: "broker-a", queueId },
    queueOffset: 0,
    regionId: "DefaultRegion",
    traceOn: false,
  });
  const producer: ToolProducer = {
    start: async () => void log.push("start"),
    shutdown: async () => void log.push("shutdown"),
    send: async (msg) => {
      log.push(`send ${msg.topic}`);
      onSend(msg);
      return result(msg, 1);
    },
    sendToQueue: async (msg, mq) => {
      log.push(`sendToQueue ${mq.brokerName}/${mq.queueId}`);
      return result(msg, mq.queueId);
    },
  };
  return {
    log,
    configs,
    newProducer: (config: ToolProducerConfig): ToolProducer => {
      configs.push(config);
      return producer;
    },
  };
}

describe("clusterRT", () => {
  it("sends `amount` messages of `size` bytes to the topic named after each broker, a round per interval until stopped", async () => {
    const capture = loadCapture("clusterList");
    atCaptureTime(startedAt(capture));
    const stop = new AbortController();
    const sent: Message[] = [];
    const producer = recordingProducer((msg) => {
      sent.push(msg);
      if (sent.length === 5) stop.abort(); // the operator stops the tool during the first round
    });
    let disposed = false;
    const r = await runWith(["clusterRT", "-n", "127.0.0.1:39876", "-a", "5", "-s", "16"], capturedAdmin(capture), {
      newProducer: producer.newProducer,
      untilStopped: () => ({ signal: stop.signal, dispose: () => void (disposed = true) }),
    });
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.split("\n")).toEqual([
      `${"#Cluster Name".padEnd(24)}  ${"#Broker Name".padEnd(24)}  #RT   #successCount  #failCount`,
      // the clock stands still: 0 ms per send
      `${"DefaultCluster".padEnd(24)}  ${"broker-a".padEnd(24)}  0.00      5                 0               `,
      "",
    ]);
    expect(sent.map((m) => [m.topic, m.body.toString()])).toEqual(Array(5).fill(["broker-a", "a".repeat(16)]));
    expect(producer.configs).toEqual([{ namesrvAddr: "127.0.0.1:39876", producerGroup: String(startedAt(capture)) }]);
    expect(producer.log.at(-1)).toBe("shutdown");
    expect(disposed).toBe(true);
  });

  it("-p true prints tlog lines; failed sends are counted", async () => {
    const capture = loadCapture("clusterList");
    atCaptureTime(startedAt(capture));
    const stop = new AbortController();
    let n = 0;
    const producer = recordingProducer(() => {
      if (++n === 3) stop.abort();
      if (n % 2 === 0) throw new Error("send failed");
    });
    const r = await runWith(
      ["clusterRT", "-n", "x:1", "-a", "3", "-p", "true", "-m", "room1", "-c", "DefaultCluster"],
      capturedAdmin(capture),
      { newProducer: producer.newProducer, untilStopped: () => ({ signal: stop.signal, dispose: () => {} }) },
    );
    expect(r.stdout).toBe("2026-11-23 01:15:13|room1|DefaultCluster|broker-a|0\n");
  });

  it.each(["1", "0"])("names a cluster that does not exist (-i %s: stops when told)", async (interval) => {
    const capture = loadCapture("clusterList");
    const stop = new AbortController();
    const producer = recordingProducer();
    const r = await runWith(["clusterRT", "-n", "x:1", "-c", "NoSuch", "-i", interval], capturedAdmin(capture), {
      newProducer: producer.newProducer,
      untilStopped: () => {
        setTimeout(() => stop.abort(), 50);
        return { signal: stop.signal, dispose: () => {} };
      },
    });
    // Java's message has no line end; without an interval it repeats until the tool is stopped
    const line = r.stdout.split("\n")[1];
    if (interval === "1") expect(line).toBe("cluster [NoSuch] not exist");
    else expect(line).toMatch(/^(cluster \[NoSuch\] not exist)+$/);
    expect(producer.log).toEqual(["start", "shutdown"]);
  });
});
