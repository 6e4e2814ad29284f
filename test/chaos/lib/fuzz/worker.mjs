// The worker thread that carries all of the fuzzing traffic, and its handle in the main thread.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { fireFrames } from "./fire.mjs";
import { IdlePool } from "./idle.mjs";
import { Rand } from "./rand.mjs";
import { SlowLoris } from "./slow-loris.mjs";

/** The fuzzing traffic in a worker thread; `call(cmd, args)` runs one of its commands. */
export class FuzzWorker {
  constructor({ seed, onProgress }) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { badPeersFuzzer: true, seed } });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.on("message", (m) => {
      if (m.progress !== undefined) return onProgress?.(m.progress);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    this.worker.on("error", (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  call(cmd, args = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, cmd, args });
    });
  }

  terminate() {
    return this.worker.terminate();
  }
}

if (!isMainThread && workerData?.badPeersFuzzer) {
  const rand = new Rand(workerData.seed);
  const idle = new IdlePool();
  const loris = new SlowLoris(rand);
  const commands = {
    openIdle: ({ targets, perTarget }) => idle.open(targets, perTarget).then(() => idle.status()),
    idleStatus: () => idle.status(),
    closeIdle: () => idle.closeAll(),
    startDribblers: ({ targets, perTarget, dribbleMs }) => loris.startDribblers(targets, perTarget, dribbleMs),
    startStallers: ({ targets, perTarget }) => loris.startStallers(targets, perTarget),
    startNonReaders: ({ targets, perTarget }) => loris.startNonReaders(targets, perTarget),
    startChoppers: ({ targets, perTarget }) => loris.startChoppers(targets, perTarget),
    stopSlowLoris: () => loris.stop(),
    frames: (args) => fireFrames({ ...args, rand, onProgress: (sent) => parentPort.postMessage({ progress: sent }) }),
  };
  parentPort.on("message", async ({ id, cmd, args }) => {
    try {
      const result = await commands[cmd](args);
      parentPort.postMessage({ id, result });
    } catch (err) {
      parentPort.postMessage({ id, error: err.stack ?? String(err) });
    }
  });
}
