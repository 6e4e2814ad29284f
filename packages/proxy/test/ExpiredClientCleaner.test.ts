import { describe, expect, it } from "vitest";
import { ClientActivity } from "../src/grpc/ClientActivity.js";
import { ExpiredClientCleaner } from "../src/grpc/ExpiredClientCleaner.js";
import { ReceiptHandleManager } from "../src/service/ReceiptHandleManager.js";
import { fakeProxy, type FakeProxy } from "./support/fakeBackend.js";

const noWriter = { write: (): void => undefined };

/** Replace the fake's handle manager by one recording every CHANGE_MESSAGE_INVISIBLETIME it asks. */
function recordingHandles(p: FakeProxy): { handle: string; invisibleTime: number }[] {
  const changes: { handle: string; invisibleTime: number }[] = [];
  p.deps.receiptHandles = new ReceiptHandleManager({
    config: p.deps.config,
    now: p.deps.now,
    logger: p.deps.logger,
    groupConfig: () => Promise.resolve(null),
    changeInvisibleTime: (h, invisibleTime) => {
      changes.push({ handle: h.handle, invisibleTime });
      return Promise.resolve(h.handle);
    },
  });
  return changes;
}

async function register(p: FakeProxy): Promise<ClientActivity> {
  p.backend.addTopic("T");
  p.backend.addTopic("Tx", "TRANSACTION");
  const client = new ClientActivity(p.deps);
  await client.telemetry(
    p.ctx("consumer-1"),
    { settings: { client_type: "PUSH_CONSUMER", subscription: { group: { name: "G" } } } },
    noWriter,
  );
  await client.telemetry(
    p.ctx("producer-1"),
    { settings: { client_type: "PRODUCER", publishing: { topics: [{ name: "Tx" }] } } },
    noWriter,
  );
  return client;
}

describe("ExpiredClientCleaner", () => {
  it("forgets a client silent for more than channelExpiredTimeout (120 s): settings, channel, producer groups, handles", async () => {
    const p = fakeProxy();
    const changes = recordingHandles(p);
    const client = await register(p);
    const handle = `5 ${p.clock.now} 60000 3 0 broker-a 1 5 1005`;
    p.deps.receiptHandles.add("consumer-1", {
      group: "G",
      topic: "T",
      messageId: "ID-5",
      originalHandle: handle,
      reconsumeTimes: 0,
    });
    expect(p.backend.producerGroups).toEqual(["Tx"]);
    const cleaner = new ExpiredClientCleaner(p.deps);

    p.clock.now += 120_000;
    expect(await cleaner.scan()).toEqual([]);
    // the producer keeps heart-beating, the consumer has died without NotifyClientTermination
    expect((await client.heartbeat(p.ctx("producer-1"), {})).status.code).toBe(20000);

    p.clock.now += 1;
    expect(await cleaner.scan()).toEqual(["consumer-1"]);
    expect(await p.deps.settings.getClientSettings("consumer-1")).toBeNull();
    expect(p.deps.channels.getChannel("consumer-1")).toBeUndefined();
    expect(p.deps.receiptHandles.size()).toBe(0);
    expect(changes).toEqual([{ handle, invisibleTime: 1000 }]);
    expect(p.backend.producerGroups).toEqual(["Tx"]);
    expect(await p.deps.settings.getClientSettings("producer-1")).not.toBeNull();

    p.clock.now += 120_000;
    expect(await cleaner.scan()).toEqual(["producer-1"]);
    // the proxy stops standing for the dead transactional producer's group at the brokers
    expect(p.backend.producerGroups).toEqual([]);
    expect(p.deps.channels.getChannel("producer-1")).toBeUndefined();
    expect(await cleaner.scan()).toEqual([]);
  });

  it("counts any activity recorded for the client id, and forgets a terminated client at once", async () => {
    const p = fakeProxy();
    const client = await register(p);
    const cleaner = new ExpiredClientCleaner(p.deps);
    p.clock.now += 100_000;
    p.deps.channels.touch("consumer-1", p.clock.now);
    expect((await client.notifyClientTermination(p.ctx("producer-1"), {})).status.code).toBe(20000);
    p.clock.now += 30_000;
    expect(await cleaner.scan()).toEqual([]);
    p.clock.now += 91_000;
    expect(await cleaner.scan()).toEqual(["consumer-1"]);
  });
});
