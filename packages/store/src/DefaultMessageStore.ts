/**
 * The message store (Java's DefaultMessageStore): commit log + consume queues + index + checkpoint
 * under one root directory. This class orchestrates: load → recover → start → shutdown in Java's
 * order (abort and lock files), the put and read entry points and the wiring of the services that do
 * the work — ReputMessageService (dispatch to consume queues and index), the flush services, the
 * clean services and HA. It reaches the commit log only through the CommitLogStore seam.
 *
 * Long because it is Java's one entry point for every store operation (lifecycle, put, get, offsets,
 * lookups, cleanup, disk-full handling): each method is short and delegates; splitting it would
 * scatter the start/stop order that must stay in one place.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import {
  checkRecord,
  getsConsumeQueueEntry,
  TimerStatsScheduler,
  type HostAddress,
  type MessageExt,
  type MessageInner,
  type PreparedRecord,
  type StatsScheduler,
} from "@rocketmq-ts/common";
import { CleanCommitLogService } from "./CleanCommitLogService.js";
import { CleanConsumeQueueService } from "./CleanConsumeQueueService.js";
import { CommitLog, commitLogOptions } from "./CommitLog.js";
import { CommitLogDispatcherBuildConsumeQueue, CommitLogDispatcherBuildIndex } from "./CommitLogDispatcher.js";
import type { CommitLogStore, PutMessageResult } from "./CommitLogStore.js";
import type { MessageStoreConfig } from "./config/MessageStoreConfig.js";
import type { ConsumeQueue } from "./ConsumeQueue.js";
import { cleanExpiredConsumerQueue, cleanUnusedTopic, type ConsumeQueueCleanupContext } from "./ConsumeQueueCleanup.js";
import { ConsumeQueueTable } from "./ConsumeQueueTable.js";
import { isDiskFullError } from "./DiskFull.js";
import { diskPartitionSpaceUsedPercent } from "./DiskUsage.js";
import { DLedgerCommitLog } from "./dledger/DLedgerCommitLog.js";
import type { DLedgerCommitLogBackend } from "./dledger/DLedgerCommitLogBackend.js";
import { delayLevelsOf, type DispatchRequest } from "./DispatchRequest.js";
import { FlushConsumeQueueService } from "./FlushConsumeQueueService.js";
import { FlushRealTimeService } from "./FlushRealTimeService.js";
import {
  checkInDiskByCommitOffset,
  getMessageFromQueue,
  type GetMessageResult,
  type MessageFilter,
} from "./GetMessage.js";
import { HAService } from "./ha/HAService.js";
import { IndexService } from "./index/IndexService.js";
import { encodeMessages } from "./MessageEncoder.js";
import { PutMessageWaiter } from "./PutMessageWaiter.js";
import { ReputMessageService } from "./ReputMessageService.js";
import { RunningFlags } from "./RunningFlags.js";
import { StoreCheckpoint } from "./StoreCheckpoint.js";
import { StoreLock } from "./StoreLock.js";
import { StoreStatsService } from "./stats/StoreStatsService.js";
import { isPutRefusal, type PutMessageHook } from "./timer/TimerPutHook.js";
import { recoverStore, recoverTopicQueueTable, timedPhase } from "./StoreRecovery.js";

export interface MessageStoreOptions {
  logger: Logger;
  /** Host written as STOREHOSTADDRESS (brokerIP1:listenPort). */
  storeHost: HostAddress;
  /** Disk-usage thresholds of 4.9.8's system properties (fractions). */
  diskSpaceWarningLevelRatio?: number;
  diskSpaceCleanForciblyRatio?: number;
  /** Source of store timestamps (tests replaying a Java store inject the original times). */
  clock?: () => number;
  /** Called after messages were dispatched (long polling wakes here). */
  onDispatched?: (req: DispatchRequest) => void;
  /** Bind address of the HA port (default: every interface, as Java). */
  haBindAddress?: string;
  /** Clock and timer of the store's stats (tests pass a manual one). */
  statsScheduler?: StatsScheduler;
  /**
   * The DLedger member a store with enableDLegerCommitLog=true appends through (the broker creates,
   * starts and stops it; the store never elects).
   */
  dledger?: DLedgerCommitLogBackend;
}

/** Put results Java counts as a successful put (PutMessageResult.isOk). */
const PUT_OK_STATUSES = new Set(["PUT_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"]);

export class DefaultMessageStore {
  readonly commitLog: CommitLogStore;
  readonly consumeQueueTable: ConsumeQueueTable;
  readonly indexService: IndexService;
  /** Replication; the broker starts it (`haService.start()`), the store shuts it down. */
  readonly haService: HAService;
  /** Put and get counters and their rates (GET_BROKER_RUNTIME_INFO). */
  readonly storeStatsService: StoreStatsService;
  /** Opened by `load`. */
  checkpoint!: StoreCheckpoint;
  private readonly reputMessageService: ReputMessageService;
  private readonly putMessageWaiter: PutMessageWaiter;
  private readonly flushRealTimeService: FlushRealTimeService;
  private readonly flushConsumeQueueService: FlushConsumeQueueService;
  private readonly cleanCommitLogService: CleanCommitLogService;
  private readonly cleanConsumeQueueService: CleanConsumeQueueService;
  private readonly runningFlags = new RunningFlags();
  private readonly storeLock: StoreLock;
  private readonly logger: Logger;
  private readonly rootDir: string;
  private timers: NodeJS.Timeout[] = [];
  /** Dispatches again while a full disk holds the reput service back (see `retryReputLater`). */
  private reputRetry: NodeJS.Timeout | null = null;
  private shutdownFlag = true;
  /** A cleanup round is running. */
  private cleaning = false;
  private lastExitOK = true;
  /** Java's putMessageHookList (the broker adds the timer hook, HookUtils.handleScheduleMessage). */
  private readonly putMessageHooks: PutMessageHook[] = [];

  constructor(
    readonly config: MessageStoreConfig,
    private readonly options: MessageStoreOptions,
  ) {
    this.rootDir = config.storePathRootDir;
    const logger = (this.logger = options.logger);
    const checkpoint = (): StoreCheckpoint => this.checkpoint;
    const commitLog = (this.commitLog = this.createCommitLog(logger));
    this.consumeQueueTable = new ConsumeQueueTable(this.rootDir, config);
    const consumeQueues = (): Iterable<ConsumeQueue> => this.consumeQueueTable.all();
    this.indexService = new IndexService(this.rootDir, config.maxHashSlotNum, config.maxIndexNum, logger, (end) => {
      this.checkpoint.indexMsgTimestamp = end;
      this.checkpoint.flush().catch((err: Error) => logger.error({ err: err.message }, "flush checkpoint failed"));
    });
    const runningFlags = this.runningFlags;
    this.reputMessageService = new ReputMessageService({
      commitLog,
      dispatchers: [
        new CommitLogDispatcherBuildConsumeQueue({
          findConsumeQueue: (topic, queueId) => this.consumeQueueTable.findConsumeQueue(topic, queueId),
          checkpoint,
          runningFlags,
          logger,
        }),
        new CommitLogDispatcherBuildIndex({ config, indexService: this.indexService, runningFlags, logger }),
      ],
      delayLevels: delayLevelsOf(config.messageDelayLevel),
      logger,
      onDispatched: options.onDispatched,
      onDiskFull: (err, req) => {
        this.diskFullError(err, "dispatch", { topic: req.topic, queueId: req.queueId, offset: req.commitLogOffset });
        this.retryReputLater();
      },
    });
    this.flushRealTimeService = new FlushRealTimeService({ config, commitLog, checkpoint, logger });
    this.flushConsumeQueueService = new FlushConsumeQueueService({ config, consumeQueues, checkpoint, logger });
    this.cleanCommitLogService = new CleanCommitLogService({
      config,
      commitLog,
      runningFlags,
      logger,
      diskSpaceWarningLevelRatio: options.diskSpaceWarningLevelRatio,
      diskSpaceCleanForciblyRatio: options.diskSpaceCleanForciblyRatio,
    });
    this.cleanConsumeQueueService = new CleanConsumeQueueService(commitLog, consumeQueues, this.indexService);
    this.storeStatsService = new StoreStatsService(options.statsScheduler ?? new TimerStatsScheduler());
    this.haService = new HAService({
      config,
      commitLog,
      logger,
      appendToCommitLog: (offset, data) => this.appendToCommitLog(offset, data),
      ...(options.haBindAddress ? { bindAddress: options.haBindAddress } : {}),
    });
    this.putMessageWaiter = new PutMessageWaiter({ config, commitLog, checkpoint, haService: this.haService });
    this.storeLock = new StoreLock(this.rootDir);
  }

  /** Java's choice: a DLedger commit log when enableDLegerCommitLog, else the mapped-file one. */
  private createCommitLog(logger: Logger): CommitLogStore {
    const config = this.config;
    if (!config.enableDLegerCommitLog) return new CommitLog(commitLogOptions(config, logger));
    const backend = this.options.dledger;
    if (!backend) throw new Error("enableDLegerCommitLog=true needs the broker's DLedger member (options.dledger)");
    return new DLedgerCommitLog({
      backend,
      oldCommitLog: commitLogOptions(config, logger),
      logger,
      onConfirmOffsetMoved: () => {
        if (!this.shutdownFlag) this.reputMessageService.doReput();
      },
    });
  }

  /** The directory of the commit log's data (Java's getStorePathPhysic): `dledger-<id>/data` in DLedger mode. */
  getStorePathPhysic(): string {
    return this.commitLog.storePath;
  }

  get abortFile(): string {
    return join(this.rootDir, "abort");
  }

  /** Load files and recover (store-ha-config.md §5.3). Throws StoreLoadError when the directory is not loadable. */
  load(): void {
    mkdirSync(this.rootDir, { recursive: true });
    this.lastExitOK = !existsSync(this.abortFile);
    this.logger.info(
      { lastExitOK: this.lastExitOK },
      this.lastExitOK ? "last shutdown normally" : "last shutdown abnormally",
    );
    const logger = this.logger;
    timedPhase(logger, "loadCommitLog", () => this.commitLog.load());
    timedPhase(logger, "loadConsumeQueue", () => this.consumeQueueTable.load());
    this.checkpoint = new StoreCheckpoint(join(this.rootDir, "checkpoint"));
    if (this.config.messageIndexEnable)
      timedPhase(logger, "loadIndex", () => this.indexService.load(this.lastExitOK, this.checkpoint.indexMsgTimestamp));
    recoverStore(
      {
        config: this.config,
        commitLog: this.commitLog,
        consumeQueueTable: this.consumeQueueTable,
        checkpoint: this.checkpoint,
        logger: this.logger,
        dispatchRecovered: (buf, pos, size) => this.reputMessageService.dispatchRecovered(buf, pos, size),
      },
      this.lastExitOK,
    );
    logger.info({ maxPhyOffset: this.commitLog.getMaxOffset() }, "load over");
  }

  /** Take the directory's `lock` (fcntl, as Java): throws StoreLockError if another broker holds it. */
  async lock(): Promise<void> {
    mkdirSync(this.rootDir, { recursive: true });
    await this.storeLock.acquire();
  }

  /** Start: dispatch anything not yet in the consume queues, mark the run (abort file), start services. */
  start(): void {
    let maxPhysicalPosInLogicQueue = this.commitLog.getMinOffset();
    for (const cq of this.allConsumeQueues())
      maxPhysicalPosInLogicQueue = Math.max(maxPhysicalPosInLogicQueue, cq.maxPhysicOffset);
    this.reputMessageService.setReputFromOffset(Math.max(0, maxPhysicalPosInLogicQueue));
    timedPhase(
      this.logger,
      "reputOnStart",
      () => this.reputMessageService.doReput(),
      () => ({ fromOffset: maxPhysicalPosInLogicQueue, toOffset: this.reputMessageService.fromOffset }),
    );
    this.recoverTopicQueueTable();
    writeFileSync(this.abortFile, "");
    // the disk-usage figures need the directory to exist before the first message
    mkdirSync(this.getStorePathPhysic(), { recursive: true });
    this.commitLog.start();
    this.shutdownFlag = false;
    this.storeStatsService.start();
    this.startServices();
  }

  private startServices(): void {
    const c = this.config;
    // a slave has no put to wait on a group commit: it flushes on the timer whatever the flush type
    if (c.flushDiskType === "ASYNC_FLUSH" || c.brokerRole === "SLAVE") {
      this.timers.push(setInterval(() => void this.flushRealTimeService.run(), c.flushIntervalCommitLog));
    }
    this.flushConsumeQueueService.start();
    this.timers.push(setInterval(() => void this.flushConsumeQueueService.run(), c.flushIntervalConsumeQueue));
    const cleanFirst = setTimeout(() => {
      void this.cleanFilesPeriodically();
      this.timers.push(setInterval(() => void this.cleanFilesPeriodically(), c.cleanResourceInterval));
    }, 60_000);
    const diskFirst = setTimeout(() => {
      this.checkDiskSpace();
      this.timers.push(setInterval(() => this.checkDiskSpace(), 10_000));
    }, 1000);
    this.timers.push(cleanFirst, diskFirst);
    for (const t of this.timers) t.unref();
  }

  async shutdown(): Promise<void> {
    if (this.shutdownFlag && this.timers.length === 0) return;
    this.shutdownFlag = true;
    this.storeStatsService.shutdown();
    await this.haService.shutdown();
    this.putMessageWaiter.shutdown();
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.reputRetry) clearInterval(this.reputRetry);
    this.reputRetry = null;
    for (let i = 0; i < 10; i++) if (await this.commitLog.flush(0)) break;
    this.checkpoint.commitLogFlushed(this.commitLog.lastStoreTimestamp);
    await this.flushConsumeQueueService.flush(0, true);
    await this.checkpoint.flush();
    if (this.isWriteable() && this.dispatchBehindBytes() === 0) rmSync(this.abortFile, { force: true });
    else this.logger.warn("the store may be wrong, so shutdown abnormally, and keep abort file");
    this.commitLog.shutdown();
    for (const cq of this.allConsumeQueues()) cq.mappedFileQueue.shutdown();
    this.indexService.shutdown();
    this.checkpoint.shutdown();
    await this.storeLock.release();
  }

  /** Next queue offsets from the consume queues (a DLedger leader does this before taking writes). */
  recoverTopicQueueTable(): void {
    const minPhy = this.commitLog.getMinOffset();
    for (const cq of this.allConsumeQueues()) cq.correctMinOffset(minPhy);
    recoverTopicQueueTable(this.commitLog, this.allConsumeQueues());
  }

  dispatchBehindBytes(): number {
    return this.reputMessageService.behindBytes();
  }

  isWriteable(): boolean {
    return this.runningFlags.isWriteable();
  }

  isDiskFull(): boolean {
    return this.runningFlags.isDiskFull();
  }

  /**
   * A write of the store was refused by a full file system (ENOSPC, `isDiskFullError`): mark the disk
   * full now, as Java's periodic check does above the warning level — puts answer
   * SERVICE_NOT_AVAILABLE, reads go on — instead of waiting up to 10 s for that check, which clears
   * the mark once usage is under the warning level again.
   */
  private diskFullError(err: unknown, where: string, detail: object = {}): void {
    if (!this.runningFlags.getAndMakeDiskFull())
      this.logger.error(
        { err: (err as Error).message, where, ...detail },
        "disk full: a write was refused (no space left on device), so disable put message",
      );
  }

  /**
   * The reput service stopped at a message a full disk kept out of its consume queue or the index:
   * dispatch again every second until it has caught up (Java's reput thread polls every
   * millisecond; here only puts drive it, and puts are refused while the disk is full).
   */
  private retryReputLater(): void {
    if (this.reputRetry || this.shutdownFlag) return;
    this.reputRetry = setInterval(() => {
      if (!this.shutdownFlag) this.reputMessageService.doReput();
      if (this.reputMessageService.stalled && !this.shutdownFlag) return;
      if (this.reputRetry) clearInterval(this.reputRetry);
      this.reputRetry = null;
    }, 1000);
    this.reputRetry.unref();
  }

  // ---------------------------------------------------------------------------------------------
  // Put

  private checkPut(): PutMessageResult | null {
    if (this.shutdownFlag) return { status: "SERVICE_NOT_AVAILABLE" };
    if (this.config.brokerRole === "SLAVE") return { status: "SERVICE_NOT_AVAILABLE" };
    if (!this.isWriteable()) return { status: "SERVICE_NOT_AVAILABLE" };
    return null;
  }

  /** Append one message; resolves after the flush policy is satisfied. */
  async putMessage(msg: MessageInner): Promise<PutMessageResult> {
    return this.putMessages([msg]);
  }

  /**
   * Append messages of one topic/queue (a batch) contiguously. `waitStoreMsgOK` (default: the WAIT
   * property) decides whether a SYNC_FLUSH put waits for the disk. The result itself when there is
   * nothing to wait for (ASYNC_FLUSH on a master without sync replication), else a promise of it:
   * the hot path takes no promise hop. An append that throws throws here.
   */
  putMessages(msgs: readonly MessageInner[], waitStoreMsgOK?: boolean): PutMessageResult | Promise<PutMessageResult> {
    const refused = this.checkPut();
    if (refused) return refused;
    let first = msgs[0];
    if (!first) return { status: "MESSAGE_ILLEGAL" };
    // as Java, hooks see single messages (a batch is one MessageExtBatch whose own properties carry no TIMER_ keys)
    if (msgs.length === 1) {
      for (const hook of this.putMessageHooks) {
        const handled = hook(first);
        if (isPutRefusal(handled)) return handled;
        first = handled;
      }
      if (first !== msgs[0]) msgs = [first];
    }
    const begin = Date.now();
    const result = this.appendAndWait(msgs, first, waitStoreMsgOK);
    if (!(result instanceof Promise)) return this.recordPutTime(begin, result);
    return result.then((r) => this.recordPutTime(begin, r));
  }

  /** Run `hook` before every put (Java's getPutMessageHookList().add). */
  addPutMessageHook(hook: PutMessageHook): void {
    this.putMessageHooks.push(hook);
  }

  private recordPutTime(begin: number, result: PutMessageResult): PutMessageResult {
    this.storeStatsService.recordPutTime(Date.now() - begin, !PUT_OK_STATUSES.has(result.status));
    return result;
  }

  private appendAndWait(
    msgs: readonly MessageInner[],
    first: MessageInner,
    waitStoreMsgOK: boolean | undefined,
  ): Promise<PutMessageResult> | PutMessageResult {
    const encoded = encodeMessages(msgs, this.config.maxMessageSize);
    if (typeof encoded === "string") return { status: encoded };
    let appended: PutMessageResult | Promise<PutMessageResult>;
    try {
      this.reserveConsumeQueue(first, msgs.length);
      appended = this.commitLog.append(
        encoded,
        first.topic,
        first.queueId,
        first.sysFlag,
        first.storeHost,
        this.options.clock?.() ?? Date.now(),
      );
    } catch (err) {
      // nothing was appended: refused as Java refuses puts on a full disk
      if (!isDiskFullError(err)) throw err;
      this.diskFullError(err, "put", { topic: first.topic, queueId: first.queueId });
      return { status: "SERVICE_NOT_AVAILABLE" };
    }
    if (this.commitLog.replicatesOnAppend) return this.afterReplicatedAppend(msgs, encoded, first, appended);
    const result = appended as PutMessageResult;
    const append = result.appendResult;
    if (result.status !== "PUT_OK" || !append) return result;
    this.storeStatsService.recordPut(first.topic, append.msgNum, append.wroteBytes);
    this.reputMessageService.dispatchAppended(msgs, encoded, append);
    this.haService.notifyNewData();
    // resolves after the flush and replication policies are satisfied
    return this.putMessageWaiter.waitFor(result, append, first, waitStoreMsgOK);
  }

  /**
   * Give the consume-queue entries of a put their blocks before the commit log takes it
   * (ConsumeQueue.reserve): on a full disk the put is refused instead of being stored and
   * acknowledged while its entry cannot be written, which would keep it from consumers until space
   * returns. Throws ENOSPC.
   */
  private reserveConsumeQueue(first: MessageInner, count: number): void {
    if (!getsConsumeQueueEntry(first.sysFlag)) return;
    const next = this.commitLog.topicQueueTable.get(`${first.topic}-${first.queueId}`) ?? 0;
    this.consumeQueueTable.findConsumeQueue(first.topic, first.queueId).reserve(next, count);
  }

  /** A DLedger put: the quorum has answered; dispatch what is committed and count the put. */
  private async afterReplicatedAppend(
    msgs: readonly MessageInner[],
    encoded: readonly PreparedRecord[],
    first: MessageInner,
    appended: PutMessageResult | Promise<PutMessageResult>,
  ): Promise<PutMessageResult> {
    const result = await appended;
    const append = result.appendResult;
    if (result.status !== "PUT_OK" || !append) return result;
    this.storeStatsService.recordPut(first.topic, append.msgNum, append.wroteBytes);
    if (!this.shutdownFlag) this.reputMessageService.dispatchAppended(msgs, encoded, append);
    return result;
  }

  /** Slave: append bytes replicated from the master at `startOffset` and dispatch what they complete. */
  appendToCommitLog(startOffset: number, data: Buffer): boolean {
    if (this.shutdownFlag) return false;
    try {
      if (!this.commitLog.appendData(startOffset, data)) return false;
    } catch (err) {
      // the HA client drops the connection and asks again from its offset a few seconds later
      if (!isDiskFullError(err)) throw err;
      this.diskFullError(err, "appendToCommitLog", { startOffset });
      return false;
    }
    this.reputMessageService.doReput();
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Read API

  findConsumeQueue(topic: string, queueId: number): ConsumeQueue {
    return this.consumeQueueTable.findConsumeQueue(topic, queueId);
  }

  /** The queue if it exists (Java's getConsumeQueue; findConsumeQueue creates it). */
  getConsumeQueue(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.consumeQueueTable.get(topic, queueId);
  }

  allConsumeQueues(): Iterable<ConsumeQueue> {
    return this.consumeQueueTable.all();
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.consumeQueueTable.get(topic, queueId)?.getMaxOffsetInQueue() ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.consumeQueueTable.get(topic, queueId)?.getMinOffsetInQueue() ?? -1;
  }

  getMinPhyOffset(): number {
    return this.commitLog.getMinOffset();
  }

  getMaxPhyOffset(): number {
    return this.commitLog.getMaxOffset();
  }

  /** Commit-log offset of the message at queue offset `index` (0 if unknown). */
  getCommitLogOffsetInQueue(topic: string, queueId: number, index: number): number {
    return this.consumeQueueTable.get(topic, queueId)?.getEntry(index)?.offset ?? 0;
  }

  /** Store time of the message at queue offset `index`, -1 if unknown. */
  getMessageStoreTimeStamp(topic: string, queueId: number, index: number): number {
    const entry = this.consumeQueueTable.get(topic, queueId)?.getEntry(index);
    return entry ? this.commitLog.pickupStoreTimestamp(entry.offset, entry.size) : -1;
  }

  /** Store time of the oldest message in the commit log, -1 when empty. */
  getEarliestCommitLogTime(): number {
    const first = this.commitLog.getMinOffset();
    if (first < 0 || first >= this.commitLog.getMaxOffset()) return -1;
    // a DLedger log's first record follows its entry header
    const min = first + (this.commitLog.entryFraming(first)?.headerSize ?? 0);
    const head = this.commitLog.getMessage(min, 4);
    return head ? this.commitLog.pickupStoreTimestamp(min, head.readInt32BE(0)) : -1;
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    const cq = this.consumeQueueTable.get(topic, queueId);
    if (!cq) return -1;
    return this.getMessageStoreTimeStamp(topic, queueId, cq.getMinOffsetInQueue());
  }

  /** Queue offset of the first message stored at or after `timestamp` (Java's binary search, store-ha-config.md §3.3). */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number {
    const cq = this.consumeQueueTable.get(topic, queueId);
    if (!cq) return 0;
    return cq.getOffsetInQueueByTime(timestamp, this.commitLog.getMinOffset(), (offset, size) =>
      this.commitLog.pickupStoreTimestamp(offset, size),
    );
  }

  /** Read and decode the record at a commit-log offset. */
  lookMessageByOffset(commitLogOffset: number): MessageExt | null {
    const head = this.commitLog.getMessage(commitLogOffset, 4);
    if (!head) return null;
    const size = head.readInt32BE(0);
    const buf = this.commitLog.getMessage(commitLogOffset, size);
    if (!buf) return null;
    const check = checkRecord(buf, 0, buf.length, false);
    return check.kind === "message" ? check.msg : null;
  }

  /** Raw record bytes at a commit-log offset. */
  selectOneMessageByOffset(commitLogOffset: number, size?: number): Buffer | null {
    const len = size ?? this.commitLog.getMessage(commitLogOffset, 4)?.readInt32BE(0);
    return len === undefined ? null : this.commitLog.getMessage(commitLogOffset, len);
  }

  /** Messages of `topic` whose KEYS or UNIQ_KEY equal `key`, stored within [begin, end]. */
  queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): { messages: MessageExt[]; indexLastUpdateTimestamp: number; indexLastUpdatePhyoffset: number } {
    const limit = Math.min(maxNum, this.config.maxMsgsNumBatch);
    const found = this.indexService.queryOffset(topic, key, limit, begin, end);
    const messages: MessageExt[] = [];
    for (const offset of found.phyOffsets) {
      const msg = this.lookMessageByOffset(offset);
      if (msg) messages.push(msg);
    }
    return {
      messages,
      indexLastUpdateTimestamp: found.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: found.indexLastUpdatePhyoffset,
    };
  }

  /** Java's checkInDiskByConsumeOffset: is the message at that queue offset beyond what fits in memory? */
  checkInDiskByConsumeOffset(topic: string, queueId: number, consumeOffset: number): boolean {
    const entry = this.consumeQueueTable.get(topic, queueId)?.getEntry(consumeOffset);
    return entry ? checkInDiskByCommitOffset(this.config, entry.offset, this.commitLog.getMaxOffset()) : false;
  }

  /** Java's getMessage: up to `maxMsgNums` messages from queue offset `offset`, filtered. */
  getMessage(
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    filter?: MessageFilter,
  ): GetMessageResult {
    const begin = Date.now();
    const cq = this.consumeQueueTable.get(topic, queueId);
    const result = getMessageFromQueue(this.config, this.commitLog, cq, offset, maxMsgNums, filter);
    this.storeStatsService.recordGet(result.status === "FOUND", result.messages.length, Date.now() - begin);
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Cleanup and disk space (store-ha-config.md §7)

  /** Usage of the partition holding `path` as a fraction, rounded up to whole percent; -1 if unknown. */
  static diskPartitionSpaceUsedPercent(path: string): number {
    return diskPartitionSpaceUsedPercent(path);
  }

  /** Periodic disk check: mark DISK_FULL above the warning level (writes refused, reads go on). */
  checkDiskSpace(): void {
    this.cleanCommitLogService.checkDiskSpace();
  }

  private async cleanFilesPeriodically(): Promise<void> {
    // a round pauses between file deletions: the next timer tick must not start a second one
    if (this.cleaning) return;
    this.cleaning = true;
    try {
      await this.deleteExpiredFiles();
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, "clean files failed");
    } finally {
      this.cleaning = false;
    }
  }

  /** One cleanup round: commit-log files by age/space (or a manual request), then consume queues and index follow. */
  async deleteExpiredFiles(now = new Date()): Promise<number> {
    const deleted = await this.cleanCommitLogService.deleteExpiredFiles(now);
    // a round that paused across a shutdown leaves the (closed) queues alone
    if (!this.shutdownFlag) this.cleanConsumeQueueService.deleteExpiredFiles();
    return deleted;
  }

  /** Java's executeDeleteFilesManually: the next cleanup rounds delete expired commit-log files at any hour. */
  executeDeleteFilesManually(): void {
    this.cleanCommitLogService.executeDeleteFilesManually();
  }

  /** Destroy the consume queues whose messages are all below the commit log's minimum (mqadmin cleanExpiredCQ). */
  cleanExpiredConsumerQueue(): number {
    return cleanExpiredConsumerQueue(this.consumeQueueCleanupContext());
  }

  /** Destroy the consume queues of topics not in `topics`, the broker's topic table (mqadmin cleanUnusedTopic). */
  cleanUnusedTopic(topics: ReadonlySet<string>): number {
    return cleanUnusedTopic(this.consumeQueueCleanupContext(), topics);
  }

  private consumeQueueCleanupContext(): ConsumeQueueCleanupContext {
    return { consumeQueueTable: this.consumeQueueTable, commitLog: this.commitLog, logger: this.logger };
  }
}
