// The chaos workload: producers that record every acknowledged send, a push consumer that records
// every receipt, and the checker that compares them.
import { DefaultMQProducer, DefaultMQPushConsumer, Message } from "../../../packages/client/dist/index.js";
import { sleep } from "./processes.mjs";

/**
 * `senders` concurrent synchronous senders of unique bodies to `topic` until `stop()`. A body
 * answered SEND_OK is acknowledged; a failure (exception or other status) is not, and the sender
 * backs off briefly before the next body.
 */
export class Producers {
  constructor({ namesrvAddr, topic, senders = 4, pollNameServerInterval = 30_000 }) {
    this.topic = topic;
    this.senders = senders;
    this.producer = new DefaultMQProducer({
      namesrvAddr,
      producerGroup: "chaos_producer",
      pollNameServerInterval,
      sendMsgTimeout: 3000,
    });
    this.acknowledged = new Map(); // body → ack time
    this.attempts = 0;
    this.failures = 0;
    this.running = false;
    this.lastAckAt = 0;
  }

  async start() {
    await this.producer.start();
    this.running = true;
    this.loops = Array.from({ length: this.senders }, (_, s) => this.loop(s));
  }

  async loop(s) {
    for (let i = 0; this.running; i++) {
      const body = `chaos-${s}-${i}`;
      this.attempts++;
      try {
        const r = await this.producer.send(new Message(this.topic, Buffer.from(body)));
        if (r.sendStatus === "SEND_OK") {
          this.lastAckAt = Date.now();
          this.acknowledged.set(body, this.lastAckAt);
          continue;
        }
        this.failures++;
      } catch {
        this.failures++;
      }
      await sleep(50);
    }
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops ?? []);
    await this.producer.shutdown();
  }
}

/** A clustering push consumer from the first offset that counts receipts per body. */
export class Receipts {
  constructor({ namesrvAddr, topic, group = "chaos_consumer", pollNameServerInterval = 30_000 }) {
    this.received = new Map(); // body → times received
    this.consumer = new DefaultMQPushConsumer({
      namesrvAddr,
      consumerGroup: group,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      pollNameServerInterval,
    });
    this.consumer.subscribe(topic, "*");
    this.consumer.registerMessageListener((msgs) => {
      for (const m of msgs) {
        const body = m.body?.toString() ?? "";
        this.received.set(body, (this.received.get(body) ?? 0) + 1);
      }
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

/** Lost = acknowledged but never received; duplicated = received more than once. */
export function check(producers, receipts) {
  const lost = [...producers.acknowledged.keys()].filter((b) => !receipts.received.has(b));
  const duplicated = [...receipts.received.values()].filter((n) => n > 1).length;
  const receivedUnacknowledged = [...receipts.received.keys()].filter((b) => !producers.acknowledged.has(b)).length;
  return {
    attempts: producers.attempts,
    acknowledged: producers.acknowledged.size,
    failedSends: producers.failures,
    received: receipts.received.size,
    receivedUnacknowledged,
    lost: lost.length,
    lostSample: lost.slice(0, 10),
    duplicated,
  };
}
