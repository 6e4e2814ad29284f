/** queryMsgById, queryMsgByKey, queryMsgByUniqueKey, queryMsgByOffset, sendMessage, consumeMessage. */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import {
  PulledMessage,
  type Message,
  type MessageExt,
  type MessageQueue,
  type PullStatus,
  type SendResult,
} from "@rocketmq-ts/client";
import type { ToolProducer, ToolProducerConfig } from "../src/command/MQAdminExt.js";
import { loadCapture } from "./support/capture.js";
import { capturedAdmin } from "./support/capturedAdmin.js";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";
import { inCapturedTimezone } from "./support/timezone.js";

inCapturedTimezone();

const env = { NAMESRV_ADDR: "127.0.0.1:39876" };
/** the message both queryMsgById and queryMsgByUniqueKey looked at (the 500th quickstart message) */
const OFFSET_MSG_ID = "7F000001000078BF00000000000175D2";
const MSG_ID = "C00002022F0E5FFD2B27718A24EF01F3";
const BODY_FILE = `/tmp/rocketmq/msgbodys/${MSG_ID}`;

// the commands write the body where Java's does; the tests remove what they caused
const bodyFileWasThere = existsSync(BODY_FILE);
afterAll(() => {
  if (!bodyFileWasThere) rmSync(BODY_FILE, { force: true });
});

/** The captured message, as VIEW_MESSAGE_BY_ID answered it. */
async function capturedMessage(): Promise<MessageExt> {
  return capturedAdmin(loadCapture("queryMsgById")).viewMessage(OFFSET_MSG_ID);
}

describe("message commands print what Java's mqadmin printed", () => {
  it("queryMsgById: the message, its body written to a file, each group's track", async () => {
    const capture = loadCapture("queryMsgById");
    const r = await runWith(["queryMsgById", "-i", OFFSET_MSG_ID], capturedAdmin(capture), {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
    expect(readFileSync(BODY_FILE, "utf8")).toBe("Hello RocketMQ 499");
  });

  it("queryMsgByUniqueKey", async () => {
    const capture = loadCapture("queryMsgByUniqueKey");
    const r = await runWith(["queryMsgByUniqueKey", "-t", "TopicTest", "-i", MSG_ID], capturedAdmin(capture), {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("queryMsgByKey", async () => {
    const capture = loadCapture("queryMsgByKey");
    const r = await runWith(["queryMsgByKey", "-t", "TopicTestjjj", "-k", "KEY5"], capturedAdmin(capture), {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(capture.stdout);
  });

  it("queryMsgByOffset prints the message at the offset as queryMsgById does", async () => {
    const capture = loadCapture("queryMsgById");
    const msg = await capturedMessage();
    const asked: [MessageQueue, number][] = [];
    const admin = capturedAdmin(capture, {
      pullOne: async (mq, offset) => {
        asked.push([mq, offset]);
        return offset === msg.queueOffset ? msg : null;
      },
    });
    const argv = ["queryMsgByOffset", "-t", "TopicTest", "-b", "broker-a", "-i", "3", "-o"];
    const r = await runWith([...argv, "124"], admin, {}, env);
    expect(r.stdout).toBe(capture.stdout);
    // Java prints nothing when the offset holds no message
    const none = await runWith([...argv, "125"], admin, {}, env);
    expect(none).toMatchObject({ code: 0, stdout: "" });
    expect(asked).toEqual([
      [{ topic: "TopicTest", brokerName: "broker-a", queueId: 3 }, 124],
      [{ topic: "TopicTest", brokerName: "broker-a", queueId: 3 }, 125],
    ]);
  });
});

describe("message commands beyond the captures", () => {
  it("queryMsgById with ids separated by commas; no consumer group", async () => {
    const msg = await capturedMessage();
    const viewed: string[] = [];
    const admin = fakeAdmin({
      viewMessage: async (id) => {
        viewed.push(id);
        return msg;
      },
      messageTrackDetail: async () => [],
    });
    const r = await runWith(["queryMsgById", "-n", "x:1", "-i", `${OFFSET_MSG_ID}, ${OFFSET_MSG_ID}`], admin);
    expect(viewed).toEqual([OFFSET_MSG_ID, OFFSET_MSG_ID]);
    expect(r.stdout.split("\n\nWARN: No Consumer")).toHaveLength(3);
  });

  it("queryMsgByUniqueKey -g -d has that consumer consume the message and prints its result", async () => {
    const asked: string[][] = [];
    const admin = fakeAdmin({
      consumeMessageDirectly: async (...args) => {
        asked.push(args);
        return { order: false, autoCommit: true, consumeResult: "CR_LATER", spentTimeMills: 3 };
      },
    });
    const r = await runWith(
      ["queryMsgByUniqueKey", "-n", "x:1", "-t", "T", "-i", MSG_ID, "-g", "g", "-d", "c1"],
      admin,
    );
    expect(asked).toEqual([["g", "c1", "T", MSG_ID]]);
    expect(r.stdout).toBe(
      "ConsumeMessageDirectlyResult [order=false, autoCommit=true, consumeResult=CR_LATER, remark=null, spentTimeMills=3]",
    );
  });
});

/** A producer that records its configuration and sends, answering SEND_OK. */
function recordingProducer(fail = false) {
  const log: string[] = [];
  const configs: ToolProducerConfig[] = [];
  const sent: Message[] = [];
  const answer = (msg: Message, mq: MessageQueue): SendResult => {
    sent.push(msg);
    if (fail) throw new Error("No route info of this topic");
    return {
      sendStatus: "SEND_OK",
      msgId: MSG_ID,
      offsetMsgId: OFFSET_MSG_ID,
      messageQueue: mq,
      queueOffset: 7,
      regionId: "DefaultRegion",
      traceOn: false,
    };
  };
  const producer: ToolProducer = {
    start: async () => void log.push("start"),
    shutdown: async () => void log.push("shutdown"),
    send: async (msg) => answer(msg, { topic: msg.topic, brokerName: "broker-a", queueId: 2 }),
    sendToQueue: async (msg, mq) => {
      log.push(`to ${mq.brokerName}/${mq.queueId}`);
      return answer(msg, mq);
    },
  };
  return {
    log,
    configs,
    sent,
    newProducer: (c: ToolProducerConfig): ToolProducer => {
      configs.push(c);
      return producer;
    },
  };
}

describe("sendMessage", () => {
  const admin = fakeAdmin({ namesrvAddrList: () => ["ns1:1", "ns2:1"] });

  it("sends with a producer of its own, keys and tags set, and prints the result", async () => {
    const p = recordingProducer();
    const r = await runWith(
      ["sendMessage", "-n", "ns1:1;ns2:1", "-t", "T", "-p", "héllo", "-k", "K1", "-c", "TagA"],
      admin,
      {
        newProducer: p.newProducer,
      },
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      `${"#Broker Name".padEnd(32)}  #QID  ${"#Send Result".padEnd(20)}    #MsgId\n` +
        `${"broker-a".padEnd(32)}  2     ${"SEND_OK".padEnd(20)}    ${MSG_ID}\n`,
    );
    expect(p.configs).toHaveLength(1);
    expect(p.configs[0]?.namesrvAddr).toBe("ns1:1;ns2:1");
    expect(p.configs[0]?.producerGroup).toMatch(/^\d{13}$/); // Java: the current time
    expect(p.log).toEqual(["start", "shutdown"]);
    const [msg] = p.sent;
    expect([msg?.topic, msg?.body.toString("utf8"), msg?.keys, msg?.tags]).toEqual(["T", "héllo", "K1", "TagA"]);
  });

  it("-b -i sends to that queue; -i without -b is refused", async () => {
    const p = recordingProducer();
    const r = await runWith(["sendMessage", "-n", "x:1", "-t", "T", "-p", "x", "-b", "broker-b", "-i", "3"], admin, {
      newProducer: p.newProducer,
    });
    expect(p.log).toEqual(["start", "to broker-b/3", "shutdown"]);
    expect(r.stdout.split("\n")[1]).toBe(`${"broker-b".padEnd(32)}  3     ${"SEND_OK".padEnd(20)}    ${MSG_ID}`);
    const refused = await runWith(["sendMessage", "-n", "x:1", "-t", "T", "-p", "x", "-i", "3"], admin, {
      newProducer: p.newProducer,
    });
    expect(refused).toMatchObject({ code: 0, stdout: "Broker name must be set if the queue is chosen!" });
  });

  it("a failed send fails the command after the producer is shut down", async () => {
    const p = recordingProducer(true);
    const r = await runWith(["sendMessage", "-n", "x:1", "-t", "T", "-p", "x"], admin, { newProducer: p.newProducer });
    expect(r).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "sendMessage command failed: No route info of this topic\n",
    });
    expect(p.log).toEqual(["start", "shutdown"]);
  });
});

describe("consumeMessage", () => {
  /** One queue of the topic holding the captured message at offsets 0..size-1 (bodies "m<offset>"). */
  async function queueOf(size: number) {
    const decoded = await capturedMessage();
    // a pulled message is a class instance (as Java's MessageExt): a spread copies only its own fields
    const base = decoded instanceof PulledMessage ? decoded.toJSON() : decoded;
    const pulls: string[] = [];
    const admin = fakeAdmin({
      fetchSubscribeMessageQueues: async (topic) =>
        [0, 1, 2, 3].map((queueId) => ({ topic, brokerName: "broker-a", queueId })),
      queueOffset: async (kind) => (kind === "min" ? 0 : kind === "max" ? size : 1),
      pull: async (mq, offset, maxNums, group) => {
        pulls.push(`${mq.brokerName}/${mq.queueId}@${offset}+${maxNums} ${group}`);
        const n = Math.min(maxNums, size - offset);
        const messages = Array.from({ length: n }, (_, i) => ({
          ...base,
          queueId: mq.queueId,
          queueOffset: offset + i,
          body: Buffer.from(`m${offset + i}`),
        }));
        const status: PullStatus = n > 0 ? "FOUND" : "NO_NEW_MSG";
        return { status, nextBeginOffset: offset + n, messages };
      },
    });
    return { admin, pulls };
  }

  it("-b -i pulls the queue from its min offset and prints each message as Java's MessageExt.toString", async () => {
    const { admin, pulls } = await queueOf(2);
    const r = await runWith(["consumeMessage", "-n", "x:1", "-t", "TopicTest", "-b", "broker-a", "-i", "3"], admin);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Consume ok");
    expect(lines[1]).toBe(
      `MSGID: ${MSG_ID} MessageExt [brokerName=, queueId=3, storeSize=192, queueOffset=0, sysFlag=0, ` +
        "bornTimestamp=1795396078831, bornHost=/127.0.0.1:54310, storeTimestamp=1795396078832, storeHost=/127.0.0.1:30911, " +
        `msgId=${MSG_ID}, commitLogOffset=95698, bodyCRC=785460296, reconsumeTimes=0, preparedTransactionOffset=0, ` +
        "toString()=Message{topic='TopicTest', flag=0, properties={UNIQ_KEY=C00002022F0E5FFD2B27718A24EF01F3, CLUSTER=DefaultCluster, TAGS=TagA}, " +
        "body=[109, 48], transactionId='null'}] BODY: m0",
    );
    expect(lines[2]).toMatch(/ queueOffset=1, .* BODY: m1$/);
    expect(lines.slice(3)).toEqual([
      "MessageQueue [topic=TopicTest, brokerName=broker-a, queueId=3] print msg finished. status=NO_NEW_MSG, offset=2",
      "",
    ]);
    expect(pulls).toEqual(["broker-a/3@0+3 TOOLS_CONSUMER", "broker-a/3@2+1 TOOLS_CONSUMER"]);
  });

  // MessageQueue hash buckets of TopicTest/broker-a queues 0..3 in a 16-bucket HashSet: 15, 14, 9, 8
  it("without -i reads the queues in Java's HashSet order, at most -c messages", async () => {
    const { admin, pulls } = await queueOf(5);
    const r = await runWith(["consumeMessage", "-n", "x:1", "-t", "TopicTest", "-c", "3", "-g", "G"], admin);
    expect(r.stdout.split("\n")[0]).toBe("The older 3 message of the 3 queue will be provided");
    expect(pulls).toEqual(["broker-a/3@0+3 G"]);
  });

  it("-o past the queue's end, and the options Java refuses", async () => {
    const { admin } = await queueOf(2);
    const run = async (...args: string[]): Promise<string> =>
      (await runWith(["consumeMessage", "-n", "x:1", "-t", "T", ...args], admin)).stdout;
    expect(await run("-b", "broker-a", "-i", "0", "-o", "9")).toBe(
      "MessageQueue [topic=T, brokerName=broker-a, queueId=0] no matched msg, offset=9\n",
    );
    expect(await run("-c", "0")).toBe("Please input a positive messageNumber!");
    expect(await run("-i", "0")).toBe("Please set the brokerName before queueId!");
    expect(await run("-o", "1")).toBe("Please set queueId before offset!");
    expect(await run("-s", String(Date.now() + 60_000))).toBe("Please set the beginTimestamp before now!");
    expect(await run("-e", String(Date.now() + 60_000))).toBe("Please set the endTimestamp before now!");
    expect(await run("-s", "2000", "-e", "1000")).toBe(
      "Please make sure that the beginTimestamp is less than or equal to the endTimestamp",
    );
  });
});
