/** A delay-level message survives a broker restart and is delivered once, on time (delayOffset.json). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRequest, RemotingClient } from "@rocketmq-ts/remoting";
import { checkRecord } from "@rocketmq-ts/common";
import { startLocalCluster, type LocalCluster } from "./support/cluster.js";
import { sendMessageV2Fields } from "./support/sendHeader.js";

let cluster: LocalCluster | undefined;
const client = new RemotingClient();
afterAll(async () => {
  await client.shutdown();
  await cluster?.stop();
});

describe("delay levels across a broker restart", () => {
  it("delivers a message parked before the restart, once, after its delay", async () => {
    cluster = await startLocalCluster(
      `messageDelayLevel=${Array(18).fill("4s").join(" ")}\nflushDelayOffsetInterval=200`,
    );
    const c = cluster;
    const call = (code: number, ext: Record<string, string>, body: Buffer | null = null) =>
      client.invokeSync(c.brokerAddr, createRequest(code, { extFields: ext, body }), 5000);
    await call(17, {
      topic: "DelayTopic",
      defaultTopic: "TBW102",
      readQueueNums: "1",
      writeQueueNums: "1",
      perm: "6",
      topicFilterType: "SINGLE_TAG",
    });
    const sentAt = Date.now();
    const sent = await call(
      310,
      sendMessageV2Fields({
        a: "pg",
        b: "DelayTopic",
        d: "1",
        g: String(sentAt),
        i: "DELAY\u00012\u0002WAIT\u0001true",
      }),
      Buffer.from("parked"),
    );
    expect(sent.code).toBe(0);
    await c.restartBroker();
    const pull = (offset: number) =>
      call(11, {
        consumerGroup: "g",
        topic: "DelayTopic",
        queueId: "0",
        queueOffset: String(offset),
        maxMsgNums: "32",
        sysFlag: "4",
        commitOffset: "0",
        suspendTimeoutMillis: "0",
        subVersion: "0",
        subscription: "*",
        expressionType: "TAG",
      });
    const deadline = Date.now() + 20_000;
    let res = await pull(0);
    while (res.code !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      res = await pull(0);
    }
    expect(res.code).toBe(0);
    const record = checkRecord(res.body as Buffer, 0, res.body?.length ?? 0, true);
    expect(record.kind).toBe("message");
    if (record.kind !== "message") return;
    expect(record.msg.body?.toString()).toBe("parked");
    expect(record.msg.storeTimestamp - sentAt).toBeGreaterThanOrEqual(3900);
    expect(record.msg.properties.get("REAL_TOPIC")).toBe("DelayTopic");
    // exactly once, and the progress is on disk in Java's format
    await new Promise((r) => setTimeout(r, 1500));
    expect(res.extFields?.["maxOffset"]).toBe("1");
    expect((await pull(1)).code).toBe(19);
    expect(readFileSync(join(c.home, "store", "config", "delayOffset.json"), "utf8")).toMatch(
      /"offsetTable":\{[^}]*2:1/,
    );
  }, 60_000);
});
