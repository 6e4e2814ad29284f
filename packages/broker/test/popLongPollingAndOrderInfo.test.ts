/** PopLongPollingService and ConsumerOrderInfoManager on a fake clock. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createRequest } from "@rocketmq-ts/remoting";
import { PopLongPollingService, type PopRequest } from "../src/longpolling/PopLongPollingService.js";
import { ConsumerOrderInfoManager, nextOffsetOf } from "../src/offset/ConsumerOrderInfoManager.js";
import { peerConnection } from "./support/brokerContext.js";

const silent = pino({ level: "silent" });
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop() ?? "", { recursive: true, force: true });
});

function polling(
  now: () => number,
  woken: PopRequest[],
  limits = { perKey: 1024, total: 100_000 },
): PopLongPollingService {
  return new PopLongPollingService({
    wakeUp: (req) => void woken.push(req),
    now,
    popPollingSize: () => limits.perKey,
    maxPopPollingSize: () => limits.total,
    forceNotifyInterval: () => 800,
  });
}

const header = (t: number, queueId = 0, pollTime = 10_000) => ({
  consumerGroup: "G",
  topic: "T",
  queueId,
  bornTime: t,
  pollTime,
});

describe("PopLongPollingService", () => {
  it("parks until bornTime + pollTime (50 ms early), then wakes on the tick", () => {
    let t = 1000;
    const woken: PopRequest[] = [];
    const service = polling(() => t, woken);
    const connection = peerConnection();
    expect(service.polling(connection, createRequest(200050), header(t), null)).toBe("POLLING_SUC");
    expect(service.pollingNum("T", "G", 0)).toBe(1);
    t += 9_949;
    service.wakeUpTimedOut();
    expect(woken).toHaveLength(0);
    t += 2;
    service.wakeUpTimedOut();
    expect(woken).toHaveLength(1);
    expect(service.totalPolling).toBe(0);
    expect(service.polling(connection, createRequest(200050), header(t, 0, 0), null)).toBe("NOT_POLLING");
    expect(service.polling(connection, createRequest(200050), header(t - 20_000), null)).toBe("POLLING_TIMEOUT");
  });

  it("wakes one request per group for the queue and for 'any queue' on arrival, filtered by tag", () => {
    const t = 1000;
    const woken: PopRequest[] = [];
    const service = polling(() => t, woken);
    const c = peerConnection();
    const onlyTag7 = { isMatchedByConsumeQueue: (code: number) => code === 7 };
    service.polling(c, createRequest(200050), header(t, 0), onlyTag7);
    service.polling(c, createRequest(200050), header(t, -1), null);
    service.notifyMessageArrivingWithRetryTopic("T", 0, 5, 3, null);
    expect(woken).toHaveLength(1); // the -1 poller; the tag-7 one stays
    service.notifyMessageArrivingWithRetryTopic("T", 0, 6, 7, null);
    expect(woken).toHaveLength(2);
  });

  it("wakes the topic's pollers when its V1 or V2 retry topic grows", () => {
    const t = 1000;
    const woken: PopRequest[] = [];
    const service = polling(() => t, woken);
    const c = peerConnection();
    service.polling(c, createRequest(200050), header(t, -1), null);
    service.polling(c, createRequest(200050), header(t, -1), null);
    service.notifyMessageArrivingWithRetryTopic("%RETRY%G_T", 0, 1, 0, null);
    expect(woken).toHaveLength(1);
    service.notifyMessageArrivingWithRetryTopic("%RETRY%G+T", 0, 1, 0, null);
    expect(woken).toHaveLength(2);
  });

  it("answers POLLING_FULL past the per-queue and total limits", () => {
    const t = 1000;
    const service = polling(() => t, [], { perKey: 1, total: 3 });
    const c = peerConnection();
    expect(service.polling(c, createRequest(200050), header(t), null)).toBe("POLLING_SUC");
    expect(service.polling(c, createRequest(200050), header(t), null)).toBe("POLLING_SUC");
    expect(service.polling(c, createRequest(200050), header(t), null)).toBe("POLLING_FULL");
    expect(service.polling(c, createRequest(200050), header(t, 1), null)).toBe("POLLING_SUC");
    expect(service.polling(c, createRequest(200050), header(t, 2), null)).toBe("POLLING_FULL");
  });
});

describe("ConsumerOrderInfoManager", () => {
  function manager(now: () => number, freed: string[] = []): ConsumerOrderInfoManager {
    const root = mkdtempSync(join(tmpdir(), "order-info-"));
    dirs.push(root);
    return new ConsumerOrderInfoManager(root, silent, {
      now,
      readQueueNums: () => 4,
      groupExists: () => true,
      notifyAfterLockRelease: () => false,
      onLockFree: (topic, group, queueId) => void freed.push(`${topic}@${group}@${queueId}`),
    });
  }

  it("blocks until every popped offset is acked or visible again; the same attempt never blocks", () => {
    let t = 10_000;
    const m = manager(() => t);
    expect(m.update("a", "T", "G", 0, t, 5000, [3, 4, 6], "")).toBe("0 0 0");
    expect(m.get("T", "G", 0)?.offsetList).toEqual([3, 1, 3]);
    expect(m.checkBlock("b", "T", "G", 0, 5000)).toBe(true);
    expect(m.checkBlock("a", "T", "G", 0, 5000)).toBe(false);
    expect(m.commitAndNext("T", "G", 0, 4, t)).toBe(3);
    expect(m.commitAndNext("T", "G", 0, 4, t + 1)).toBe(-2);
    expect(m.commitAndNext("T", "G", 0, 5, t)).toBe(-1);
    expect(m.commitAndNext("T", "G", 0, 3, t)).toBe(6);
    m.updateNextVisibleTime("T", "G", 0, 6, t, t + 100_000);
    t += 6000;
    expect(m.checkBlock("b", "T", "G", 0, 5000)).toBe(true);
    expect(m.commitAndNext("T", "G", 0, 6, t - 6000)).toBe(7);
    expect(m.checkBlock("b", "T", "G", 0, 5000)).toBe(false);
    const info = m.get("T", "G", 0);
    if (info) expect(nextOffsetOf(info)).toBe(7);
  });

  it("counts offsets popped again in orderCountInfo, unless the attempt is the same", () => {
    const t = 10_000;
    const m = manager(() => t);
    m.update("a", "T", "G", 1, t, 5000, [0, 1], "");
    expect(m.update("b", "T", "G", 1, t + 1, 5000, [0, 1, 2], "x")).toBe("x;0 qo1%0 1;0 qo1%1 1;0 1 0");
    expect(m.update("b", "T", "G", 1, t + 2, 5000, [0, 1, 2], "")).toBe("0 qo1%0 1;0 qo1%1 1;0 1 0");
    expect(m.update("c", "T", "G", 1, t + 3, 5000, [0, 1], "")).toBe("0 qo1%0 2;0 qo1%1 2;0 1 2");
  });
});
