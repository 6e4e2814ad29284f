/**
 * Timer messages through SEND_MESSAGE with the store's put hook installed as the broker installs it
 * (BrokerController): where they are stored, the answers Java gives, the recall handle, and the
 * delivery into the real topic by a TimerMessageStore driven with a fake clock.
 */
import { describe, expect, it } from "vitest";
import { MessageConst } from "@rocketmq-ts/common";
import { RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import { TIMER_TOPIC } from "@rocketmq-ts/store";
import { testBrokers, type TestBrokerOptions } from "./support/brokerContext.js";
import { openTimerBroker, settle, type TimerBroker } from "./support/timerBroker.js";
import { answer, props, sendRequest, stored } from "./support/requests.js";

const openBroker = testBrokers();
const open = (options: TestBrokerOptions = {}): TimerBroker => openTimerBroker(openBroker, options);

describe("timer messages on SEND_MESSAGE", () => {
  it("parks a TIMER_DELIVER_MS message on rmq_sys_wheel_timer and answers a recall handle", async () => {
    const { broker, clock } = open();
    const deliverMs = clock.t + 3000;
    const res = await answer(
      broker,
      sendRequest({
        topic: "TimerTopic",
        queueId: 2,
        properties: props({ UNIQ_KEY: "ABC", TIMER_DELIVER_MS: String(deliverMs) }),
      }),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields).toMatchObject({ queueId: "2", queueOffset: "0" });
    const msg = stored(broker, res);
    expect(msg).toMatchObject({ topic: TIMER_TOPIC, queueId: 0 });
    const timerOut = deliverMs % 1000 === 0 ? deliverMs - 1000 : Math.floor(deliverMs / 1000) * 1000;
    expect(msg.properties.get("TIMER_OUT_MS")).toBe(String(timerOut));
    expect(msg.properties.get("REAL_TOPIC")).toBe("TimerTopic");
    expect(msg.properties.get("REAL_QID")).toBe("2");
    // Java: Base64.getUrlEncoder() (padded) of "v1 <realTopic> <brokerName> <TIMER_OUT_MS + 1> <uniqKey>"
    const raw = `v1 TimerTopic ${broker.ctx.brokerConfig.brokerName} ${timerOut + 1} ABC`;
    const handle = res.extFields?.["recallHandle"] ?? "";
    expect(Buffer.from(handle, "base64url").toString()).toBe(raw);
    expect(handle).toBe(Buffer.from(raw).toString("base64").replace(/\+/g, "-").replace(/\//g, "_"));
  });

  it("delivers it into the real topic and queue once due, never before", async () => {
    const { broker, timer, clock } = open();
    const deliverMs = clock.t + 3000;
    const res = await answer(
      broker,
      sendRequest({ topic: "TimerTopic", queueId: 1, properties: props({ TIMER_DELIVER_MS: String(deliverMs) }) }),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    const inRealTopic = (): number => broker.ctx.store.getMaxOffsetInQueue("TimerTopic", 1);
    for (const t of [clock.t, deliverMs - 1000, deliverMs - 1]) {
      clock.t = t;
      await settle(timer);
      expect(inRealTopic()).toBe(0);
    }
    clock.t = deliverMs + 1000;
    await settle(timer);
    expect(inRealTopic()).toBe(1);
  });

  it("answers Java's codes and remarks for illegal, disabled and congested timer messages", async () => {
    const { broker } = open({ storeConfig: { timerCongestNumEachSlot: 0 } });
    const far = await answer(
      broker,
      sendRequest({ topic: "TimerTopic", properties: props({ TIMER_DELAY_SEC: "300000" }) }),
    );
    expect(far.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(far.remark).toBe(
      "timer message illegal, the delay time should not be bigger than the max delay 259200000ms; or if set del msg, the delay time should be bigger than the current time",
    );
    const bad = await answer(
      broker,
      sendRequest({ topic: "TimerTopic", properties: props({ TIMER_DELIVER_MS: "x" }) }),
    );
    expect(bad.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    // timerCongestNumEachSlot=0: the first message of a slot already counts as congested (num 0 ≤ 0 passes)
    const ok = await answer(broker, sendRequest({ topic: "TimerTopic", properties: props({ TIMER_DELAY_SEC: "30" }) }));
    expect(ok.code).toBe(ResponseCode.SUCCESS);

    const { broker: off } = open({ storeConfig: { timerWheelEnable: false } });
    const disabled = await answer(
      off,
      sendRequest({ topic: "TimerTopic", properties: props({ TIMER_DELAY_SEC: "5" }) }),
    );
    expect(disabled.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(disabled.remark).toBe("accurate timer message is not enabled, timerWheelEnable is false");
  });

  it("answers flow control when the slot is congested", async () => {
    const { broker, timer, clock } = open({ storeConfig: { timerCongestNumEachSlot: 1 } });
    const at = String(clock.t + 30_000);
    for (let i = 0; i < 2; i++) {
      const res = await answer(
        broker,
        sendRequest({ topic: "TimerTopic", properties: props({ TIMER_DELIVER_MS: at }) }),
      );
      expect(res.code).toBe(ResponseCode.SUCCESS);
      await settle(timer);
    }
    const res = await answer(broker, sendRequest({ topic: "TimerTopic", properties: props({ TIMER_DELIVER_MS: at }) }));
    expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(res.remark).toBe(
      "timer message is under flow control, max num limit is 2 or the current value is greater than 1 and less than 2, trigger random flow control",
    );
  });

  it("keeps a delay-level message on the old path (SCHEDULE_TOPIC_XXXX), its TIMER_ properties dropped", async () => {
    const { broker, clock } = open();
    const res = await answer(
      broker,
      sendRequest({
        topic: "TimerTopic",
        queueId: 0,
        properties: props({ DELAY: "2", TIMER_DELIVER_MS: String(clock.t + 3000) }),
      }),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields?.["recallHandle"]).toBeUndefined();
    const msg = stored(broker, res);
    expect(msg).toMatchObject({ topic: "SCHEDULE_TOPIC_XXXX", queueId: 1 });
    expect(msg.properties.has(MessageConst.PROPERTY_TIMER_DELIVER_MS)).toBe(false);
    expect(msg.properties.get("REAL_TOPIC")).toBe("TimerTopic");
  });

  it("does not intercept a batch (Java hooks see the batch's own properties only)", async () => {
    const { broker, clock } = open();
    const item = (p: string): Buffer => {
      const body = Buffer.from("b");
      const propBytes = Buffer.from(p);
      const total = 4 + 4 + 4 + 4 + 4 + body.length + 2 + propBytes.length;
      const b = Buffer.alloc(total);
      b.writeInt32BE(total, 0);
      b.writeInt32BE(body.length, 16);
      body.copy(b, 20);
      b.writeInt16BE(propBytes.length, 20 + body.length);
      propBytes.copy(b, 22 + body.length);
      return b;
    };
    const batch = Buffer.concat([item(props({ TIMER_DELIVER_MS: String(clock.t + 3000) })), item("")]);
    const res = await answer(
      broker,
      sendRequest({ topic: "TimerTopic", batch: true }, batch, RequestCode.SEND_BATCH_MESSAGE),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields?.["recallHandle"]).toBeUndefined();
    const first = { ...res, extFields: { ...res.extFields, msgId: res.extFields?.["msgId"]?.split(",")[0] ?? "" } };
    expect(stored(broker, first).topic).toBe("TimerTopic");
  });
});
