// A full disk refuses writes and keeps what is stored. One master whose store (storePathRootDir and
// commit log) is alone on a small file system of its own (`--fs ext4`, an image on a loop device, the
// default; or `--fs tmpfs`), with small commit-log, consume-queue and index files:
//
// 1. Filled by producers. Other data already takes the disk up to `--headroom-mib` below Java's
//    warning level (90 % used, rocketmq.broker.diskSpaceWarningLevelRatio); the producers fill the
//    rest until the store's disk check marks DISK_FULL. Every refusal must be Java's answer for it
//    (SERVICE_NOT_AVAILABLE, 14, "service not available now. It may be caused by ... the broker's disk
//    is full [CL: ...]"), not a timeout or a crash, and must come while statfs still shows free space;
//    a consumer must get everything acknowledged. Then the other data is deleted — what frees a disk
//    that reached the warning level: with Java's defaults the store's own files never get there (the
//    clean service deletes the oldest commit-log files above 85 %, cleanFileForciblyEnable), so a
//    store that does holds data it must keep (cleanFileForciblyEnable=false here, as for a broker
//    whose unconsumed messages must not go) and space comes back from elsewhere. Letting the clean
//    service delete instead would delete acknowledged messages, and its first round only comes a
//    minute after start. Sends must be acknowledged again (the disk check runs every 10 s).
// 2. Filled by another process mid-file, `--rounds` times: under load a process writes a file until
//    ENOSPC, so the store's next write that needs a new block — commit log, consume queue, index,
//    config JSON — meets a full file system in the middle of a file it is using. The broker must stay
//    up, refuse with Java's answer, serve reads (the consumer gets everything acknowledged), and take
//    sends again once the file is removed.
//
// After each part the broker is stopped and its store checked (every commit-log record CRC-checked
// and every acknowledged body found in it, every config JSON parsed, `bin/mqstore verify` when it
// exists), restarted on the same store, and a new consumer group must get every acknowledged message.
// Options: --fs ext4|tmpfs, --size-mib N (256), --headroom-mib N (32), --senders N (8),
// --fill-rate N (part 1's sends per second, 4000: what 10 s of them write must fit in the 10 % of the
// disk above the warning level, or the check comes after the disk is full).
import { rmSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MQAdminClient } from "../../../packages/client/dist/index.js";
import { newTopicConfig } from "../../../packages/common/dist/index.js";
import {
  canMount,
  checkCommitLog,
  checkConfigFiles,
  fillerProcess,
  fillUntilFree,
  mountFs,
  mqstoreVerify,
  usage,
} from "../lib/disk.mjs";
import { freeBrokerPort, ServerProcess, sleep, until } from "../lib/processes.mjs";
import { check, Producers, Receipts } from "../lib/workload.mjs";

export const description =
  "a full disk: filled by producers, then by another process mid-file — Java's refusals, reads go on, writes resume, the store stays consistent";

const TOPIC = "ChaosFullDiskTopic";
const BROKER_NAME = "FullDiskBroker";
const MiB = 1024 * 1024;
/** ResponseCode.SERVICE_NOT_AVAILABLE and Java 4.9.8 SendMessageProcessor's remark (diskUtil: %5.2f). */
const SERVICE_NOT_AVAILABLE = 14;
const JAVA_REMARK =
  /^service not available now\. It may be caused by one of the following reasons: the broker's disk is full \[CL: [ -]\d\.\d\d CQ: [ -]\d\.\d\d INDEX: [ -]\d\.\d\d\], messages are put to the slave, message store has been shut down, etc\.$/;

/**
 * What a send may end with: acknowledged, Java's refusal for a full disk, or Java's flow control
 * (SYSTEM_BUSY "[TIMEOUT_CLEAN_QUEUE]": the broker's event loop ran late, e.g. while another process
 * writes hundreds of MiB and the kernel throttles every writer). Timeouts and other errors are not.
 */
const ALLOWED = new Set(["ok", "refused", "busy"]);

const opt = (args, name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const mib = (bytes) => Math.round((bytes / MiB) * 10) / 10;

/**
 * Every send of the workload's producer, with its outcome: wraps the producer's `send` (the workload
 * itself only counts failures), holds sends while `pause()`d (the broker is being stopped, checked
 * and restarted) and paces them to `rate` per second when set.
 */
class SendOutcomes {
  constructor(producer) {
    this.sends = []; // { start, end, kind, code, remark }
    this.inflight = 0;
    this.gate = null;
    this.rate = 0;
    this.nextAt = 0;
    const send = producer.send.bind(producer);
    producer.send = async (...a) => {
      while (this.gate) await this.gate.promise;
      if (this.rate > 0) {
        const now = Date.now();
        this.nextAt = Math.max(this.nextAt + 1000 / this.rate, now);
        if (this.nextAt > now) await sleep(this.nextAt - now);
      }
      const start = Date.now();
      this.inflight++;
      try {
        const result = await send(...a);
        this.sends.push({ start, end: Date.now(), kind: result.sendStatus === "SEND_OK" ? "ok" : result.sendStatus });
        return result;
      } catch (err) {
        this.sends.push({ start, end: Date.now(), ...SendOutcomes.classify(err) });
        throw err;
      } finally {
        this.inflight--;
      }
    };
  }

  /**
   * Java's refusal for a full disk; the broker's flow control (SYSTEM_BUSY, 2: its event loop ran
   * late); another answer of the broker; a timeout; or another error (e.g. no connection).
   */
  static classify(err) {
    const answer = err?.cause?.responseCode !== undefined ? err.cause : err;
    const code = answer?.responseCode;
    const remark = String(answer?.errorMessage ?? err?.message ?? err);
    if (code === SERVICE_NOT_AVAILABLE && JAVA_REMARK.test(remark)) return { kind: "refused", code, remark };
    if (code === 2) return { kind: "busy", code, remark: remark.slice(0, 200) };
    if (code !== undefined && code !== -1) return { kind: "answer", code, remark: remark.slice(0, 200) };
    if (/timed? ?out/i.test(String(err?.message))) return { kind: "timeout", code, remark: remark.slice(-200) };
    return { kind: "error", code, remark: String(err?.message).slice(-200) };
  }

  pause() {
    let release;
    this.gate = { promise: new Promise((r) => (release = r)), release };
    return until(() => this.inflight === 0, 30_000, "sends in flight to end");
  }

  resume() {
    this.gate?.release();
    this.gate = null;
  }

  /** The sends that started at or after `from` (and before `to`). */
  between(from, to = Infinity) {
    return this.sends.filter((s) => s.start >= from && s.start < to);
  }

  firstAfter(from, kind) {
    return this.sends.find((s) => s.start >= from && s.kind === kind);
  }

  /** Counts per kind, plus a sample of what was not Java's refusal (`at`: ms since `t0`). */
  summary(list, t0) {
    const counts = {};
    for (const s of list) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
    const unexpected = list.filter((s) => !ALLOWED.has(s.kind) || s.kind === "busy");
    return {
      ...counts,
      unexpectedSample: unexpected.slice(0, 3).map((s) => `at ${s.start - t0} ms: ${s.kind} ${s.code}: ${s.remark}`),
    };
  }
}

/** Lines of the broker's store log that show the disk being full (our ENOSPC handling, Java's check). */
function brokerLogEvidence(brokerHome) {
  const dir = join(brokerHome, "logs", "rocketmqlogs");
  const read = (name) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : "");
  const store = read("store.log") + read("storeerror.log");
  const all = store + read("broker.log");
  const wheres = {};
  for (const m of store.matchAll(/disk full: a write was refused[^\n]*?"?where"?[=:]\s*"?(\w+)/g))
    wheres[m[1]] = (wheres[m[1]] ?? 0) + 1;
  return {
    enospcRefusedWrites: wheres,
    diskCheckMarkedFull: (store.match(/physic disk maybe full soon/g) ?? []).length,
    diskCheckMarkedOk: (store.match(/physic disk space OK/g) ?? []).length,
    configPersistFailed: (all.match(/persist config file failed/g) ?? []).length,
  };
}

export async function run({ home, rounds, seconds, log, args }) {
  if (!canMount()) return { ok: false, lost: 0, summary: "full-disk needs root (it mounts a file system of its own)" };
  const kind = opt(args, "--fs", "ext4");
  const sizeMiB = Number(opt(args, "--size-mib", "256"));
  const headroom = Number(opt(args, "--headroom-mib", "32")) * MiB;
  const senders = Number(opt(args, "--senders", "8"));
  const fillRate = Number(opt(args, "--fill-rate", "4000"));
  const hold = Math.max(2, seconds / 2) * 1000;
  const problems = [];
  const expect = (cond, what) => {
    if (!cond) {
      problems.push(what);
      log(`FAILED: ${what}`);
    }
    return cond;
  };

  let disk;
  try {
    disk = mountFs(join(home, "disk"), { kind, sizeMiB });
  } catch (err) {
    return { ok: false, lost: 0, summary: `cannot mount a ${kind} file system: ${err.message}` };
  }
  const mnt = disk.mountPoint;
  const storeRoot = join(mnt, "store");
  log(`${kind} of ${sizeMiB} MiB at ${mnt}: ${mib(usage(mnt).freeBytes)} MiB free`);

  const other = join(mnt, "other-data");
  let otherBytes = 0;
  const nsPort = await freeBrokerPort();
  const namesrvAddr = `127.0.0.1:${nsPort}`;
  const namesrv = new ServerProcess(home, "namesrv", "mqnamesrv", [`listenPort=${nsPort}`]);
  const port = await freeBrokerPort();
  const brokerAddr = `127.0.0.1:${port}`;
  const broker = new ServerProcess(home, "broker", "mqbroker", [
    "brokerClusterName=FullDiskCluster",
    `brokerName=${BROKER_NAME}`,
    `listenPort=${port}`,
    "brokerIP1=127.0.0.1",
    `namesrvAddr=${namesrvAddr}`,
    `storePathRootDir=${storeRoot}`,
    `storePathCommitLog=${join(storeRoot, "commitlog")}`,
    // several files of each kind fit: 4 MiB commit-log files, 6000-entry consume-queue files, ~4 MiB index files
    `mappedFileSizeCommitLog=${4 * MiB}`,
    "mappedFileSizeConsumeQueue=120000",
    "maxHashSlotNum=50000",
    "maxIndexNum=200000",
    // the store's own files are not deleted to make room (see above)
    "cleanFileForciblyEnable=false",
  ]);
  const admin = new MQAdminClient({ namesrvAddr });
  const pollNameServerInterval = 3000;
  const producers = new Producers({ namesrvAddr, topic: TOPIC, senders, pollNameServerInterval });
  const outcomes = new SendOutcomes(producers.producer);
  const receipts = new Receipts({ namesrvAddr, topic: TOPIC, group: "full_disk_consumer", pollNameServerInterval });
  const acknowledged = () => [...producers.acknowledged.keys()];
  /** The consumer group that read the store after the last restart. */
  let rechecked = null;
  const allReceived = (r) => acknowledged().every((b) => r.received.has(b));
  const report = { fs: { kind, sizeMiB }, parts: {} };

  /** Stop the broker (SIGTERM), check its store, start it again and read everything with a new group. */
  const stopCheckRestart = async (part) => {
    await outcomes.pause();
    const stoppedAt = Date.now();
    await broker.stop();
    const stop = {
      exit: broker.child.exitCode ?? broker.child.signalCode,
      ms: Date.now() - stoppedAt,
      cleanShutdown: !existsSync(join(storeRoot, "abort")),
    };
    expect(stop.exit === 0, `${part}: the broker stopped with ${stop.exit}, not 0`);
    const expected = acknowledged();
    const commitLog = checkCommitLog(storeRoot, expected);
    const config = checkConfigFiles(storeRoot);
    const mqstore = await mqstoreVerify(storeRoot);
    for (const e of [...commitLog.errors, ...config.errors]) expect(false, `${part}: store check: ${e}`);
    if (mqstore) expect(mqstore.code === 0, `${part}: mqstore verify exited ${mqstore.code}`);
    log(
      `${part}: broker stopped (${stop.exit}, clean ${stop.cleanShutdown}); commit log ${commitLog.files} files, ${commitLog.records} records CRC-checked, ${expected.length} acknowledged all stored: ${commitLog.errors.length === 0}; config ${config.parsed.join(" ")} parsed${mqstore ? `; mqstore verify exit ${mqstore.code}` : ""}`,
    );
    const bootAt = Date.now();
    await broker.start();
    const bootMs = Date.now() - bootAt;
    const recheck = new Receipts({
      namesrvAddr,
      topic: TOPIC,
      group: `full_disk_recheck_${part}`,
      pollNameServerInterval,
    });
    await recheck.start();
    const readAt = Date.now();
    const all = await until(() => allReceived(recheck), 120_000, "a new group to get every acknowledged message").then(
      () => true,
      () => false,
    );
    await recheck.shutdown();
    rechecked = recheck;
    const missing = expected.filter((b) => !recheck.received.has(b)).length;
    expect(all, `${part}: after the restart a new group missed ${missing} acknowledged messages`);
    log(
      `${part}: restarted in ${bootMs} ms; a new group read all ${expected.length} acknowledged messages in ${Date.now() - readAt} ms: ${all}`,
    );
    outcomes.resume();
    return {
      stop,
      storeCheck: {
        commitLogFiles: commitLog.files,
        records: commitLog.records,
        bytes: commitLog.bytes,
        endOfData: commitLog.end,
        acknowledgedStored: expected.length,
        configParsed: config.parsed,
        leftoverTmp: config.leftoverTmp,
        mqstore,
        errors: [...commitLog.errors, ...config.errors],
      },
      restart: { bootMs, rereadMs: Date.now() - readAt, everyAcknowledgedRead: all, missing },
    };
  };

  /** While the disk is full: the broker up, every acknowledged message consumed, no ack of a send started after `since`. */
  const whileFull = async (part, since) => {
    const drained = await until(() => allReceived(receipts), 60_000, "every acknowledged message consumed").then(
      () => true,
      () => false,
    );
    const missing = acknowledged().filter((b) => !receipts.received.has(b)).length;
    expect(drained, `${part}: ${missing} acknowledged messages not consumed while the disk was full`);
    expect(broker.alive, `${part}: the broker process died`);
    const clusterInfo = await admin.examineBrokerClusterInfo().catch(() => null);
    expect(clusterInfo?.brokerAddrTable.has(BROKER_NAME), `${part}: the broker is not registered`);
    await sleep(hold);
    const refusedWindow = outcomes.between(since);
    const ackedWhileFull = refusedWindow.filter((s) => s.kind === "ok").length;
    expect(ackedWhileFull === 0, `${part}: ${ackedWhileFull} sends started while refusing were acknowledged`);
    return {
      consumedAllWhileFull: drained,
      brokerAlive: broker.alive,
      sendsWhileFull: outcomes.summary(refusedWindow, since),
    };
  };

  /** Remove `file`; resolves with how long until a send started after that was acknowledged. */
  const freeAndResume = async (part, file) => {
    rmSync(file, { force: true });
    const freedAt = Date.now();
    const back = await until(
      () => outcomes.firstAfter(freedAt, "ok"),
      60_000,
      `${part}: a send acknowledged again`,
    ).then(
      () => true,
      () => false,
    );
    expect(back, `${part}: no send acknowledged within 60 s after space was freed`);
    const first = outcomes.firstAfter(freedAt, "ok");
    return { resumedAfterMs: first ? first.end - freedAt : null, usageAfterFree: usage(mnt).usedRatio };
  };

  try {
    // other data on the disk, written (and synced) before the broker starts: up to `headroom` below
    // Java's warning level, 90 % used
    otherBytes = fillUntilFree(other, Math.ceil(usage(mnt).totalBytes * 0.1) + headroom);
    await namesrv.start();
    await broker.start();
    await until(
      async () => (await admin.examineBrokerClusterInfo().catch(() => null))?.brokerAddrTable.has(BROKER_NAME),
      60_000,
      "the broker registered",
    );
    await admin.createAndUpdateTopicConfig(brokerAddr, newTopicConfig(TOPIC, { readQueueNums: 4, writeQueueNums: 4 }));
    await receipts.start();
    const startedAt = Date.now();
    // part 1's producers fill at most `fillRate` messages a second: the disk check runs every 10 s,
    // and what they write in that time must fit in the 10 % above the warning level
    outcomes.rate = fillRate;
    await producers.start();
    const part1At = startedAt;

    // ---- part 1: filled by producers -------------------------------------------------------
    log(
      `part 1: other data ${mib(otherBytes)} MiB, ${mib(usage(mnt).freeBytes)} MiB free; ${senders} senders at up to ${fillRate}/s fill the last ${mib(headroom)} MiB before 90 %`,
    );
    await until(() => outcomes.firstAfter(part1At, "refused") || !broker.alive, 300_000, "part 1: the first refusal");
    if (!broker.alive) throw new Error(`the broker died (${broker.child.signalCode ?? broker.child.exitCode})`);
    const firstRefusal = outcomes.firstAfter(part1At, "refused");
    const atRefusal = usage(mnt);
    expect(atRefusal.freeBytes > 0, `part 1: refusals began only when the file system was full`);
    const failuresBefore = outcomes.between(part1At, firstRefusal.start).filter((s) => !ALLOWED.has(s.kind));
    expect(failuresBefore.length === 0, `part 1: ${failuresBefore.length} sends failed before the disk was full`);
    outcomes.rate = 0;
    log(
      `part 1: first refusal after ${firstRefusal.end - part1At} ms at ${Math.round(atRefusal.usedRatio * 100)} % used, ${mib(atRefusal.freeBytes)} MiB still free; ${producers.acknowledged.size} acknowledged so far`,
    );
    const full1 = await whileFull("part 1", firstRefusal.end);
    const unexpected1 = outcomes.between(firstRefusal.end).filter((s) => !ALLOWED.has(s.kind));
    expect(
      unexpected1.length === 0,
      `part 1: ${unexpected1.length} failures were not Java's refusal: ${outcomes.summary(unexpected1, startedAt).unexpectedSample.join("; ")}`,
    );
    const resumed1 = await freeAndResume("part 1", other);
    log(`part 1: other data deleted; sends acknowledged again after ${resumed1.resumedAfterMs} ms`);
    report.parts.filledByProducers = {
      otherDataMiB: mib(otherBytes),
      headroomMiB: mib(headroom),
      msToFirstRefusal: firstRefusal.end - part1At,
      fillRatePerSecond: fillRate,
      firstRefusal: {
        usedPercent: Math.round(atRefusal.usedRatio * 100),
        freeMiB: mib(atRefusal.freeBytes),
        code: firstRefusal.code,
        remark: firstRefusal.remark,
      },
      acknowledgedBeforeRefusal: outcomes.between(part1At, firstRefusal.start).filter((s) => s.kind === "ok").length,
      ...full1,
      ...resumed1,
      ...(await stopCheckRestart("part1")),
    };

    // ---- part 2: filled by another process, mid-file -------------------------------------------
    const part2Rounds = [];
    for (let round = 1; round <= rounds; round++) {
      const loadAt = Date.now();
      await sleep(seconds * 1000);
      const acked = outcomes.between(loadAt).filter((s) => s.kind === "ok").length;
      expect(acked > 0, `part 2 round ${round}: nothing acknowledged under load before the filler`);
      const fillerFile = join(mnt, `filler-${round}`);
      const fillAt = Date.now();
      const filler = await fillerProcess(fillerFile);
      const atFull = usage(mnt);
      await until(
        () => outcomes.firstAfter(fillAt, "refused") || !broker.alive,
        60_000,
        `part 2 round ${round}: a refusal`,
      );
      if (!broker.alive) throw new Error(`the broker died (${broker.child.signalCode ?? broker.child.exitCode})`);
      const refusal = outcomes.firstAfter(fillAt, "refused");
      log(
        `part 2 round ${round}: another process wrote ${mib(filler.bytes)} MiB until ENOSPC (${mib(atFull.freeBytes)} MiB free); first refusal ${refusal.end - fillAt} ms after it started`,
      );
      const full = await whileFull(`part 2 round ${round}`, refusal.end);
      const unexpected = outcomes.between(fillAt).filter((s) => !ALLOWED.has(s.kind));
      expect(
        unexpected.length === 0,
        `part 2 round ${round}: ${unexpected.length} failures were not Java's refusal: ${outcomes.summary(unexpected, startedAt).unexpectedSample.join("; ")}`,
      );
      const resumed = await freeAndResume(`part 2 round ${round}`, fillerFile);
      log(`part 2 round ${round}: filler removed; sends acknowledged again after ${resumed.resumedAfterMs} ms`);
      part2Rounds.push({
        round,
        acknowledgedUnderLoad: acked,
        fillerMiB: mib(filler.bytes),
        freeMiBWhenFilled: mib(atFull.freeBytes),
        msToFirstRefusal: refusal.end - fillAt,
        ...full,
        ...resumed,
      });
    }
    // the last check reads every acknowledged message: nothing is sent after it
    await producers.stop();
    report.parts.filledByAnotherProcess = { rounds: part2Rounds, ...(await stopCheckRestart("part2")) };

    report.runMs = Date.now() - startedAt;
  } catch (err) {
    problems.push(`aborted: ${err.message}`);
    log(`aborted: ${err.stack ?? err.message}`);
  } finally {
    outcomes.resume();
    await producers.stop().catch(() => undefined);
    await receipts.shutdown().catch(() => undefined);
    await admin.shutdown().catch(() => undefined);
    await broker.stop();
    await namesrv.stop();
    report.brokerLog = brokerLogEvidence(broker.home);
    disk.unmount();
  }
  // received = by the workload's group, or by the group that read everything after the last restart
  // (the workload's group catches up after a restart only after its pull back-off)
  const received = new Map([...(rechecked?.received ?? []), ...receipts.received]);
  const checked = {
    ...check(producers, { received }),
    notYetConsumedByWorkloadGroup: acknowledged().filter((b) => !receipts.received.has(b)).length,
  };
  const allSends = outcomes.summary(outcomes.sends, outcomes.sends[0]?.start ?? 0);
  const ok = problems.length === 0 && checked.lost === 0;
  const p1 = report.parts.filledByProducers;
  const p2 = report.parts.filledByAnotherProcess?.rounds ?? [];
  return {
    ok,
    ...checked,
    sends: allSends,
    ...report,
    problems,
    summary: `${ok ? "ok" : "FAILED"}: ${checked.acknowledged} acknowledged of ${checked.attempts}, lost ${checked.lost}; refused ${allSends.refused ?? 0} (Java's code 14 and remark), busy ${allSends.busy ?? 0} (Java's flow control), other failures ${checked.failedSends - (allSends.refused ?? 0) - (allSends.busy ?? 0)}; part 1 refused at ${p1?.firstRefusal.usedPercent ?? "?"} % used (${p1?.firstRefusal.freeMiB ?? "?"} MiB free), resumed after ${p1?.resumedAfterMs ?? "?"} ms; part 2 ${p2.length} rounds, resumed after ${p2.map((r) => r.resumedAfterMs).join("/") || "?"} ms${problems.length ? `; ${problems.length} problems: ${problems[0]}` : ""}`,
  };
}
