/** statsAll and brokerConsumeStats: Java 4.9.8's columns, skipped rows and totals, from in-memory answers. */
import { describe, expect, it } from "vitest";
import type { BrokerStatsData, ConsumeQueueProgress, ConsumeStatsList } from "@rocketmq-ts/client";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";
import { inCapturedTimezone } from "./support/timezone.js";

inCapturedTimezone();

const item = (sum: number, tps: number) => ({ sum, tps, avgpt: sum === 0 ? 0 : 1 });
const stats = (minute: [number, number], hour: [number, number], day: [number, number]): BrokerStatsData => ({
  statsMinute: item(...minute),
  statsHour: item(...hour),
  statsDay: item(...day),
});

const route = (masters: string[]) => ({
  brokerDatas: masters.map((addr, i) => ({
    cluster: "C",
    brokerName: `b-${i}`,
    brokerAddrs: new Map([
      [0, addr],
      [1, `${addr}-slave`],
    ]),
  })),
  queueDatas: [],
  filterServerTable: new Map<string, string[]>(),
});

/** A Java `%-Ns` / `%Ns` column, written out by hand. */
const left = (s: string, w: number): string => s.padEnd(w);
const right = (s: string, w: number): string => s.padStart(w);

const HEADER =
  left("#Topic", 64) +
  "  " +
  left("#Consumer Group", 64) +
  " " +
  right("#Accumulation", 12) +
  " " +
  right("#InTPS", 11) +
  " " +
  right("#OutTPS", 11) +
  " " +
  right("#InMsg24Hour", 14) +
  " " +
  right("#OutMsg24Hour", 14);

describe("statsAll", () => {
  const viewed: string[] = [];
  const admin = fakeAdmin({
    fetchAllTopicList: async () => ["Quiet", "%RETRY%G1", "Busy", "%DLQ%G1", "Alone"],
    examineTopicRouteInfo: async (topic) => route(topic === "Busy" ? ["m1:1", "m2:1"] : ["m1:1"]),
    queryTopicConsumeByWho: async (topic) => (topic === "Busy" ? ["G1", "G2"] : topic === "Quiet" ? ["G3"] : []),
    viewBrokerStatsData: async (addr, name, key) => {
      viewed.push(`${addr} ${name} ${key}`);
      if (name === "TOPIC_PUT_NUMS" && key === "Busy")
        return addr === "m1:1" ? stats([30, 0.5], [200, 0.25], [300, 0.1]) : stats([6, 0.25], [6, 0.1], [0, 0]);
      if (name === "TOPIC_PUT_NUMS" && key === "Alone") return stats([300, 15], [0, 0], [0, 0]);
      if (name === "GROUP_GET_NUMS" && key === "Busy@G1" && addr === "m1:1")
        return stats([10, 1.125], [100, 1], [120, 1]);
      throw new Error(`The stats <${name}> <${key}> not exist`);
    },
    examineConsumeStats: async (group): Promise<{ progress: ConsumeQueueProgress[]; consumeTps: number }> => {
      if (group !== "G1") throw new Error("no consumer");
      const q = (queueId: number, brokerOffset: number, consumerOffset: number): ConsumeQueueProgress => ({
        topic: "Busy",
        brokerName: "b-0",
        queueId,
        brokerOffset,
        consumerOffset,
        lastTimestamp: 0,
      });
      return { progress: [q(0, 200, 150), q(1, 106, 100)], consumeTps: 0 };
    },
  });

  it("prints a row per topic and group, NO_CONSUMER for a topic nobody consumes; retry and DLQ topics left out", async () => {
    viewed.length = 0;
    const r = await runWith(["statsAll", "-n", "ns:1"], admin);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const row = (topic: string, group: string, acc: string, inTps: string, outTps: string, inN: string, outN: string) =>
      `${left(topic, 64)}  ${left(group, 64)} ${right(acc, 12)} ${right(inTps, 11)} ${right(outTps, 11)} ${right(inN, 14)} ${right(outN, 14)}`;
    expect(r.stdout.split("\n")).toEqual([
      HEADER,
      row("Quiet", "G3", "0", "0.00", "0.00", "0", "0"),
      // in: the minute tps of both masters (0.5 + 0.25), the day's sum of m1 and the hour's of m2 (300 + 6)
      row("Busy", "G1", "56", "0.75", "1.13", "306", "120"),
      row("Busy", "G2", "0", "0.75", "0.00", "306", "0"),
      row("Alone", "", "0", "15.00", "", "300", "NO_CONSUMER"),
      "",
    ]);
    // only masters are asked
    expect(viewed.every((v) => !v.includes("slave"))).toBe(true);
  });

  it("-a leaves out topics and groups with nothing in the last 24 hours; -t selects one topic", async () => {
    const active = await runWith(["statsAll", "-n", "ns:1", "-a"], admin);
    expect(active.stdout.split("\n").map((l) => l.split(" ")[0])).toEqual(["#Topic", "Busy", "Busy", "Alone", ""]);
    const one = await runWith(["statsAll", "-n", "ns:1", "-t", "Alone"], admin);
    expect(one.stdout.split("\n")).toHaveLength(3);
    expect(one.stdout).toContain("NO_CONSUMER");
  });
});

describe("brokerConsumeStats", () => {
  const at = Date.UTC(2026, 10, 23, 1, 2, 3);
  const q = (topic: string, queueId: number, brokerOffset: number, consumerOffset: number, lastTimestamp = at) => ({
    topic,
    brokerName: "broker-a",
    queueId,
    brokerOffset,
    consumerOffset,
    lastTimestamp,
  });
  const list: ConsumeStatsList = {
    brokerAddr: "127.0.0.1:10911",
    totalDiff: 13,
    consumeStatsList: [
      new Map([["EmptyGroup", []]]),
      new Map([
        [
          "G1",
          [
            {
              consumeTps: 0,
              // out of order: printed by topic, broker name, queue id
              offsetTable: [q("T1", 2, 10, 0, 0), q("T1", 1, 8, 8), q("T1", 0, 15, 2)],
            },
          ],
        ],
      ]),
    ],
  };
  const asked: unknown[] = [];
  const admin = fakeAdmin({
    fetchConsumeStatsInBroker: async (addr, isOrder, timeout) => {
      asked.push([addr, isOrder, timeout]);
      return list;
    },
  });
  const header = `${left("#Topic", 64)}  ${left("#Group", 64)}  ${left("#Broker Name", 32)}  ${left("#QID", 4)}  ${left("#Broker Offset", 20)}  ${left("#Consumer Offset", 20)}  ${left("#Diff", 20)}  #LastTime`;
  const row = (qid: number, b: number, c: number) =>
    `${left("T1", 64)}  ${left("G1", 64)}  ${left("broker-a", 32)}  ${left(String(qid), 4)}  ${left(String(b), 20)}  ${left(String(c), 20)}  ${left(String(b - c), 20)}  2026-11-23 01:02:03`;

  it("prints the queues that have a last time, sorted, then the broker's total diff", async () => {
    asked.length = 0;
    const r = await runWith(["brokerConsumeStats", "-n", "ns:1", "-b", " 127.0.0.1:10911 "], admin);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.split("\n")).toEqual([header, row(0, 15, 2), row(1, 8, 8), "", "Diff Total: 13", ""]);
    expect(asked).toEqual([["127.0.0.1:10911", false, 50_000]]);
  });

  it("-l hides queues with a smaller diff; -o and -t go to the request", async () => {
    asked.length = 0;
    const r = await runWith(
      ["brokerConsumeStats", "-n", "ns:1", "-b", "127.0.0.1:10911", "-l", "1", "-o", "TRUE", "-t", "3000"],
      admin,
    );
    expect(r.stdout.split("\n")).toEqual([header, row(0, 15, 2), "", "Diff Total: 13", ""]);
    expect(asked).toEqual([["127.0.0.1:10911", true, 3000]]);
  });
});
