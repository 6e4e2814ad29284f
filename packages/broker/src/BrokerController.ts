/**
 * Wires the broker: store, topic/group/offset managers, client tables, processors on the main and
 * VIP (listenPort − 2) ports, ACL and TLS on them, name-server registration, long polling and
 * periodic tasks.
 *
 * Long because it is the one place that wires every component together and orders their start and
 * shutdown (Java's BrokerController does the same in 1,300 lines); whatever has logic of its own
 * lives in its module (processor/, acl/, slave/, dledger/, …).
 */
import { join } from "node:path";
import {
  bindConfig,
  isWriteable,
  LoggerName,
  namedLogger,
  nettyClientConfigSpec,
  nettyServerConfigSpecFor,
  newDataVersion,
  nextDataVersion,
  propertiesToString,
  string2File,
  userHome,
  type ConfigOf,
  type DataVersion,
  parseHost,
  TimerStatsScheduler,
  type StatsScheduler,
  type HostAddress,
} from "@rocketmq-ts/common";
import {
  createOnewayRequest,
  encodeHeader,
  NotifyConsumerIdsChangedRequestHeader,
  RemotingServer,
  RequestCode,
  ServerTlsWatcher,
  type ClientTls,
  type Connection,
  type RemotingCommand,
  type ServerTls,
} from "@rocketmq-ts/remoting";
import { dledgerFollowerBrokerId } from "@rocketmq-ts/dledger";
import {
  checkTimerConfig,
  createTimerPutHook,
  DefaultMessageStore,
  messageStoreConfigSpec,
  TIMER_TOPIC,
  TimerMessageStore,
  type MessageStoreConfig,
} from "@rocketmq-ts/store";
import type { Logger } from "pino";
import type { BrokerConfiguration, BrokerContext } from "./BrokerContext.js";
import { RebalanceLockManager } from "./client/RebalanceLockManager.js";
import { DLedgerMember } from "./dledger/DLedgerMember.js";
import { DLedgerRoleChangeHandler } from "./dledger/DLedgerRoleChangeHandler.js";
import { EventLoopLag } from "./EventLoopLag.js";
import { brokerConfigSpec } from "./config/BrokerConfig.js";
import { BrokerStats } from "./stats/BrokerStats.js";
import { BrokerStatsManager } from "./stats/BrokerStatsManager.js";
import { ConsumerManager } from "./client/ConsumerManager.js";
import { ProducerManager } from "./client/ProducerManager.js";
import type { BrokerConfig } from "./config/BrokerConfig.js";
import { PullRequestHoldService } from "./longpolling/PullRequestHoldService.js";
import { ConsumerOffsetManager } from "./offset/ConsumerOffsetManager.js";
import { bloomFilterSize } from "./filter/BloomFilter.js";
import { ConsumerFilterManager } from "./filter/ConsumerFilterManager.js";
import { BrokerOuterAPI, type BrokerIdentity } from "./out/BrokerOuterAPI.js";
import { brokerProcessors } from "./processor/BrokerProcessors.js";
import { PopServices } from "./pop/PopServices.js";
import { timerBehindSeconds } from "./pop/PopReviveService.js";
import { wakeupPopRequest } from "./processor/PopMessageProcessor.js";
import { wakeupNotificationRequest } from "./processor/NotificationProcessor.js";
import { diskUtil } from "./processor/SendMessageProcessor.js";
import { wakeupPullRequest } from "./processor/PullMessageProcessor.js";
import { ScheduleMessageService } from "./schedule/ScheduleMessageService.js";
import { SlaveSynchronize } from "./slave/SlaveSynchronize.js";
import { TransactionalMessageBridge } from "./transaction/TransactionalMessageBridge.js";
import { TransactionalMessageCheckService } from "./transaction/TransactionalMessageCheckService.js";
import { TransactionalMessageService } from "./transaction/TransactionalMessageService.js";
import { SubscriptionGroupManager } from "./subscription/SubscriptionGroupManager.js";
import { TopicConfigManager } from "./topic/TopicConfigManager.js";
import { aclServerHook, createAccessValidator } from "./acl/BrokerAcl.js";
import type { PlainAccessValidator } from "@rocketmq-ts/acl";

export type NettyServerConfig = ConfigOf<ReturnType<typeof nettyServerConfigSpecFor>>;
export type NettyClientConfig = ConfigOf<typeof nettyClientConfigSpec>;

export interface BrokerControllerOptions {
  /** The -c file: UPDATE_BROKER_CONFIG rewrites it (Java's default otherwise: ~/store/config/broker.properties). */
  configFilePath?: string;
  /** Key/values of the -c file, kept when the file is rewritten. */
  fileProperties?: Map<string, string>;
  brokerConfig: BrokerConfig;
  nettyServerConfig: NettyServerConfig;
  nettyClientConfig: NettyClientConfig;
  messageStoreConfig: MessageStoreConfig;
  logger: Logger;
  /** Bind address of the remoting ports (Java binds every interface). */
  bindAddress?: string;
  /** Java's RocketmqStats logger (stats.log); default: the broker logger named RocketmqStats. */
  statsLog?: Logger;
  /** Clock and timers of the stats (tests pass a manual one). */
  statsScheduler?: () => StatsScheduler;
  /** TLS on the main and VIP ports (`tls.server.mode` and its settings); absent: plain only. */
  tls?: ServerTls;
  /** What the broker's client presents and trusts when `nettyClientConfig.useTLS` (default: Java's test-mode client). */
  clientTls?: ClientTls;
}

export class BrokerController implements BrokerContext {
  readonly brokerConfig: BrokerConfig;
  readonly storeConfig: MessageStoreConfig;
  readonly store: DefaultMessageStore;
  readonly storeHost: HostAddress;
  readonly topicConfigManager: TopicConfigManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly consumerFilterManager: ConsumerFilterManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager: ProducerManager;
  readonly pullRequestHoldService: PullRequestHoldService;
  readonly brokerStatsManager: BrokerStatsManager;
  readonly brokerStats: BrokerStats;
  private readonly statsScheduler: StatsScheduler;
  readonly scheduleMessageService: ScheduleMessageService;
  /** 5.x timer messages (timerWheelEnable): created and loaded by initialize. */
  timerMessageStore: TimerMessageStore | null = null;
  /** 5.x POP consumption (pop/PopServices). */
  readonly popServices: PopServices;
  readonly rebalanceLockManager = new RebalanceLockManager();
  readonly eventLoopLag = new EventLoopLag();
  readonly configuration: BrokerConfiguration;
  /** Plain ACL when aclEnable=true (created by initialize, as Java's initialAcl). */
  accessValidator: PlainAccessValidator | null = null;
  private configDataVersion: DataVersion = newDataVersion();
  readonly logger: Logger;
  readonly remotingServer: RemotingServer;
  readonly fastRemotingServer: RemotingServer;
  readonly brokerOuterAPI: BrokerOuterAPI;
  /** Reloads the ports' TLS credentials when their files change (Java's FileWatchService). */
  private readonly tlsWatcher: ServerTlsWatcher | null;
  readonly slaveSynchronize: SlaveSynchronize;
  readonly transactionalMessageBridge: TransactionalMessageBridge = new TransactionalMessageBridge(this);
  readonly transactionalMessageService = new TransactionalMessageService(this, this.transactionalMessageBridge);
  readonly transactionalMessageCheckService = new TransactionalMessageCheckService(
    this,
    this.transactionalMessageService,
  );
  /** The DLedger member (enableDLegerCommitLog): elections decide the role, not brokerRole. */
  readonly dledgerMember: DLedgerMember | null;
  private readonly roleChangeHandler: DLedgerRoleChangeHandler | null;
  private slaveSyncTimers: NodeJS.Timeout[] = [];
  /** A slave takes its master's HA address from registration unless haMasterAddress is set. */
  private readonly updateMasterHAServerAddrPeriodically: boolean;
  private readonly timers: NodeJS.Timeout[] = [];
  private shuttingDown = false;

  constructor(private readonly options: BrokerControllerOptions) {
    const bc = options.brokerConfig;
    this.brokerConfig = bc;
    this.storeConfig = options.messageStoreConfig;
    this.logger = options.logger;
    this.storeHost = parseHost(`${bc.brokerIP1}:${options.nettyServerConfig.listenPort}`);
    const root = this.storeConfig.storePathRootDir;
    const newStatsScheduler = options.statsScheduler ?? ((): StatsScheduler => new TimerStatsScheduler());
    this.topicConfigManager = new TopicConfigManager(bc, root, this.logger, () => void this.registerBrokerAll(true));
    if (this.storeConfig.timerWheelEnable) {
      checkTimerConfig(this.storeConfig);
      this.topicConfigManager.addTimerTopic(TIMER_TOPIC);
    }
    this.subscriptionGroupManager = new SubscriptionGroupManager(
      root,
      () => bc.autoCreateSubscriptionGroup,
      this.logger,
    );
    this.consumerOffsetManager = new ConsumerOffsetManager(root, this.logger);
    this.consumerFilterManager = new ConsumerFilterManager(
      root,
      namedLogger(this.logger, LoggerName.FILTER),
      () => bc.filterDataCleanTimeSpan,
    );
    // as Java's filter manager does at start-up: the consume-queue-ext bitmap is the bloom filter's size
    this.storeConfig.bitMapLengthConsumeQueueExt = bloomFilterSize(
      bc.maxErrorRateOfBloomFilter,
      bc.expectConsumerNumUseFilter,
    ).bits;
    this.consumerManager = new ConsumerManager((event, group, connections) => {
      if (event === "CHANGE") this.notifyConsumerIdsChanged(group, connections);
      else if (event === "REGISTER") {
        const info = this.consumerManager.getConsumerGroupInfo(group);
        if (info) this.consumerFilterManager.register(group, [...info.subscriptionTable.values()]);
      } else if (event === "UNREGISTER") this.consumerFilterManager.unRegister(group);
    }, this.logger);
    this.producerManager = new ProducerManager();
    this.pullRequestHoldService = new PullRequestHoldService(
      (held) => wakeupPullRequest(this, held),
      (topic, queueId) => this.store.getMaxOffsetInQueue(topic, queueId),
      bc.longPollingEnable ? 5000 : bc.shortPollingTimeMills,
    );
    this.dledgerMember = this.storeConfig.enableDLegerCommitLog
      ? new DLedgerMember(this.storeConfig, {
          logger: this.logger.child({ logger: "DLedger" }),
          ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}),
        })
      : null;
    this.store = new DefaultMessageStore(this.storeConfig, {
      ...(this.dledgerMember ? { dledger: this.dledgerMember } : {}),
      logger: namedLogger(this.logger, LoggerName.STORE),
      storeHost: this.storeHost,
      ...(options.bindAddress ? { haBindAddress: options.bindAddress } : {}),
      statsScheduler: newStatsScheduler(),
      onDispatched: (req) => {
        if (this.storeConfig.brokerRole !== "SLAVE") {
          this.popServices.notifyMessageArriving(
            req.topic,
            req.queueId,
            req.consumeQueueOffset + 1,
            req.tagsCode,
            req.propertiesString,
          );
        }
        if (this.storeConfig.brokerRole !== "SLAVE" && bc.longPollingEnable) {
          this.pullRequestHoldService.notifyMessageArriving(
            req.topic,
            req.queueId,
            req.consumeQueueOffset + 1,
            req.tagsCode,
            req.propertiesString,
          );
        }
      },
    });
    // Java's handleScheduleMessage put hook: timer messages go to rmq_sys_wheel_timer
    this.store.addPutMessageHook(
      createTimerPutHook({
        config: this.storeConfig,
        isReject: (deliverMs) => this.timerMessageStore?.isReject(deliverMs) ?? false,
      }),
    );
    const statsLog = options.statsLog ?? namedLogger(this.logger, LoggerName.STATS);
    this.brokerStatsManager = new BrokerStatsManager({
      clusterName: bc.brokerClusterName,
      enableQueueStat: bc.enableDetailStat,
      scheduler: newStatsScheduler(),
      statsLog,
      commercialLog: this.logger.child({ logger: "RocketmqCommercial" }),
    });
    this.statsScheduler = newStatsScheduler();
    this.brokerStats = new BrokerStats(this.store.storeStatsService, this.logger);
    this.scheduleMessageService = new ScheduleMessageService(
      this.store,
      this.storeConfig.messageDelayLevel,
      root,
      this.storeConfig.flushDelayOffsetInterval,
      this.logger,
      this.storeConfig.enableScheduleMessageStats ? this.brokerStatsManager : null,
    );
    this.popServices = new PopServices(this, {
      wakeUpPop: (req) => wakeupPopRequest(this, req),
      wakeUpNotification: (req) => wakeupNotificationRequest(this, req),
      timerBehind: () => timerBehindSeconds(this.timerMessageStore),
    });
    const netty = options.nettyServerConfig;
    const serverConfig = {
      bindAddress: options.bindAddress ?? "0.0.0.0",
      serverChannelMaxIdleTimeSeconds: netty.serverChannelMaxIdleTimeSeconds,
      serverOnewaySemaphoreValue: netty.serverOnewaySemaphoreValue,
      serverAsyncSemaphoreValue: netty.serverAsyncSemaphoreValue,
      ioThreads: netty.serverSelectorThreads,
      ...(options.tls ? { tls: options.tls } : {}),
      logger: namedLogger(this.logger, LoggerName.REMOTING),
    };
    this.remotingServer = new RemotingServer({ ...serverConfig, listenPort: netty.listenPort });
    this.fastRemotingServer = new RemotingServer({ ...serverConfig, listenPort: netty.listenPort - 2 });
    this.tlsWatcher = options.tls
      ? new ServerTlsWatcher(options.tls, [this.remotingServer, this.fastRemotingServer], serverConfig.logger)
      : null;
    this.brokerOuterAPI = new BrokerOuterAPI(
      this.logger,
      options.nettyClientConfig.connectTimeoutMillis,
      options.nettyClientConfig.useTLS ? (options.clientTls ?? { verifyServer: false }) : undefined,
    );
    this.configuration = this.buildConfiguration();
    this.registerProcessors();
    this.slaveSynchronize = new SlaveSynchronize({
      client: this.brokerOuterAPI.client,
      logger: this.logger,
      storeRoot: root,
      brokerAddr: this.brokerAddr,
      topicConfigManager: this.topicConfigManager,
      consumerOffsetManager: this.consumerOffsetManager,
      subscriptionGroupManager: this.subscriptionGroupManager,
      timerMessageStore: () => this.timerMessageStore,
    });
    this.roleChangeHandler = this.dledgerMember ? this.createRoleChangeHandler(this.dledgerMember) : null;
    const haMaster = this.storeConfig.haMasterAddress;
    this.updateMasterHAServerAddrPeriodically = !(haMaster && haMaster.length >= 6);
  }

  /** Java's DLedgerRoleChangeHandler on this broker and its store. */
  private createRoleChangeHandler(member: DLedgerMember): DLedgerRoleChangeHandler {
    const handler = new DLedgerRoleChangeHandler(
      {
        brokerRole: () => this.storeConfig.brokerRole,
        changeToSlave: (brokerId) => this.changeToSlave(brokerId),
        changeToMaster: (role) => this.changeToMaster(role),
        isLeader: () => member.isLeader,
        ledgerEndIndex: () => member.store.getLedgerEndIndex(),
        committedIndex: () => member.store.getCommittedIndex(),
        dispatchBehindBytes: () => this.store.dispatchBehindBytes(),
        recoverTopicQueueTable: () => this.store.recoverTopicQueueTable(),
      },
      { followerBrokerId: dledgerFollowerBrokerId(member.selfId), logger: this.logger },
    );
    member.addRoleChangeListener((term, role) => void handler.handle(term, role));
    return handler;
  }

  /** Java's changeToSlave: SLAVE with `brokerId`, no schedule / transaction check, metadata sync from the master, register. */
  async changeToSlave(brokerId: number): Promise<void> {
    const bc = this.brokerConfig;
    this.logger.info(`Begin to change to slave brokerName=${bc.brokerName} brokerId=${brokerId}`);
    bc.brokerId = brokerId === 0 ? 1 : brokerId;
    this.storeConfig.brokerRole = "SLAVE";
    this.scheduleMessageService.shutdown();
    this.timerMessageStore?.setShouldRunningDequeue(false);
    this.popServices.setShouldRevive(false);
    await this.transactionalMessageCheckService.shutdown();
    this.handleSlaveSynchronize("SLAVE");
    await this.registerBrokerAll(true).catch(() => undefined);
    this.logger.info(`Finish to change to slave brokerName=${bc.brokerName} brokerId=${brokerId}`);
  }

  /** Java's changeToMaster: stop syncing, schedule and transaction check on, brokerId 0 with `role`, register. */
  async changeToMaster(role: "SYNC_MASTER" | "ASYNC_MASTER"): Promise<void> {
    const bc = this.brokerConfig;
    this.logger.info(`Begin to change to master brokerName=${bc.brokerName}`);
    this.handleSlaveSynchronize(role);
    this.scheduleMessageService.start();
    this.timerMessageStore?.setShouldRunningDequeue(true);
    this.popServices.setShouldRevive(true);
    this.transactionalMessageCheckService.start();
    bc.brokerId = 0;
    this.storeConfig.brokerRole = role;
    await this.registerBrokerAll(true).catch(() => undefined);
    this.logger.info(`Finish to change to master brokerName=${bc.brokerName}`);
  }

  /** A slave copies topics, offsets and groups from its master every 10 s (first after 3 s); a master stops. */
  private handleSlaveSynchronize(role: string): void {
    for (const t of this.slaveSyncTimers) clearTimeout(t);
    this.slaveSyncTimers = [];
    this.slaveSynchronize.masterAddr = null;
    if (role !== "SLAVE" || this.shuttingDown) return;
    const first = setTimeout(() => {
      void this.slaveSynchronize.syncAll();
      const every = setInterval(() => void this.slaveSynchronize.syncAll(), 10_000);
      every.unref();
      this.slaveSyncTimers.push(every);
    }, 3000);
    first.unref();
    // the timer checkpoint is latency-sensitive: every 3 s (Java's DLedgerRoleChangeHandler)
    const timerSync = setInterval(() => void this.slaveSynchronize.syncTimerCheckPoint(), 3000);
    timerSync.unref();
    this.slaveSyncTimers.push(first, timerSync);
  }

  /** Every code of processor/BrokerProcessors on both ports, pulls on the main port only. */
  private registerProcessors(): void {
    const { bothPorts, mainPortOnly } = brokerProcessors(this);
    for (const server of [this.remotingServer, this.fastRemotingServer]) {
      for (const [code, p] of bothPorts) server.registerProcessor(code, p);
      server.on("close", (conn: Connection) => {
        this.consumerManager.doChannelCloseEvent(conn);
        this.producerManager.doChannelCloseEvent(conn);
      });
    }
    for (const [code, p] of mainPortOnly) this.remotingServer.registerProcessor(code, p);
  }

  /** Load configs and the store (Java's BrokerController.initialize). */
  initialize(): void {
    this.topicConfigManager.load();
    this.consumerOffsetManager.load();
    this.consumerFilterManager.load();
    this.subscriptionGroupManager.load();
    this.popServices.load();
    this.store.load();
    if (this.storeConfig.timerWheelEnable) {
      const stats = this.brokerStatsManager;
      this.timerMessageStore = new TimerMessageStore({
        store: this.store,
        config: this.storeConfig,
        logger: namedLogger(this.logger, LoggerName.STORE),
        onDelivered: (topic, append) => {
          stats.incTopicPutNums(topic, 1, 1);
          if (append) stats.incTopicPutSize(topic, append.wroteBytes);
          stats.incBrokerPutNums(1);
        },
      });
      this.timerMessageStore.load();
    }
    this.scheduleMessageService.load();
    this.accessValidator = createAccessValidator(
      this.brokerConfig.aclEnable,
      namedLogger(this.logger, LoggerName.COMMON),
    );
    if (this.accessValidator) {
      const hook = aclServerHook(this.accessValidator);
      this.remotingServer.registerRPCHook(hook);
      this.fastRemotingServer.registerRPCHook(hook);
    }
  }

  get brokerAddr(): string {
    return `${this.brokerConfig.brokerIP1}:${this.options.nettyServerConfig.listenPort}`;
  }

  private identity(): BrokerIdentity {
    return {
      clusterName: this.brokerConfig.brokerClusterName,
      brokerAddr: this.brokerAddr,
      brokerName: this.brokerConfig.brokerName,
      brokerId: this.brokerConfig.brokerId,
      haServerAddr: `${this.brokerConfig.brokerIP2}:${this.storeConfig.haListenPort}`,
    };
  }

  namesrvAddrList(): string[] {
    return (this.brokerConfig.namesrvAddr ?? "")
      .split(";")
      .map((a) => a.trim())
      .filter(Boolean);
  }

  /** REGISTER_BROKER to every name server (topic perms capped by the broker permission, as Java). */
  async registerBrokerAll(oneway = false): Promise<void> {
    const addrs = this.namesrvAddrList();
    if (addrs.length === 0 || this.shuttingDown) return;
    const wrapper = this.topicConfigManager.buildTopicConfigSerializeWrapper();
    if (!isWriteable(this.brokerConfig.brokerPermission) || (this.brokerConfig.brokerPermission & 4) === 0) {
      for (const [name, c] of wrapper.topicConfigTable)
        wrapper.topicConfigTable.set(name, { ...c, perm: this.brokerConfig.brokerPermission });
    }
    const result = await this.brokerOuterAPI.registerBrokerAll(addrs, this.identity(), wrapper, {
      oneway,
      timeoutMillis: this.brokerConfig.registerBrokerTimeoutMills,
      compressed: this.brokerConfig.compressedRegister,
    });
    if (!result) return;
    // a slave learns its master here: the HA address to replicate from, the address to sync metadata from
    if (!this.dledgerMember && this.updateMasterHAServerAddrPeriodically && result.haServerAddr)
      this.store.haService.updateMasterAddress(result.haServerAddr);
    this.slaveSynchronize.masterAddr = result.masterAddr ?? null;
  }

  private notifyConsumerIdsChanged(group: string, connections: Connection[]): void {
    for (const conn of connections) {
      const req = createOnewayRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, {
        extFields: encodeHeader(NotifyConsumerIdsChangedRequestHeader, { consumerGroup: group }),
      });
      this.remotingServer.invokeOneway(conn, req, 10).catch((err: Error) => {
        this.logger.warn({ group, remote: conn.remoteAddr, err: err.message }, "notifyConsumerIdsChanged exception");
      });
    }
  }

  invokeClient(connection: Connection, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    return this.remotingServer.invokeSync(connection, request, timeoutMs);
  }

  invokeClientOneway(connection: Connection, request: RemotingCommand): Promise<void> {
    return this.remotingServer.invokeOneway(connection, request, 5000);
  }

  private buildConfiguration(): BrokerConfiguration {
    const env = process.env;
    const brokerSpec = brokerConfigSpec(env);
    const nettyServerSpec = nettyServerConfigSpecFor(10911);
    const storeSpec = messageStoreConfigSpec(env);
    const configs = [
      bindConfig(brokerSpec, this.brokerConfig),
      bindConfig(nettyServerSpec, this.options.nettyServerConfig),
      bindConfig(nettyClientConfigSpec, this.options.nettyClientConfig),
      bindConfig(storeSpec, this.storeConfig),
    ];
    const lines = (): string[] => configs.flatMap((config) => config.lines());
    // Java's Configuration.update merges only keys it already has (a config field or a key of the
    // file, `mergeIfExist`) and writes back all it has: an unknown key from UPDATE_BROKER_CONFIG is
    // dropped, an earlier update is kept.
    const persisted = new Map(this.options.fileProperties ?? []);
    const known = new Set([
      ...[brokerSpec, nettyServerSpec, nettyClientConfigSpec, storeSpec].flatMap((spec) => Object.keys(spec)),
      ...persisted.keys(),
    ]);
    return {
      lines,
      dataVersion: () => this.configDataVersion,
      update: (props) => {
        // validate everything on copies first, then apply
        const applySteps = configs.map((config) => config.prepareUpdate(props));
        const oldPermission = this.brokerConfig.brokerPermission;
        for (const apply of applySteps) apply();
        this.configDataVersion = nextDataVersion(this.configDataVersion);
        let changed = false;
        for (const [k, v] of props) {
          if (!known.has(k) || persisted.get(k) === v) continue;
          persisted.set(k, v);
          changed = true;
        }
        // an update that changes nothing in the file does not write it again: the write and its
        // fsync run on the only thread, and a peer sending unknown keys in a loop must not stall it
        const path = this.options.configFilePath ?? join(userHome(), "store", "config", "broker.properties");
        if (changed) string2File(propertiesToString(persisted), path);
        this.logger.info({ props: Object.fromEntries(props), path }, "update broker config");
        if (this.brokerConfig.brokerPermission !== oldPermission) void this.registerBrokerAll();
      },
    };
  }

  diskUsageSummary(): string {
    return diskUtil(this.storeConfig, this.store.getStorePathPhysic());
  }

  /** Take the store's lock before anything reads or recovers it (Java only locks at start). */
  lockStore(): Promise<void> {
    return this.store.lock();
  }

  async start(): Promise<void> {
    this.store.start();
    // DLedger mode: no HA, and the role (hence schedule, transaction check, registration) comes from
    // the role-change handler once the group has a leader
    const dledger = this.dledgerMember;
    // only a master dequeues timer messages (Java's changeScheduleServiceStatus)
    this.timerMessageStore?.start(!dledger && this.storeConfig.brokerRole !== "SLAVE");
    if (!dledger) await this.store.haService.start();
    if (!dledger && this.storeConfig.brokerRole !== "SLAVE") {
      this.scheduleMessageService.start();
      this.transactionalMessageCheckService.start();
    }
    await this.remotingServer.start();
    await this.fastRemotingServer.start();
    this.tlsWatcher?.start();
    this.brokerOuterAPI.client.updateNameServerAddressList(this.namesrvAddrList());
    this.pullRequestHoldService.start();
    // only a master revives un-acked POP messages (Java: brokerId 0)
    this.popServices.start(!dledger && this.storeConfig.brokerRole !== "SLAVE");
    this.eventLoopLag.start();
    if (dledger) await dledger.start();
    else await this.registerBrokerAll();
    const every = (ms: number, fn: () => void, first = ms): void => {
      const t = setTimeout(() => {
        fn();
        const i = setInterval(fn, ms);
        i.unref();
        this.timers.push(i);
      }, first);
      t.unref();
      this.timers.push(t);
    };
    const period = Math.max(10_000, Math.min(60_000, this.brokerConfig.registerNameServerPeriod));
    every(period, () => void this.registerBrokerAll(), 10_000);
    every(
      this.brokerConfig.flushConsumerOffsetInterval,
      () => {
        this.consumerOffsetManager.persist();
        this.consumerFilterManager.persist();
        this.popServices.persist();
      },
      10_000,
    );
    // Java's printWaterMark (every second, watermark log) reports how long the oldest request waited
    // in each processor pool; requests here wait for the event loop, so the line is its worst lag
    const waterMark = namedLogger(this.logger, LoggerName.WATER_MARK);
    every(1000, () => {
      waterMark.info(`[WATERMARK] Event Loop Lag Max: ${Math.round(this.eventLoopLag.takeMaxLagMs())}ms`);
    });
    every(10_000, () => {
      this.consumerManager.scanNotActiveChannel();
      this.producerManager.scanNotActiveChannel();
    });
    this.brokerStats.start(this.statsScheduler);
    if (!dledger && this.storeConfig.brokerRole === "SLAVE")
      every(10_000, () => void this.slaveSynchronize.syncAll(), 3000);
    // the timer checkpoint is latency-sensitive: every 3 s, first after 10 s (Java's BrokerController)
    if (!dledger && this.storeConfig.brokerRole === "SLAVE" && this.storeConfig.timerWheelEnable)
      every(3000, () => void this.slaveSynchronize.syncTimerCheckPoint(), 10_000);
  }

  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const t of this.timers) clearTimeout(t);
    this.handleSlaveSynchronize("");
    await this.roleChangeHandler?.shutdown();
    this.pullRequestHoldService.shutdown();
    this.eventLoopLag.stop();
    this.accessValidator?.shutdown();
    this.tlsWatcher?.stop();
    await this.brokerOuterAPI.unregisterBrokerAll(this.namesrvAddrList(), this.identity());
    await this.remotingServer.shutdown();
    await this.fastRemotingServer.shutdown();
    await this.transactionalMessageCheckService.shutdown();
    // POP: the last checkpoint offsets are committed before the offsets are written
    await this.popServices.shutdown();
    this.popServices.persist();
    this.consumerOffsetManager.persist();
    this.consumerFilterManager.persist();
    this.topicConfigManager.persist();
    this.subscriptionGroupManager.persist();
    // before the store, as Java: its last deliveries and flush go through the store
    await this.timerMessageStore?.shutdown();
    this.scheduleMessageService.shutdown();
    this.brokerStatsManager.shutdown();
    this.statsScheduler.shutdown();
    await this.store.shutdown();
    // after the store: its last flush went through the entry store, which closes with the member
    await this.dledgerMember?.shutdown();
    await this.brokerOuterAPI.shutdown();
  }
}
