/** The admin surface mqadmin uses, against a real broker process with real traffic. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequest, parseFastjson, RemotingClient, type RemotingCommand } from "@rocketmq-ts/remoting";
import { checkRecord, decodeMessageId } from "@rocketmq-ts/common";
import { startLocalCluster, type LocalCluster } from "./support/cluster.js";
import { SHARED_DIR } from "./support/corpus.js";
import { sendMessageV2Fields } from "./support/sendHeader.js";

const require = createRequire(import.meta.url);
const ons = require("ali-ons") as {
  Consumer: new (opts: Record<string, unknown>) => {
    ready(): Promise<void>;
    subscribe(topic: string, expr: string, handler: (msg: unknown) => Promise<unknown>): void;
    close(): Promise<void>;
    on(event: string, fn: (err: Error) => void): void;
  };
};

let cluster: LocalCluster;
const client = new RemotingClient();
const call = (
  code: number,
  extFields: Record<string, string> | null = null,
  body: Buffer | null = null,
): Promise<RemotingCommand> => client.invokeSync(cluster.brokerAddr, createRequest(code, { extFields, body }), 5000);
const bodyJson = (r: RemotingCommand): Record<string, unknown> =>
  parseFastjson(r.body?.toString() ?? "{}") as Record<string, unknown>;
const sentIds: string[] = [];

beforeAll(async () => {
  cluster = await startLocalCluster();
  await call(17, {
    topic: "AdminTopic",
    defaultTopic: "TBW102",
    readQueueNums: "2",
    writeQueueNums: "2",
    perm: "6",
    topicFilterType: "SINGLE_TAG",
  });
  for (let i = 0; i < 10; i++) {
    const res = await call(
      310,
      sendMessageV2Fields({
        a: "pg",
        b: "AdminTopic",
        e: String(i % 2),
        i: `KEYS\u0001order-${i}\u0002UNIQ_KEY\u0001UNIQ${i}\u0002TAGS\u0001T`,
      }),
      Buffer.from(`body-${i}`),
    );
    expect(res.code).toBe(0);
    sentIds.push(res.extFields?.["msgId"] as string);
  }
}, 60_000);

afterAll(async () => {
  await client.shutdown();
  await cluster?.stop();
});

describe("broker admin codes", () => {
  it("GET_BROKER_RUNTIME_INFO has every key the Java broker reports, with real values", async () => {
    const res = await call(28);
    expect(res.code).toBe(0);
    const table = bodyJson(res)["table"] as Record<string, string>;
    const javaKeys = readFileSync(join(SHARED_DIR, "conformance/wire/mqadmin-4.9.8/brokerStatus/stdout.txt"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(":")[0]?.trim() as string)
      .filter((k) => !k.startsWith("commitLogDiskRatio_") && !k.startsWith("scheduleMessageOffset_"));
    for (const k of javaKeys) expect(table, k).toHaveProperty(k);
    expect(table["brokerVersionDesc"]).toBe("V4_9_8");
    expect(table["putMessageTimesTotal"]).toBe("10");
    expect(Number(table["commitLogMaxOffset"])).toBeGreaterThan(0);
    expect(Number(table["earliestMessageTimeStamp"])).toBeGreaterThan(Date.now() - 120_000);
    expect(Number(table["commitLogDiskRatio"])).toBeGreaterThan(0);
    // nothing Java 4.9.8 lacks (no brokerActive, no 5.x getTransferredTps)
    const ours = Object.keys(table).filter(
      (k) => !k.startsWith("commitLogDiskRatio_") && !k.startsWith("scheduleMessageOffset_"),
    );
    expect(ours.sort()).toEqual([...javaKeys].sort());
  });

  it("topic stats, query by key and unique key, view by id", async () => {
    const stats = bodyJson(await call(202, { topic: "AdminTopic" }))["offsetTable"] as Map<
      Record<string, unknown>,
      Record<string, number>
    >;
    expect([...stats.values()].map((v) => v["maxOffset"])).toEqual([5, 5]);
    const byKey = await call(12, {
      topic: "AdminTopic",
      key: "order-3",
      maxNum: "64",
      beginTimestamp: "0",
      endTimestamp: String(Number.MAX_SAFE_INTEGER),
      _UNIQUE_KEY_QUERY: "false",
    });
    expect(byKey.code).toBe(0);
    const record = checkRecord(byKey.body as Buffer, 0, byKey.body?.length ?? 0, true);
    expect(record.kind === "message" && record.msg.properties.get("KEYS")).toBe("order-3");
    expect(
      (
        await call(12, {
          topic: "AdminTopic",
          key: "UNIQ7",
          maxNum: "64",
          beginTimestamp: "0",
          endTimestamp: String(Number.MAX_SAFE_INTEGER),
          _UNIQUE_KEY_QUERY: "true",
        })
      ).code,
    ).toBe(0);
    const none = await call(12, {
      topic: "AdminTopic",
      key: "nope",
      maxNum: "64",
      beginTimestamp: "0",
      endTimestamp: "1",
      _UNIQUE_KEY_QUERY: "false",
    });
    expect([none.code, none.remark]).toEqual([22, "can not find message, maybe time range not correct"]);
    const offset = decodeMessageId(sentIds[4] as string).commitLogOffset;
    const view = await call(33, { offset: String(offset) });
    expect(view.code).toBe(0);
    expect(view.body?.toString()).toContain("body-4");
  });

  it("consumer connections, consume stats, topic consumers, locks and offset reset with a live consumer", async () => {
    const consumer = new ons.Consumer({
      httpclient: { request: () => Promise.reject(new Error("no HTTP")) },
      consumerGroup: "admin_group",
      nameSrv: cluster.namesrvAddr,
      clientIP: "127.0.0.1",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.on("error", () => undefined);
    let got = 0;
    consumer.subscribe("AdminTopic", "*", async () => {
      got++;
    });
    await consumer.ready();
    const end = Date.now() + 20_000;
    while (got < 10 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(got).toBe(10);
    // commit offsets the way ali-ons does on close? query them through the broker directly instead
    const conn = bodyJson(await call(203, { consumerGroup: "admin_group" }));
    expect((conn["connectionSet"] as unknown[]).length).toBe(1);
    expect(conn["messageModel"]).toBe("CLUSTERING");
    expect((await call(203, { consumerGroup: "nobody" })).code).toBe(206);
    await call(15, { consumerGroup: "admin_group", topic: "AdminTopic", queueId: "0", commitOffset: "5" });
    await call(15, { consumerGroup: "admin_group", topic: "AdminTopic", queueId: "1", commitOffset: "5" });
    const consumeStats = bodyJson(await call(208, { consumerGroup: "admin_group", topic: "AdminTopic" }));
    expect(
      [...(consumeStats["offsetTable"] as Map<unknown, { brokerOffset: number; consumerOffset: number }>).values()].map(
        (v) => v.brokerOffset - v.consumerOffset,
      ),
    ).toEqual([0, 0]);
    expect(bodyJson(await call(300, { topic: "AdminTopic" }))["groupList"]).toContain("admin_group");
    const mqs = [{ brokerName: "broker-a", queueId: 0, topic: "AdminTopic" }];
    const lockBody = (clientId: string) =>
      Buffer.from(JSON.stringify({ clientId, consumerGroup: "orderly", mqSet: mqs }));
    expect(bodyJson(await call(41, null, lockBody("c1")))["lockOKMQSet"]).toEqual(mqs);
    expect(bodyJson(await call(41, null, lockBody("c2")))["lockOKMQSet"]).toEqual([]);
    expect((await call(42, null, lockBody("c1"))).code).toBe(0);
    expect(bodyJson(await call(41, null, lockBody("c2")))["lockOKMQSet"]).toEqual(mqs);
    const reset = await call(222, { topic: "AdminTopic", group: "admin_group", timestamp: "0", isForce: "true" });
    expect(reset.code).toBe(0);
    expect([...(bodyJson(reset)["offsetTable"] as Map<unknown, number>).values()]).toEqual([0, 0]);
    await consumer.close().catch(() => undefined);
  }, 60_000);

  it("subscription groups, broker config and slave-sync dumps", async () => {
    const group = {
      groupName: "sg1",
      consumeEnable: true,
      consumeFromMinEnable: false,
      consumeBroadcastEnable: false,
      retryQueueNums: 2,
      retryMaxTimes: 3,
      brokerId: 0,
      whichBrokerWhenConsumeSlowly: 1,
      notifyConsumerIdsChangedEnable: true,
    };
    expect((await call(200, null, Buffer.from(JSON.stringify(group)))).code).toBe(0);
    const all = bodyJson(await call(201));
    expect((all["subscriptionGroupTable"] as Record<string, Record<string, unknown>>)["sg1"]?.["retryMaxTimes"]).toBe(
      3,
    );
    expect((await call(207, { groupName: "sg1" })).code).toBe(0);
    const config = await call(26);
    expect(config.extFields?.["version"]).toMatch(/"counter":\d+/);
    expect(config.body?.toString()).toContain("brokerName=broker-a");
    expect((await call(25, null, Buffer.from("fileReservedTime=12\n"))).code).toBe(0);
    expect((await call(26)).body?.toString()).toContain("fileReservedTime=12");
    expect(readFileSync(join(cluster.home, "broker.properties"), "utf8")).toContain("fileReservedTime=12");
    const black = await call(25, null, Buffer.from("brokerConfigPath=/x\n"));
    expect([black.code, black.remark]).toEqual([16, "Can not update config in black list."]);
    expect((await call(21)).body?.toString()).toContain('"AdminTopic"');
    expect((await call(43)).body?.toString()).toContain("AdminTopic@admin_group");
    expect((await call(351, { topic: "AdminTopic", lo: "true" })).code).toBe(0);
    expect((await call(351, { topic: "Nope" })).code).toBe(17);
  });
});
