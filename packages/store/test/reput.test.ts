import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { configDefaults, parseHost, prepareRecord, type MessageInner } from "@rocketmq-ts/common";
import { javaStringHashCode } from "@rocketmq-ts/remoting";
import {
  CommitLog,
  commitLogOptions,
  CommitLogDispatcherBuildConsumeQueue,
  CommitLogDispatcherBuildIndex,
  ConsumeQueueTable,
  delayLevelsOf,
  IndexService,
  messageStoreConfigSpec,
  ReputMessageService,
  RunningFlags,
  SCHEDULE_TOPIC,
  StoreCheckpoint,
  type AppendMessageResult,
  type DispatchRequest,
  type MessageStoreConfig,
} from "@rocketmq-ts/store";
import { innerMessage } from "./support/messages.js";

const host = parseHost("127.0.0.1:10911");
const logger = pino({ level: "silent" });
const FILE_SIZE = 64 * 1024;

/** A real commit log whose confirm offset can be held back, as a DLedger log's is until a quorum commits. */
class ConfirmingCommitLog extends CommitLog {
  confirmOffset: number | null = null;

  override getConfirmOffset(): number {
    return this.confirmOffset ?? super.getConfirmOffset();
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

/** Commit log, consume queues, index and checkpoint of a fresh store directory, and a reput service over them. */
function openParts() {
  const root = mkdtempSync(join(tmpdir(), "reput-"));
  const config: MessageStoreConfig = {
    ...configDefaults(messageStoreConfigSpec()),
    storePathRootDir: root,
    mappedFileSizeCommitLog: FILE_SIZE,
    mappedFileSizeConsumeQueue: 200,
  };
  const commitLog = new ConfirmingCommitLog(commitLogOptions(config, logger));
  commitLog.load();
  const queues = new ConsumeQueueTable(root, config);
  const checkpoint = new StoreCheckpoint(join(root, "checkpoint"));
  const indexService = new IndexService(root, 16, 64, logger);
  const runningFlags = new RunningFlags();
  const dispatched: DispatchRequest[] = [];
  const reput = new ReputMessageService({
    commitLog,
    dispatchers: [
      new CommitLogDispatcherBuildConsumeQueue({
        findConsumeQueue: (topic, queueId) => queues.findConsumeQueue(topic, queueId),
        checkpoint: () => checkpoint,
        runningFlags,
        logger,
      }),
      new CommitLogDispatcherBuildIndex({ config, indexService, runningFlags, logger }),
    ],
    delayLevels: delayLevelsOf(config.messageDelayLevel),
    logger,
    onDispatched: (req) => dispatched.push(req),
  });
  cleanups.push(() => {
    commitLog.shutdown();
    for (const cq of queues.all()) cq.mappedFileQueue.shutdown();
    indexService.shutdown();
    checkpoint.shutdown();
    rmSync(root, { recursive: true, force: true });
  });
  /** Append one message as the store's put does; returns where it went. */
  const put = (msg: MessageInner, now: number): AppendMessageResult => {
    const res = commitLog.append([prepareRecord(msg)], msg.topic, msg.queueId, msg.sysFlag, host, now);
    if (res.status !== "PUT_OK" || !res.appendResult) throw new Error(`append failed: ${res.status}`);
    return res.appendResult;
  };
  return { commitLog, queues, checkpoint, indexService, runningFlags, dispatched, reput, put };
}

function message(i: number, fields: Partial<MessageInner> = {}): MessageInner {
  return innerMessage(host, {
    queueId: i % 2,
    body: Buffer.alloc(1000, 97 + (i % 26)),
    propertiesString: `TAGS\u0001tag${i % 3}\u0002KEYS\u0001key-${i}\u0002UNIQ_KEY\u0001U${i}`,
    ...fields,
  });
}

describe("ReputMessageService", () => {
  it("dispatches every stored record to its consume queue and the index, across file ends", () => {
    const p = openParts();
    const t0 = 1_700_000_000_000;
    const appended: AppendMessageResult[] = [];
    for (let i = 0; i < 150; i++) appended.push(p.put(message(i), t0 + i));
    // a delayed message parked in SCHEDULE_TOPIC_XXXX (level 3 = 10 s) and a prepared transaction half
    const delayed = p.put(
      message(150, { topic: SCHEDULE_TOPIC, queueId: 2, propertiesString: "DELAY\u00013\u0002KEYS\u0001parked" }),
      t0 + 150,
    );
    p.put(message(151, { sysFlag: 0x4, propertiesString: "KEYS\u0001half" }), t0 + 151);
    expect(p.commitLog.getMaxOffset()).toBeGreaterThan(2 * FILE_SIZE); // BLANK fillers to skip

    p.reput.setReputFromOffset(0);
    p.reput.doReput();

    expect(p.reput.fromOffset).toBe(p.commitLog.getMaxOffset());
    expect(p.reput.behindBytes()).toBe(0);
    expect(p.dispatched.map((r) => r.commitLogOffset)).toEqual([
      ...appended.map((a) => a.wroteOffset),
      delayed.wroteOffset,
      expect.any(Number),
    ]);
    for (let i = 0; i < 150; i++) {
      const cq = p.queues.findConsumeQueue("T", i % 2);
      const a = appended[i] as AppendMessageResult;
      expect(a.logicsOffset).toBe(Math.floor(i / 2));
      expect(cq.getEntry(a.logicsOffset)).toEqual({
        offset: a.wroteOffset,
        size: a.wroteBytes,
        tagsCode: javaStringHashCode(`tag${i % 3}`),
      });
    }
    // the half (message 151, queue 1) went to the index but into no queue: both queues hold their 75
    // ordinary messages only
    expect(p.queues.findConsumeQueue("T", 0).getMaxOffsetInQueue()).toBe(75);
    expect(p.queues.findConsumeQueue("T", 1).getMaxOffsetInQueue()).toBe(75);
    expect(p.indexService.queryOffset("T", "half", 10, 0, Number.MAX_SAFE_INTEGER).phyOffsets.length).toBe(1);
    expect(p.queues.findConsumeQueue(SCHEDULE_TOPIC, 2).getEntry(0)).toEqual({
      offset: delayed.wroteOffset,
      size: delayed.wroteBytes,
      tagsCode: t0 + 150 + 10_000, // due time instead of a tags hash
    });
    expect(p.indexService.queryOffset("T", "key-77", 10, 0, Number.MAX_SAFE_INTEGER).phyOffsets).toEqual([
      (appended[77] as AppendMessageResult).wroteOffset,
    ]);
    expect(p.checkpoint.logicsMsgTimestamp).toBe(t0 + 150);
    expect(p.runningFlags.isWriteable()).toBe(true);
  });

  it("stops at the commit log's confirm offset and goes on when it moves", () => {
    const p = openParts();
    const appended = Array.from({ length: 10 }, (_, i) => p.put(message(i, { queueId: 0 }), 1000 + i));
    const fifth = appended[4] as AppendMessageResult;
    p.commitLog.confirmOffset = fifth.wroteOffset;
    p.reput.doReput();
    expect(p.reput.fromOffset).toBe(fifth.wroteOffset);
    expect(p.queues.findConsumeQueue("T", 0).getMaxOffsetInQueue()).toBe(4);
    expect(p.reput.behindBytes()).toBe(p.commitLog.getMaxOffset() - fifth.wroteOffset);

    // part of a record confirmed: nothing of it is dispatched
    p.commitLog.confirmOffset = fifth.wroteOffset + fifth.wroteBytes - 1;
    p.reput.doReput();
    expect(p.reput.fromOffset).toBe(fifth.wroteOffset);
    expect(p.dispatched.length).toBe(4);

    p.commitLog.confirmOffset = null;
    p.reput.doReput();
    expect(p.reput.fromOffset).toBe(p.commitLog.getMaxOffset());
    expect(p.queues.findConsumeQueue("T", 0).getMaxOffsetInQueue()).toBe(10);
    expect(p.dispatched.map((r) => r.commitLogOffset)).toEqual(appended.map((a) => a.wroteOffset));
  });

  it("dispatches a just-appended put as reading it back would, and not beyond the confirm offset", () => {
    const p = openParts();
    const msgs = [
      message(0),
      message(1, { topic: SCHEDULE_TOPIC, queueId: 0, propertiesString: "DELAY\u000199\u0002TAGS\u0001x" }),
      message(2, { sysFlag: 0x4 }),
    ];
    p.reput.setReputFromOffset(0);
    for (const [i, m] of msgs.entries()) {
      const encoded = [prepareRecord(m)];
      const res = p.commitLog.append(encoded, m.topic, m.queueId, m.sysFlag, host, 5000 + i);
      p.reput.dispatchAppended([m], encoded, res.appendResult as AppendMessageResult);
    }
    expect(p.reput.fromOffset).toBe(p.commitLog.getMaxOffset());
    const fromPut = [...p.dispatched];
    // a second service reading the same records back
    const readBack: DispatchRequest[] = [];
    const reader = new ReputMessageService({
      commitLog: p.commitLog,
      dispatchers: [],
      delayLevels: delayLevelsOf(messageStoreConfigSpec().messageDelayLevel.default),
      logger,
      onDispatched: (req) => readBack.push(req),
    });
    reader.doReput();
    expect(fromPut).toEqual(readBack);
    // level 99 is capped at the highest level (18 = 2 h)
    expect(fromPut[1]?.tagsCode).toBe(5001 + 2 * 3600 * 1000);

    // an append beyond the confirm offset waits for it
    p.commitLog.confirmOffset = p.commitLog.getMaxOffset();
    const m = message(3);
    const encoded = [prepareRecord(m)];
    const res = p.commitLog.append(encoded, m.topic, m.queueId, m.sysFlag, host, 6000);
    p.reput.dispatchAppended([m], encoded, res.appendResult as AppendMessageResult);
    expect(p.dispatched.length).toBe(3);
    p.commitLog.confirmOffset = null;
    p.reput.doReput();
    expect(p.dispatched.length).toBe(4);
  });
});
