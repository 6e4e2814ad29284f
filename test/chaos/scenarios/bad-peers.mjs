// Bad peers against a real name server and a real broker: a million malformed, mutated, random and
// impossible frames, idle connections by the thousand, slow-loris connections — while a
// well-behaved producer, consumer and route client keep working. The servers must not exit, must
// not grow without bound, and must serve the good client normally once each phase of abuse ends.
//
// Options (after the scenario name):
//   --frames N             fuzzed frames in all, half per server (1,000,000)
//   --idle N               idle connections held per server (5,000)
//   --seconds S            the quiet window after each phase (10)
//   --loris-seconds S      the slow-loris phase (20)
//   --concurrency N        fuzzing connections at a time per server (96)
//   --dribble-ms N         a dribbler sends one byte per this (1,000)
//   --rss-limit-mb N       worst RSS allowed per server (1,536)
//   --loris-rss-growth-mb N  RSS growth allowed within the slow-loris phase (256)
//   --io-threads N         the servers' serverSelectorThreads: 0, sockets in the event loop; 1, in
//                          an I/O thread (0)
//   --seed N               the fuzzer's seed (printed in the report)
//
// Phases: baseline (the good client alone) → frames (every fuzzed frame; idle connections and
// dribblers are opened at its start and held to the end) → after-frames (quiet window) → slow-loris
// (stallers, choppers and peers that never read their answers, for --loris-seconds; then they and
// the dribblers are closed) → after-slow-loris (quiet window). The good client may fail during a
// phase; none of its operations that started in the baseline or a quiet window may.
//
// Memory bounds. RSS (VmRSS of the server's node process, sampled each second) must stay below
// --rss-limit-mb: the servers start at 60-90 MiB and end a million-frame run at 200-300 MiB (V8 lets
// its heap grow before collecting; 5,000 idle connections cost some 50 MiB), so 1.5 GiB is five
// times what a healthy run reaches. The slow-loris phase is fixed in size, so its bound is tighter:
// 40 stallers (5 MiB sent), 10 non-readers (each stopped by the server's write marks at a few MiB of
// unsent answers) and 4 choppers (a few MiB each) legitimately cost under 100 MiB, while a server
// that lets unsent answers pile up per connection, or keeps a Buffer per received piece, grows by
// several hundred MiB within 20 s (the remoting package before its fixes: +503 MiB on the broker).
// Growth above --loris-rss-growth-mb within that phase fails the run.
import { MQAdminClient, DefaultMQProducer, Message } from "../../../packages/client/dist/index.js";
import { newTopicConfig } from "../../../packages/common/dist/index.js";
import { createRequest, RemotingClient, RequestCode } from "../../../packages/remoting/dist/index.js";
import { ensureOpenFiles, FuzzWorker, memoryOf, openFilesLimit, PARK_MAX } from "../lib/fuzz/index.mjs";
import { freeBrokerPort, ServerProcess, sleep, until } from "../lib/processes.mjs";
import { Receipts } from "../lib/workload.mjs";

export const description =
  "random, mutated, oversized and every-code frames, idle and slow-loris connections against the name server and the broker while a good client works";

const CLUSTER = "BadPeersCluster";
const BROKER = "BadPeersBroker";
const TOPIC = "BadPeersGoodTopic";
const MiB = 1024 * 1024;
/** Kinds of fuzzed frames and their shares of --frames. */
const WEIGHTS = { codes: 0.45, mutated: 0.25, random: 0.18, oversized: 0.12 };
/** Slow-loris connections per server. */
const DRIBBLERS = 20;
const STALLERS = 40;
const NON_READERS = 10;
const CHOPPERS = 4;

function options(args) {
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const v = Number(args[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name} wants a number, got ${args[i + 1]}`);
    return v;
  };
  return {
    frames: opt("--frames", 1_000_000),
    idle: opt("--idle", 5000),
    concurrency: opt("--concurrency", 96),
    dribbleMs: opt("--dribble-ms", 1000),
    rssLimitMb: opt("--rss-limit-mb", 1536),
    lorisRssGrowthMb: opt("--loris-rss-growth-mb", 256),
    lorisSeconds: opt("--loris-seconds", 20),
    ioThreads: opt("--io-threads", 0),
    seed: opt("--seed", Date.now() % 2 ** 31),
  };
}

/**
 * The well-behaved client: a producer sending to TOPIC, a route client asking the name server for
 * TOPIC's route, and a push consumer that must in the end have every acknowledged message. Each
 * operation is recorded with its start, latency and outcome.
 */
class GoodClient {
  constructor(namesrvAddr) {
    this.namesrvAddr = namesrvAddr;
    this.producer = new DefaultMQProducer({
      namesrvAddr,
      producerGroup: "bad_peers_good_producer",
      sendMsgTimeout: 3000,
      pollNameServerInterval: 5000,
    });
    this.routes = new RemotingClient({ connectTimeoutMillis: 3000 });
    this.receipts = new Receipts({
      namesrvAddr,
      topic: TOPIC,
      group: "bad_peers_good_consumer",
      pollNameServerInterval: 5000,
    });
    this.ops = [];
    this.acknowledged = new Set();
    this.running = false;
    this.loops = [];
  }

  async start() {
    await this.producer.start();
    await this.receipts.start();
    this.running = true;
    this.loops = [
      this.loop("send", 20, () => this.send()),
      this.loop("send", 20, () => this.send()),
      this.loop("route", 100, () => this.route()),
    ];
  }

  async loop(op, pauseMs, once) {
    for (let i = 0; this.running; i++) {
      const at = Date.now();
      let error = null;
      try {
        await once();
      } catch (err) {
        error = err.message ?? String(err);
      }
      this.ops.push({ op, at, ms: Date.now() - at, ok: error === null, error });
      await sleep(error === null ? pauseMs : 200);
    }
  }

  async send() {
    const body = `good-${this.ops.length}-${Math.random().toString(36).slice(2)}`;
    const r = await this.producer.send(new Message(TOPIC, Buffer.from(body)));
    if (r.sendStatus !== "SEND_OK") throw new Error(`send status ${r.sendStatus}`);
    this.acknowledged.add(body);
  }

  async route() {
    const r = await this.routes.invokeSync(
      this.namesrvAddr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: TOPIC } }),
      3000,
    );
    if (r.code !== 0) throw new Error(`route answer ${r.code}: ${r.remark}`);
  }

  /** Successful operations of each kind so far. */
  successes(op) {
    return this.ops.filter((o) => o.op === op && o.ok).length;
  }

  async stopSending() {
    this.running = false;
    await Promise.all(this.loops);
    await this.producer.shutdown().catch(() => undefined);
    await this.routes.shutdown().catch(() => undefined);
  }

  async shutdown() {
    await this.receipts.shutdown().catch(() => undefined);
  }

  /** Operations, failures and worst latency of each window [from, to). */
  windows(bounds) {
    return bounds.map(({ name, from, to, mustNotFail }) => {
      const ops = this.ops.filter((o) => o.at >= from && o.at < to);
      const failures = ops.filter((o) => !o.ok);
      return {
        name,
        seconds: Math.round((to - from) / 100) / 10,
        ops: ops.length,
        sends: ops.filter((o) => o.op === "send" && o.ok).length,
        routes: ops.filter((o) => o.op === "route" && o.ok).length,
        failures: failures.length,
        failureSample: [...new Set(failures.map((f) => `${f.op}: ${f.error}`))].slice(0, 5),
        worstLatencyMs: ops.reduce((m, o) => Math.max(m, o.ms), 0),
        mustNotFail,
      };
    });
  }
}

/** Samples a server's RSS every second and notices when it exits. */
class Watch {
  constructor(server) {
    this.server = server;
    this.samples = 0;
    this.worstRss = 0;
    this.firstRss = null;
    this.lastRss = null;
    this.hwm = 0;
    this.exit = null;
    this.stopping = false;
    this.stderr = "";
    server.child.stderr.on("data", (d) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    server.child.once("exit", (code, signal) => {
      if (!this.stopping) this.exit = { code, signal, at: Date.now() };
    });
    this.timer = setInterval(() => this.sample(), 1000);
    this.sample();
  }

  sample() {
    const m = memoryOf(this.server.child.pid);
    if (!m) return;
    this.samples++;
    this.firstRss ??= m.rss;
    this.lastRss = m.rss;
    this.worstRss = Math.max(this.worstRss, m.rss);
    this.hwm = Math.max(this.hwm, m.hwm);
    if (this.phase) this.phase.worst = Math.max(this.phase.worst, m.rss);
  }

  /** Start watching the worst RSS of a phase (from the RSS now). */
  startPhase() {
    this.sample();
    this.phase = { from: this.lastRss ?? 0, worst: this.lastRss ?? 0 };
  }

  /** End the phase: by how much its worst RSS exceeded the RSS at its start. */
  endPhase() {
    this.sample();
    const growth = this.phase ? this.phase.worst - this.phase.from : 0;
    this.phase = null;
    return growth;
  }

  report() {
    const mib = (b) => (b === null ? null : Math.round(b / MiB));
    return {
      pid: this.server.child.pid,
      crashed: this.exit !== null,
      exit: this.exit,
      stderrTail: this.exit ? this.stderr.slice(-1500) : undefined,
      rssSamples: this.samples,
      rssAtStartMiB: mib(this.firstRss),
      worstRssMiB: mib(this.worstRss),
      rssAtEndMiB: mib(this.lastRss),
      peakRssMiB: mib(this.hwm),
      slowLorisRssGrowthMiB: this.lorisGrowth === undefined ? null : mib(this.lorisGrowth),
    };
  }

  stop() {
    this.sample();
    clearInterval(this.timer);
    this.stopping = true;
  }
}

export async function run({ home, seconds, log, args }) {
  const o = options(args);
  const started = Date.now();
  const notes = [];
  // what this process holds at once: idle connections, fuzzing connections, slow loris, the good client
  const needed = 2 * (o.idle + o.concurrency + PARK_MAX + DRIBBLERS + STALLERS + NON_READERS + CHOPPERS) + 512;
  const fds = ensureOpenFiles(needed);
  if (fds.raised) notes.push(`raised this process's open-files limit from ${fds.before.soft} to ${fds.after.soft}`);
  if (fds.after && fds.after.soft < needed) {
    const fit = Math.max(
      0,
      Math.floor((fds.after.soft - 512) / 2) - o.concurrency - PARK_MAX - DRIBBLERS - STALLERS - NON_READERS - CHOPPERS,
    );
    notes.push(
      `open-files limit ${fds.after.soft} (hard ${fds.after.hard}) is below the ${needed} this run needs: --idle ${o.idle} lowered to ${fit} per server`,
    );
    o.idle = fit;
  }

  const nsPort = await freeBrokerPort();
  const namesrvAddr = `127.0.0.1:${nsPort}`;
  const brokerPort = await freeBrokerPort();
  const brokerAddr = `127.0.0.1:${brokerPort}`;
  const store = `${home}/broker/store`;
  // serverSelectorThreads 1: sockets (and frame splitting) in an I/O thread, requests in the main one
  const io = `serverSelectorThreads=${o.ioThreads}`;
  const namesrv = new ServerProcess(home, "namesrv", "mqnamesrv", [`listenPort=${nsPort}`, io]);
  const broker = new ServerProcess(home, "broker", "mqbroker", [
    `brokerClusterName=${CLUSTER}`,
    `brokerName=${BROKER}`,
    `listenPort=${brokerPort}`,
    "brokerIP1=127.0.0.1",
    `namesrvAddr=${namesrvAddr}`,
    `storePathRootDir=${store}`,
    `storePathCommitLog=${store}/commitlog`,
    "mappedFileSizeCommitLog=67108864",
    io,
  ]);
  const targets = [
    {
      name: "namesrv",
      host: "127.0.0.1",
      port: nsPort,
      dribbleCode: RequestCode.GET_BROKER_CLUSTER_INFO,
      limitCode: RequestCode.GET_ROUTEINFO_BY_TOPIC,
      noReadCode: RequestCode.GET_BROKER_CLUSTER_INFO,
    },
    {
      name: "broker",
      host: "127.0.0.1",
      port: brokerPort,
      dribbleCode: RequestCode.GET_BROKER_RUNTIME_INFO,
      limitCode: RequestCode.SEND_MESSAGE_V2,
      // cheap, small answers that log nothing: what makes unsent answers cost the most per byte
      noReadCode: RequestCode.GET_MAX_OFFSET,
      noReadExt: { topic: TOPIC, queueId: "0" },
    },
  ];
  const watches = {};
  const admin = new MQAdminClient({ namesrvAddr });
  const good = new GoodClient(namesrvAddr);
  let fuzz = null;
  const bounds = [];
  const report = { ok: false, summary: "", seed: o.seed, options: { ...o, seconds }, notes };
  try {
    await namesrv.start();
    watches.namesrv = new Watch(namesrv);
    await broker.start();
    watches.broker = new Watch(broker);
    for (const [name, server] of [
      ["namesrv", namesrv],
      ["broker", broker],
    ]) {
      const limit = openFilesLimit(server.child.pid);
      const holds = o.idle + o.concurrency + PARK_MAX + DRIBBLERS + STALLERS + NON_READERS + CHOPPERS + 256;
      report.notes.push(`${name} open-files limit ${limit?.soft ?? "unknown"}`);
      if (limit && limit.soft < holds)
        notes.push(
          `${name}'s open-files limit ${limit.soft} is below the ${holds} connections and files this run makes it hold: expect refused connections`,
        );
    }
    await until(
      async () => (await admin.examineBrokerClusterInfo().catch(() => null))?.brokerAddrTable.has(BROKER),
      60_000,
      "the broker registered",
    );
    await admin.createAndUpdateTopicConfig(brokerAddr, newTopicConfig(TOPIC, { readQueueNums: 4, writeQueueNums: 4 }));
    await good.start();
    const baselineFrom = Date.now();
    await until(() => good.successes("send") >= 20 && good.successes("route") >= 5, 60_000, "the good client working");
    log(`servers up (name server ${namesrvAddr}, broker ${brokerAddr}), good client working; seed ${o.seed}`);

    // ---- phase 1: frames, with idle connections and dribblers held from its start to the end
    fuzz = new FuzzWorker({
      seed: o.seed,
      onProgress: (() => {
        let lastLog = 0;
        return (sent) => {
          if (Date.now() - lastLog < 10_000) return;
          lastLog = Date.now();
          const rss = Object.entries(watches).map(([n, w]) => `${n} ${Math.round((w.lastRss ?? 0) / MiB)} MiB`);
          log(`frames: ${sent} of ${o.frames} sent; RSS ${rss.join(", ")}`);
        };
      })(),
    });
    const framesFrom = Date.now();
    bounds.push({ name: "baseline", from: baselineFrom, to: framesFrom, mustNotFail: true });
    const idleOpened = await fuzz.call("openIdle", { targets, perTarget: o.idle });
    log(
      `idle connections opened: ${Object.entries(idleOpened)
        .map(([n, s]) => `${n} ${s.opened}/${s.requested}`)
        .join(", ")}`,
    );
    await fuzz.call("startDribblers", { targets, perTarget: DRIBBLERS, dribbleMs: o.dribbleMs });
    const frames = await fuzz.call("frames", {
      targets,
      frames: o.frames,
      weights: WEIGHTS,
      concurrency: o.concurrency,
    });
    const framesTo = Date.now();
    bounds.push({ name: "frames", from: framesFrom, to: framesTo, mustNotFail: false });
    log(`frames: ${frames.sent} sent in ${(frames.ms / 1000).toFixed(1)} s; quiet window of ${seconds} s`);
    await sleep(seconds * 1000);

    // ---- phase 2: stallers beside the dribblers
    const lorisFrom = Date.now();
    bounds.push({ name: "after-frames", from: framesTo, to: lorisFrom, mustNotFail: true });
    for (const w of Object.values(watches)) w.startPhase();
    await fuzz.call("startStallers", { targets, perTarget: STALLERS });
    await fuzz.call("startNonReaders", { targets, perTarget: NON_READERS });
    await fuzz.call("startChoppers", { targets, perTarget: CHOPPERS });
    await sleep(o.lorisSeconds * 1000);
    // connections the servers closed after their idle timeout are being opened again: let them land
    let idleHeld = await fuzz.call("idleStatus");
    await until(
      async () => Object.values((idleHeld = await fuzz.call("idleStatus"))).every((st) => st.open >= st.requested),
      15_000,
      "the idle connections held",
    ).catch(() => undefined);
    const slowLoris = await fuzz.call("stopSlowLoris");
    for (const w of Object.values(watches)) w.lorisGrowth = w.endPhase();
    const lorisTo = Date.now();
    bounds.push({ name: "slow-loris", from: lorisFrom, to: lorisTo, mustNotFail: false });
    log(`slow loris stopped; quiet window of ${seconds} s`);
    await sleep(seconds * 1000);
    const endAt = Date.now();
    bounds.push({ name: "after-slow-loris", from: lorisTo, to: endAt, mustNotFail: true });
    await fuzz.call("closeIdle");

    // ---- the good client's messages must all be consumable
    await good.stopSending();
    await until(
      () => [...good.acknowledged].every((b) => good.receipts.received.has(b)),
      90_000,
      "every acknowledged message consumed",
    ).catch((err) => log(err.message));
    const lost = [...good.acknowledged].filter((b) => !good.receipts.received.has(b));
    for (const w of Object.values(watches)) w.stop();

    const windows = good.windows(bounds);
    const failed = [];
    for (const [name, w] of Object.entries(watches)) {
      const r = w.report();
      if (r.crashed) failed.push(`${name} exited (${r.exit.signal ?? r.exit.code})`);
      if (r.worstRssMiB > o.rssLimitMb) failed.push(`${name} RSS ${r.worstRssMiB} MiB > ${o.rssLimitMb} MiB`);
      if (r.slowLorisRssGrowthMiB > o.lorisRssGrowthMb)
        failed.push(
          `${name} RSS grew ${r.slowLorisRssGrowthMiB} MiB in the slow-loris phase > ${o.lorisRssGrowthMb} MiB`,
        );
    }
    for (const w of windows) {
      if (w.mustNotFail && w.failures > 0) failed.push(`good client: ${w.failures} failures in ${w.name}`);
      if (w.mustNotFail && (w.sends === 0 || w.routes === 0))
        failed.push(`good client: no successful send or route in ${w.name}`);
    }
    if (lost.length > 0) failed.push(`${lost.length} acknowledged messages not consumed`);
    for (const [name, st] of Object.entries(idleHeld)) {
      // a server may close a silent connection after serverChannelMaxIdleTimeSeconds (120 s), not before
      if (st.closedBeforeIdleTimeout > 0)
        failed.push(`${name} closed ${st.closedBeforeIdleTimeout} idle connections before the idle timeout`);
      if (st.opened < st.requested)
        failed.push(`${name} accepted only ${st.opened} of ${st.requested} idle connections`);
      if (st.open < st.requested)
        failed.push(`${name}: only ${st.open} of ${st.requested} idle connections held at the end of the phases`);
    }
    for (const [name, t] of Object.entries(frames.tallies)) {
      if (t.kinds.oversized.silent > 0)
        failed.push(`${name}: ${t.kinds.oversized.silent} oversized frames neither refused nor answered`);
      if (t.closedAfterValidFrames > 0)
        failed.push(`${name}: closed ${t.closedAfterValidFrames} connections that sent only valid frames`);
      if (t.undecodableAnswers > 0) failed.push(`${name}: ${t.undecodableAnswers} undecodable answers`);
    }
    const framesSentPerServer = Object.fromEntries(
      Object.entries(frames.tallies).map(([name, t]) => [
        name,
        Object.fromEntries(Object.entries(t.kinds).map(([k, v]) => [k, v.frames])),
      ]),
    );
    const closedByServer = Object.fromEntries(
      Object.entries(frames.tallies).map(([name, t]) => [
        name,
        Object.values(t.kinds).reduce((a, k) => a + k.closedByServer, 0),
      ]),
    );
    const goodOps = good.ops.length;
    const goodFailures = good.ops.filter((op) => !op.ok).length;
    const worstLatencyMs = good.ops.reduce((m, op) => Math.max(m, op.ms), 0);
    const servers = Object.fromEntries(Object.entries(watches).map(([n, w]) => [n, w.report()]));
    Object.assign(report, {
      ok: failed.length === 0,
      failed,
      seconds: Math.round((Date.now() - started) / 1000),
      frames: {
        sent: frames.sent,
        seconds: Math.round(frames.ms / 100) / 10,
        perSecond: Math.round(frames.sent / (frames.ms / 1000)),
        sentPerServer: framesSentPerServer,
        closedByServer,
        answers: Object.fromEntries(Object.entries(frames.tallies).map(([n, t]) => [n, t.answers])),
        detail: frames.tallies,
      },
      idle: { perServer: o.idle, heldAtEndOfPhases: idleHeld },
      slowLoris: { dribbleMs: o.dribbleMs, perServer: slowLoris },
      goodClient: {
        ops: goodOps,
        failures: goodFailures,
        worstLatencyMs,
        acknowledged: good.acknowledged.size,
        received: good.receipts.received.size,
        lost: lost.length,
        windows,
      },
      servers,
    });
    report.summary =
      `${frames.sent} frames in ${report.frames.seconds} s (${Object.entries(closedByServer)
        .map(([n, c]) => `${n} closed ${c}`)
        .join(", ")}), ` +
      `idle held ${Object.entries(idleHeld)
        .map(([n, s]) => `${n} ${s.open}`)
        .join("/")}, ` +
      `good client ${goodOps} ops ${goodFailures} failures worst ${worstLatencyMs} ms, lost ${lost.length}, ` +
      `worst RSS ${Object.entries(servers)
        .map(([n, s]) => `${n} ${s.worstRssMiB} MiB`)
        .join(", ")}` +
      (failed.length ? ` — FAILED: ${failed.join("; ")}` : " — ok");
    return report;
  } catch (err) {
    for (const w of Object.values(watches)) w.stop();
    const servers = Object.fromEntries(Object.entries(watches).map(([n, w]) => [n, w.report()]));
    return { ...report, ok: false, error: err.stack ?? String(err), servers, summary: `aborted: ${err.message}` };
  } finally {
    await fuzz?.call("stopSlowLoris").catch(() => undefined);
    await fuzz?.call("closeIdle").catch(() => undefined);
    await fuzz?.terminate();
    await good.stopSending().catch(() => undefined);
    await good.shutdown();
    await admin.shutdown().catch(() => undefined);
    await broker.stop();
    await namesrv.stop();
  }
}
