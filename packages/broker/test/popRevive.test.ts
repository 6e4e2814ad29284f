/** PopReviveService on a fake clock: un-acked messages come back to %RETRY%, acked ones do not. */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import {
  buildPopRetryTopicV1,
  decodeRecordAt,
  MessageConst,
  PopAckConstants,
  type MessageExt,
} from "@rocketmq-ts/common";
import {
  AckMessageRequestHeader,
  ChangeInvisibleTimeRequestHeader,
  encodeHeader,
  PopMessageRequestHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from "@rocketmq-ts/remoting";
import { createTimerPutHook, TIMER_TOPIC, TimerMessageStore, type TimerScheduler } from "@rocketmq-ts/store";
import { buildCkMsg, newCheckPoint, type PopCheckPoint } from "../src/pop/PopCheckPoint.js";
import { timerBehindSeconds } from "../src/pop/PopReviveService.js";
import { request, testBrokers, type TestBroker } from "./support/brokerContext.js";
import { answer, props, sendRequest } from "./support/requests.js";

const TOPIC = "ReviveTopic";
const GROUP = "ReviveGroup";
const RETRY = buildPopRetryTopicV1(TOPIC, GROUP);
const INVISIBLE = 10_000;
const open = testBrokers();

interface Clock {
  t: number;
}

/** A broker whose POP and revive services run on `clock` (the revive's sleeps advance it). */
async function broker(clock: Clock, root?: string): Promise<TestBroker> {
  const b = open({
    ...(root ? { storeConfig: { storePathRootDir: root } } : {}),
    pop: {
      now: () => clock.t,
      random: () => 0.99,
      reviveClock: {
        now: () => clock.t,
        sleep: async (ms) => void (clock.t += ms),
      },
    },
  });
  b.ctx.popServices.createReviveTopic();
  for (const s of b.ctx.popServices.reviveServices) s.setShouldRunPopRevive(true);
  return b;
}

async function send(b: TestBroker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await answer(
      b,
      sendRequest(
        { topic: TOPIC, defaultTopicQueueNums: 1, properties: props({ TAGS: "T", n: String(i) }) },
        Buffer.from(`m${i}`),
      ),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
  }
}

function pop(clock: Clock, fields: Partial<PopMessageRequestHeader> = {}): RemotingCommand {
  return request(
    RequestCode.POP_MESSAGE,
    encodeHeader(PopMessageRequestHeader, {
      consumerGroup: GROUP,
      topic: TOPIC,
      queueId: 0,
      maxMsgNums: 32,
      invisibleTime: INVISIBLE,
      pollTime: 0,
      bornTime: clock.t,
      initMode: 0,
      order: false,
      ...fields,
    }),
  );
}

function extraInfo(res: RemotingCommand): string {
  const h = res.extFields ?? {};
  return `0 ${h["popTime"]} ${h["invisibleTime"]} ${h["reviveQid"]} 0 broker-unit 0`;
}

async function ack(b: TestBroker, info: string, offset: number): Promise<void> {
  const res = await answer(
    b,
    request(
      RequestCode.ACK_MESSAGE,
      encodeHeader(AckMessageRequestHeader, {
        consumerGroup: GROUP,
        topic: TOPIC,
        queueId: 0,
        extraInfo: info,
        offset,
      }),
    ),
  );
  expect(res.code).toBe(ResponseCode.SUCCESS);
}

function retried(b: TestBroker): MessageExt[] {
  return b.ctx.store.getMessage(RETRY, 0, 0, 32).messages.map((m) => decodeRecordAt(m, 0));
}

describe("PopReviveService", () => {
  it("revives the un-acked messages of a checkpoint once it is due, not the acked ones", async () => {
    const clock = { t: 1_700_000_000_000 };
    const b = await broker(clock);
    await send(b, 3);
    const popped = await answer(b, pop(clock));
    const popTime = clock.t;
    expect(popped.extFields?.["msgOffsetInfo"]).toBe("0 0 0,1,2");
    await ack(b, extraInfo(popped), 1);
    const revive = b.ctx.popServices.reviveServices[0];
    if (!revive) throw new Error("no revive service");

    // not due yet: nothing revived, no progress
    clock.t = popTime + 1000;
    await revive.reviveRound();
    expect(retried(b)).toHaveLength(0);
    const reviveTopic = b.ctx.popServices.reviveTopic;
    expect(b.ctx.consumerOffsetManager.queryOffset(PopAckConstants.REVIVE_GROUP, reviveTopic, 0)).toBe(-1);

    // well past the revive time
    clock.t = popTime + INVISIBLE + 5000;
    await revive.reviveRound();
    const back = retried(b);
    expect(back.map((m) => m.body?.toString())).toEqual(["m0", "m2"]);
    expect(back.map((m) => m.reconsumeTimes)).toEqual([1, 1]);
    expect(back[0]?.properties.get(MessageConst.PROPERTY_FIRST_POP_TIME)).toBe(String(popTime));
    expect(back[0]?.properties.get("n")).toBe("0");
    expect(b.ctx.topicConfigManager.selectTopicConfig(RETRY)).toMatchObject({
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 6,
    });
    expect(b.ctx.consumerOffsetManager.queryOffset(GROUP, RETRY, 0)).toBe(0);
    // progress = the checkpoint's offset in the revive queue
    expect(b.ctx.consumerOffsetManager.queryOffset(PopAckConstants.REVIVE_GROUP, reviveTopic, 0)).toBe(0);

    // a later round does not revive it twice
    clock.t += 10_000;
    await revive.reviveRound();
    expect(retried(b)).toHaveLength(2);

    // the retried messages are popped again (from the retry topic) under the original topic
    const again = await answer(b, pop(clock));
    expect(again.extFields?.["startOffsetInfo"]).toContain("1 0 0");
  });

  it("a changed invisible time moves the message's return", async () => {
    const clock = { t: 1_700_000_000_000 };
    const b = await broker(clock);
    await send(b, 1);
    const popped = await answer(b, pop(clock));
    const popTime = clock.t;
    clock.t += 1000;
    const change = await answer(
      b,
      request(
        RequestCode.CHANGE_MESSAGE_INVISIBLETIME,
        encodeHeader(ChangeInvisibleTimeRequestHeader, {
          consumerGroup: GROUP,
          topic: TOPIC,
          queueId: 0,
          extraInfo: extraInfo(popped),
          offset: 0,
          invisibleTime: 60_000,
        }),
      ),
    );
    expect(change.code).toBe(ResponseCode.SUCCESS);
    const revive = b.ctx.popServices.reviveServices[0];
    if (!revive) throw new Error("no revive service");
    clock.t = popTime + INVISIBLE + 5000;
    await revive.reviveRound();
    expect(retried(b)).toHaveLength(0);
    clock.t = popTime + 60_000 + 5000;
    await revive.reviveRound();
    expect(retried(b).map((m) => m.body?.toString())).toEqual(["m0"]);
  });

  it("resumes from its persisted progress after a restart", async () => {
    const clock = { t: 1_700_000_000_000 };
    const first = await broker(clock);
    await send(first, 2);
    await answer(first, pop(clock, { maxMsgNums: 1 }));
    const popTime1 = clock.t;
    clock.t += 1;
    await answer(first, pop(clock, { maxMsgNums: 1 }));
    first.ctx.popServices.bufferMergeService.scan();
    const revive = first.ctx.popServices.reviveServices;
    clock.t = popTime1 + INVISIBLE + 5000;
    // the two checkpoints went to revive queues 0 and 1: revive queue 0 only
    await revive[0]?.reviveRound();
    expect(retried(first).map((m) => m.body?.toString())).toEqual(["m0"]);
    first.ctx.consumerOffsetManager.persist();
    first.ctx.topicConfigManager.persist();
    await first.ctx.store.shutdown();

    // same store and config files, new broker: revive queue 0 does not revive m0 again; queue 1 revives m1
    const second = await broker(clock, first.root);
    cpSync(join(first.root, "config"), join(second.root, "config"), { recursive: true });
    second.ctx.consumerOffsetManager.load();
    second.ctx.topicConfigManager.load();
    await second.ctx.popServices.reviveServices[0]?.reviveRound();
    await second.ctx.popServices.reviveServices[1]?.reviveRound();
    expect(retried(second).map((m) => m.body?.toString())).toEqual(["m0", "m1"]);
  });
});

/** Turns of the event loop (setImmediate callbacks) that ran until `stop`. */
function turnCounter(): { readonly turns: number; stop(): void } {
  let turns = 0;
  let on = true;
  const spin = (): void => {
    if (!on) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  return {
    get turns() {
      return turns;
    },
    stop: () => void (on = false),
  };
}

function checkPoint(b: TestBroker, popTime: number, startOffset: number, num: number): PopCheckPoint {
  return newCheckPoint({
    topic: TOPIC,
    cid: GROUP,
    num,
    popTime,
    invisibleTime: INVISIBLE,
    startOffset,
    queueId: 0,
    brokerName: b.ctx.brokerConfig.brokerName,
    queueOffsetDiff: Array.from({ length: num }, (_, i) => i),
  });
}

describe("PopReviveService and the timer", () => {
  it("revives under light traffic while a far-future timer message waits in the wheel", async () => {
    const clock = { t: Math.floor(Date.now() / 1000) * 1000 };
    const manual: TimerScheduler = { setTimeout: () => ({}), clearTimeout: () => undefined };
    const wheel: { timer?: TimerMessageStore } = {};
    /** the timer's loops, driven by hand: enqueue what came, deliver what is due */
    const tick = async (): Promise<void> => {
      const timer = wheel.timer;
      if (!timer) return;
      while (await timer.enqueue());
      while ((await timer.dequeue()) >= 0);
    };
    const b = open({
      pop: {
        now: () => clock.t,
        random: () => 0.99,
        reviveClock: {
          now: () => clock.t,
          sleep: async (ms) => {
            clock.t += ms;
            await tick();
          },
        },
        // as BrokerController wires it
        timerBehind: () => timerBehindSeconds(wheel.timer),
      },
    });
    const config = b.ctx.storeConfig;
    const running = new TimerMessageStore({
      store: b.ctx.store,
      config,
      logger: pino({ level: "silent" }),
      now: () => clock.t,
      scheduler: manual,
      slotsTotal: 7200,
    });
    wheel.timer = running;
    b.ctx.store.addPutMessageHook(createTimerPutHook({ config, now: () => clock.t }));
    running.load();
    running.start(true);
    try {
      b.ctx.popServices.createReviveTopic();
      for (const s of b.ctx.popServices.reviveServices) s.setShouldRunPopRevive(true);

      // a timer message due in a day: it stays in the wheel the whole test
      const far = await answer(
        b,
        sendRequest(
          {
            topic: "FarFutureTopic",
            defaultTopicQueueNums: 1,
            properties: props({ [MessageConst.PROPERTY_TIMER_DELIVER_MS]: String(clock.t + 86_400_000) }),
          },
          Buffer.from("later"),
        ),
      );
      expect(far.code).toBe(ResponseCode.SUCCESS);
      await send(b, 1);
      await tick();
      const popped = await answer(b, pop(clock));
      expect(popped.extFields?.["msgOffsetInfo"]).toBe("0 0 0");
      const popTime = clock.t;
      await tick();
      // the checkpoint went through the timer too
      expect(b.ctx.store.getMaxOffsetInQueue(TIMER_TOPIC, 0)).toBe(2);

      clock.t = popTime + INVISIBLE + 5000;
      await tick();
      expect(running.getDequeueBehindMessages()).toBeGreaterThan(0);
      expect(timerBehindSeconds(running)).toBe(0);
      const revive = b.ctx.popServices.reviveServices.find(
        (s) => b.ctx.store.getMaxOffsetInQueue(b.ctx.popServices.reviveTopic, s.queueId) > 0,
      );
      if (!revive) throw new Error("no checkpoint in any revive queue");
      await revive.reviveRound();
      expect(retried(b).map((m) => m.body?.toString())).toEqual(["m0"]);
    } finally {
      await running.shutdown();
    }
  });
});

describe("PopReviveService lets the event loop run", () => {
  it("yields while it scans a backlog of the revive queue", async () => {
    const clock = { t: 1_700_000_000_000 };
    const b = await broker(clock);
    const origin = b.ctx.popServices.reviveOrigin();
    const cks = Array.from({ length: 40 * 32 }, (_, i) => buildCkMsg(origin, checkPoint(b, clock.t, i, 1), 0));
    for (const ck of cks) await b.ctx.store.putMessages([ck]);
    const revive = b.ctx.popServices.reviveServices[0];
    if (!revive) throw new Error("no revive service");

    const counter = turnCounter();
    const scan = await revive.consumeReviveMessage();
    counter.stop();
    expect(scan.map.size).toBe(cks.length);
    // one turn per batch of 32 read
    expect(counter.turns).toBeGreaterThanOrEqual(20);
  });

  it("yields while it revives many messages", async () => {
    const clock = { t: 1_700_000_000_000 };
    const b = await broker(clock);
    const n = 600;
    await send(b, n);
    b.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(GROUP);
    const popTime = clock.t;
    const map = new Map<string, PopCheckPoint>();
    for (let start = 0, i = 0; start < n; start += 32, i++) {
      const ck = checkPoint(b, popTime, start, Math.min(32, n - start));
      ck.reviveOffset = i;
      map.set(String(i), ck);
    }
    const revive = b.ctx.popServices.reviveServices[0];
    if (!revive) throw new Error("no revive service");

    const counter = turnCounter();
    await revive.mergeAndRevive({ map, oldOffset: -1, endTime: popTime + INVISIBLE + 60_000 });
    counter.stop();
    expect(b.ctx.store.getMaxOffsetInQueue(RETRY, 0)).toBe(n);
    // a turn every 256 messages revived
    expect(counter.turns).toBeGreaterThanOrEqual(2);
  });
});
