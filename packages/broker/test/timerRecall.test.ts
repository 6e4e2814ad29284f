/** RECALL_MESSAGE (370): Java 5.3.3's checks and the delete marker that keeps a timer message from delivery. */
import { describe, expect, it } from "vitest";
import { RecallMessageRequestHeader, encodeHeader, RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import { TIMER_TOPIC } from "@rocketmq-ts/store";
import { decodeRecallHandle } from "@rocketmq-ts/common";
import { request, testBrokers, type TestBroker, type TestBrokerOptions } from "./support/brokerContext.js";
import { openTimerBroker, settle, type TimerBroker } from "./support/timerBroker.js";
import { answer, props, sendRequest } from "./support/requests.js";

const openBroker = testBrokers();
function open(options: TestBrokerOptions = {}): TimerBroker {
  return openTimerBroker(openBroker, {
    ...options,
    brokerConfig: { recallMessageEnable: true, ...options.brokerConfig },
  });
}

const recall = (topic: string, recallHandle: string) =>
  request(
    RequestCode.RECALL_MESSAGE,
    encodeHeader(RecallMessageRequestHeader, { producerGroup: "PG", topic, recallHandle }),
  );

async function sendTimer(broker: TestBroker, uniq: string, deliverMs: number): Promise<string> {
  const res = await answer(
    broker,
    sendRequest({
      topic: "RecallTopic",
      queueId: 0,
      properties: props({ UNIQ_KEY: uniq, TIMER_DELIVER_MS: String(deliverMs) }),
    }),
  );
  expect(res.code).toBe(ResponseCode.SUCCESS);
  return res.extFields?.["recallHandle"] ?? "";
}

describe("RECALL_MESSAGE", () => {
  it("decodes Java's handle: Base64 URL with or without padding, v1 and five items", () => {
    const raw = "v1 T broker-a 1700000003001 U12";
    const padded = Buffer.from(raw).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
    expect(padded.endsWith("=")).toBe(true);
    const expected = { topic: "T", brokerName: "broker-a", timestampStr: "1700000003001", messageId: "U12" };
    expect(decodeRecallHandle(padded)).toEqual(expected);
    expect(decodeRecallHandle(padded.replace(/=+$/, ""))).toEqual(expected);
    expect(decodeRecallHandle(Buffer.from(raw).toString("base64").replace(/=+$/, "") + "+")).toBeNull();
    expect(decodeRecallHandle(Buffer.from("v2 T b 1 U").toString("base64url"))).toBeNull();
    expect(decodeRecallHandle(Buffer.from("v1 T b 1").toString("base64url"))).toBeNull();
    expect(decodeRecallHandle("")).toBeNull();
  });

  it("keeps a recalled timer message from delivery; its slot's other messages are delivered", async () => {
    const { broker, timer, clock } = open();
    const at = clock.t + 5000;
    const handle = await sendTimer(broker, "RECALLED", at);
    await sendTimer(broker, "KEPT", at);
    const res = await answer(broker, recall("RecallTopic", handle));
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields).toEqual({ msgId: "RECALLED", MSG_REGION: "DefaultRegion" });
    // the marker names its target as Java's buildDeleteKey does: realTopic + "+" + uniqueKey
    const timerQueue = broker.ctx.store.getConsumeQueue(TIMER_TOPIC, 0);
    const marker = timerQueue?.getEntry((timerQueue?.getMaxOffsetInQueue() ?? 0) - 1);
    const markerMsg = marker && broker.ctx.store.lookMessageByOffset(marker.offset);
    expect(markerMsg?.properties.get("TIMER_DEL_UNIQKEY")).toBe("RecallTopic+RECALLED");
    await settle(timer); // into the wheel while not yet due (a message already due when enqueued is put at once)
    clock.t = at + 1000;
    await settle(timer);

    const cq = broker.ctx.store.getConsumeQueue("RecallTopic", 0);
    const delivered: string[] = [];
    for (let i = 0; i < (cq?.getMaxOffsetInQueue() ?? 0); i++) {
      const entry = cq?.getEntry(i);
      const msg = entry && broker.ctx.store.lookMessageByOffset(entry.offset);
      if (msg) delivered.push(msg.properties.get("UNIQ_KEY") ?? "");
    }
    expect(delivered).toEqual(["KEPT"]);
  });

  it("answers Java's codes and remarks for a refused recall", async () => {
    const { broker: off } = open({ brokerConfig: { recallMessageEnable: false } });
    const forbidden = await answer(off, recall("RecallTopic", "x"));
    expect(forbidden).toMatchObject({
      code: ResponseCode.NO_PERMISSION,
      remark: "recall failed, operation is forbidden",
    });
    expect(forbidden.extFields).toEqual({ MSG_REGION: "DefaultRegion" });

    const { broker, clock } = open();
    const handle = await sendTimer(broker, "U", clock.t + 5000);
    const cases: [string, string, number, string][] = [
      ["NoSuchTopic", handle, ResponseCode.TOPIC_NOT_EXIST, "recall failed, the topic[NoSuchTopic] not exist"],
      ["RecallTopic", "not*base64", ResponseCode.ILLEGAL_OPERATION, "recall handle is invalid"],
      ["TBW102", handle, ResponseCode.ILLEGAL_OPERATION, "recall failed, topic not match"],
      [
        "RecallTopic",
        Buffer.from(`v1 RecallTopic other-broker ${clock.t + 5000} U`).toString("base64url"),
        ResponseCode.ILLEGAL_OPERATION,
        "recall failed, broker service not available",
      ],
      [
        "RecallTopic",
        Buffer.from(`v1 RecallTopic ${broker.ctx.brokerConfig.brokerName} ${clock.t - 1} U`).toString("base64url"),
        ResponseCode.ILLEGAL_OPERATION,
        "recall failed, timestamp invalid",
      ],
    ];
    for (const [topic, h, code, remark] of cases) {
      const res = await answer(broker, recall(topic, h));
      expect({ code: res.code, remark: res.remark }, topic + " " + h).toEqual({ code, remark });
    }
  });
});
