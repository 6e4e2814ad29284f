/**
 * TimerMessageStore over a real DefaultMessageStore in a temp dir, with the put hook installed and a
 * fake clock; the loops' steps (enqueue / dequeue / flush) are driven by hand.
 */
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { pino } from "pino";
import { configDefaults, parseHost, type MessageExt } from "@rocketmq-ts/common";
import {
  createTimerPutHook,
  DefaultMessageStore,
  messageStoreConfigSpec,
  TIMER_TOPIC,
  TimerMessageStore,
  verifyStore,
  type MessageStoreConfig,
  type TimerScheduler,
} from "@rocketmq-ts/store";
import { innerMessage } from "./support/messages.js";

const host = parseHost("127.0.0.1:10911");
const logger = pino({ level: "silent" });
const T0 = 1_700_000_000_300;
/** Timers that never fire: the tests run the steps themselves. */
const manual: TimerScheduler = { setTimeout: () => ({}), clearTimeout: () => undefined };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length) await cleanups.pop()?.();
});

interface Clock {
  t: number;
  now: () => number;
}
function fakeClock(t: number): Clock {
  const clock: Clock = { t, now: () => clock.t };
  return clock;
}

interface Broker {
  store: DefaultMessageStore;
  timer: TimerMessageStore;
  close(): Promise<void>;
}

function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "timer-store-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

function open(
  root: string,
  clock: Clock,
  overrides: Partial<MessageStoreConfig> = {},
  scheduler: TimerScheduler = manual,
): Broker {
  const config: MessageStoreConfig = {
    ...configDefaults(messageStoreConfigSpec()),
    storePathRootDir: root,
    mappedFileSizeCommitLog: 1024 * 1024,
    mappedFileSizeConsumeQueue: 20 * 100,
    mappedFileSizeTimerLog: 52 * 20 + 16,
    maxHashSlotNum: 16,
    maxIndexNum: 64,
    ...overrides,
  };
  const store = new DefaultMessageStore(config, { logger, storeHost: host, clock: clock.now });
  store.load();
  const timer = new TimerMessageStore({ store, config, logger, now: clock.now, scheduler });
  store.addPutMessageHook(createTimerPutHook({ config, now: clock.now, isReject: (ms) => timer.isReject(ms) }));
  timer.load();
  store.start();
  timer.start(true);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await timer.shutdown();
    await store.shutdown();
  };
  cleanups.push(close);
  return { store, timer, close };
}

async function send(store: DefaultMessageStore, props: Record<string, string>, topic = "TopicA", queueId = 1) {
  const propertiesString = Object.entries(props)
    .map(([k, v]) => `${k}\u0001${v}\u0002`)
    .join("");
  return store.putMessages([innerMessage(host, { topic, queueId, body: Buffer.from("hi"), propertiesString })]);
}

/** Run enqueue and dequeue steps until neither has anything to do. */
async function settle(timer: TimerMessageStore): Promise<void> {
  for (;;) {
    const enq = await timer.enqueue();
    let deq = 0;
    for (let r = await timer.dequeue(); r !== -1; r = await timer.dequeue()) deq++;
    if (!enq && deq === 0) return;
  }
}

/** The UNIQ_KEYs of a queue's messages, in queue order. */
const uniqKeysIn = (store: DefaultMessageStore, topic = "TopicA", queueId = 1): (string | undefined)[] =>
  messagesIn(store, topic, queueId).map((m) => m.properties.get("UNIQ_KEY"));

/**
 * Timers that never fire (the loops' own), but the dequeue's waits — the unknown-error hold (50 ms)
 * and the wait before a put is retried (500 ms, as a busy store answers under load) — fire on the next turn.
 */
const holdsFire: TimerScheduler = {
  setTimeout: (fn, ms) => (ms === 50 || ms === 500 ? setImmediate(fn) : {}),
  clearTimeout: () => undefined,
};

/** Dequeue until nothing is due; a step that fails is run again, as the dequeue loop does. */
async function drainDequeue(timer: TimerMessageStore): Promise<void> {
  for (let failed = 0; ; failed++) {
    try {
      while ((await timer.dequeue()) !== -1);
      return;
    } catch (err) {
      // the loop logs it and runs the step again
      if (failed >= 10) throw err;
    }
  }
}

/** Fail the put of the message whose UNIQ_KEY is `uniq`, `times` times. */
function failPutOf(store: DefaultMessageStore, uniq: string, times: number): void {
  const put = store.putMessages.bind(store);
  let left = times;
  vi.spyOn(store, "putMessages").mockImplementation((msgs, wait) => {
    if (left > 0 && msgs[0]?.propertiesString.includes(`UNIQ_KEY\u0001${uniq}\u0002`)) {
      left--;
      throw new Error("disk hiccup");
    }
    return put(msgs, wait);
  });
}

function messagesIn(store: DefaultMessageStore, topic: string, queueId: number): MessageExt[] {
  const cq = store.getConsumeQueue(topic, queueId);
  if (!cq) return [];
  const out: MessageExt[] = [];
  for (let i = cq.getMinOffsetInQueue(); i < cq.getMaxOffsetInQueue(); i++) {
    const entry = cq.getEntry(i);
    const msg = entry && store.lookMessageByOffset(entry.offset);
    if (msg) out.push(msg);
  }
  return out;
}

describe("TimerMessageStore", () => {
  it("delivers a timer message into its real topic and queue no earlier than its deliver time", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock);
    const deliverMs = T0 + 3000; // …3300: slot …3000, readable once now ≥ …4000 > deliverMs
    expect((await send(store, { TIMER_DELIVER_MS: String(deliverMs), UNIQ_KEY: "U1" })).status).toBe("PUT_OK");
    expect(messagesIn(store, TIMER_TOPIC, 0)).toHaveLength(1);
    await settle(timer);
    expect(timer.timerWheel.getSlot(T0 + 2700).num).toBe(1);

    for (const t of [T0 + 1000, deliverMs - 1, deliverMs, deliverMs + 699]) {
      clock.t = t;
      await settle(timer);
      expect(messagesIn(store, "TopicA", 1), `at +${t - T0}`).toHaveLength(0);
    }
    clock.t = T0 + 3700; // …4000
    await settle(timer);
    const [got] = messagesIn(store, "TopicA", 1);
    expect(got?.properties.get("UNIQ_KEY")).toBe("U1");
    expect(got?.properties.get("TIMER_OUT_MS")).toBe(String(T0 + 2700));
    expect(got?.properties.get("TIMER_DELIVER_MS")).toBe(String(deliverMs));
    expect(got?.properties.get("TIMER_ENQUEUE_MS")).toBe(String(T0 - 300)); // the write time when enqueued
    expect(got?.properties.get("TIMER_DEQUEUE_MS")).toBe(String(T0 + 3700));
    // Java serializes before it clears REAL_TOPIC / REAL_QID: the stored copy keeps them
    expect(got?.properties.get("REAL_TOPIC")).toBe("TopicA");
    expect(got?.properties.get("REAL_QID")).toBe("1");
    expect(got?.body?.toString()).toBe("hi");
    clock.t += 10_000;
    await settle(timer);
    expect(messagesIn(store, "TopicA", 1)).toHaveLength(1); // once
  });

  it("delivers at once what is already due when enqueued (TIMER_ENQUEUE_MS = Long.MAX_VALUE)", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock);
    await send(store, { TIMER_DELAY_SEC: "2" });
    clock.t = T0 + 5000; // the enqueue ran late
    await timer.enqueue();
    const [got] = messagesIn(store, "TopicA", 1);
    expect(got?.properties.get("TIMER_ENQUEUE_MS")).toBe("9223372036854775807");
  });

  it("parks a far-future message at a roll point and puts it back on the timer topic there", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock, { timerRollWindowSlot: 10 });
    await send(store, { TIMER_DELAY_SEC: "40", UNIQ_KEY: "R" }); // slot T0−300+40 s, window 10 slots
    await settle(timer);
    clock.t = T0 + 11_000;
    await settle(timer);
    // rolled back onto the timer topic once (delay − window ≥ window/3: a full window ahead)
    const onTimer = messagesIn(store, TIMER_TOPIC, 0);
    expect(onTimer).toHaveLength(2);
    expect(onTimer[1]?.properties.get("TIMER_ROLL_TIMES")).toBe("1");
    expect(messagesIn(store, "TopicA", 1)).toHaveLength(0);
    for (let t = T0 + 12_000; t <= T0 + 39_000; t += 1000) {
      clock.t = t;
      await settle(timer);
      expect(messagesIn(store, "TopicA", 1)).toHaveLength(0);
    }
    clock.t = T0 + 40_000; // …40300: slot …40000 is read from …41000 on
    await settle(timer);
    expect(messagesIn(store, "TopicA", 1)).toHaveLength(0);
    clock.t = T0 + 40_700;
    await settle(timer);
    const [got] = messagesIn(store, "TopicA", 1);
    expect(got?.properties.get("UNIQ_KEY")).toBe("R");
    expect(Number(got?.properties.get("TIMER_ROLL_TIMES"))).toBeGreaterThanOrEqual(1);
  });

  it('drops a message whose delete marker (TIMER_DEL_UNIQKEY = topic + "+" + uniq key) shares its slot', async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock);
    await send(store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: "GONE" });
    await send(store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: "KEPT" });
    await send(store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: "M", TIMER_DEL_UNIQKEY: "TopicA+GONE" });
    await settle(timer);
    expect(timer.timerWheel.getSlot(T0 + 2700).num).toBe(1); // +1 +1 −1
    clock.t = T0 + 5000;
    await settle(timer);
    expect(messagesIn(store, "TopicA", 1).map((m) => m.properties.get("UNIQ_KEY"))).toEqual(["KEPT"]);
  });

  it("keeps pending messages over a restart and delivers slots passed while down at once", async () => {
    const clock = fakeClock(T0);
    const root = newRoot();
    const first = open(root, clock);
    await send(first.store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: "A" });
    await send(first.store, { TIMER_DELAY_SEC: "60", UNIQ_KEY: "B" });
    await settle(first.timer);
    await first.close();

    clock.t = T0 + 20_000; // down past A's time
    const second = open(root, clock);
    await settle(second.timer);
    expect(messagesIn(second.store, "TopicA", 1).map((m) => m.properties.get("UNIQ_KEY"))).toEqual(["A"]);
    clock.t = T0 + 61_000;
    await settle(second.timer);
    expect(messagesIn(second.store, "TopicA", 1).map((m) => m.properties.get("UNIQ_KEY"))).toEqual(["A", "B"]);
    await second.close();
    // the store verifier takes the timer topic's queue and the timer files in its stride
    const report = verifyStore({ storePath: root, indexGeometry: { hashSlotNum: 16, indexNum: 64 } });
    expect(report.problemKinds).toEqual({});
    expect(report.ok).toBe(true);
  });

  it("recovers after a crash: garbage truncated, slots re-pointed, the timer queue re-read where the log ends", async () => {
    const clock = fakeClock(T0);
    const root = newRoot();
    const first = open(root, clock);
    await send(first.store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: "A" });
    await settle(first.timer);
    await first.timer.flush(); // checkpoint: one unit
    await send(first.store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: "B" });
    await settle(first.timer); // in the log and wheel, not checkpointed
    await send(first.store, { TIMER_DELIVER_MS: String(T0 + 4000), UNIQ_KEY: "C" }); // on the timer topic only
    // crash: files closed without a last flush of the timer; the page cache keeps what was written
    first.timer.timerLog.shutdown();
    first.timer.timerWheel.shutdown();
    first.timer.timerCheckpoint.shutdown();
    await first.store.shutdown();
    // a torn unit after the last one (a magic with other bits than 0xF), and a wheel slot that
    // still points at A (as if the wheel's page had not been written back)
    const fd = openSync(join(root, "timerlog", "00000000000000000000"), "r+");
    writeSync(fd, Buffer.from("00000034ffffffffffffffff0000dead", "hex"), 0, 16, 104);
    closeSync(fd);
    const slotAt = first.timer.timerWheel.getSlotIndex(T0 + 2700) * 32;
    const wheelFd = openSync(join(root, "timerwheel"), "r+");
    writeSync(wheelFd, Buffer.alloc(8), 0, 8, slotAt + 16); // lastPos 0
    closeSync(wheelFd);

    const second = open(root, clock);
    expect(second.timer.timerLog.getMaxOffset()).toBe(104);
    expect(second.timer.timerWheel.getSlot(T0 + 2700).lastPos).toBe(52);
    // the log ends after B (queue offset 1), but as Java the resume point is capped by the
    // checkpointed masterTimerQueueOffset (1): B is enqueued again (a duplicate, never a loss), then C
    expect(second.timer.currQueueOffset).toBe(1);
    clock.t = T0 + 6000;
    await settle(second.timer);
    // B and C are already due when enqueued: delivered first; then the recovered slot (A, B)
    expect(messagesIn(second.store, "TopicA", 1).map((m) => m.properties.get("UNIQ_KEY"))).toEqual([
      "B",
      "C",
      "A",
      "B",
    ]);
  });

  it("does not dequeue while not the master, and resumes from the checkpoint when it becomes one", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock);
    await send(store, { TIMER_DELIVER_MS: String(T0 + 2000), UNIQ_KEY: "S" });
    await settle(timer);
    await timer.flush();
    timer.setShouldRunningDequeue(false);
    clock.t = T0 + 5000;
    await settle(timer);
    expect(messagesIn(store, "TopicA", 1)).toHaveLength(0);
    timer.setShouldRunningDequeue(true);
    await settle(timer);
    expect(messagesIn(store, "TopicA", 1)).toHaveLength(1);
  });

  it("reports how far enqueue and dequeue lag (what POP's revive asks)", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock);
    await settle(timer);
    expect(timer.getDequeueBehindMillis()).toBe(300); // read up to …0000, now …0300
    expect(timer.getDequeueBehind()).toBe(0);
    await send(store, { TIMER_DELIVER_MS: String(T0 + 5000) });
    clock.t = T0 + 1500;
    await timer.enqueue();
    expect(timer.getEnqueueBehind()).toBe(1); // the message read was stored 1.5 s ago
    clock.t = T0 + 9000;
    expect(timer.getEnqueueBehindMillis()).toBe(0); // nothing read in the last 2 s
    expect(timer.getDequeueBehind()).toBe(9);
  });

  it("rejects puts into a congested slot (timerCongestNumEachSlot)", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock, { timerCongestNumEachSlot: 1 });
    for (let i = 0; i < 2; i++) await send(store, { TIMER_DELIVER_MS: String(T0 + 3000) });
    await settle(timer);
    expect((await send(store, { TIMER_DELIVER_MS: String(T0 + 3000) })).status).toBe("WHEEL_TIMER_FLOW_CONTROL");
    expect(timer.isReject(T0 + 2700, () => 0)).toBe(true);
  });

  it("runs its loops on the injected scheduler: enqueue, dequeue and flush steps until shutdown", async () => {
    const clock = fakeClock(T0);
    const due: { fn: () => void; at: number }[] = [];
    const scheduler: TimerScheduler = {
      setTimeout: (fn, ms) => {
        const entry = { fn, at: clock.t + ms };
        due.push(entry);
        return entry;
      },
      clearTimeout: (h) => {
        const i = due.indexOf(h as (typeof due)[number]);
        if (i >= 0) due.splice(i, 1);
      },
    };
    /** Advance the fake clock to `t`, firing every timer due on the way (and letting each step finish). */
    const runUntil = async (t: number): Promise<void> => {
      for (;;) {
        due.sort((a, b) => a.at - b.at);
        const next = due[0];
        if (!next || next.at > t) break;
        due.shift();
        clock.t = Math.max(clock.t, next.at);
        next.fn();
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      }
      clock.t = t;
    };
    const root = newRoot();
    const config: MessageStoreConfig = {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: root,
      mappedFileSizeCommitLog: 1024 * 1024,
      mappedFileSizeConsumeQueue: 20 * 100,
      maxHashSlotNum: 16,
      maxIndexNum: 64,
    };
    const store = new DefaultMessageStore(config, { logger, storeHost: host });
    store.load();
    const timer = new TimerMessageStore({ store, config, logger, now: clock.now, scheduler });
    store.addPutMessageHook(createTimerPutHook({ config, now: clock.now }));
    timer.load();
    store.start();
    timer.start(true);
    cleanups.push(async () => {
      await timer.shutdown();
      await store.shutdown();
    });
    await send(store, { TIMER_DELIVER_MS: String(T0 + 2500), UNIQ_KEY: "L" });
    await runUntil(T0 + 2000);
    expect(messagesIn(store, "TopicA", 1)).toHaveLength(0);
    expect(timer.timerCheckpoint.masterTimerQueueOffset).toBe(1); // flushed by the flush loop
    await runUntil(T0 + 2800); // …3100: slot …2000 is read
    expect(messagesIn(store, "TopicA", 1).map((m) => m.properties.get("UNIQ_KEY"))).toEqual(["L"]);
    await timer.shutdown();
    expect(due).toHaveLength(0);
  });

  it("yields to the event loop while it delivers a slot of thousands of due messages", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(
      newRoot(),
      clock,
      {
        mappedFileSizeTimerLog: 52 * 4096,
        mappedFileSizeConsumeQueue: 20 * 4096,
        mappedFileSizeCommitLog: 4 * 1024 * 1024,
      },
      holdsFire,
    );
    const n = 3000;
    for (let i = 0; i < n; i++) await send(store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: `U${i}` });
    while (await timer.enqueue());
    expect(timer.timerWheel.getSlot(T0 + 2700).num).toBe(n);
    clock.t = T0 + 5000;
    let puts = 0;
    const put = store.putMessages.bind(store);
    vi.spyOn(store, "putMessages").mockImplementation((msgs, wait) => (puts++, put(msgs, wait)));
    const seen: { readTimeMs: number; puts: number }[] = [];
    let drained = false;
    const tick = (): void => {
      seen.push({ readTimeMs: timer.currReadTimeMs, puts });
      if (!drained) setImmediate(tick);
    };
    setImmediate(tick);
    try {
      await drainDequeue(timer);
    } finally {
      drained = true;
    }
    // other callbacks ran while the slot was read, every DEQUEUE_YIELD_EVERY messages
    expect(seen[0]?.readTimeMs).toBe(T0 + 2700);
    expect(seen[0]?.puts).toBeLessThanOrEqual(255); // fewer when a put had to wait and retry
    expect(seen.filter((s) => s.readTimeMs === T0 + 2700).length).toBeGreaterThanOrEqual(Math.floor(n / 256));
    const got = uniqKeysIn(store);
    expect(got).toHaveLength(n);
    expect(new Set(got).size).toBe(n);
  });

  it("retries only the message that threw: the slot's earlier messages are delivered once", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock, {}, holdsFire);
    for (const uniq of ["A", "B", "C"]) await send(store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: uniq });
    while (await timer.enqueue());
    clock.t = T0 + 5000;
    failPutOf(store, "B", 2);
    await drainDequeue(timer);
    expect(uniqKeysIn(store)).toEqual(["A", "B", "C"]);
  });

  it("skips the message that threw with timerSkipUnknownError", async () => {
    const clock = fakeClock(T0);
    const { store, timer } = open(newRoot(), clock, { timerSkipUnknownError: true }, holdsFire);
    for (const uniq of ["A", "B", "C"]) await send(store, { TIMER_DELIVER_MS: String(T0 + 3000), UNIQ_KEY: uniq });
    while (await timer.enqueue());
    clock.t = T0 + 5000;
    failPutOf(store, "B", 1);
    await drainDequeue(timer);
    expect(uniqKeysIn(store)).toEqual(["A", "C"]);
  });

  it("survives a clean step that throws, and cleans again after its interval", async () => {
    const clock = fakeClock(T0);
    const timers: { fn: () => void; ms: number }[] = [];
    const recording: TimerScheduler = {
      setTimeout: (fn, ms) => {
        const entry = { fn, ms };
        timers.push(entry);
        return entry;
      },
      clearTimeout: (h) => {
        const i = timers.indexOf(h as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const { timer } = open(newRoot(), clock, {}, recording);
    const clean = vi.spyOn(timer.timerLog, "deleteExpiredFiles").mockImplementation(() => {
      throw new Error("EBUSY");
    });
    const step = timers.find((t) => t.ms === 30_000);
    timers.splice(timers.indexOf(step ?? timers[0]!), 1);
    expect(() => step?.fn()).not.toThrow();
    expect(clean).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 5 && !timers.some((t) => t.ms === 30_000); i++) await new Promise((r) => setImmediate(r));
    expect(timers.filter((t) => t.ms === 30_000)).toHaveLength(1);
  });
});
