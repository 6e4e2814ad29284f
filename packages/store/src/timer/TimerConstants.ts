/**
 * Names and numbers of Java 5.3.3's timer store (TimerMessageStore, TimerLog, TimerWheel, Slot) that
 * the files and the put hook share. Values, not behaviour: layouts are in TimerLog / TimerWheel.
 */

/** The system topic timer messages are parked in (TopicValidator.SYSTEM_TOPIC_PREFIX + "wheel_timer"), one queue. */
export const TIMER_TOPIC = "rmq_sys_wheel_timer";

/** The wheel covers 7 days of slots (TIMER_WHEEL_TTL_DAY · DAY_SECS), and holds twice that many. */
export const TIMER_WHEEL_TTL_DAY = 7;
export const DAY_SECS = 24 * 3600;
export const TIMER_SLOTS_TOTAL = TIMER_WHEEL_TTL_DAY * DAY_SECS;
/** Slots kept free between the read time and the oldest readable slot (recovery, roll window cap). */
export const TIMER_BLANK_SLOTS = 60;

/** Timer-log record magic bits: a record is valid when no other bit is set ((magic | 0xF) === 0xF). */
export const MAGIC_DEFAULT = 1;
export const MAGIC_ROLL = 1 << 1;
export const MAGIC_DELETE = 1 << 2;

export function isMagicOK(magic: number): boolean {
  return (magic | 0xf) === 0xf;
}
export function needRoll(magic: number): boolean {
  return (magic & MAGIC_ROLL) !== 0;
}
export function needDelete(magic: number): boolean {
  return (magic & MAGIC_DELETE) !== 0;
}

/** TIMER_ENQUEUE_MS of a message that was already due when enqueued (Java's Long.MAX_VALUE). */
export const ENQUEUE_TIME_DUE = "9223372036854775807";

/** Key of a delete (recall) marker's target: `realTopic+uniqueKey` (Java's buildDeleteKey). */
export function buildDeleteKey(realTopic: string, uniqueKey: string): string {
  return `${realTopic}+${uniqueKey}`;
}

/** Java's String.hashCode (UTF-16 code units), the real-topic hash a timer-log record carries. */
export function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
