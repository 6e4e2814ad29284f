import { describe, expect, it } from "vitest";
import { parseHost, string2messageProperties, type MessageInner } from "@rocketmq-ts/common";
import { createTimerPutHook, isPutRefusal, TIMER_TOPIC, type TimerPutHookOptions } from "@rocketmq-ts/store";
import { innerMessage } from "./support/messages.js";

const host = parseHost("127.0.0.1:10911");
const NOW = 1_700_000_000_500;
const config = { timerWheelEnable: true, timerMaxDelaySec: 259200, timerPrecisionMs: 1000 };

function hook(options: Partial<TimerPutHookOptions> = {}) {
  return createTimerPutHook({ config, now: () => NOW, ...options });
}
function msg(props: Record<string, string>, extra: Partial<MessageInner> = {}): MessageInner {
  const propertiesString = Object.entries(props)
    .map(([k, v]) => `${k}\u0001${v}\u0002`)
    .join("");
  return innerMessage(host, { topic: "TopicA", queueId: 3, propertiesString, ...extra });
}
function topicOf(r: ReturnType<ReturnType<typeof hook>>): string {
  if (isPutRefusal(r)) throw new Error(`refused: ${r.status}`);
  return r.topic;
}
function propsOf(r: ReturnType<ReturnType<typeof hook>>): Map<string, string> {
  if (isPutRefusal(r)) throw new Error(`refused: ${r.status}`);
  return string2messageProperties(r.propertiesString);
}

describe("timer put hook (HookUtils.handleScheduleMessage)", () => {
  it("lets messages without TIMER_ properties through untouched", () => {
    const m = msg({ TAGS: "a", UNIQ_KEY: "U" });
    const before = m.propertiesString;
    expect(hook()(m)).toBe(m);
    expect(m.propertiesString).toBe(before);
  });

  it("parks a future TIMER_DELIVER_MS on the timer topic, queue 0, floored to the precision", () => {
    const m = msg({ TIMER_DELIVER_MS: String(NOW + 3_200), UNIQ_KEY: "U1" });
    const r = hook()(m);
    expect(r).toBe(m); // rewritten in place, as Java's hook
    expect(m.topic).toBe(TIMER_TOPIC);
    expect(m.queueId).toBe(0);
    const p = propsOf(r);
    expect(p.get("TIMER_OUT_MS")).toBe("1700000003000");
    expect(p.get("REAL_TOPIC")).toBe("TopicA");
    expect(p.get("REAL_QID")).toBe("3");
    expect(p.get("TIMER_DELIVER_MS")).toBe(String(NOW + 3_200));
    // a second pass (a retried put) changes nothing
    expect(hook()(m)).toBe(m);
    expect(m.topic).toBe(TIMER_TOPIC);
  });

  it("moves a deliver time that is a multiple of the precision one precision earlier", () => {
    expect(propsOf(hook()(msg({ TIMER_DELIVER_MS: "1700000005000" }))).get("TIMER_OUT_MS")).toBe("1700000004000");
  });

  it("computes TIMER_DELAY_SEC and TIMER_DELAY_MS from now (SEC first, then MS, then DELIVER_MS)", () => {
    expect(propsOf(hook()(msg({ TIMER_DELAY_SEC: "10" }))).get("TIMER_OUT_MS")).toBe("1700000010000");
    // now + 1500 = …2000, a multiple of the precision: one precision earlier
    expect(propsOf(hook()(msg({ TIMER_DELAY_MS: "1500" }))).get("TIMER_OUT_MS")).toBe("1700000001000");
    expect(
      propsOf(hook()(msg({ TIMER_DELAY_MS: "1500", TIMER_DELAY_SEC: "10", TIMER_DELIVER_MS: "1" }))).get(
        "TIMER_OUT_MS",
      ),
    ).toBe("1700000010000");
  });

  it("stores a message already due as a normal message", () => {
    const m = msg({ TIMER_DELIVER_MS: String(NOW) });
    expect(hook()(m)).toBe(m);
    expect(m.topic).toBe("TopicA");
    expect(propsOf(m).has("TIMER_OUT_MS")).toBe(false);
  });

  it("refuses unparsable values, too far ahead, and a due delete marker with WHEEL_TIMER_MSG_ILLEGAL", () => {
    expect(hook()(msg({ TIMER_DELIVER_MS: "soon" }))).toEqual({ status: "WHEEL_TIMER_MSG_ILLEGAL" });
    expect(hook()(msg({ TIMER_DELAY_SEC: "1.5" }))).toEqual({ status: "WHEEL_TIMER_MSG_ILLEGAL" });
    expect(hook()(msg({ TIMER_DELAY_SEC: String(259200 + 1) }))).toEqual({ status: "WHEEL_TIMER_MSG_ILLEGAL" });
    expect(propsOf(hook()(msg({ TIMER_DELAY_SEC: "259200" }))).get("TIMER_OUT_MS")).toBe("1700259200000");
    expect(hook()(msg({ TIMER_DELIVER_MS: "1", TIMER_DEL_UNIQKEY: "TopicA+U1" }))).toEqual({
      status: "WHEEL_TIMER_MSG_ILLEGAL",
    });
  });

  it("answers WHEEL_TIMER_NOT_ENABLE when the wheel is off, and flow control when the slot is congested", () => {
    const off = createTimerPutHook({ config: { ...config, timerWheelEnable: false }, now: () => NOW });
    expect(off(msg({ TIMER_DELAY_SEC: "5" }))).toEqual({ status: "WHEEL_TIMER_NOT_ENABLE" });
    const slots: number[] = [];
    const congested = hook({ isReject: (ms) => (slots.push(ms), true) });
    expect(congested(msg({ TIMER_DELAY_SEC: "5" }))).toEqual({ status: "WHEEL_TIMER_FLOW_CONTROL" });
    expect(slots).toEqual([1700000005000]);
  });

  it("lets a delay level win: the TIMER_ properties are dropped", () => {
    const m = msg({ DELAY: "3", TIMER_DELIVER_MS: String(NOW + 5000), TAGS: "t" });
    expect(hook()(m)).toBe(m);
    expect(m.topic).toBe("TopicA");
    expect([...propsOf(m).keys()].sort()).toEqual(["DELAY", "TAGS"]);
  });

  it("leaves half messages (and rollbacks) alone and intercepts commits", () => {
    const half = msg({ TIMER_DELAY_SEC: "5" }, { sysFlag: 0x4 });
    expect(topicOf(hook()(half))).toBe("TopicA");
    const rollback = msg({ TIMER_DELAY_SEC: "5" }, { sysFlag: 0xc });
    expect(topicOf(hook()(rollback))).toBe("TopicA");
    const commit = msg({ TIMER_DELAY_SEC: "5" }, { sysFlag: 0x8 });
    expect(topicOf(hook()(commit))).toBe(TIMER_TOPIC);
  });

  it("does not touch messages on the timer topic or carrying TIMER_OUT_MS (rolled or delivered)", () => {
    const rolled = msg({ TIMER_DELAY_SEC: "5" }, { topic: TIMER_TOPIC });
    expect(topicOf(hook()(rolled))).toBe(TIMER_TOPIC);
    const delivered = msg({ TIMER_DELAY_SEC: "5", TIMER_OUT_MS: "1" });
    expect(topicOf(hook()(delivered))).toBe("TopicA");
  });
});
