import { describe, expect, it } from "vitest";
import {
  allocateMessageQueueAveragely,
  MessageClientIDSetter,
  ProcessQueue,
  type MessageExt,
  type MessageQueue,
} from "../src/index.js";

const mqs = (n: number): MessageQueue[] =>
  Array.from({ length: n }, (_, i) => ({ topic: "T", brokerName: "b", queueId: i }));
const ids = (q: MessageQueue[]): number[] => q.map((m) => m.queueId);

describe("allocateMessageQueueAveragely (Java's slices)", () => {
  it("8 queues over 3 clients: 3,3,2 contiguous", () => {
    const cids = ["a", "b", "c"];
    expect(cids.map((c) => ids(allocateMessageQueueAveragely(c, mqs(8), cids)))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
  });
  it("more clients than queues: one each, the rest get none", () => {
    const cids = ["a", "b", "c"];
    expect(cids.map((c) => ids(allocateMessageQueueAveragely(c, mqs(2), cids)))).toEqual([[0], [1], []]);
  });
  it("an unknown client gets nothing", () => {
    expect(allocateMessageQueueAveragely("x", mqs(4), ["a"])).toEqual([]);
  });
});

describe("ProcessQueue offsets", () => {
  const msg = (queueOffset: number): MessageExt => ({ queueOffset, body: Buffer.alloc(10) }) as MessageExt;
  it("commits the smallest in-flight offset, then max + 1", () => {
    const pq = new ProcessQueue();
    pq.putMessage([msg(5), msg(6), msg(7)]);
    expect(pq.maxSpan()).toBe(2);
    expect(pq.removeMessage([msg(6)])).toBe(5);
    expect(pq.removeMessage([msg(5)])).toBe(7);
    expect(pq.removeMessage([msg(7)])).toBe(8);
    expect(pq.msgSize).toBe(0);
  });
});

describe("MessageClientIDSetter", () => {
  it("32 hex chars: IPv4, pid, random, ms in month, counter", () => {
    const g = new MessageClientIDSetter("192.0.2.2");
    const a = g.createUniqID();
    const b = g.createUniqID();
    expect(a).toMatch(/^C0000202[0-9A-F]{24}$/);
    expect(a.slice(8, 12)).toBe((process.pid & 0xffff).toString(16).toUpperCase().padStart(4, "0"));
    expect(a).not.toBe(b);
    expect((parseInt(b.slice(28), 16) - parseInt(a.slice(28), 16) + 0x10000) % 0x10000).toBe(1);
  });
});

describe("ProcessQueue order", () => {
  const msg = (queueOffset: number): MessageExt => ({ queueOffset, body: Buffer.alloc(1) }) as MessageExt;
  it("stays in offset order when an offset arrives below the newest", () => {
    const pq = new ProcessQueue();
    pq.putMessage([msg(10), msg(11)]);
    pq.putMessage([msg(4), msg(5)]);
    expect(pq.peekMessages(4).map((m) => m.queueOffset)).toEqual([4, 5, 10, 11]);
    expect(pq.removeMessage([msg(4)])).toBe(5);
    expect(pq.maxSpan()).toBe(6);
  });
});
