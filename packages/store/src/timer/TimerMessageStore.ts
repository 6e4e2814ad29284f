/**
 * Long because the enqueue, dequeue and flush stages share the state Java keeps in this one class
 * (queue offsets, read and write times, the checkpoint values); split apart they would pass it around.
 *
 * Java 5.3.3's TimerMessageStore: timer messages parked on `rmq_sys_wheel_timer` (see TimerPutHook)
 * are read from its consume queue into the timer log + wheel (enqueue), and put into their real
 * topic once their slot has passed (dequeue). Java's five thread stages become three async loops on
 * the event loop, each step bounded (ENQUEUE_BATCH entries, EMPTY_SLOTS_PER_STEP empty slots, one
 * non-empty slot) and driven by an injected scheduler and clock, so a step can be run by hand in
 * tests:
 *
 * - enqueue (`enqueue`): read the timer queue from currQueueOffset; a message whose slot time is
 *   before currWriteTimeMs is delivered at once (TIMER_ENQUEUE_MS = Long.MAX_VALUE), else a unit is
 *   appended to the timer log whose prevPos is the slot's lastPos, and the slot is updated. A slot
 *   time at least timerRollWindowSlot slots ahead is parked at a roll point instead (ROLL magic)
 *   and goes back onto the timer topic there.
 * - dequeue (`dequeue`): while currReadTimeMs < currWriteTimeMs (= now floored to the precision),
 *   walk the slot of currReadTimeMs from lastPos back through prevPos, collect delete markers
 *   (TIMER_DEL_UNIQKEY) and put the other messages, oldest first, into REAL_TOPIC / REAL_QID with
 *   TIMER_ENQUEUE_MS and TIMER_DEQUEUE_MS (a rolled one back onto the timer topic with
 *   TIMER_ROLL_TIMES + 1); then advance currReadTimeMs by one precision. Only the master dequeues.
 *   The step yields to the event loop every DEQUEUE_YIELD_EVERY messages of a slot (a put into a
 *   local commit log completes synchronously), and a message that throws is retried alone after a
 *   50 ms hold (Java's holdMomentForUnknownError), or skipped with timerSkipUnknownError; a step cut
 *   short (shutdown, role change) leaves the read time on the slot, which is read again, as Java.
 * - flush (`flush`, every timerFlushIntervalMs): checkpoint values, timer log, wheel, checkpoint.
 *
 * Consequence of the put hook's rounding and reading slot T only once now ≥ T + precision: a message
 * is never delivered before its deliver time. Recovery (`recover`) re-points slots from the timer
 * log, truncates garbage and re-reads the timer queue from the last message the log holds.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import {
  javaPropertiesString,
  MessageConst,
  messageInnerFrom,
  type MessageExt,
  type MessageInner,
} from "@rocketmq-ts/common";
import type { AppendMessageResult, PutMessageResult } from "../CommitLogStore.js";
import type { MessageStoreConfig } from "../config/MessageStoreConfig.js";
import type { ConsumeQueue } from "../ConsumeQueue.js";
import {
  buildDeleteKey,
  ENQUEUE_TIME_DUE,
  javaHash,
  MAGIC_DEFAULT,
  MAGIC_DELETE,
  MAGIC_ROLL,
  needDelete,
  needRoll,
  TIMER_BLANK_SLOTS,
  TIMER_SLOTS_TOTAL,
  TIMER_TOPIC,
} from "./TimerConstants.js";
import { TimerCheckpoint, timerCheckPath } from "./TimerCheckpoint.js";
import { TimerLog, UNIT_PRE_SIZE_FOR_MSG, UNIT_SIZE } from "./TimerLog.js";
import { TimerWheel } from "./TimerWheel.js";

/** What the timer needs of the message store (DefaultMessageStore has it). */
export interface TimerStoreAccess {
  getConsumeQueue(topic: string, queueId: number): ConsumeQueue | undefined;
  lookMessageByOffset(commitLogOffset: number): MessageExt | null;
  putMessages(msgs: readonly MessageInner[], waitStoreMsgOK?: boolean): PutMessageResult | Promise<PutMessageResult>;
  getMinPhyOffset(): number;
}

/** Timers of the loops (tests pass a manual one, or drive the steps themselves). */
export interface TimerScheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realScheduler: TimerScheduler = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface TimerMessageStoreOptions {
  store: TimerStoreAccess;
  config: MessageStoreConfig;
  logger: Logger;
  now?: () => number;
  scheduler?: TimerScheduler;
  /** Slots per half wheel (default 7 days of seconds, as Java; tests may pass fewer). */
  slotsTotal?: number;
  /** A message delivered (its put succeeded): Java counts it in the broker's topic put stats. */
  onDelivered?: (topic: string, append: AppendMessageResult | undefined) => void;
  /** Let other callbacks of the event loop run (default: the next setImmediate turn). */
  yieldToLoop?: () => Promise<void>;
}

/** One timer-log unit on its way (Java's TimerRequest). */
interface TimerRequest {
  offsetPy: number;
  sizePy: number;
  delayedTime: number;
  /** TIMER_ENQUEUE_MS to write: the unit's enqueue time, or ENQUEUE_TIME_DUE. */
  enqueueTime: number | typeof ENQUEUE_TIME_DUE;
  magic: number;
}

type PutOutcome = "ok" | "retry" | "no-retry";

const ENQUEUE_BATCH = 256;
const EMPTY_SLOTS_PER_STEP = 20_000;
const PUT_ATTEMPTS = 3;
const CLEAN_INTERVAL_MS = 30_000;
/** Messages of one slot handled between two turns of the event loop. */
export const DEQUEUE_YIELD_EVERY = 256;
/** Java's holdMomentForUnknownError: the wait before a message that threw is tried again. */
const UNKNOWN_ERROR_HOLD_MS = 50;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class TimerMessageStore {
  readonly timerLog: TimerLog;
  readonly timerWheel: TimerWheel;
  readonly timerCheckpoint: TimerCheckpoint;
  readonly precisionMs: number;
  readonly slotsTotal: number;
  readonly timerRollWindowSlots: number;
  currQueueOffset = 0;
  commitQueueOffset = 0;
  currWriteTimeMs = 0;
  currReadTimeMs = 0;
  commitReadTimeMs = 0;
  private lastCommitReadTimeMs = 0;
  private lastCommitQueueOffset = 0;
  private shouldRunningDequeue = false;
  private state: "initial" | "running" | "shutdown" = "initial";
  private lastBrokerRole: string;
  private readonly handles = new Set<unknown>();
  /** Steps under way (shutdown waits for them) and retry waits to cut short at shutdown. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly sleepers = new Set<() => void>();
  private readonly now: () => number;
  private readonly scheduler: TimerScheduler;
  private readonly yieldToLoop: () => Promise<void>;
  private readonly store: TimerStoreAccess;
  private readonly config: MessageStoreConfig;
  private readonly logger: Logger;
  private lastProgressLog = 0;
  /** When the enqueue last read a message, and that message's store time (Java's enqueue-behind). */
  private lastEnqueueButExpiredTime = 0;
  private lastEnqueueButExpiredStoreTime = 0;

  constructor(private readonly options: TimerMessageStoreOptions) {
    const { config } = options;
    this.store = options.store;
    this.config = config;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.scheduler = options.scheduler ?? realScheduler;
    this.yieldToLoop = options.yieldToLoop ?? nextTurn;
    this.precisionMs = config.timerPrecisionMs;
    this.slotsTotal = options.slotsTotal ?? TIMER_SLOTS_TOTAL;
    const window = config.timerRollWindowSlot;
    this.timerRollWindowSlots =
      window > this.slotsTotal - TIMER_BLANK_SLOTS || window < 2 ? this.slotsTotal - TIMER_BLANK_SLOTS : window;
    const root = config.storePathRootDir;
    this.timerCheckpoint = new TimerCheckpoint(timerCheckPath(root), this.now);
    this.timerWheel = new TimerWheel(join(root, "timerwheel"), this.slotsTotal, this.precisionMs);
    this.timerLog = new TimerLog(join(root, "timerlog"), config.mappedFileSizeTimerLog);
    this.lastBrokerRole = config.brokerRole;
  }

  /** Map the timer log and recover (after the message store has loaded its consume queues). */
  load(): void {
    this.timerLog.load();
    this.recover();
  }

  // -------------------------------------------------------------------------------------------
  // Recovery

  /**
   * Java's recover: re-point the wheel from the timer log (from one file before the flushed
   * position), truncate what follows the last valid unit, resume the timer queue after the message
   * of the last unit, and the read time at the checkpoint's (no earlier than one wheel turn back).
   */
  recover(): void {
    let lastFlushPos = this.timerCheckpoint.lastTimerLogFlushPos;
    const lastFile = this.timerLog.mappedFileQueue.lastMappedFile;
    if (lastFile) lastFlushPos -= lastFile.fileSize;
    if (lastFlushPos < 0) lastFlushPos = 0;
    const revise = (delayedTime: number, pos: number): void => this.timerWheel.reviseSlot(delayedTime, -1, pos, true);
    const processOffset = this.timerLog.recoverAndRevise(lastFlushPos, true, revise);
    const queueOffset = this.reviseQueueOffset(processOffset);
    this.currQueueOffset = queueOffset === -1 ? this.timerCheckpoint.lastTimerQueueOffset : queueOffset + 1;
    this.currQueueOffset = Math.min(this.currQueueOffset, this.timerCheckpoint.masterTimerQueueOffset);
    const cq = this.store.getConsumeQueue(TIMER_TOPIC, 0);
    if (cq) {
      const min = cq.getMinOffsetInQueue();
      const max = cq.getMaxOffsetInQueue();
      if (this.currQueueOffset < min) this.currQueueOffset = min;
      else if (this.currQueueOffset > max) this.currQueueOffset = max;
    }
    this.currReadTimeMs = Math.max(
      this.timerCheckpoint.lastReadTimeMs,
      this.formatTimeMs(this.now()) - this.slotsTotal * this.precisionMs + TIMER_BLANK_SLOTS * this.precisionMs,
    );
    const minFirst = this.timerWheel.checkPhyPos(this.currReadTimeMs, processOffset);
    if (minFirst < processOffset) {
      this.logger.warn({ minFirst, processOffset }, "Timer recheck because of minFirst < processOffset");
      this.timerLog.recoverAndRevise(minFirst, false, revise);
    }
    this.logger.info(
      { currReadTimeMs: this.currReadTimeMs, currQueueOffset: this.currQueueOffset, processOffset },
      "Timer recover",
    );
    this.commitReadTimeMs = this.currReadTimeMs;
    this.commitQueueOffset = this.currQueueOffset;
    this.prepareTimerCheckPoint();
  }

  /**
   * The timer-queue offset of the message the last timer-log unit before `processOffset` refers
   * to (its consume-queue entry, looked for backwards from the record's queue offset), −1 if none.
   */
  private reviseQueueOffset(processOffset: number): number {
    const at = processOffset - (UNIT_SIZE - UNIT_PRE_SIZE_FOR_MSG);
    const file = this.timerLog.mappedFileQueue.findMappedFileByOffset(at);
    if (!file || at - file.fileFromOffset + 12 > file.fileSize) return -1;
    const pos = at - file.fileFromOffset;
    const offsetPy = Number(file.buffer.readBigInt64BE(pos));
    const sizePy = file.buffer.readInt32BE(pos + 8);
    const msg = sizePy > 0 ? this.store.lookMessageByOffset(offsetPy) : null;
    if (!msg) return -1;
    const cq = this.store.getConsumeQueue(TIMER_TOPIC, msg.queueId);
    if (!cq) return msg.queueOffset;
    for (let tmp = msg.queueOffset, n = 0; tmp >= 0 && n < 20_000; tmp--, n++) {
      const entry = cq.getEntry(tmp);
      if (entry && entry.offset === offsetPy && entry.size === sizePy) return tmp;
    }
    return msg.queueOffset;
  }

  // -------------------------------------------------------------------------------------------
  // Life cycle

  start(shouldRunningDequeue: boolean): void {
    if (this.state !== "initial") return;
    this.shouldRunningDequeue = shouldRunningDequeue;
    this.maybeMoveWriteTime();
    this.state = "running";
    const idle = Math.max(1, Math.floor((100 * this.precisionMs) / 1000));
    this.loop(async () => ((await this.enqueue()) ? 0 : idle));
    this.loop(async () => ((await this.dequeue()) === -1 ? idle : 0));
    this.loop(async () => {
      await this.flush();
      return this.config.timerFlushIntervalMs;
    }, this.config.timerFlushIntervalMs);
    this.loop(async () => {
      try {
        this.cleanExpiredFiles();
      } catch (err) {
        this.logger.error({ err: err instanceof Error ? err.message : String(err) }, "Timer clean failed");
      }
      return CLEAN_INTERVAL_MS;
    }, CLEAN_INTERVAL_MS);
  }

  /** Run `step` again after the delay it answers, until shutdown; an error (thrown or rejected) waits a moment. */
  private loop(step: () => Promise<number>, firstDelay = 0): void {
    const run = (): void => {
      if (this.state !== "running") return;
      const done = new Promise<number>((resolve) => resolve(step())).then(
        (delay) => this.after(run, delay),
        (err: unknown) => {
          this.logger.error({ err: err instanceof Error ? err.message : String(err) }, "Timer step failed");
          this.after(run, 50);
        },
      );
      this.inFlight.add(done);
      void done.finally(() => this.inFlight.delete(done));
    };
    this.after(run, firstDelay);
  }

  private after(fn: () => void, ms: number): void {
    if (this.state !== "running") return;
    const handle = this.scheduler.setTimeout(() => {
      this.handles.delete(handle);
      fn();
    }, ms);
    this.handles.add(handle);
  }

  /** A wait between put attempts; cut short by shutdown. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.state !== "running") return resolve();
      const wake = (): void => {
        this.sleepers.delete(wake);
        resolve();
      };
      this.sleepers.add(wake);
      this.after(wake, ms);
    });
  }

  /** Stop the loops, let a step under way end, write the checkpoint and flush every file, close them. */
  async shutdown(): Promise<void> {
    if (this.state === "shutdown") return;
    const wasRunning = this.state === "running";
    this.state = "shutdown";
    for (const h of this.handles) this.scheduler.clearTimeout(h);
    this.handles.clear();
    for (const wake of [...this.sleepers]) wake();
    await Promise.allSettled([...this.inFlight]);
    if (wasRunning) await this.flush();
    this.timerLog.shutdown();
    this.timerWheel.shutdown();
    this.timerCheckpoint.shutdown();
  }

  /** Master or not (Java's changeScheduleServiceStatus → setShouldRunningDequeue). */
  setShouldRunningDequeue(should: boolean): void {
    this.syncLastReadTimeMs();
    this.shouldRunningDequeue = should;
  }

  get isShouldRunningDequeue(): boolean {
    return this.shouldRunningDequeue;
  }

  syncLastReadTimeMs(): void {
    this.currReadTimeMs = this.timerCheckpoint.lastReadTimeMs;
    this.commitReadTimeMs = this.currReadTimeMs;
  }

  private isMaster(): boolean {
    return this.lastBrokerRole !== "SLAVE";
  }

  private checkBrokerRole(): void {
    const role = this.config.brokerRole;
    if (role === this.lastBrokerRole) return;
    if (role !== "SLAVE") {
      this.currQueueOffset = Math.min(this.currQueueOffset, this.timerCheckpoint.masterTimerQueueOffset);
      this.commitQueueOffset = this.currQueueOffset;
      this.prepareTimerCheckPoint();
      this.currReadTimeMs = this.timerCheckpoint.lastReadTimeMs;
      this.commitReadTimeMs = this.currReadTimeMs;
    }
    this.lastBrokerRole = role;
  }

  private isRunningEnqueue(): boolean {
    this.checkBrokerRole();
    if (
      !this.shouldRunningDequeue &&
      !this.isMaster() &&
      this.currQueueOffset >= this.timerCheckpoint.masterTimerQueueOffset
    )
      return false;
    return this.state === "running";
  }

  private isRunningDequeue(): boolean {
    if (!this.shouldRunningDequeue) {
      this.syncLastReadTimeMs();
      return false;
    }
    return this.state === "running";
  }

  private formatTimeMs(timeMs: number): number {
    return Math.floor(timeMs / this.precisionMs) * this.precisionMs;
  }

  private maybeMoveWriteTime(): void {
    const now = this.formatTimeMs(this.now());
    if (this.currWriteTimeMs < now) this.currWriteTimeMs = now;
  }

  private moveReadTime(): void {
    this.currReadTimeMs += this.precisionMs;
    this.commitReadTimeMs = this.currReadTimeMs;
  }

  // -------------------------------------------------------------------------------------------
  // Enqueue

  /** One enqueue step: up to ENQUEUE_BATCH timer-queue entries into the wheel. True when any. */
  async enqueue(): Promise<boolean> {
    if (this.config.timerStopEnqueue || !this.isRunningEnqueue()) return false;
    // Java's put stage moves the write time every poll (10 ms); this step may have idled longer
    this.maybeMoveWriteTime();
    const cq = this.store.getConsumeQueue(TIMER_TOPIC, 0);
    if (!cq) {
      this.maybeMoveWriteTime();
      return false;
    }
    const min = cq.getMinOffsetInQueue();
    if (this.currQueueOffset < min) {
      this.logger.warn(
        { currQueueOffset: this.currQueueOffset, min },
        "Timer currQueueOffset is smaller than minOffsetInQueue",
      );
      this.currQueueOffset = min;
    }
    const max = cq.getMaxOffsetInQueue();
    let done = 0;
    while (this.currQueueOffset < max && done < ENQUEUE_BATCH && this.isRunningEnqueue()) {
      const entry = cq.getEntry(this.currQueueOffset);
      if (!entry) {
        this.currQueueOffset = Math.min(max, cq.rollNextFile(this.currQueueOffset));
        continue;
      }
      const msg = this.store.lookMessageByOffset(entry.offset);
      if (msg) {
        this.lastEnqueueButExpiredTime = this.now();
        this.lastEnqueueButExpiredStoreTime = msg.storeTimestamp;
        const delayedTime = Number(msg.properties.get(MessageConst.PROPERTY_TIMER_OUT_MS));
        if (!Number.isSafeInteger(delayedTime)) {
          this.logger.error({ offsetPy: entry.offset }, "Timer message without a valid TIMER_OUT_MS, skipped");
        } else {
          const req: TimerRequest = {
            offsetPy: entry.offset,
            sizePy: entry.size,
            delayedTime,
            enqueueTime: this.now(),
            magic: MAGIC_DEFAULT,
          };
          if (this.shouldRunningDequeue && delayedTime < this.currWriteTimeMs) {
            await this.deliver({ ...req, enqueueTime: ENQUEUE_TIME_DUE }, msg);
          } else this.doEnqueue(entry.offset, entry.size, delayedTime, msg);
        }
      } else this.logger.warn({ offsetPy: entry.offset, sizePy: entry.size }, "Timer enqueue: message not found");
      this.currQueueOffset++;
      done++;
    }
    this.commitQueueOffset = this.currQueueOffset;
    this.maybeMoveWriteTime();
    return done > 0;
  }

  /** Java's doEnqueue: append a unit to the timer log and link it into its slot (or a roll point). */
  doEnqueue(offsetPy: number, sizePy: number, delayedTime: number, msg: MessageExt): void {
    const writeTime = this.currWriteTimeMs;
    const window = this.timerRollWindowSlots * this.precisionMs;
    let magic = MAGIC_DEFAULT;
    if (delayedTime - writeTime >= window) {
      magic |= MAGIC_ROLL;
      delayedTime =
        delayedTime - writeTime - window < Math.floor(this.timerRollWindowSlots / 3) * this.precisionMs
          ? writeTime + Math.floor(this.timerRollWindowSlots / 2) * this.precisionMs
          : writeTime + window;
    }
    const isDelete = msg.properties.has(MessageConst.PROPERTY_TIMER_DEL_UNIQKEY);
    if (isDelete) magic |= MAGIC_DELETE;
    const realTopic = msg.properties.get(MessageConst.PROPERTY_REAL_TOPIC);
    const slot = this.timerWheel.getSlot(delayedTime);
    const pos = this.timerLog.append({
      prevPos: slot.lastPos,
      magic,
      enqueueTime: writeTime,
      delay: delayedTime - writeTime,
      offsetPy,
      sizePy,
      topicHash: realTopic === undefined ? 0 : javaHash(realTopic),
    });
    this.timerWheel.putSlot(
      delayedTime,
      slot.firstPos === -1 ? pos : slot.firstPos,
      pos,
      isDelete ? slot.num - 1 : slot.num + 1,
      slot.magic,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Dequeue

  /**
   * One dequeue step: −1 when there is nothing to do (not due, not master, stopped), 0 after
   * skipping empty slots, 1 after delivering one slot.
   */
  async dequeue(): Promise<number> {
    if (this.config.timerStopDequeue || !this.isRunningDequeue()) return -1;
    this.maybeMoveWriteTime();
    if (this.currReadTimeMs >= this.currWriteTimeMs) return -1;
    let slot = this.timerWheel.getSlot(this.currReadTimeMs);
    for (let skipped = 0; slot.timeMs === -1; skipped++) {
      this.moveReadTime();
      if (skipped >= EMPTY_SLOTS_PER_STEP || this.currReadTimeMs >= this.currWriteTimeMs) return 0;
      slot = this.timerWheel.getSlot(this.currReadTimeMs);
    }
    const readTime = this.currReadTimeMs;
    const normal: TimerRequest[] = [];
    const deletes: TimerRequest[] = [];
    // units link strictly backwards; anything else is a broken chain
    for (let pos = slot.lastPos, bound = Number.MAX_SAFE_INTEGER; pos !== -1 && pos < bound;) {
      const unit = this.timerLog.getUnit(pos);
      if (!unit) break;
      const req: TimerRequest = {
        offsetPy: unit.offsetPy,
        sizePy: unit.sizePy,
        delayedTime: unit.enqueueTime + unit.delay,
        enqueueTime: unit.enqueueTime,
        magic: unit.magic,
      };
      if (needDelete(unit.magic) && !needRoll(unit.magic)) deletes.push(req);
      else normal.push(req);
      bound = pos;
      pos = unit.prevPos;
    }
    normal.reverse();
    const deleted = new Set<string>();
    let handled = 0;
    /** Each message once, in order: a turn of the event loop every DEQUEUE_YIELD_EVERY; false once stopped. */
    const each = async (req: TimerRequest, handle: (req: TimerRequest) => Promise<void> | void): Promise<boolean> => {
      if (++handled % DEQUEUE_YIELD_EVERY === 0) await this.yieldToLoop();
      return this.isRunningDequeue() && this.currReadTimeMs === readTime && this.untilHandled(req, handle);
    };
    for (const req of deletes) {
      const ok = await each(req, (r) => {
        const msg = this.store.lookMessageByOffset(r.offsetPy);
        const key = msg?.properties.get(MessageConst.PROPERTY_TIMER_DEL_UNIQKEY);
        if (key !== undefined) deleted.add(key);
      });
      if (!ok) return -1;
    }
    for (const req of normal) {
      const ok = await each(req, async (r) => {
        const msg = this.store.lookMessageByOffset(r.offsetPy);
        if (!msg) return;
        const uniq = msg.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
        const realTopic = msg.properties.get(MessageConst.PROPERTY_REAL_TOPIC) ?? "";
        if (uniq !== undefined && deleted.has(buildDeleteKey(realTopic, uniq))) return;
        await this.deliver(r, msg);
      });
      if (!ok) return -1;
    }
    if (!this.isRunningDequeue() || this.currReadTimeMs !== readTime) return -1;
    this.moveReadTime();
    return 1;
  }

  /**
   * Handle one message of a slot; one that throws is logged and tried again after a hold (skipped
   * with timerSkipUnknownError), so the messages before it are not delivered twice. False when the
   * dequeue stopped while holding.
   */
  private async untilHandled(req: TimerRequest, handle: (req: TimerRequest) => Promise<void> | void): Promise<boolean> {
    for (;;) {
      try {
        await handle(req);
        return true;
      } catch (err) {
        this.logger.error(
          { offsetPy: req.offsetPy, err: err instanceof Error ? err.message : String(err) },
          "Timer dequeue: unknown exception",
        );
        if (this.config.timerSkipUnknownError) return true;
        await this.sleep(UNKNOWN_ERROR_HOLD_MS);
        if (!this.isRunningDequeue()) return false;
      }
    }
  }

  /** Java's convert + doPut with its retries: put a due (or rolled) message where it belongs. */
  private async deliver(req: TimerRequest, msg: MessageExt): Promise<void> {
    const roll = needRoll(req.magic);
    const inner = this.convert(msg, req.enqueueTime, roll);
    for (let attempt = 1; this.state === "running"; attempt++) {
      const outcome = await this.doPut(inner, roll);
      if (outcome !== "retry") return;
      if (!this.config.timerEnableRetryUntilSuccess && attempt >= PUT_ATTEMPTS) {
        this.logger.error({ attempt, topic: inner.topic }, "Timer message processing failed after retries");
        return;
      }
      await this.sleep(Math.floor((500 * this.precisionMs) / 1000));
    }
  }

  /**
   * The message to put: TIMER_ENQUEUE_MS, TIMER_ROLL_TIMES (+1 on a roll) and TIMER_DEQUEUE_MS
   * added; to REAL_TOPIC / REAL_QID, or back to the timer topic on a roll. As Java, the properties
   * are serialized before REAL_TOPIC / REAL_QID are taken out of the message's map, so the stored
   * copy keeps them.
   */
  convert(msg: MessageExt, enqueueTime: number | typeof ENQUEUE_TIME_DUE, roll: boolean): MessageInner {
    const props = new Map(msg.properties);
    if (enqueueTime !== -1) props.set(MessageConst.PROPERTY_TIMER_ENQUEUE_MS, String(enqueueTime));
    if (roll) {
      const times = Number.parseInt(props.get(MessageConst.PROPERTY_TIMER_ROLL_TIMES) ?? "0", 10);
      props.set(MessageConst.PROPERTY_TIMER_ROLL_TIMES, String((Number.isNaN(times) ? 0 : times) + 1));
    }
    props.set(MessageConst.PROPERTY_TIMER_DEQUEUE_MS, String(this.now()));
    const topic = roll ? msg.topic : (props.get(MessageConst.PROPERTY_REAL_TOPIC) ?? "");
    const queueId = roll ? msg.queueId : Number(props.get(MessageConst.PROPERTY_REAL_QUEUE_ID));
    return messageInnerFrom(msg, {
      topic,
      queueId,
      body: msg.body ? Buffer.from(msg.body) : null,
      propertiesString: javaPropertiesString(props),
    });
  }

  private async doPut(msg: MessageInner, roll: boolean): Promise<PutOutcome> {
    if (!roll && msg.propertiesString.includes(MessageConst.PROPERTY_TIMER_DEL_UNIQKEY)) {
      this.logger.warn({ topic: msg.topic }, "Trying do put delete timer msg");
      return "no-retry";
    }
    if (!msg.topic || !Number.isInteger(msg.queueId)) {
      this.logger.error({ topic: msg.topic }, "Timer message without a valid real topic/queue, skipped");
      return "no-retry";
    }
    const result = await this.store.putMessages([msg], false);
    switch (result.status) {
      case "PUT_OK":
        this.options.onDelivered?.(msg.topic, result.appendResult);
        return "ok";
      case "MESSAGE_ILLEGAL":
      case "PROPERTIES_SIZE_EXCEEDED":
      case "WHEEL_TIMER_NOT_ENABLE":
      case "WHEEL_TIMER_MSG_ILLEGAL":
        return "no-retry";
      case "UNKNOWN_ERROR":
        return this.config.timerSkipUnknownError ? "no-retry" : "retry";
      default:
        return "retry";
    }
  }

  // -------------------------------------------------------------------------------------------
  // Flush, clean, flow control

  /** Java's prepareTimerCheckPoint: what the next checkpoint write records. */
  prepareTimerCheckPoint(): void {
    const cp = this.timerCheckpoint;
    cp.lastTimerLogFlushPos = this.timerLog.mappedFileQueue.flushedWhere;
    cp.lastReadTimeMs = this.commitReadTimeMs;
    if (this.shouldRunningDequeue) {
      cp.masterTimerQueueOffset = this.commitQueueOffset;
      if (
        this.commitReadTimeMs !== this.lastCommitReadTimeMs ||
        this.commitQueueOffset !== this.lastCommitQueueOffset
      ) {
        cp.updateDataVersion(0, this.now());
        this.lastCommitReadTimeMs = this.commitReadTimeMs;
        this.lastCommitQueueOffset = this.commitQueueOffset;
      }
    }
    cp.lastTimerQueueOffset = Math.min(this.commitQueueOffset, cp.masterTimerQueueOffset);
  }

  /** One flush round: checkpoint values, timer log, wheel, then the checkpoint file. */
  async flush(): Promise<void> {
    this.prepareTimerCheckPoint();
    await this.timerLog.flush();
    await this.timerWheel.flush();
    await this.timerCheckpoint.flush();
    const now = this.now();
    if (now - this.lastProgressLog >= this.config.timerProgressLogIntervalMs) {
      this.lastProgressLog = now;
      this.logger.info(
        {
          commitReadTimeMs: this.commitReadTimeMs,
          currReadTimeMs: this.currReadTimeMs,
          currWriteTimeMs: this.currWriteTimeMs,
          currQueueOffset: this.currQueueOffset,
          masterTimerQueueOffset: this.timerCheckpoint.masterTimerQueueOffset,
        },
        "Timer progress",
      );
    }
  }

  /** Delete timer-log files whose messages are all gone from the commit log. */
  cleanExpiredFiles(): number {
    return this.timerLog.deleteExpiredFiles(this.store.getMinPhyOffset());
  }

  /** Java's isReject (timerCongestNumEachSlot): a congested slot refuses more, at random between 1× and 2×. */
  isReject(deliverTimeMs: number, random: () => number = Math.random): boolean {
    const limit = this.config.timerCongestNumEachSlot;
    const congest = this.timerWheel.getNum(deliverTimeMs);
    if (congest <= limit) return false;
    if (congest >= limit * 2) return true;
    return Math.floor(random() * 1000) > (1000 * (congest - limit)) / (limit + 0.1);
  }

  /** Messages waiting in the wheel from the read time on (Java's getDequeueBehindMessages). */
  getDequeueBehindMessages(): number {
    return this.timerWheel.getAllNum(this.currReadTimeMs);
  }

  /** How far the dequeue lags behind now, ms / whole seconds (Java's getDequeueBehind*; POP's revive reads it). */
  getDequeueBehindMillis(): number {
    return this.now() - this.currReadTimeMs;
  }

  getDequeueBehind(): number {
    return Math.trunc(this.getDequeueBehindMillis() / 1000);
  }

  /** Age of the message the enqueue read last, while it read one in the last 2 s (Java's getEnqueueBehind*). */
  getEnqueueBehindMillis(): number {
    const now = this.now();
    return now - this.lastEnqueueButExpiredTime < 2000 ? now - this.lastEnqueueButExpiredStoreTime : 0;
  }

  getEnqueueBehind(): number {
    return Math.trunc(this.getEnqueueBehindMillis() / 1000);
  }

  getEnqueueBehindMessages(): number {
    const cq = this.store.getConsumeQueue(TIMER_TOPIC, 0);
    return (cq ? cq.getMaxOffsetInQueue() : 0) - this.currQueueOffset;
  }
}
