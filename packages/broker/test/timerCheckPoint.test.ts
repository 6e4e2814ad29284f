/**
 * GET_TIMER_CHECK_POINT (60) on a master and SlaveSynchronize.syncTimerCheckPoint on a slave: the
 * master answers its in-memory timer checkpoint in Java's 56-byte layout; the slave, over loopback
 * (the master's VIP port), copies the read time, the master's timer-queue offset and the data version.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { RemotingClient, RemotingServer, RequestCode, ResponseCode } from "@rocketmq-ts/remoting";
import {
  createTimerPutHook,
  decodeTimerCheckpoint,
  timerCheckPath,
  TimerMessageStore,
  type TimerScheduler,
} from "@rocketmq-ts/store";
import { timerCheckPointProcessors } from "../src/processor/admin/timerCheckPoint.js";
import { SlaveSynchronize } from "../src/slave/SlaveSynchronize.js";
import { peerConnection, request, testBrokers, type TestBroker } from "./support/brokerContext.js";
import { answer, props, sendRequest } from "./support/requests.js";

const openBroker = testBrokers();
const logger = pino({ level: "silent" });
const manual: TimerScheduler = { setTimeout: () => ({}), clearTimeout: () => undefined };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function withTimer(broker: TestBroker, master: boolean, now: () => number): TimerMessageStore {
  const config = broker.ctx.storeConfig;
  const timer = new TimerMessageStore({ store: broker.ctx.store, config, logger, now, scheduler: manual });
  broker.ctx.store.addPutMessageHook(createTimerPutHook({ config, now, isReject: (ms) => timer.isReject(ms) }));
  timer.load();
  timer.start(master);
  cleanups.push(() => timer.shutdown());
  return timer;
}

/** A master whose timer has read two timer messages and written its checkpoint. */
async function masterWithProgress(): Promise<TimerMessageStore> {
  const broker = openBroker({ storeConfig: { timerWheelEnable: true } });
  const t = { now: Date.now() };
  const timer = withTimer(broker, true, () => t.now);
  for (const uniq of ["A", "B"]) {
    const res = await answer(
      broker,
      sendRequest({
        topic: "TimerTopic",
        queueId: 0,
        properties: props({ UNIQ_KEY: uniq, TIMER_DELIVER_MS: String(t.now + 60_000) }),
      }),
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
  }
  while (await timer.enqueue());
  while ((await timer.dequeue()) !== -1);
  await timer.flush();
  expect(timer.timerCheckpoint.masterTimerQueueOffset).toBe(2);
  return timer;
}

describe("GET_TIMER_CHECK_POINT", () => {
  it("answers the checkpoint in Java's layout: four longs, then the data version", async () => {
    const timer = await masterWithProgress();
    const handler = timerCheckPointProcessors({ timerMessageStore: timer, logger }).get(
      RequestCode.GET_TIMER_CHECK_POINT,
    );
    const res = await handler?.(request(RequestCode.GET_TIMER_CHECK_POINT, {}), {
      connection: peerConnection(),
      remoteAddr: "127.0.0.1:50001",
    });
    expect(res?.code).toBe(ResponseCode.SUCCESS);
    const body = res?.body ?? Buffer.alloc(0);
    expect(body).toHaveLength(56);
    const cp = timer.timerCheckpoint;
    expect([0, 8, 16, 24, 32, 40, 48].map((at) => Number(body.readBigInt64BE(at)))).toEqual([
      cp.lastReadTimeMs,
      cp.lastTimerLogFlushPos,
      cp.lastTimerQueueOffset,
      2,
      cp.stateVersion,
      cp.timestamp,
      cp.counter,
    ]);
    expect(cp.lastReadTimeMs).toBe(timer.commitReadTimeMs);
    expect(cp.counter).toBeGreaterThan(0);
  });

  it("answers SYSTEM_ERROR 'The checkpoint is null' without timer messages", async () => {
    const broker = openBroker();
    const res = await broker.handle(request(RequestCode.GET_TIMER_CHECK_POINT, {}));
    expect({ code: res?.code, remark: res?.remark }).toEqual({
      code: ResponseCode.SYSTEM_ERROR,
      remark: "The checkpoint is null",
    });
  });
});

describe("SlaveSynchronize.syncTimerCheckPoint", () => {
  /** The master's GET_TIMER_CHECK_POINT on a loopback port; the address a slave knows is that port + 2. */
  async function serve(timer: TimerMessageStore): Promise<string> {
    const server = new RemotingServer({ listenPort: 0, bindAddress: "127.0.0.1" });
    for (const [code, processor] of timerCheckPointProcessors({ timerMessageStore: timer, logger }))
      server.registerProcessor(code, processor);
    const vipPort = await server.start();
    cleanups.push(() => server.shutdown());
    return `127.0.0.1:${vipPort + 2}`;
  }

  function slaveSync(slave: TestBroker, timer: TimerMessageStore, masterAddr: string): SlaveSynchronize {
    const client = new RemotingClient({ connectTimeoutMillis: 2000 });
    cleanups.push(() => client.shutdown());
    const sync = new SlaveSynchronize({
      client,
      logger,
      storeRoot: slave.root,
      brokerAddr: "127.0.0.1:1",
      topicConfigManager: slave.ctx.topicConfigManager,
      consumerOffsetManager: slave.ctx.consumerOffsetManager,
      subscriptionGroupManager: slave.ctx.subscriptionGroupManager,
      timerMessageStore: () => timer,
    });
    sync.masterAddr = masterAddr;
    return sync;
  }

  it("copies the master's read time, timer-queue offset and data version to a slave", async () => {
    const master = await masterWithProgress();
    const masterAddr = await serve(master);
    const slave = openBroker({ storeConfig: { timerWheelEnable: true, brokerRole: "SLAVE" } });
    const slaveTimer = withTimer(slave, false, Date.now);
    expect(slaveTimer.timerCheckpoint.masterTimerQueueOffset).toBe(0);

    await slaveSync(slave, slaveTimer, masterAddr).syncTimerCheckPoint();
    const m = master.timerCheckpoint;
    const s = slaveTimer.timerCheckpoint;
    expect([s.lastReadTimeMs, s.masterTimerQueueOffset, s.stateVersion, s.timestamp, s.counter]).toEqual([
      m.lastReadTimeMs,
      2,
      m.stateVersion,
      m.timestamp,
      m.counter,
    ]);
    // the slave's timer takes the read time over (a dequeue step of a non-dequeuing timer), and its file keeps both
    expect(await slaveTimer.dequeue()).toBe(-1);
    expect(slaveTimer.currReadTimeMs).toBe(m.lastReadTimeMs);
    await slaveTimer.flush();
    const onDisk = decodeTimerCheckpoint(readFileSync(timerCheckPath(slave.root)));
    expect([onDisk.lastReadTimeMs, onDisk.masterTimerQueueOffset]).toEqual([m.lastReadTimeMs, 2]);
  });

  it("leaves the checkpoint of a broker that dequeues itself alone", async () => {
    const master = await masterWithProgress();
    const masterAddr = await serve(master);
    const other = openBroker({ storeConfig: { timerWheelEnable: true } });
    const otherTimer = withTimer(other, true, Date.now);
    await slaveSync(other, otherTimer, masterAddr).syncTimerCheckPoint();
    expect(otherTimer.timerCheckpoint.masterTimerQueueOffset).toBe(0);
  });
});
