// The frame phase: every fuzzed frame, each job on a fresh connection, a few lanes per server.
import * as remoting from "../../../../packages/remoting/dist/index.js";
import { exchange } from "./exchange.mjs";
import { FrameFactory } from "./frames.mjs";
import { onAnswer, plainTally, record, serverTally } from "./tally.mjs";

const { decodeFramePayload } = remoting;

/**
 * The frame phase: `frames` frames in all, split evenly between `targets`, and for each target
 * between the kinds by `weights`; `concurrency` connections at a time per target. Each target also
 * gets `limitFrames` whole frames exactly at the 16 MiB limit (to be answered, sent to its
 * `limitCode`) and as many one byte over it (to be refused). Resolves with the tallies per target;
 * `onProgress(sent)` hears the running total about once a second.
 */
export async function fireFrames({ targets, frames, weights, concurrency, rand, onProgress, limitFrames = 1 }) {
  const factory = new FrameFactory(rand);
  const tallies = {};
  const started = Date.now();
  let sent = 0;
  const progress = setInterval(() => onProgress?.(sent), 1000);
  const kinds = Object.keys(weights);
  const sum = kinds.reduce((a, k) => a + weights[k], 0);
  try {
    await Promise.all(
      targets.map(async (target) => {
        const tally = serverTally();
        tallies[target.name] = tally;
        const perTarget = Math.floor(frames / targets.length);
        const budget = {};
        let assigned = 0;
        for (const k of kinds) assigned += budget[k] = Math.floor((perTarget * weights[k]) / sum);
        budget[kinds[0]] += perTarget - assigned;
        // a few special jobs first: whole frames at the limit (must be taken) and one byte over (must be refused)
        const special = [];
        for (let i = 0; i < limitFrames && budget.codes > 0; i++) {
          special.push({ kind: "codes", ...factory.frameAtLimit(target.limitCode) });
          budget.codes--;
        }
        for (let i = 0; i < limitFrames && budget.oversized > 0; i++) {
          special.push({ kind: "oversized", ...factory.frameOverLimit() });
          budget.oversized--;
        }
        const next = () => {
          if (special.length > 0) return special.shift();
          const left = kinds.filter((k) => budget[k] > 0);
          if (left.length === 0) return null;
          const total = left.reduce((a, k) => a + budget[k], 0);
          let x = rand.int(total);
          const kind = left.find((k) => (x -= budget[k]) < 0);
          let job;
          if (kind === "codes") job = factory.codeBatch(Math.min(budget.codes, rand.range(1, 48)));
          else if (kind === "random") job = factory.randomFrame();
          else if (kind === "mutated") job = factory.mutatedFrame();
          else job = factory.oversizedFrame();
          budget[kind] -= job.frames;
          return { kind, ...job };
        };
        // A job whose outcome takes long (a server waiting for the rest of a frame, a held pull) is
        // parked: its lane moves on, up to PARK_MAX parked jobs per target.
        const retry = [];
        const parked = new Set();
        const settle = (job, result) => {
          if (record(tally, job, result)) sent += job.frames;
          else if ((job.attempts = (job.attempts ?? 0) + 1) <= 20) retry.push(job); // not connected: again
        };
        const lane = async () => {
          for (let job = retry.shift() ?? next(); job; job = retry.shift() ?? next()) {
            if (job.attempts) await sleep(50 * job.attempts);
            const outcome = deliver(target, tally, job).then((result) => settle(job, result));
            if (await within(outcome, PARK_AFTER_MS)) continue;
            parked.add(outcome);
            void outcome.finally(() => parked.delete(outcome));
            while (parked.size >= PARK_MAX) await Promise.race(parked);
          }
        };
        do {
          await Promise.all(Array.from({ length: concurrency }, lane));
          await Promise.all(parked);
        } while (retry.length > 0);
      }),
    );
  } finally {
    clearInterval(progress);
  }
  return {
    tallies: Object.fromEntries(Object.entries(tallies).map(([k, t]) => [k, plainTally(t)])),
    sent,
    ms: Date.now() - started,
  };
}

/**
 * How long a job waits for its answers or the server's close before it is called silent. Random and
 * mutated frames may legitimately leave a server waiting for more bytes; an oversized one never may,
 * so its wait is long enough that only a server that never closes it is counted (not a busy one).
 */
const WAIT_MS = { random: 1500, mutated: 1500, codes: 6000, oversized: 30_000 };
/** A job still undecided after this long is parked (see fireFrames); at most PARK_MAX per target. */
const PARK_AFTER_MS = 250;
export const PARK_MAX = 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True when `promise` settles within `ms`, false otherwise (the timer is cleared either way). */
function within(promise, ms) {
  let timer;
  return Promise.race([promise.then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), ms)))]).finally(
    () => clearTimeout(timer),
  );
}

/** Send one job on a fresh connection; resolves with {@link exchange}'s result. */
function deliver(target, tally, job) {
  if (job.kind === "codes" && !job.opaques) {
    // what was asked, so that an answer can be matched to its request code
    job.opaques = new Map();
    for (let p = 0; p + 8 <= job.bytes.length;) {
      const len = job.bytes.readInt32BE(p);
      const cmd = decodeFramePayload(job.bytes.subarray(p + 4, p + 4 + len));
      const literal = /undefined|NaN/.test(JSON.stringify(cmd.extFields ?? {}));
      job.opaques.set(cmd.opaque, { code: cmd.code, literal });
      tally.codesSent.add(cmd.code);
      p += 4 + len;
    }
  }
  const waitMs = job.expected === 0 ? 500 : WAIT_MS[job.kind]; // all oneway: only a close can come
  return exchange(target, job, waitMs, (cmd, ms) => onAnswer(tally, cmd, job.opaques, ms));
}
