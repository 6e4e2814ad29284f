/**
 * The message store: commit log + consume queues + index + checkpoint under one root directory,
 * with Java's load/recover/start/shutdown order, the put path, dispatch, the read API and the
 * periodic flush and cleanup services.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import { javaStringHashCode } from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { CommitLog } from "./CommitLog.js";
import type { CommitLogStore, PutMessageResult } from "./CommitLogStore.js";
import { GroupCommitService } from "./GroupCommitService.js";
import {
  commitLogStorePath,
  consumeQueueFileSize,
  parseDelayLevels,
  type MessageStoreConfig,
} from "./config/MessageStoreConfig.js";
import { ConsumeQueue } from "./ConsumeQueue.js";
import { CQ_STORE_UNIT_SIZE, cqEntryOffset, cqEntrySize, cqEntryTagsCode } from "./ConsumeQueueEntry.js";
import { OS_PAGE_SIZE } from "./MappedFile.js";
import { IndexService } from "./index/IndexService.js";
import {
  checkRecord,
  decodeRecordAt,
  prepareRecord,
  RecordFieldTooLongError,
  type HostAddress,
  type MessageExt,
  type MessageInner,
  type PreparedRecord,
} from "@rocketmq-ts/common";
import { getsConsumeQueueEntry } from "@rocketmq-ts/common";
import { getProperty, MessageConst } from "@rocketmq-ts/common";
import { StoreCheckpoint } from "./StoreCheckpoint.js";
import { StoreLock } from "./StoreLock.js";
import { HAService } from "./ha/HAService.js";

export const SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";

/** Read once, as Java's UtilAll.TOTAL_PHYSICAL_MEMORY_SIZE (os.totalmem() reads /proc/meminfo). */
const TOTAL_PHYSICAL_MEMORY_SIZE = totalmem();

export type GetMessageStatus =
  | "FOUND"
  | "NO_MATCHED_MESSAGE"
  | "MESSAGE_WAS_REMOVING"
  | "OFFSET_FOUND_NULL"
  | "OFFSET_OVERFLOW_BADLY"
  | "OFFSET_OVERFLOW_ONE"
  | "OFFSET_TOO_SMALL"
  | "NO_MATCHED_LOGIC_QUEUE"
  | "NO_MESSAGE_IN_QUEUE";

/** Decides per message whether a pull returns it (tag hash first, then the full record if needed). */
export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  isMatchedByCommitLog?(properties: Map<string, string>): boolean;
}

export interface GetMessageResult {
  status: GetMessageStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** Stored records (views into the mapped files). */
  messages: Buffer[];
  bufferTotalSize: number;
  suggestPullingFromSlave: boolean;
  msgQueueOffsets: number[];
}

export interface DispatchRequest {
  topic: string;
  queueId: number;
  commitLogOffset: number;
  msgSize: number;
  tagsCode: number;
  storeTimestamp: number;
  consumeQueueOffset: number;
  keys: string | undefined;
  uniqKey: string | undefined;
  sysFlag: number;
  /** The record's properties string (long polling evaluates SQL92 subscriptions on it). */
  propertiesString: string;
}

// running-flag bits (§7.4)
const NOT_WRITEABLE = 0x2;
const WRITE_LOGICS_QUEUE_ERROR = 0x4;
const WRITE_INDEX_FILE_ERROR = 0x8;
const DISK_FULL = 0x10;

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
}

export class DefaultMessageStore {
  readonly commitLog: CommitLogStore;
  readonly consumeQueueTable = new Map<string, Map<number, ConsumeQueue>>();
  readonly indexService: IndexService;
  /** Replication; the broker starts it (`haService.start()`), the store shuts it down. */
  readonly haService: HAService;
  checkpoint!: StoreCheckpoint;
  private readonly groupCommit: GroupCommitService | null;
  private readonly delayLevelTable: Map<number, number>;
  private readonly maxDelayLevel: number;
  private readonly logger: Logger;
  private readonly rootDir: string;
  private runningFlags = 0;
  private reputFromOffset = 0;
  private timers: NodeJS.Timeout[] = [];
  private shutdownFlag = true;
  private lastExitOK = true;
  private lastCleanMinOffset = 0;
  private lastFlushTimestamp = 0;

  constructor(
    readonly config: MessageStoreConfig,
    private readonly options: MessageStoreOptions,
  ) {
    this.logger = options.logger;
    this.rootDir = config.storePathRootDir;
    this.commitLog = new CommitLog({
      storePath: commitLogStorePath(config),
      mappedFileSize: config.mappedFileSizeCommitLog,
      logger: this.logger,
      // a slave flushes on the timer whatever the flush type
      readAhead: config.flushDiskType === "ASYNC_FLUSH" || config.brokerRole === "SLAVE",
      warmMappedFile: config.warmMapedFileEnable
        ? {
            force: config.flushDiskType === "SYNC_FLUSH",
            forceEveryBytes: config.flushLeastPagesWhenWarmMapedFile * OS_PAGE_SIZE,
          }
        : undefined,
      preallocateOnStart: config.warmMapedFileEnable && config.brokerRole !== "SLAVE",
    });
    this.indexService = new IndexService(
      this.rootDir,
      config.maxHashSlotNum,
      config.maxIndexNum,
      this.logger,
      (endTimestamp) => {
        this.checkpoint.indexMsgTimestamp = endTimestamp;
        void this.checkpoint.flush();
      },
    );
    this.groupCommit =
      config.flushDiskType === "SYNC_FLUSH"
        ? new GroupCommitService(this.commitLog, config.syncFlushTimeout, () => {
            if (this.commitLog.lastStoreTimestamp > 0)
              this.checkpoint.physicMsgTimestamp = this.commitLog.lastStoreTimestamp;
          })
        : null;
    this.haService = new HAService({
      config,
      commitLog: this.commitLog,
      logger: this.logger,
      appendToCommitLog: (offset, data) => this.appendToCommitLog(offset, data),
      ...(options.haBindAddress ? { bindAddress: options.haBindAddress } : {}),
    });
    this.delayLevelTable = parseDelayLevels(config.messageDelayLevel);
    this.storeLock = new StoreLock(this.rootDir);
    this.maxDelayLevel = Math.max(0, ...this.delayLevelTable.keys());
  }

  get abortFile(): string {
    return join(this.rootDir, "abort");
  }

  /** Load files and recover (§5.3). Throws StoreLoadError when the directory is not loadable. */
  load(): void {
    mkdirSync(this.rootDir, { recursive: true });
    this.lastExitOK = !existsSync(this.abortFile);
    this.logger.info(
      { lastExitOK: this.lastExitOK },
      this.lastExitOK ? "last shutdown normally" : "last shutdown abnormally",
    );
    this.commitLog.load();
    this.loadConsumeQueues();
    this.checkpoint = new StoreCheckpoint(join(this.rootDir, "checkpoint"));
    if (this.config.messageIndexEnable) this.indexService.load(this.lastExitOK, this.checkpoint.indexMsgTimestamp);
    this.recover();
  }

  private loadConsumeQueues(): void {
    const dir = join(this.rootDir, "consumequeue");
    if (!existsSync(dir)) return;
    for (const topic of readdirSync(dir)) {
      for (const qid of readdirSync(join(dir, topic))) {
        const queueId = Number(qid);
        if (!Number.isInteger(queueId)) continue;
        const cq = this.findConsumeQueue(topic, queueId);
        cq.load();
      }
    }
  }

  private recover(): void {
    let maxPhyOffsetOfConsumeQueue = 0;
    for (const cq of this.allConsumeQueues()) cq.willNeedForRecovery();
    for (const cq of this.allConsumeQueues()) {
      cq.recover();
      maxPhyOffsetOfConsumeQueue = Math.max(maxPhyOffsetOfConsumeQueue, cq.maxPhysicOffset);
    }
    const checkCRC = this.config.checkCRCOnRecover;
    let processOffset: number;
    if (this.lastExitOK) {
      processOffset = this.commitLog.recoverNormally(checkCRC);
    } else {
      const safe =
        this.config.messageIndexEnable && this.config.messageIndexSafe
          ? this.checkpoint.getMinTimestampIndex()
          : this.checkpoint.getMinTimestamp();
      processOffset = this.commitLog.recoverAbnormally(checkCRC, safe, (msg, size) =>
        this.doDispatch(this.dispatchRequestOf(msg, size)),
      );
    }
    if (this.commitLog.isEmpty()) {
      for (const cq of this.allConsumeQueues()) cq.destroy();
      this.consumeQueueTable.clear();
    } else if (maxPhyOffsetOfConsumeQueue >= processOffset) {
      this.logger.warn(
        { maxPhyOffsetOfConsumeQueue, processOffset },
        "maxPhyOffsetOfConsumeQueue >= processOffset, truncate consume queues",
      );
      for (const cq of this.allConsumeQueues()) cq.truncateDirtyLogicFiles(processOffset);
    }
    const minPhy = this.commitLog.getMinOffset();
    for (const cq of this.allConsumeQueues()) cq.correctMinOffset(minPhy);
    this.recoverTopicQueueTable();
  }

  /** Rebuild `<topic>-<queueId>` → next queue offset from the consume queues. */
  private recoverTopicQueueTable(): void {
    this.commitLog.topicQueueTable.clear();
    for (const cq of this.allConsumeQueues())
      this.commitLog.topicQueueTable.set(`${cq.topic}-${cq.queueId}`, cq.getMaxOffsetInQueue());
  }

  private readonly storeLock: StoreLock;

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
    this.reputFromOffset = Math.max(0, maxPhysicalPosInLogicQueue);
    this.doReput();
    this.recoverTopicQueueTable();
    writeFileSync(this.abortFile, "");
    // the disk-usage figures need the directory to exist before the first message
    mkdirSync(commitLogStorePath(this.config), { recursive: true });
    this.commitLog.start();
    this.shutdownFlag = false;
    this.startServices();
  }

  private startServices(): void {
    const c = this.config;
    // a slave has no put to wait on a group commit: it flushes on the timer whatever the flush type
    if (c.flushDiskType === "ASYNC_FLUSH" || c.brokerRole === "SLAVE") {
      this.timers.push(setInterval(() => void this.flushCommitLogRound(), c.flushIntervalCommitLog));
    }
    let lastThoroughCq = Date.now();
    this.timers.push(
      setInterval(() => {
        const thorough = Date.now() - lastThoroughCq >= c.flushConsumeQueueThoroughInterval;
        if (thorough) lastThoroughCq = Date.now();
        void this.flushConsumeQueues(thorough ? 0 : c.flushConsumeQueueLeastPages, thorough);
      }, c.flushIntervalConsumeQueue),
    );
    const cleanFirst = setTimeout(() => {
      this.cleanFilesPeriodically();
      this.timers.push(setInterval(() => this.cleanFilesPeriodically(), c.cleanResourceInterval));
    }, 60_000);
    const diskFirst = setTimeout(() => {
      this.checkDiskSpace();
      this.timers.push(setInterval(() => this.checkDiskSpace(), 10_000));
    }, 1000);
    this.timers.push(cleanFirst, diskFirst);
    for (const t of this.timers) t.unref();
  }

  private flushing = false;

  /** One ASYNC_FLUSH round: least pages normally, everything every thorough interval (§6.1). */
  async flushCommitLogRound(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const now = Date.now();
      let leastPages = this.config.flushCommitLogLeastPages;
      if (now >= this.lastFlushTimestamp + this.config.flushCommitLogThoroughInterval) {
        this.lastFlushTimestamp = now;
        leastPages = 0;
      }
      await this.commitLog.flush(leastPages);
      if (this.commitLog.lastStoreTimestamp > 0) this.checkpoint.physicMsgTimestamp = this.commitLog.lastStoreTimestamp;
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, "commit log flush failed");
    } finally {
      this.flushing = false;
    }
  }

  private async flushConsumeQueues(leastPages: number, thorough: boolean): Promise<void> {
    const logicsMsgTimestamp = this.checkpoint.logicsMsgTimestamp;
    try {
      for (const cq of this.allConsumeQueues()) await cq.flush(leastPages);
      if (thorough) {
        this.checkpoint.logicsMsgTimestamp = logicsMsgTimestamp;
        await this.checkpoint.flush();
      }
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, "consume queue flush failed");
    }
  }

  async shutdown(): Promise<void> {
    if (this.shutdownFlag && this.timers.length === 0) return;
    this.shutdownFlag = true;
    await this.haService.shutdown();
    this.groupCommit?.shutdown();
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    for (let i = 0; i < 10; i++) if (await this.commitLog.flush(0)) break;
    if (this.commitLog.lastStoreTimestamp > 0) this.checkpoint.physicMsgTimestamp = this.commitLog.lastStoreTimestamp;
    await this.flushConsumeQueues(0, true);
    await this.checkpoint.flush();
    if (this.isWriteable() && this.dispatchBehindBytes() === 0) rmSync(this.abortFile, { force: true });
    else this.logger.warn("the store may be wrong, so shutdown abnormally, and keep abort file");
    this.commitLog.shutdown();
    for (const cq of this.allConsumeQueues()) cq.mappedFileQueue.shutdown();
    this.indexService.shutdown();
    this.checkpoint.shutdown();
    await this.storeLock.release();
  }

  dispatchBehindBytes(): number {
    return this.commitLog.getMaxOffset() - this.reputFromOffset;
  }

  isWriteable(): boolean {
    return (this.runningFlags & (NOT_WRITEABLE | WRITE_LOGICS_QUEUE_ERROR | WRITE_INDEX_FILE_ERROR | DISK_FULL)) === 0;
  }

  isDiskFull(): boolean {
    return (this.runningFlags & DISK_FULL) !== 0;
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
  putMessage(msg: MessageInner): Promise<PutMessageResult> {
    return this.putMessages([msg]);
  }

  /**
   * Append messages of one topic/queue (a batch) contiguously. `waitStoreMsgOK` (default: the WAIT
   * property) decides whether a SYNC_FLUSH put waits for the disk.
   */
  async putMessages(msgs: readonly MessageInner[], waitStoreMsgOK?: boolean): Promise<PutMessageResult> {
    const refused = this.checkPut();
    if (refused) return refused;
    const first = msgs[0];
    if (!first) return { status: "MESSAGE_ILLEGAL" };
    // Java's order: topic and properties lengths first, then sizes
    const encoded: PreparedRecord[] = [];
    let encodedTotal = 0;
    let bodyTotal = 0;
    try {
      for (const m of msgs) {
        const r = prepareRecord(m);
        encoded.push(r);
        encodedTotal += r.length;
        bodyTotal += m.body?.length ?? 0;
      }
    } catch (err) {
      return {
        status:
          err instanceof RecordFieldTooLongError && err.field === "properties"
            ? "PROPERTIES_SIZE_EXCEEDED"
            : "MESSAGE_ILLEGAL",
      };
    }
    if (bodyTotal > this.config.maxMessageSize || encodedTotal > this.config.maxMessageSize + 64 * 1024)
      return { status: "MESSAGE_ILLEGAL" };
    const result = this.commitLog.append(
      encoded,
      first.topic,
      first.queueId,
      first.sysFlag,
      first.storeHost,
      this.options.clock?.() ?? Date.now(),
    );
    const append = result.appendResult;
    if (result.status !== "PUT_OK" || !append) return result;
    this.dispatchAppended(msgs, encoded, append.wroteOffset, append.logicsOffset, append.storeTimestamp);
    this.haService.notifyNewData();
    const syncMaster = this.config.brokerRole === "SYNC_MASTER";
    if (!this.groupCommit && !syncMaster) return result; // nothing to wait for
    const wait =
      waitStoreMsgOK ?? getProperty(first.propertiesString, MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== "false";
    const nextOffset = append.wroteOffset + append.wroteBytes;
    if (!wait) {
      // as Java's wakeup of the group commit: flushed soon, but nobody waits for it
      if (this.groupCommit) void this.groupCommit.submit(nextOffset);
      return result;
    }
    if (!syncMaster && this.groupCommit) {
      // SYNC_FLUSH alone: one promise instead of a Promise.all per put
      const flushed = await this.groupCommit.submit(nextOffset);
      return flushed ? result : { status: "FLUSH_DISK_TIMEOUT", appendResult: append };
    }
    const [flushed, replicated] = await Promise.all([
      this.groupCommit ? this.groupCommit.submit(nextOffset) : true,
      this.replicate(nextOffset),
    ]);
    // both failed: the replication status wins, as Java
    if (replicated !== "PUT_OK") return { status: replicated, appendResult: append };
    if (!flushed) return { status: "FLUSH_DISK_TIMEOUT", appendResult: append };
    return result;
  }

  /** SYNC_MASTER: wait for a slave to hold everything below `nextOffset` (§8.4). */
  private async replicate(nextOffset: number): Promise<"PUT_OK" | "SLAVE_NOT_AVAILABLE" | "FLUSH_SLAVE_TIMEOUT"> {
    if (!this.haService.isSlaveOK(nextOffset)) return "SLAVE_NOT_AVAILABLE";
    return (await this.haService.waitForSlave(nextOffset)) ? "PUT_OK" : "FLUSH_SLAVE_TIMEOUT";
  }

  /** Slave: append bytes replicated from the master at `startOffset` and dispatch what they complete. */
  appendToCommitLog(startOffset: number, data: Buffer): boolean {
    if (this.shutdownFlag) return false;
    if (!this.commitLog.appendData(startOffset, data)) return false;
    this.doReput();
    return true;
  }

  /**
   * Dispatch records this store has just appended without reading them back: every field is known.
   * Falls back to the generic reput when something else wrote in between.
   */
  private dispatchAppended(
    msgs: readonly MessageInner[],
    encoded: readonly PreparedRecord[],
    wroteOffset: number,
    firstQueueOffset: number,
    storeTimestamp: number,
  ): void {
    if (this.reputFromOffset !== wroteOffset) {
      this.doReput();
      return;
    }
    let physicalOffset = wroteOffset;
    msgs.forEach((m, i) => {
      const size = (encoded[i] as PreparedRecord).length;
      this.doDispatch(
        this.dispatchRequestFrom(
          m.topic,
          m.queueId,
          physicalOffset,
          size,
          storeTimestamp,
          getsConsumeQueueEntry(m.sysFlag) ? firstQueueOffset + i : 0,
          m.sysFlag,
          (name) => getProperty(m.propertiesString, name),
          m.propertiesString,
        ),
      );
      physicalOffset += size;
    });
    this.reputFromOffset = physicalOffset;
  }

  // ---------------------------------------------------------------------------------------------
  // Dispatch (ReputMessageService)

  /** Dispatch every complete record between the reput offset and the end of the commit log. */
  doReput(): void {
    if (this.reputFromOffset < this.commitLog.getMinOffset())
      this.reputFromOffset = Math.max(0, this.commitLog.getMinOffset());
    while (this.reputFromOffset < this.commitLog.getMaxOffset()) {
      const data = this.commitLog.getData(this.reputFromOffset);
      if (!data) break;
      const buf = data.buffer;
      let pos = 0;
      let stop = false;
      while (pos < buf.length) {
        const check = checkRecord(buf, pos, buf.length, false, false);
        if (check.kind === "message") {
          this.doDispatch(this.dispatchRequestOf(check.msg, check.size));
          // a slave's checkpoint follows the replicated messages (a master sets it when appending)
          if (check.msg.storeTimestamp > this.commitLog.lastStoreTimestamp)
            this.commitLog.lastStoreTimestamp = check.msg.storeTimestamp;
          pos += check.size;
          this.reputFromOffset += check.size;
        } else if (check.kind === "blank") {
          this.reputFromOffset = this.commitLog.rollNextFile(this.reputFromOffset);
          pos = buf.length;
        } else if (check.size > 0) {
          this.logger.error(
            { offset: this.reputFromOffset, reason: check.reason },
            "[BUG] dispatch found an inconsistent record, skipped",
          );
          pos += check.size;
          this.reputFromOffset += check.size;
        } else {
          stop = true; // incomplete: wait for more bytes (a slave receiving HA data)
          break;
        }
      }
      if (stop) break;
    }
  }

  private dispatchRequestOf(msg: MessageExt, size: number): DispatchRequest {
    return this.dispatchRequestFrom(
      msg.topic,
      msg.queueId,
      msg.commitLogOffset,
      size,
      msg.storeTimestamp,
      msg.queueOffset,
      msg.sysFlag,
      (name) => msg.properties.get(name),
      msg.propertiesString,
    );
  }

  private dispatchRequestFrom(
    topic: string,
    queueId: number,
    commitLogOffset: number,
    msgSize: number,
    storeTimestamp: number,
    consumeQueueOffset: number,
    sysFlag: number,
    prop: (name: string) => string | undefined,
    propertiesString: string,
  ): DispatchRequest {
    let tagsCode = 0;
    const tags = prop(MessageConst.PROPERTY_TAGS);
    if (tags) tagsCode = javaStringHashCode(tags);
    const delay = topic === SCHEDULE_TOPIC ? prop(MessageConst.PROPERTY_DELAY_TIME_LEVEL) : undefined;
    if (topic === SCHEDULE_TOPIC && delay !== undefined) {
      let level = Number.parseInt(delay, 10);
      if (level > this.maxDelayLevel) level = this.maxDelayLevel;
      if (level > 0) tagsCode = storeTimestamp + (this.delayLevelTable.get(level) ?? 1000);
    }
    return {
      topic,
      queueId,
      commitLogOffset,
      msgSize,
      tagsCode,
      storeTimestamp,
      consumeQueueOffset,
      keys: prop(MessageConst.PROPERTY_KEYS),
      uniqKey: prop(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
      sysFlag,
      propertiesString,
    };
  }

  private doDispatch(req: DispatchRequest): void {
    if (getsConsumeQueueEntry(req.sysFlag)) {
      const cq = this.findConsumeQueue(req.topic, req.queueId);
      if (!cq.putMessagePositionInfo(req.commitLogOffset, req.msgSize, req.tagsCode, req.consumeQueueOffset)) {
        this.runningFlags |= WRITE_LOGICS_QUEUE_ERROR;
        this.logger.error(
          { topic: req.topic, queueId: req.queueId },
          "[BUG]put commit log position info to consume queue failed",
        );
      } else {
        this.checkpoint.logicsMsgTimestamp = req.storeTimestamp;
      }
    }
    if (this.config.messageIndexEnable) {
      try {
        this.indexService.buildIndex(req);
      } catch (err) {
        this.runningFlags |= WRITE_INDEX_FILE_ERROR;
        this.logger.error({ err: (err as Error).message }, "build index failed");
      }
    }
    this.options.onDispatched?.(req);
  }

  // ---------------------------------------------------------------------------------------------
  // Read API

  findConsumeQueue(topic: string, queueId: number): ConsumeQueue {
    let byQueue = this.consumeQueueTable.get(topic);
    if (!byQueue) this.consumeQueueTable.set(topic, (byQueue = new Map()));
    let cq = byQueue.get(queueId);
    if (!cq) {
      cq = new ConsumeQueue(topic, queueId, this.rootDir, consumeQueueFileSize(this.config));
      byQueue.set(queueId, cq);
    }
    return cq;
  }

  private existingConsumeQueue(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.consumeQueueTable.get(topic)?.get(queueId);
  }

  *allConsumeQueues(): Iterable<ConsumeQueue> {
    for (const byQueue of this.consumeQueueTable.values()) yield* byQueue.values();
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.existingConsumeQueue(topic, queueId)?.getMaxOffsetInQueue() ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.existingConsumeQueue(topic, queueId)?.getMinOffsetInQueue() ?? -1;
  }

  getMinPhyOffset(): number {
    return this.commitLog.getMinOffset();
  }

  getMaxPhyOffset(): number {
    return this.commitLog.getMaxOffset();
  }

  /** Commit-log offset of the message at queue offset `index` (0 if unknown). */
  getCommitLogOffsetInQueue(topic: string, queueId: number, index: number): number {
    return this.existingConsumeQueue(topic, queueId)?.getEntry(index)?.offset ?? 0;
  }

  /** Store time of the message at queue offset `index`, -1 if unknown. */
  getMessageStoreTimeStamp(topic: string, queueId: number, index: number): number {
    const entry = this.existingConsumeQueue(topic, queueId)?.getEntry(index);
    return entry ? this.commitLog.pickupStoreTimestamp(entry.offset, entry.size) : -1;
  }

  /** Store time of the oldest message in the commit log, -1 when empty. */
  getEarliestCommitLogTime(): number {
    const min = this.commitLog.getMinOffset();
    if (min < 0 || min >= this.commitLog.getMaxOffset()) return -1;
    const head = this.commitLog.getMessage(min, 4);
    return head ? this.commitLog.pickupStoreTimestamp(min, head.readInt32BE(0)) : -1;
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    const cq = this.existingConsumeQueue(topic, queueId);
    if (!cq) return -1;
    return this.getMessageStoreTimeStamp(topic, queueId, cq.getMinOffsetInQueue());
  }

  /** Queue offset of the first message stored at or after `timestamp` (Java's binary search, §3.3). */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number {
    const cq = this.existingConsumeQueue(topic, queueId);
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

  private nextOffsetCorrection(oldOffset: number, newOffset: number): number {
    return this.config.brokerRole !== "SLAVE" || this.config.offsetCheckInSlave ? newOffset : oldOffset;
  }

  /** Java's checkInDiskByConsumeOffset: is the message at that queue offset beyond what fits in memory? */
  checkInDiskByConsumeOffset(topic: string, queueId: number, consumeOffset: number): boolean {
    const entry = this.existingConsumeQueue(topic, queueId)?.getEntry(consumeOffset);
    return entry ? this.checkInDiskByCommitOffset(entry.offset, this.commitLog.getMaxOffset()) : false;
  }

  private checkInDiskByCommitOffset(offsetPy: number, maxOffsetPy: number): boolean {
    const memory = TOTAL_PHYSICAL_MEMORY_SIZE * (this.config.accessMessageInMemoryMaxRatio / 100);
    return maxOffsetPy - offsetPy > memory;
  }

  private isTheBatchFull(
    sizePy: number,
    maxMsgNums: number,
    bufferTotal: number,
    messageTotal: number,
    isInDisk: boolean,
  ): boolean {
    if (bufferTotal === 0 || messageTotal === 0) return false;
    if (maxMsgNums <= messageTotal) return true;
    const c = this.config;
    if (isInDisk)
      return (
        bufferTotal + sizePy > c.maxTransferBytesOnMessageInDisk || messageTotal > c.maxTransferCountOnMessageInDisk - 1
      );
    return (
      bufferTotal + sizePy > c.maxTransferBytesOnMessageInMemory ||
      messageTotal > c.maxTransferCountOnMessageInMemory - 1
    );
  }

  /** Java's getMessage: up to `maxMsgNums` messages from queue offset `offset`, filtered. */
  getMessage(
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    filter?: MessageFilter,
  ): GetMessageResult {
    const result: GetMessageResult = {
      status: "NO_MESSAGE_IN_QUEUE",
      nextBeginOffset: offset,
      minOffset: 0,
      maxOffset: 0,
      messages: [],
      bufferTotalSize: 0,
      suggestPullingFromSlave: false,
      msgQueueOffsets: [],
    };
    const maxOffsetPy = this.commitLog.getMaxOffset();
    const cq = this.existingConsumeQueue(topic, queueId);
    if (!cq) {
      result.status = "NO_MATCHED_LOGIC_QUEUE";
      result.nextBeginOffset = this.nextOffsetCorrection(offset, 0);
      return result;
    }
    const minOffset = cq.getMinOffsetInQueue();
    const maxOffset = cq.getMaxOffsetInQueue();
    result.minOffset = minOffset;
    result.maxOffset = maxOffset;
    if (maxOffset === 0) {
      result.status = "NO_MESSAGE_IN_QUEUE";
      result.nextBeginOffset = this.nextOffsetCorrection(offset, 0);
    } else if (offset < minOffset) {
      result.status = "OFFSET_TOO_SMALL";
      result.nextBeginOffset = this.nextOffsetCorrection(offset, minOffset);
    } else if (offset === maxOffset) {
      result.status = "OFFSET_OVERFLOW_ONE";
      result.nextBeginOffset = this.nextOffsetCorrection(offset, offset);
    } else if (offset > maxOffset) {
      result.status = "OFFSET_OVERFLOW_BADLY";
      result.nextBeginOffset = this.nextOffsetCorrection(offset, minOffset === 0 ? minOffset : maxOffset);
    } else {
      const index = cq.getIndexBuffer(offset);
      if (!index) {
        result.status = "OFFSET_FOUND_NULL";
        result.nextBeginOffset = this.nextOffsetCorrection(offset, cq.rollNextFile(offset));
        return result;
      }
      result.status = "NO_MATCHED_MESSAGE";
      let nextPhyFileStartOffset = Number.MIN_SAFE_INTEGER;
      let maxPhyOffsetPulling = 0;
      const buf = index.buffer;
      const limit = Math.min(buf.length, 16000 * CQ_STORE_UNIT_SIZE);
      let i = 0;
      for (; i + CQ_STORE_UNIT_SIZE <= limit; i += CQ_STORE_UNIT_SIZE) {
        const offsetPy = cqEntryOffset(buf, i);
        const sizePy = cqEntrySize(buf, i);
        const tagsCode = cqEntryTagsCode(buf, i);
        maxPhyOffsetPulling = offsetPy;
        if (nextPhyFileStartOffset !== Number.MIN_SAFE_INTEGER && offsetPy < nextPhyFileStartOffset) continue;
        const isInDisk = this.checkInDiskByCommitOffset(offsetPy, maxOffsetPy);
        if (this.isTheBatchFull(sizePy, maxMsgNums, result.bufferTotalSize, result.messages.length, isInDisk)) break;
        if (filter && !filter.isMatchedByConsumeQueue(tagsCode)) {
          if (result.bufferTotalSize === 0) result.status = "NO_MATCHED_MESSAGE";
          continue;
        }
        const msg = this.commitLog.getMessage(offsetPy, sizePy);
        if (!msg) {
          if (result.bufferTotalSize === 0) result.status = "MESSAGE_WAS_REMOVING";
          nextPhyFileStartOffset = this.commitLog.rollNextFile(offsetPy);
          continue;
        }
        if (filter?.isMatchedByCommitLog) {
          const props = decodeRecordAt(msg, 0, false).properties;
          if (!filter.isMatchedByCommitLog(props)) {
            if (result.bufferTotalSize === 0) result.status = "NO_MATCHED_MESSAGE";
            continue;
          }
        }
        result.messages.push(msg);
        result.msgQueueOffsets.push(offset + i / CQ_STORE_UNIT_SIZE);
        result.bufferTotalSize += msg.length;
        result.status = "FOUND";
        nextPhyFileStartOffset = Number.MIN_SAFE_INTEGER;
      }
      result.nextBeginOffset = offset + i / CQ_STORE_UNIT_SIZE;
      const diff = maxOffsetPy - maxPhyOffsetPulling;
      result.suggestPullingFromSlave =
        diff > TOTAL_PHYSICAL_MEMORY_SIZE * (this.config.accessMessageInMemoryMaxRatio / 100);
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Cleanup and disk space (§7)

  /** Usage of the partition holding `path` as a fraction, rounded up to whole percent; -1 if unknown. */
  static diskPartitionSpaceUsedPercent(path: string): number {
    try {
      const st = statfsSync(path);
      const total = st.blocks * st.bsize;
      const free = st.bavail * st.bsize;
      if (total <= 0) return -1;
      const used = total - st.bfree * st.bsize;
      return Math.ceil((used * 100) / (used + free)) / 100;
    } catch {
      return -1;
    }
  }

  private diskRatios(): { warning: number; forcibly: number; max: number } {
    return {
      warning: this.options.diskSpaceWarningLevelRatio ?? 0.9,
      forcibly: this.options.diskSpaceCleanForciblyRatio ?? 0.85,
      max: Math.min(95, Math.max(10, this.config.diskMaxUsedSpaceRatio)) / 100,
    };
  }

  /** Periodic disk check: mark DISK_FULL above the warning level (writes refused, reads go on). */
  checkDiskSpace(): void {
    const ratio = DefaultMessageStore.diskPartitionSpaceUsedPercent(commitLogStorePath(this.config));
    const { warning } = this.diskRatios();
    if (ratio > warning) {
      if ((this.runningFlags & DISK_FULL) === 0)
        this.logger.error({ ratio }, "physic disk maybe full soon, so disable put message");
      this.runningFlags |= DISK_FULL;
    } else if (ratio >= 0) {
      if ((this.runningFlags & DISK_FULL) !== 0)
        this.logger.info({ ratio }, "physic disk space OK, enable put message");
      this.runningFlags &= ~DISK_FULL;
    }
  }

  private cleanFilesPeriodically(): void {
    try {
      this.deleteExpiredFiles();
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, "clean files failed");
    }
  }

  /** One cleanup round: commit-log files by age/space, then consume queues and index follow. */
  deleteExpiredFiles(now = new Date()): number {
    const c = this.config;
    const hours = c.deleteWhen.split(";").map((h) => Number(h));
    const timeUp = hours.includes(now.getHours());
    const ratio = DefaultMessageStore.diskPartitionSpaceUsedPercent(commitLogStorePath(c));
    const { forcibly, max } = this.diskRatios();
    const spaceFull = ratio > max || ratio < 0;
    const cleanImmediately = ratio > forcibly && c.cleanFileForciblyEnable;
    let deleted = 0;
    if (timeUp || spaceFull || cleanImmediately) {
      deleted = this.commitLog.deleteExpiredFile(
        c.fileReservedTime * 3600 * 1000,
        c.deleteCommitLogFilesInterval,
        cleanImmediately,
      );
      if (deleted > 0) this.logger.info({ deleted, timeUp, spaceFull, cleanImmediately }, "commit log files deleted");
    }
    const minOffset = this.commitLog.getMinOffset();
    if (minOffset > this.lastCleanMinOffset) {
      this.lastCleanMinOffset = minOffset;
      for (const cq of this.allConsumeQueues()) cq.deleteExpiredFile(minOffset);
      this.indexService.deleteExpiredFile(minOffset);
    }
    return deleted;
  }
}
