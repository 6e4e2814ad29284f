// Bad peers for the chaos scenarios: frames that break the remoting protocol's rules (random bytes,
// mutated valid frames, every request code with random headers and bodies, impossible lengths),
// connections that hold on and do nothing (idle), that dribble a frame one byte at a time, announce
// a large frame and never finish it, send one a byte per TCP segment, or never read their answers
// (slow loris), and the figures a run keeps of each: frames sent, answers received, connections the
// server closed, answers' codes, remarks and latencies.
//
// The traffic runs in a worker thread (`FuzzWorker`) so that the well-behaved client in the main
// thread measures the servers' latency, not this file's event loop. Everything only ever talks to
// the addresses it is given (the scenario gives 127.0.0.1).
//
// One module a job: rand.mjs (the seeded PRNG), codes.mjs (request codes, header fields, names and
// values), requests.mjs (valid requests), frames.mjs (random, mutated and oversized frames),
// exchange.mjs (one connection carrying one job), tally.mjs (the figures per server), fire.mjs (the
// frame phase), idle.mjs (idle connections), slow-loris.mjs (dribblers, stallers, non-readers,
// choppers), proc.mjs (RSS and open-files limits) and worker.mjs (the worker thread and its handle).
export { fuzzCodes } from "./codes.mjs";
export { exchange } from "./exchange.mjs";
export { fireFrames, PARK_MAX } from "./fire.mjs";
export { FrameFactory } from "./frames.mjs";
export { IdlePool } from "./idle.mjs";
export { ensureOpenFiles, memoryOf, openFilesLimit } from "./proc.mjs";
export { Rand } from "./rand.mjs";
export { RequestFactory } from "./requests.mjs";
export { SlowLoris } from "./slow-loris.mjs";
export { FuzzWorker } from "./worker.mjs";
