/**
 * Java 5.3.3's HookUtils.handleScheduleMessage as a store put hook: every message put through the
 * store (sends, transaction commits, POP checkpoint / ack records, retries) that carries
 * TIMER_DELIVER_MS (absolute ms), TIMER_DELAY_MS or TIMER_DELAY_SEC (relative) is parked on
 * `rmq_sys_wheel_timer` queue 0 until due:
 *
 * - only non-transactional and commit messages (a half message is intercepted when it commits);
 * - a delay level > 0 wins: the TIMER_ properties are dropped (the broker puts the message on its
 *   level, SCHEDULE_TOPIC_XXXX);
 * - a message already on the timer topic, or with TIMER_OUT_MS, is not a new timer message (a
 *   rolled or delivered one);
 * - timerWheelEnable=false → WHEEL_TIMER_NOT_ENABLE; an unparsable value → WHEEL_TIMER_MSG_ILLEGAL;
 * - a deliver time not in the future → stored as it is (unless it is a delete marker:
 *   WHEEL_TIMER_MSG_ILLEGAL); more than timerMaxDelaySec ahead → WHEEL_TIMER_MSG_ILLEGAL;
 * - else rounded to the precision (a multiple of it is moved one precision earlier, anything else
 *   floored), refused with WHEEL_TIMER_FLOW_CONTROL when its slot is congested, and rewritten with
 *   TIMER_OUT_MS = the rounded time, REAL_TOPIC, REAL_QID.
 *
 * As Java's hook, it rewrites the message in place (the sender's response reads the rewritten
 * message: TIMER_OUT_MS and REAL_TOPIC make its recall handle); a rewritten message passes again
 * unchanged. Messages without "TIMER_" in their properties string pass without being parsed.
 */
import { javaPropertiesString, MessageConst, string2messageProperties, type MessageInner } from "@rocketmq-ts/common";
import type { PutMessageResult } from "../CommitLogStore.js";
import type { MessageStoreConfig } from "../config/MessageStoreConfig.js";
import { TIMER_TOPIC } from "./TimerConstants.js";

/** A put hook's answer: the message to store instead, or a result that refuses the put. */
export type PutMessageHookResult = MessageInner | PutMessageResult;
/** Java's PutMessageHook.executeBeforePutMessage. */
export type PutMessageHook = (msg: MessageInner) => PutMessageHookResult;

export interface TimerPutHookOptions {
  config: Pick<MessageStoreConfig, "timerWheelEnable" | "timerMaxDelaySec" | "timerPrecisionMs">;
  now?: () => number;
  /** TimerMessageStore.isReject: the slot of a deliver time is congested (flow control). */
  isReject?: (deliverMs: number) => boolean;
}

const TRANSACTION_MASK = 0xc;
const TRANSACTION_NOT_TYPE = 0;
const TRANSACTION_COMMIT_TYPE = 0x8;
const TIMER_PROPS = [
  MessageConst.PROPERTY_TIMER_DELIVER_MS,
  MessageConst.PROPERTY_TIMER_DELAY_SEC,
  MessageConst.PROPERTY_TIMER_DELAY_MS,
] as const;

/** Java's Long.parseLong: an optionally signed decimal within the long range, else null. */
function parseJavaLong(s: string): number | null {
  if (!/^[+-]?\d{1,19}$/.test(s)) return null;
  const b = BigInt(s);
  return b >= 2n ** 63n || b < -(2n ** 63n) ? null : Number(b);
}

export function createTimerPutHook(options: TimerPutHookOptions): PutMessageHook {
  const now = options.now ?? Date.now;
  return (msg) => {
    if (!msg.propertiesString.includes("TIMER_")) return msg;
    const tranType = msg.sysFlag & TRANSACTION_MASK;
    if (tranType !== TRANSACTION_NOT_TYPE && tranType !== TRANSACTION_COMMIT_TYPE) return msg;
    if (msg.topic === TIMER_TOPIC) return msg;
    const props = string2messageProperties(msg.propertiesString);
    const delayLevel = Number.parseInt(props.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? "0", 10);
    if (delayLevel > 0) {
      if (!TIMER_PROPS.some((k) => props.has(k))) return msg;
      for (const k of TIMER_PROPS) props.delete(k);
      msg.propertiesString = javaPropertiesString(props);
      return msg;
    }
    if (props.has(MessageConst.PROPERTY_TIMER_OUT_MS)) return msg;
    if (!TIMER_PROPS.some((k) => props.has(k))) return msg;
    const { config } = options;
    if (!config.timerWheelEnable) return { status: "WHEEL_TIMER_NOT_ENABLE" };

    const sec = props.get(MessageConst.PROPERTY_TIMER_DELAY_SEC);
    const ms = props.get(MessageConst.PROPERTY_TIMER_DELAY_MS);
    const at = props.get(MessageConst.PROPERTY_TIMER_DELIVER_MS);
    const current = now();
    let deliverMs: number | null;
    if (sec !== undefined) {
      const v = parseJavaLong(sec);
      deliverMs = v === null ? null : current + v * 1000;
    } else if (ms !== undefined) {
      const v = parseJavaLong(ms);
      deliverMs = v === null ? null : current + v;
    } else deliverMs = parseJavaLong(at ?? "");
    if (deliverMs === null) return { status: "WHEEL_TIMER_MSG_ILLEGAL" };

    if (deliverMs <= current) {
      return props.has(MessageConst.PROPERTY_TIMER_DEL_UNIQKEY) ? { status: "WHEEL_TIMER_MSG_ILLEGAL" } : msg;
    }
    if (deliverMs - current > config.timerMaxDelaySec * 1000) return { status: "WHEEL_TIMER_MSG_ILLEGAL" };
    const precision = config.timerPrecisionMs;
    deliverMs = deliverMs % precision === 0 ? deliverMs - precision : Math.floor(deliverMs / precision) * precision;
    if (options.isReject?.(deliverMs)) return { status: "WHEEL_TIMER_FLOW_CONTROL" };
    props.set(MessageConst.PROPERTY_TIMER_OUT_MS, String(deliverMs));
    props.set(MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
    props.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
    msg.propertiesString = javaPropertiesString(props);
    msg.topic = TIMER_TOPIC;
    msg.queueId = 0;
    return msg;
  };
}

/** Whether a hook's answer refuses the put. */
export function isPutRefusal(r: PutMessageHookResult): r is PutMessageResult {
  return "status" in r;
}
