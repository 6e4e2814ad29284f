/**
 * Timer messages (5.x TIMER_DELIVER_MS / TIMER_DELAY_SEC) through a real broker process, sent by our
 * client with user properties and consumed from their real topic: never before their deliver time,
 * within a generous bound after it, across a broker restart; a delay-level message keeps the old path.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQPushConsumer, Message, type MessageExt } from "@rocketmq-ts/client";
import { createRequest, RemotingClient, RequestCode } from "@rocketmq-ts/remoting";
import { startLocalCluster, until, type LocalCluster } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";
import { sendMessageV2Fields } from "./support/sendHeader.js";

let cluster: LocalCluster;
const started = new StartedClients();

beforeAll(async () => {
  cluster = await startLocalCluster("recallMessageEnable=true");
}, 60_000);

const raw = new RemotingClient();

afterAll(async () => {
  await raw.shutdown();
  await started.shutdownAll();
  await cluster?.stop();
});

interface Received {
  msg: MessageExt;
  at: number;
}

async function consume(group: string, topic: string, into: Received[]): Promise<DefaultMQPushConsumer> {
  const c = new DefaultMQPushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    consumerGroup: group,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  c.subscribe(topic, "*");
  c.registerMessageListener((msgs) => {
    for (const msg of msgs) into.push({ msg, at: Date.now() });
    return "CONSUME_SUCCESS";
  });
  await c.start();
  return started.push(c);
}

const bodies = (got: Received[]): string[] => got.map((r) => r.msg.body.toString()).sort();

describe("timer messages", () => {
  it("delivers TIMER_DELIVER_MS and TIMER_DELAY_SEC messages to their real topic on time; delay levels keep their path", async () => {
    const p = await started.producer(cluster.namesrvAddr, "pg-timer");
    await p.send(new Message("TimerTopic", Buffer.from("create")));
    const got: Received[] = [];
    await consume("cg-timer", "TimerTopic", got);
    await until(() => got.length === 1, 30_000, "the plain message");

    const atMsg = new Message("TimerTopic", Buffer.from("at"));
    const deliverMs = Date.now() + 3000;
    atMsg.putUserProperty("TIMER_DELIVER_MS", String(deliverMs));
    const delayMsg = new Message("TimerTopic", Buffer.from("delay-sec"));
    delayMsg.putUserProperty("TIMER_DELAY_SEC", "4");
    const levelMsg = new Message("TimerTopic", Buffer.from("level"), { delayTimeLevel: 1 });
    levelMsg.putUserProperty("TIMER_DELIVER_MS", String(Date.now() + 60_000)); // the level wins
    const sentAt = Date.now();
    for (const m of [atMsg, delayMsg, levelMsg]) expect((await p.send(m)).sendStatus).toBe("SEND_OK");

    await until(() => got.length === 4, 30_000, "the timer and delay-level messages");
    expect(bodies(got)).toEqual(["at", "create", "delay-sec", "level"]);
    const byBody = new Map(got.map((r) => [r.msg.body.toString(), r]));
    const at = byBody.get("at") as Received;
    expect(at.msg.storeTimestamp).toBeGreaterThanOrEqual(deliverMs);
    expect(at.at).toBeGreaterThanOrEqual(deliverMs);
    expect(at.at - deliverMs).toBeLessThan(20_000);
    expect(at.msg.properties.get("TIMER_DELIVER_MS")).toBe(String(deliverMs));
    expect(at.msg.properties.has("TIMER_ENQUEUE_MS")).toBe(true);
    expect(at.msg.properties.has("TIMER_DEQUEUE_MS")).toBe(true);
    const delay = byBody.get("delay-sec") as Received;
    expect(delay.msg.storeTimestamp - sentAt).toBeGreaterThanOrEqual(3000);
    const level = byBody.get("level") as Received;
    expect(level.msg.properties.has("TIMER_DELIVER_MS")).toBe(false);
    expect(level.msg.properties.has("TIMER_OUT_MS")).toBe(false);
    expect(level.at - sentAt).toBeLessThan(20_000); // level 1 (1 s), not a minute
    // the timer's files, sparse
    const store = join(cluster.home, "store");
    expect(statSync(join(store, "timerwheel")).size).toBe(38_707_200);
    expect(statSync(join(store, "timerwheel")).blocks * 512).toBeLessThan(8 * 1024 * 1024);
    expect(existsSync(join(store, "timerlog", "00000000000000000000"))).toBe(true);
    expect(statSync(join(store, "config", "timercheck")).size).toBe(4096);
  }, 90_000);

  it("delivers a message parked before a broker restart, once, after its deliver time", async () => {
    const p = await started.producer(cluster.namesrvAddr, "pg-timer-restart");
    await p.send(new Message("TimerRestartTopic", Buffer.from("create")));
    const msg = new Message("TimerRestartTopic", Buffer.from("parked"));
    const deliverMs = Date.now() + 8000;
    msg.putUserProperty("TIMER_DELIVER_MS", String(deliverMs));
    expect((await p.send(msg)).sendStatus).toBe("SEND_OK");
    await cluster.restartBroker();

    const got: Received[] = [];
    await consume("cg-timer-restart", "TimerRestartTopic", got);
    await until(() => got.some((r) => r.msg.body.toString() === "parked"), 60_000, "the parked message");
    const parked = got.filter((r) => r.msg.body.toString() === "parked");
    expect(parked[0]?.msg.storeTimestamp).toBeGreaterThanOrEqual(deliverMs);
    // exactly once: nothing more arrives after a few more flush rounds
    await new Promise((r) => setTimeout(r, 3000));
    expect(got.filter((r) => r.msg.body.toString() === "parked")).toHaveLength(1);
  }, 120_000);

  it("RECALL_MESSAGE with the handle the send answered keeps the message from delivery", async () => {
    const call = (code: number, ext: Record<string, string>, body: Buffer | null = null) =>
      raw.invokeSync(cluster.brokerAddr, createRequest(code, { extFields: ext, body }), 5000);
    const p = await started.producer(cluster.namesrvAddr, "pg-timer-recall");
    await p.send(new Message("TimerRecallTopic", Buffer.from("create")));
    const deliverMs = Date.now() + 4000;
    const send = (body: string, uniq: string) =>
      call(
        RequestCode.SEND_MESSAGE_V2,
        sendMessageV2Fields({
          a: "pg-timer-recall",
          b: "TimerRecallTopic",
          d: "1",
          e: "0",
          i: `UNIQ_KEY\u0001${uniq}\u0002TIMER_DELIVER_MS\u0001${deliverMs}`,
        }),
        Buffer.from(body),
      );
    const recalled = await send("recalled", "E2ERECALLED");
    const kept = await send("kept", "E2EKEPT");
    expect([recalled.code, kept.code]).toEqual([0, 0]);
    const handle = recalled.extFields?.["recallHandle"] ?? "";
    expect(Buffer.from(handle, "base64url").toString()).toMatch(/^v1 TimerRecallTopic broker-a \d+ E2ERECALLED$/);
    const res = await call(RequestCode.RECALL_MESSAGE, {
      producerGroup: "pg-timer-recall",
      topic: "TimerRecallTopic",
      recallHandle: handle,
    });
    expect({ code: res.code, msgId: res.extFields?.["msgId"] }).toEqual({ code: 0, msgId: "E2ERECALLED" });

    const got: Received[] = [];
    await consume("cg-timer-recall", "TimerRecallTopic", got);
    await until(() => got.some((r) => r.msg.body.toString() === "kept"), 30_000, "the kept message");
    // same slot as the kept one: had it not been recalled it would have come with it
    expect(bodies(got)).toEqual(["create", "kept"]);
  }, 60_000);
});
