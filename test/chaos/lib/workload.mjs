// The chaos workload: producers that record every acknowledged send, a push consumer that records
// every receipt, and the checker that compares them.
//
// Bodies are `chaos-<sender>-<seq>`: each sender is one sharding key and sends its sequence one
// message at a time, so the send order of a key is its sequence order. With `ordered` the senders
// pick the queue by key (as an orderly producer does) and the consumer consumes orderly; the checker
// then counts receipts that come after a later message of the same key (out of order).
import { DefaultMQProducer, DefaultMQPushConsumer, Message } from "../../../packages/client/dist/index.js";
import { sleep } from "./processes.mjs";

/** The queue of a sharding key among `mqs` (sorted, so every sender agrees). */
function queueOfKey(mqs, _msg, key) {
  const sorted = [...mqs].sort((a, b) =>
    a.brokerName === b.brokerName ? a.queueId - b.queueId : a.brokerName < b.brokerName ? -1 : 1,
  );
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) | 0;
  return sorted[Math.abs(h) % sorted.length];
}

/**
 * `senders` concurrent synchronous senders of unique bodies to `topic` until `stop()`. A body
 * answered SEND_OK is acknowledged; a failure (exception or other status) is not, and the sender
 * backs off briefly before the next body. `rate` (messages per second over all senders) paces them.
 */
export class Producers {
  constructor({
    namesrvAddr,
    topic,
    senders = 4,
    pollNameServerInterval = 30_000,
    ordered = false,
    rate = 0,
    sendMsgTimeout = 3000,
    sendLatencyFaultEnable = false,
  }) {
    this.topic = topic;
    this.senders = senders;
    this.ordered = ordered;
    this.rate = rate;
    this.producer = new DefaultMQProducer({
      namesrvAddr,
      producerGroup: "chaos_producer",
      pollNameServerInterval,
      sendMsgTimeout,
      sendLatencyFaultEnable,
    });
    this.acknowledged = new Map(); // body → ack time
    this.attempts = 0;
    this.failures = 0;
    /** failure reasons (status or error text, first 120 chars) → count */
    this.failureKinds = new Map();
    this.running = false;
    this.lastAckAt = 0;
    /** broker name → time of its last acknowledgement */
    this.lastAckAtBy = new Map();
    /** body → the broker name that acknowledged it */
    this.brokerOf = new Map();
    /** bodies acknowledged and received that `settle` forgot (long runs) */
    this.settled = 0;
  }

  async start() {
    await this.producer.start();
    this.running = true;
    this.startedAt = Date.now();
    this.loops = Array.from({ length: this.senders }, (_, s) => this.loop(s));
  }

  countFailure(kind) {
    this.failures++;
    const k = String(kind).slice(0, 120);
    this.failureKinds.set(k, (this.failureKinds.get(k) ?? 0) + 1);
  }

  async loop(s) {
    const key = `k${s}`;
    const interval = this.rate > 0 ? (1000 * this.senders) / this.rate : 0;
    let next = Date.now();
    for (let i = 0; this.running; i++) {
      if (interval > 0) {
        next += interval;
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        else if (wait < -1000) next = Date.now(); // fell behind (a fault): do not burst to catch up
      }
      const body = `chaos-${s}-${i}`;
      this.attempts++;
      try {
        const msg = new Message(this.topic, Buffer.from(body));
        const r = this.ordered
          ? await this.producer.sendWithSelector(msg, queueOfKey, key)
          : await this.producer.send(msg);
        if (r.sendStatus === "SEND_OK") {
          this.lastAckAt = Date.now();
          this.lastAckAtBy.set(r.messageQueue.brokerName, this.lastAckAt);
          this.acknowledged.set(body, this.lastAckAt);
          this.brokerOf.set(body, r.messageQueue.brokerName);
          continue;
        }
        this.countFailure(r.sendStatus);
      } catch (e) {
        this.countFailure(e?.message ?? e);
      }
      await sleep(50);
    }
  }

  /** Acknowledged per second since `since`. */
  ackRateSince(since) {
    let n = 0;
    for (const t of this.acknowledged.values()) if (t >= since) n++;
    return n / Math.max(0.001, (Date.now() - since) / 1000);
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops ?? []);
    await this.producer.shutdown();
  }
}

/**
 * A clustering push consumer from the first offset that counts receipts per body (orderly with
 * `orderly`) and, per sharding key, receipts that arrive after a later sequence of that key.
 */
export class Receipts {
  constructor({ namesrvAddr, topic, group = "chaos_consumer", pollNameServerInterval = 30_000, orderly = false }) {
    this.received = new Map(); // body → times received
    this.outOfOrder = 0;
    this.maxSeq = new Map(); // sender → highest sequence received
    this.lastReceiptAt = 0;
    /** store host (the master that stored it) → time of the last receipt of one of its messages */
    this.lastReceiptAtByHost = new Map();
    this.consumer = new DefaultMQPushConsumer({
      namesrvAddr,
      consumerGroup: group,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      pollNameServerInterval,
    });
    this.consumer.subscribe(topic, "*");
    const record = (msgs) => {
      const now = Date.now();
      for (const m of msgs) {
        const body = m.body?.toString() ?? "";
        const times = (this.received.get(body) ?? 0) + 1;
        this.received.set(body, times);
        this.lastReceiptAt = now;
        this.lastReceiptAtByHost.set(m.storeHost, now);
        const [, sender, seq] = body.split("-");
        const n = Number(seq);
        const max = this.maxSeq.get(sender) ?? -1;
        if (n > max) this.maxSeq.set(sender, n);
        else if (times === 1) this.outOfOrder++;
      }
    };
    if (orderly)
      this.consumer.registerMessageListenerOrderly((msgs) => {
        record(msgs);
        return "SUCCESS";
      });
    else
      this.consumer.registerMessageListener((msgs) => {
        record(msgs);
        return "CONSUME_SUCCESS";
      });
  }

  start() {
    return this.consumer.start();
  }

  shutdown() {
    return this.consumer.shutdown();
  }
}

/**
 * For long runs: forget the bodies acknowledged and received exactly once so far (counted in
 * `producers.settled`), so that the checker's memory stays flat. A later duplicate of a forgotten
 * body counts as received-unacknowledged instead of duplicated.
 */
export function settle(producers, receipts) {
  for (const body of producers.acknowledged.keys()) {
    if (receipts.received.get(body) !== 1) continue;
    producers.acknowledged.delete(body);
    producers.brokerOf.delete(body);
    receipts.received.delete(body);
    producers.settled++;
  }
}

/** Lost = acknowledged but never received; duplicated = received more than once. */
export function check(producers, receipts) {
  const lost = [...producers.acknowledged.keys()].filter((b) => !receipts.received.has(b));
  const duplicated = [...receipts.received.values()].filter((n) => n > 1).length;
  const receivedUnacknowledged = [...receipts.received.keys()].filter((b) => !producers.acknowledged.has(b)).length;
  return {
    attempts: producers.attempts,
    acknowledged: producers.acknowledged.size + producers.settled,
    failedSends: producers.failures,
    failureKinds: Object.fromEntries([...producers.failureKinds].sort((a, b) => b[1] - a[1]).slice(0, 8)),
    received: receipts.received.size + producers.settled,
    receivedUnacknowledged,
    lost: lost.length,
    lostSample: lost.slice(0, 10),
    duplicated,
    outOfOrder: receipts.outOfOrder,
  };
}

/** Wait (up to `ms`) until every acknowledged body was received; logs instead of throwing. */
export async function drain(producers, receipts, ms, log) {
  const end = Date.now() + ms;
  const missing = () => [...producers.acknowledged.keys()].some((b) => !receipts.received.has(b));
  while (missing() && Date.now() < end) await sleep(200);
  if (missing()) log(`not every acknowledged message was received within ${ms} ms`);
}
