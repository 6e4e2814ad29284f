import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { defaultProxyConfig } from "../src/config/ProxyConfig.js";
import {
  ReceiptHandleManager,
  renewDelay,
  retryDelay,
  type MessageReceiptHandle,
} from "../src/service/ReceiptHandleManager.js";
import { defaultSubscriptionGroupView } from "../src/service/subscriptionGroupView.js";

const handle = (popTime: number, invisible: number): string => `5 ${popTime} ${invisible} 3 0 broker-a 1 5 1005`;

function manager(): {
  m: ReceiptHandleManager;
  clock: { now: number };
  changes: { messageId: string; invisible: number }[];
  answer: { ok: boolean };
} {
  const clock = { now: 1_700_000_000_000 };
  const changes: { messageId: string; invisible: number }[] = [];
  const answer = { ok: true };
  const m = new ReceiptHandleManager({
    config: defaultProxyConfig(),
    now: () => clock.now,
    logger: pino({ level: "silent" }),
    groupConfig: (g) => Promise.resolve(defaultSubscriptionGroupView(g)),
    changeInvisibleTime: (h: MessageReceiptHandle, invisible: number) => {
      changes.push({ messageId: h.messageId, invisible });
      return Promise.resolve(answer.ok ? handle(clock.now, invisible) : null);
    },
  });
  return { m, clock, changes, answer };
}

/**
 * A manager holding message m1 of client c1 whose first renew (to 60 s) is in flight until
 * `finishRenew`; other invisible-time changes answer at once. Every change is recorded.
 */
function renewInFlight(lockTimeoutMsInHandleGroup: number): {
  m: ReceiptHandleManager;
  clock: { now: number };
  original: string;
  scan: Promise<void>;
  finishRenew: (h: string) => void;
  changes: { handle: string; invisible: number }[];
} {
  const clock = { now: 1_700_000_000_000 };
  const changes: { handle: string; invisible: number }[] = [];
  let finishRenew: (h: string) => void = () => undefined;
  const m = new ReceiptHandleManager({
    config: { ...defaultProxyConfig(), lockTimeoutMsInHandleGroup },
    now: () => clock.now,
    logger: pino({ level: "silent" }),
    groupConfig: (g) => Promise.resolve(defaultSubscriptionGroupView(g)),
    changeInvisibleTime: (h, invisible) => {
      changes.push({ handle: h.handle, invisible });
      return invisible === 60_000
        ? new Promise<string>((resolve) => (finishRenew = resolve))
        : Promise.resolve(handle(clock.now, invisible));
    },
  });
  const original = handle(clock.now, 60_000);
  m.add("c1", { group: "G", topic: "T", messageId: "m1", originalHandle: original, reconsumeTimes: 0 });
  clock.now += 55_000;
  const scan = m.scan();
  return { m, clock, original, scan, finishRenew: (h) => finishRenew(h), changes };
}

describe("ReceiptHandleManager (auto-renew)", () => {
  it("renews a handle 10 s before it would show again, by the renew steps", async () => {
    const { m, clock, changes } = manager();
    const original = handle(clock.now, 60_000);
    m.add("c1", { group: "G", topic: "T", messageId: "m1", originalHandle: original, reconsumeTimes: 0 });
    clock.now += 49_000;
    await m.scan();
    expect(changes).toEqual([]);
    clock.now += 1_000;
    await m.scan();
    expect(changes).toEqual([{ messageId: "m1", invisible: 60_000 }]);
    clock.now += 50_000;
    await m.scan();
    expect(changes.map((c) => c.invisible)).toEqual([60_000, 180_000]);
    // ack takes the newest handle once
    expect(await m.take("c1", "G", "m1", original)).toBe(handle(clock.now, 180_000));
    expect(await m.take("c1", "G", "m1", original)).toBeNull();
  });

  it("an ack arriving while its handle is being renewed waits for the renew and gets the new handle", async () => {
    const { m, clock, original, scan, finishRenew } = renewInFlight(60_000);
    let taken: string | null | undefined;
    const take = m.take("c1", "G", "m1", original).then((h) => (taken = h));
    await new Promise((r) => setImmediate(r));
    expect(taken).toBeUndefined();
    finishRenew(handle(clock.now, 60_000));
    await Promise.all([scan, take]);
    expect(taken).toBe(handle(clock.now, 60_000));
    expect(m.size()).toBe(0);
  });

  it("a renew that does not end within lockTimeoutMsInHandleGroup fails the ack; the handle stays for a retry", async () => {
    const { m, clock, original, scan, finishRenew } = renewInFlight(20);
    await expect(m.take("c1", "G", "m1", original)).rejects.toMatchObject({
      code: 50001,
      message: "try to remove and get handle failed",
    });
    expect(m.size()).toBe(1);
    finishRenew(handle(clock.now, 60_000));
    await scan;
    expect(await m.take("c1", "G", "m1", original)).toBe(handle(clock.now, 60_000));
  });

  it("a client going away makes the renewed handle visible, not the one a renew in flight replaces", async () => {
    const { m, clock, original, scan, finishRenew, changes } = renewInFlight(60_000);
    const clear = m.clearClient("c1");
    await new Promise((r) => setImmediate(r));
    expect(changes).toEqual([{ handle: original, invisible: 60_000 }]);
    const renewed = handle(clock.now, 60_000);
    finishRenew(renewed);
    await Promise.all([scan, clear]);
    expect(changes[1]).toEqual({ handle: renewed, invisible: 1000 });
  });

  it("after renewMaxTimeMillis the message gets the group's retry delay and is forgotten", async () => {
    const { m, clock, changes } = manager();
    m.add("c1", {
      group: "G",
      topic: "T",
      messageId: "m1",
      originalHandle: handle(clock.now, 60_000),
      reconsumeTimes: 1,
    });
    clock.now += 3 * 3600_000 + 1;
    await m.scan();
    // CUSTOMIZED next[reconsumeTimes + 2] = 30 s
    expect(changes).toEqual([{ messageId: "m1", invisible: 30_000 }]);
    expect(m.size()).toBe(0);
  });

  it("a refused renew forgets the handle; a terminated client's handles become visible after 1 s", async () => {
    const { m, clock, changes, answer } = manager();
    m.add("c1", {
      group: "G",
      topic: "T",
      messageId: "m1",
      originalHandle: handle(clock.now, 60_000),
      reconsumeTimes: 0,
    });
    m.add("c2", {
      group: "G",
      topic: "T",
      messageId: "m2",
      originalHandle: handle(clock.now, 60_000),
      reconsumeTimes: 0,
    });
    await m.clearClient("c2");
    expect(changes).toEqual([{ messageId: "m2", invisible: 1000 }]);
    answer.ok = false;
    clock.now += 55_000;
    await m.scan();
    expect(m.size()).toBe(0);
  });

  it("steps and retry delays as Java's policies", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(renewDelay)).toEqual([
      60_000, 180_000, 300_000, 600_000, 1_800_000, 3_600_000, 3_600_000,
    ]);
    const g = defaultSubscriptionGroupView("G");
    expect(retryDelay(g, 0)).toBe(10_000);
    expect(retryDelay(g, 100)).toBe(7_200_000);
    expect(retryDelay({ ...g, retryPolicyType: "EXPONENTIAL" }, 3)).toBe(40_000);
  });
});
