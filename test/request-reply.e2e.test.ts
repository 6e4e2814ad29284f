/**
 * Request-reply on a real broker: our producer's request() gets the responder's reply pushed by the
 * broker (PUSH_REPLY_MESSAGE_TO_CLIENT), a request nobody answers times out with Java's code, and
 * the captured Java responder's SEND_REPLY_MESSAGE_V2 is pushed to the captured requester as the
 * Java broker did. Also the trace topic: stored and queryable by key like any message.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DefaultMQProducer } from "@rocketmq-ts/client";
import {
  createReplyMessage,
  DefaultMQPushConsumer,
  Message,
  MQAdminClient,
  MQClientException,
} from "@rocketmq-ts/client";
import { newTopicConfig } from "@rocketmq-ts/common";
import {
  createResponse,
  decodeFramePayload,
  encodeFrame,
  FrameDecoder,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { startLocalCluster, until, type LocalCluster } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";
import { frameBytes, loadScenarios } from "./support/corpus.js";

let cluster: LocalCluster;
let admin: MQAdminClient;
const started = new StartedClients();

beforeAll(async () => {
  cluster = await startLocalCluster("traceTopicEnable=true");
  admin = new MQAdminClient({ namesrvAddr: cluster.namesrvAddr });
}, 60_000);

afterAll(async () => {
  await started.shutdownAll();
  await admin?.remoting.shutdown();
  await cluster?.stop();
});

function producer(group: string): Promise<DefaultMQProducer> {
  return started.producer(cluster.namesrvAddr, group);
}

describe("request-reply", () => {
  it("a request gets the responder's reply; an unanswered one times out with code 10006", async () => {
    const topic = "RequestTopic";
    await admin.createAndUpdateTopicConfig(
      cluster.brokerAddr,
      newTopicConfig(topic, { readQueueNums: 4, writeQueueNums: 4 }),
    );
    const replier = await producer("rr-reply-producer");
    const responder = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "rr-responder",
      consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
    });
    responder.subscribe(topic, "*");
    responder.registerMessageListener(async (msgs) => {
      for (const m of msgs) await replier.send(createReplyMessage(m, Buffer.from(`reply to ${m.body.toString()}`)));
      return "CONSUME_SUCCESS" as const;
    });
    await responder.start();
    started.push(responder);
    await new Promise((r) => setTimeout(r, 1000)); // rebalance

    const requester = await producer("rr-request-producer");
    for (let i = 0; i < 3; i++) {
      const reply = await requester.request(new Message(topic, Buffer.from(`q${i}`)), 10_000);
      expect(reply.body.toString()).toBe(`reply to q${i}`);
      expect(reply.topic).toBe("DefaultCluster_REPLY_TOPIC");
      expect(reply.properties.get("MSG_TYPE")).toBe("reply");
      expect(reply.properties.get("PUSH_REPLY_TIME")).toMatch(/^\d+$/);
    }
    // the replies are also stored (storeReplyMessageEnable)
    const stats = await admin.examineTopicStats("DefaultCluster_REPLY_TOPIC");
    expect(stats.reduce((n, q) => n + q.maxOffset, 0)).toBe(3);

    const unanswered = await requester.request(new Message("NobodyAnswers", Buffer.from("?")), 1500).then(
      () => null,
      (e: unknown) => e,
    );
    expect(unanswered).toBeInstanceOf(MQClientException);
    expect((unanswered as MQClientException).responseCode).toBe(10006);
    expect((unanswered as Error).message).toContain("OK, but wait reply message timeout, 1500 ms.");
  }, 60_000);

  it("pushes the captured Java responder's reply to the captured requester as the Java broker did", async () => {
    const scenario = loadScenarios().find((s) => s.name === "producer-request-reply");
    if (!scenario) throw new Error("producer-request-reply capture missing");
    const frames = scenario.frames;
    const [host, port] = cluster.brokerAddr.split(":") as [string, string];
    const open = async () => {
      const socket = net.connect(Number(port), host);
      await new Promise<void>((r) => socket.once("connect", () => r()));
      const decoder = new FrameDecoder();
      const received: RemotingCommand[] = [];
      socket.on("data", (chunk: Buffer) => {
        for (const payload of decoder.push(chunk)) received.push(decodeFramePayload(payload));
      });
      return { socket, received };
    };
    // the requester registers (its heartbeat names its clientId), then the responder replies
    const requesterHb = frames.find((f) => f.conn === "39960->30911" && f.dir === "c2s" && f.header.code === 34);
    const reply = frames.find((f) => f.conn === "54888->30911" && f.dir === "c2s" && f.header.code === 325);
    const javaPush = frames.find((f) => f.dir === "s2c" && f.header.code === 326);
    if (!requesterHb || !reply || !javaPush) throw new Error("frames missing");
    const requester = await open();
    requester.socket.write(frameBytes(requesterHb));
    await until(() => requester.received.length > 0, 5000, "heartbeat answer");
    // the reply topic DefaultCluster_REPLY_TOPIC exists on our broker as on Java's
    const responder = await open();
    responder.socket.write(frameBytes(reply));
    await until(() => requester.received.some((r) => r.code === 326), 5000, "reply pushed to the requester");
    const push = requester.received.find((r) => r.code === 326) as RemotingCommand;
    const javaFields = javaPush.header.extFields as Record<string, string>;
    expect(Object.keys(push.extFields ?? {})).toEqual(Object.keys(javaFields));
    for (const k of ["topic", "producerGroup", "queueId", "sysFlag", "flag", "defaultTopic", "bornTimestamp"])
      expect([k, push.extFields?.[k]]).toEqual([k, javaFields[k]]);
    const strip = (p: string | undefined): string =>
      (p ?? "")
        .split("\u0002")
        .filter((kv) => !kv.startsWith("PUSH_REPLY_TIME"))
        .join("\u0002");
    expect(strip(push.extFields?.["properties"])).toBe(strip(javaFields["properties"]));
    expect(push.body?.toString()).toBe(Buffer.from(javaPush.frameBase64, "base64").subarray(-18).toString());
    // the Java broker answers the responder only after the requester acknowledged the push
    expect(responder.received).toHaveLength(0);
    requester.socket.write(encodeFrame(createResponse(push, 0)));
    await until(() => responder.received.length > 0, 5000, "answer to the responder");
    expect(responder.received[0]?.code).toBe(0);
    requester.socket.destroy();
    responder.socket.destroy();
  }, 30_000);
});

describe("trace topic", () => {
  it("traceTopicEnable creates RMQ_SYS_TRACE_TOPIC; trace messages are stored and queryable by key", async () => {
    const route = await admin.examineTopicRouteInfo("RMQ_SYS_TRACE_TOPIC");
    expect(route.queueDatas.length).toBe(1);
    const p = await producer("rr-trace-producer");
    // a client's trace record: the trace fields as body, the traced message's id and key as KEYS
    const traceBody =
      "Pub\u00011795396225236\u0001DefaultRegion\u0001pg\u0001TopicA\u0001C0A8000100002A9F0000000000000000\u0001tagA\u0001order-1\u0001127.0.0.1:10911\u000110\u00013\u00010\u0001true\u0002";
    const sent = await p.send(
      new Message("RMQ_SYS_TRACE_TOPIC", Buffer.from(traceBody), {
        keys: ["C0A8000100002A9F0000000000000000", "order-1"],
      }),
    );
    expect(sent.sendStatus).toBe("SEND_OK");
    const found = await admin.queryMessageByKey("RMQ_SYS_TRACE_TOPIC", "order-1", 32, 0, Date.now() + 60_000);
    expect(found.map((m) => m.body.toString())).toEqual([traceBody]);
  }, 30_000);
});
