/** A test broker with the store's timer put hook and a TimerMessageStore over its store, on a fake clock. */
import { pino } from "pino";
import { createTimerPutHook, TimerMessageStore, type TimerScheduler } from "@rocketmq-ts/store";
import type { TestBroker, TestBrokerOptions } from "./brokerContext.js";

/** Timers that never fire: the tests run the timer's steps by hand (`settle`). */
const manual: TimerScheduler = { setTimeout: () => ({}), clearTimeout: () => undefined };

export interface TimerBroker {
  broker: TestBroker;
  timer: TimerMessageStore;
  /** the fake clock both the hook and the timer read; move `t` to let time pass */
  clock: { t: number };
}

/** `openBroker` is the test file's `testBrokers()` opener (it cleans up after each test). */
export function openTimerBroker(
  openBroker: (options?: TestBrokerOptions) => TestBroker,
  options: TestBrokerOptions = {},
): TimerBroker {
  // recovery and settle() walk a week of wheel slots on the event loop: no fast failure for that lag
  const broker = openBroker({ ...options, brokerConfig: { brokerFastFailureEnable: false, ...options.brokerConfig } });
  const clock = { t: Date.now() };
  const now = (): number => clock.t;
  const config = broker.ctx.storeConfig;
  const timer = new TimerMessageStore({
    store: broker.ctx.store,
    config,
    logger: pino({ level: "silent" }),
    now,
    scheduler: manual,
  });
  broker.ctx.store.addPutMessageHook(createTimerPutHook({ config, now, isReject: (ms) => timer.isReject(ms) }));
  timer.load();
  timer.start(true);
  return { broker, timer, clock };
}

/** Run the timer's enqueue and dequeue steps until neither has anything left to do. */
export async function settle(timer: TimerMessageStore): Promise<void> {
  for (;;) {
    const enq = await timer.enqueue();
    let deq = 0;
    for (let r = await timer.dequeue(); r !== -1; r = await timer.dequeue()) deq++;
    if (!enq && deq === 0) return;
  }
}
