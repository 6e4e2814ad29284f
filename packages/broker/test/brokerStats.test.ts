/**
 * The broker's stats against the real store and processors, on a manual stats clock:
 * VIEW_BROKER_STATS_DATA (315), GET_BROKER_CONSUME_STATS (317), what sends and pulls count, and the
 * runtime table's rate keys as Java's tools parse them.
 */
import { describe, expect, it } from "vitest";
import { messageInnerFrom, parseBody } from "@rocketmq-ts/common";
import {
  encodeHeader,
  GetConsumeStatsInBrokerHeader,
  PullMessageRequestHeader,
  RequestCode,
  ResponseCode,
  ViewBrokerStatsDataRequestHeader,
  type JsonValue,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { request, testBrokers, type TestBroker } from "./support/brokerContext.js";
import { answer, props, sendRequest } from "./support/requests.js";

const open = testBrokers();
const SECOND = 1000;

/** A broker whose stats sets took their first sampling round (as at start-up). */
function broker(): TestBroker {
  const b = open();
  b.statsScheduler.runDue();
  return b;
}

async function send(b: TestBroker, topic: string, n: number, extra: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await answer(b, sendRequest({ topic, properties: props(extra) }));
    expect(res.code, res.remark ?? "").toBe(ResponseCode.SUCCESS);
  }
}

const view = (b: TestBroker, statsName: string, statsKey: string): Promise<RemotingCommand> =>
  answer(
    b,
    request(
      RequestCode.VIEW_BROKER_STATS_DATA,
      encodeHeader(ViewBrokerStatsDataRequestHeader, { statsName, statsKey }),
    ),
  );

const consumeStatsInBroker = (b: TestBroker, isOrder: boolean): Promise<RemotingCommand> =>
  answer(b, request(RequestCode.GET_BROKER_CONSUME_STATS, encodeHeader(GetConsumeStatsInBrokerHeader, { isOrder })));

/** Java's ClusterListSubCommand on a rate key: split on " " (trailing empties dropped), parseDouble the first. */
function clusterListRate(value: string): number {
  const parts = value.split(" ");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  // String.split returns the input itself when nothing matched, empty or not
  const tokens = value.includes(" ") ? parts : [value];
  if (tokens.length === 0) return 0;
  const first = tokens[0] ?? "";
  if (first.trim() === "") throw new Error(`NumberFormatException: empty String (${JSON.stringify(value)})`);
  const n = Number(first);
  if (Number.isNaN(n)) throw new Error(`NumberFormatException: ${first}`);
  return n;
}

async function runtimeTable(b: TestBroker): Promise<Record<string, string>> {
  const res = await answer(b, request(RequestCode.GET_BROKER_RUNTIME_INFO, {}));
  const body = parseBody(res.body, "KVTable") as Record<string, JsonValue>;
  return body["table"] as Record<string, string>;
}

const RATE_KEYS = ["putTps", "getFoundTps", "getMissTps", "getTotalTps", "getTransferedTps"];

describe("VIEW_BROKER_STATS_DATA (315)", () => {
  it("answers an item's minute, hour and day as Java's BrokerStatsData", async () => {
    const b = broker();
    await send(b, "StatsTopic", 3);
    b.statsScheduler.advance(10 * SECOND);
    const res = await view(b, "TOPIC_PUT_NUMS", "StatsTopic");
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.body?.toString()).toBe(
      '{"statsDay":{"avgpt":0.0,"sum":0,"tps":0.0},"statsHour":{"avgpt":0.0,"sum":0,"tps":0.0},' +
        '"statsMinute":{"avgpt":1.0,"sum":3,"tps":0.3}}',
    );
    // the broker total is keyed by the cluster name
    const brokerPuts = await view(b, "BROKER_PUT_NUMS", "UnitCluster");
    expect(parseBody(brokerPuts.body, "BrokerStatsData")).toMatchObject({ statsMinute: { sum: 3 } });
  });

  it("refuses an unknown name or key with Java's SYSTEM_ERROR remark", async () => {
    const b = broker();
    const noName = await view(b, "NO_SUCH_STATS", "x");
    expect(noName.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noName.remark).toBe("The stats <NO_SUCH_STATS> <x> not exist");
    const noKey = await view(b, "TOPIC_PUT_NUMS", "NeverSent");
    expect(noKey.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noKey.remark).toBe("The stats <TOPIC_PUT_NUMS> <NeverSent> not exist");
  });

  it("counts a delayed send under SCHEDULE_TOPIC_XXXX and its delay queue, as Java's stored topic", async () => {
    const b = broker();
    await send(b, "DelayTopic", 2, { DELAY: "2" });
    expect(b.ctx.brokerStatsManager.getStatsItem("TOPIC_PUT_NUMS", "SCHEDULE_TOPIC_XXXX")?.value).toBe(2);
    expect(b.ctx.brokerStatsManager.getStatsItem("QUEUE_PUT_NUMS", "SCHEDULE_TOPIC_XXXX@1")?.value).toBe(2);
    expect(b.ctx.brokerStatsManager.getStatsItem("TOPIC_PUT_NUMS", "DelayTopic")).toBeUndefined();
  });
});

describe("delayed delivery stats", () => {
  it("a delayed message reaching its topic counts as Java's ScheduleMessageService counts it", async () => {
    const b = broker();
    await send(b, "DueTopic", 1, { DELAY: "1" });
    b.ctx.scheduleMessageService.start();
    try {
      const deadline = Date.now() + 20_000;
      while (b.ctx.store.getMaxOffsetInQueue("DueTopic", 0) < 1) {
        if (Date.now() > deadline) throw new Error("the delayed message was not delivered");
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      b.ctx.scheduleMessageService.shutdown();
    }
    const stats = b.ctx.brokerStatsManager;
    expect(stats.getStatsItem("TOPIC_PUT_NUMS", "SCHEDULE_TOPIC_XXXX")?.value).toBe(1);
    expect(stats.getStatsItem("TOPIC_PUT_NUMS", "DueTopic")?.value).toBe(1);
    expect(stats.getStatsItem("GROUP_GET_NUMS", "SCHEDULE_TOPIC_XXXX@SCHEDULE_CONSUMER")?.value).toBe(1);
    expect(stats.getStatsItem("QUEUE_GET_NUMS", "SCHEDULE_TOPIC_XXXX@0@SCHEDULE_CONSUMER")?.value).toBe(1);
    expect(stats.getStatsItem("BROKER_PUT_NUMS", "UnitCluster")?.value).toBe(2);
    // the store counts both puts: the parked one and the delivery
    expect(b.ctx.store.storeStatsService.getPutMessageTimesTotal()).toBe(2);
  });
});

describe("pull stats", () => {
  it("a found pull counts GROUP_GET_NUMS topic@group; consumeTps of GET_CONSUME_STATS reads it", async () => {
    const b = broker();
    await send(b, "PullStatsTopic", 4);
    const pull = request(
      RequestCode.PULL_MESSAGE,
      encodeHeader(PullMessageRequestHeader, {
        consumerGroup: "PullStatsGroup",
        topic: "PullStatsTopic",
        queueId: 0,
        queueOffset: 0,
        maxMsgNums: 32,
        sysFlag: 0x4,
        commitOffset: 0,
        suspendTimeoutMillis: 0,
        subscription: "*",
        subVersion: 0,
        expressionType: "TAG",
      }),
    );
    expect((await answer(b, pull)).code).toBe(ResponseCode.SUCCESS);
    b.ctx.consumerOffsetManager.commitOffset("PullStatsGroup", "PullStatsTopic", 0, 4);
    b.statsScheduler.advance(10 * SECOND);
    const item = b.ctx.brokerStatsManager.getStatsItem("GROUP_GET_NUMS", "PullStatsTopic@PullStatsGroup");
    expect(item?.getStatsDataInMinute()).toMatchObject({ sum: 4, tps: 0.4 });
    expect(b.ctx.brokerStatsManager.getStatsItem("GROUP_GET_LATENCY", "0@PullStatsTopic@PullStatsGroup")?.times).toBe(
      1,
    );
    // how far behind the pull read: from the last record's store time
    const behind = b.ctx.brokerStatsManager.momentStatsItemSetFallTime.statsItemTable.get(
      "0@PullStatsTopic@PullStatsGroup",
    );
    expect(behind).toBeGreaterThanOrEqual(0);
    expect(behind).toBeLessThan(60_000);
    const res = await answer(
      b,
      request(RequestCode.GET_CONSUME_STATS, { consumerGroup: "PullStatsGroup", topic: "PullStatsTopic" }),
    );
    expect(res.body?.toString()).toMatch(/^\{"consumeTps":0\.4,/);
  });
});

describe("GET_BROKER_CONSUME_STATS (317)", () => {
  it("lists every subscription group with its topics' write queues, and the total diff", async () => {
    const b = broker();
    await send(b, "ProgressTopic", 5);
    b.ctx.subscriptionGroupManager.findSubscriptionGroupConfig("ProgressGroup");
    b.ctx.consumerOffsetManager.commitOffset("ProgressGroup", "ProgressTopic", 0, 2);
    const res = await consumeStatsInBroker(b, false);
    expect(res.code).toBe(ResponseCode.SUCCESS);
    const body = parseBody(res.body, "ConsumeStatsList") as Record<string, JsonValue>;
    expect(Object.keys(body)).toEqual(["brokerAddr", "consumeStatsList", "totalDiff"]);
    expect(body["brokerAddr"]).toBe("127.0.0.1:10911");
    expect(body["totalDiff"]).toBe(3);
    const entries = body["consumeStatsList"] as Record<string, JsonValue[]>[];
    const groups = entries.map((m) => Object.keys(m)[0]);
    expect(groups).toContain("ProgressGroup");
    expect(groups).toContain("TOOLS_CONSUMER");
    const mine = entries.find((m) => m["ProgressGroup"])?.["ProgressGroup"] as Record<string, JsonValue>[];
    expect(mine).toHaveLength(1);
    const table = mine[0]?.["offsetTable"] as Map<Record<string, JsonValue>, Record<string, number>>;
    const config = b.ctx.topicConfigManager.selectTopicConfig("ProgressTopic");
    expect(table.size).toBe(config?.writeQueueNums);
    const q0 = [...table].find(([mq]) => mq["queueId"] === 0)?.[1];
    expect(q0).toMatchObject({ brokerOffset: 5, consumerOffset: 2 });
    expect(q0?.["lastTimestamp"]).toBeGreaterThan(0);
    expect(res.body?.toString()).toContain('"consumeTps":0.0');
  });

  it("with isOrder only order topics are listed", async () => {
    const b = broker();
    await send(b, "ProgressTopic", 2);
    b.ctx.subscriptionGroupManager.findSubscriptionGroupConfig("ProgressGroup");
    b.ctx.consumerOffsetManager.commitOffset("ProgressGroup", "ProgressTopic", 0, 1);
    const body = parseBody((await consumeStatsInBroker(b, true)).body, "ConsumeStatsList") as Record<string, JsonValue>;
    expect(body["totalDiff"]).toBe(0);
    const entries = body["consumeStatsList"] as Record<string, JsonValue[]>[];
    expect(entries.find((m) => m["ProgressGroup"])?.["ProgressGroup"]).toEqual([]);
  });
});

describe("GET_BROKER_RUNTIME_INFO rates", () => {
  it("right after start every rate key parses as Java's clusterList parses it; Java's keys only", async () => {
    const b = broker();
    const table = await runtimeTable(b);
    for (const key of RATE_KEYS) expect(() => clusterListRate(table[key] ?? ""), key).not.toThrow();
    expect(table["putTps"]).toBe("  ");
    expect(table["getTotalTps"]).toBe("0.0 0.0 0.0");
    expect(table).not.toHaveProperty("brokerActive");
    expect(table).not.toHaveProperty("getTransferredTps");
  });

  it("fills the 10 s rate after 10 samples, the 1 min one after 60, from every store put", async () => {
    const b = broker();
    await send(b, "RateTopic", 10);
    // a put that does not come from a send (as the transaction check's write-back) counts too
    const first = b.ctx.store.lookMessageByOffset(0);
    if (!first) throw new Error("nothing stored");
    expect((await b.ctx.store.putMessages([messageInnerFrom(first, {})])).status).toBe("PUT_OK");
    b.statsScheduler.advance(SECOND);
    b.statsScheduler.advance(10 * SECOND);
    let table = await runtimeTable(b);
    expect(table["putTps"]).toBe("0.0  ");
    expect(table["putMessageTimesTotal"]).toBe("11");
    expect(table["msgPutTotalTodayNow"]).toBe("11");
    expect(b.ctx.brokerStatsManager.getStatsItem("TOPIC_PUT_NUMS", "RateTopic")?.value).toBe(10);
    await send(b, "RateTopic", 20);
    b.statsScheduler.advance(10 * SECOND);
    table = await runtimeTable(b);
    expect(clusterListRate(table["putTps"] ?? "")).toBe(2);
    b.statsScheduler.advance(50 * SECOND);
    // the minute from the sample at 11 s (11 puts) to the one at 71 s (31 puts)
    expect((await runtimeTable(b))["putTps"]).toBe("0.0 0.3333333333333333 ");
  });
});
