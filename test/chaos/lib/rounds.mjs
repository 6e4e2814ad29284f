// Pieces shared by the scenarios' rounds: option parsing, the longest pause in acknowledgements, a
// late consumer group that must find messages somewhere (e.g. on a slave while its master is down).
import { DefaultMQPushConsumer } from "../../../packages/client/dist/index.js";
import { sleep } from "./processes.mjs";

export function options(args) {
  return (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
}

/** The longest time without an acknowledgement between `from` and `to` (ms). */
export function longestAckPause(producers, from, to = Date.now()) {
  const times = [];
  for (const t of producers.acknowledged.values()) if (t >= from && t <= to) times.push(t);
  times.sort((a, b) => a - b);
  let prev = from;
  let worst = 0;
  for (const t of times) {
    worst = Math.max(worst, t - prev);
    prev = t;
  }
  return Math.max(worst, to - prev);
}

/**
 * A new consumer group reading `topic` from the first offset until it has received every body of
 * `wanted`; resolves to how long that took (ms), or -1 after `ms`, with how many were missing.
 */
export async function lateGroupReads({ namesrvAddr, topic, group, wanted, ms }) {
  const missing = new Set(wanted);
  const consumer = new DefaultMQPushConsumer({
    namesrvAddr,
    consumerGroup: group,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    pollNameServerInterval: 1000,
  });
  consumer.subscribe(topic, "*");
  consumer.registerMessageListener((msgs) => {
    for (const m of msgs) missing.delete(m.body?.toString() ?? "");
    return "CONSUME_SUCCESS";
  });
  const started = Date.now();
  await consumer.start();
  try {
    while (missing.size > 0 && Date.now() - started < ms) await sleep(100);
    return { readMs: missing.size === 0 ? Date.now() - started : -1, missing: missing.size };
  } finally {
    await consumer.shutdown();
  }
}
