import type { PlainAccessValidator } from "@rocketmq-ts/acl";
/**
 * A BrokerContext for processor unit tests: the real store (a DefaultMessageStore in a temp dir) and
 * the real managers, wired as BrokerController wires them, without BrokerController, name servers or
 * any listening socket. Requests go straight to the processors of processor/BrokerProcessors.
 *
 * What has no real counterpart here: calls to clients (`invokeClient` / `invokeClientOneway`) are
 * recorded and answered by the test's `clientAnswer`, and consumer-membership changes notify nobody.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach } from "vitest";
import {
  applyProperties,
  configDefaults,
  configLines,
  ManualStatsScheduler,
  newDataVersion,
  nextDataVersion,
} from "@rocketmq-ts/common";
import {
  Connection,
  createRequest,
  parseAddr,
  type ExtFields,
  type RemotingCommand,
  type RequestProcessor,
} from "@rocketmq-ts/remoting";
import {
  commitLogStorePath,
  DefaultMessageStore,
  messageStoreConfigSpec,
  type MessageStoreConfig,
} from "@rocketmq-ts/store";
import { parseHost } from "@rocketmq-ts/common";
import type { BrokerConfiguration, BrokerContext } from "../../src/BrokerContext.js";
import { BrokerStats } from "../../src/stats/BrokerStats.js";
import { BrokerStatsManager } from "../../src/stats/BrokerStatsManager.js";
import { ConsumerManager } from "../../src/client/ConsumerManager.js";
import { ProducerManager } from "../../src/client/ProducerManager.js";
import { RebalanceLockManager } from "../../src/client/RebalanceLockManager.js";
import { brokerConfigSpec, type BrokerConfig } from "../../src/config/BrokerConfig.js";
import { EventLoopLag } from "../../src/EventLoopLag.js";
import { ConsumerFilterManager } from "../../src/filter/ConsumerFilterManager.js";
import { PullRequestHoldService } from "../../src/longpolling/PullRequestHoldService.js";
import { ConsumerOffsetManager } from "../../src/offset/ConsumerOffsetManager.js";
import { brokerProcessors } from "../../src/processor/BrokerProcessors.js";
import { wakeupPullRequest } from "../../src/processor/PullMessageProcessor.js";
import { wakeupNotificationRequest } from "../../src/processor/NotificationProcessor.js";
import { wakeupPopRequest } from "../../src/processor/PopMessageProcessor.js";
import { PopServices, type PopServicesOptions } from "../../src/pop/PopServices.js";
import { diskUtil } from "../../src/processor/SendMessageProcessor.js";
import { ScheduleMessageService } from "../../src/schedule/ScheduleMessageService.js";
import { SubscriptionGroupManager } from "../../src/subscription/SubscriptionGroupManager.js";
import { TopicConfigManager } from "../../src/topic/TopicConfigManager.js";
import { TransactionalMessageBridge } from "../../src/transaction/TransactionalMessageBridge.js";

export interface ClientCall {
  readonly connection: Connection;
  readonly request: RemotingCommand;
  readonly oneway: boolean;
}

export interface TestBrokerOptions {
  brokerConfig?: Partial<BrokerConfig>;
  storeConfig?: Partial<MessageStoreConfig>;
  /** Clock and timers of the stats (default: a manual scheduler at the real time; see `statsScheduler`). */
  statsScheduler?: ManualStatsScheduler;
  /** How a client answers a request the broker sends it; by default no client answers (the call fails). */
  clientAnswer?: (call: ClientCall) => Promise<RemotingCommand>;
  /** Plain ACL of the broker (default none, as aclEnable=false). */
  accessValidator?: PlainAccessValidator;
  /** Clock, random and revive clock of the POP services (default: real ones). */
  pop?: Pick<PopServicesOptions, "now" | "random" | "reviveClock" | "timerBehind">;
}

export interface TestBroker {
  readonly ctx: BrokerContext;
  readonly root: string;
  /** The stats' clock: `advance` it to take samples. */
  readonly statsScheduler: ManualStatsScheduler;
  /** Lines the stats logged (the stats.log lines). */
  readonly statsLines: string[];
  /** Requests the processors sent to clients, in order. */
  readonly clientCalls: ClientCall[];
  /** Answer a request as the broker's main port would (pulls included); throws for an unknown code. */
  handle(request: RemotingCommand, connection?: Connection): Promise<RemotingCommand | null>;
  close(): Promise<void>;
}

const silent = pino({ level: "silent" });

/**
 * A connection as a processor sees it: a peer address and nothing behind it (a socket that never
 * connects; a write to it fails with "Socket is closed", which the processors tolerate).
 */
export function peerConnection(remoteAddr = "127.0.0.1:50001"): Connection {
  const { host, port } = parseAddr(remoteAddr);
  const socket = new Socket();
  Object.defineProperty(socket, "remoteAddress", { value: host });
  Object.defineProperty(socket, "remotePort", { value: port });
  return new Connection(socket, {
    maxFrameLength: 16 * 1024 * 1024,
    idleTimeoutMs: 0,
    writeHighWaterMark: 1 << 20,
    logger: silent,
  });
}

/** A request with the given header fields (values as strings, as on the wire) and body. */
export function request(
  code: number,
  extFields: ExtFields,
  body: Buffer | null = null,
  version?: number,
): RemotingCommand {
  return createRequest(code, { extFields, body, ...(version !== undefined ? { version } : {}) });
}

/** The configuration GET/UPDATE_BROKER_CONFIG see: BrokerConfig and MessageStoreConfig (not persisted). */
function testConfiguration(brokerConfig: BrokerConfig, storeConfig: MessageStoreConfig): BrokerConfiguration {
  const brokerSpec = brokerConfigSpec({});
  const storeSpec = messageStoreConfigSpec({});
  let version = newDataVersion();
  return {
    lines: () => [...configLines(brokerSpec, brokerConfig), ...configLines(storeSpec, storeConfig)],
    dataVersion: () => version,
    update: (props) => {
      applyProperties(brokerConfig, brokerSpec, props);
      applyProperties(storeConfig, storeSpec, props);
      version = nextDataVersion(version);
    },
  };
}

export function testBroker(options: TestBrokerOptions = {}): TestBroker {
  const root = mkdtempSync(join(tmpdir(), "broker-unit-"));
  const brokerConfig: BrokerConfig = {
    ...configDefaults(brokerConfigSpec({})),
    brokerIP1: "127.0.0.1",
    brokerName: "broker-unit",
    brokerClusterName: "UnitCluster",
    namesrvAddr: null,
    ...options.brokerConfig,
  };
  const storeConfig: MessageStoreConfig = {
    ...configDefaults(messageStoreConfigSpec({})),
    storePathRootDir: root,
    mappedFileSizeCommitLog: 1024 * 1024,
    mappedFileSizeConsumeQueue: 20 * 1000,
    maxHashSlotNum: 64,
    maxIndexNum: 256,
    ...options.storeConfig,
  };
  const storeHost = parseHost("127.0.0.1:10911");
  const statsScheduler = options.statsScheduler ?? new ManualStatsScheduler(Date.now());
  const statsLines: string[] = [];
  const statsLog = { info: (msg: string): void => void statsLines.push(msg) };
  // as BrokerController: a dispatched message wakes parked POP / NOTIFICATION requests
  let popServices: PopServices | undefined;
  const store = new DefaultMessageStore(storeConfig, {
    logger: silent,
    storeHost,
    statsScheduler,
    onDispatched: (req) =>
      popServices?.notifyMessageArriving(
        req.topic,
        req.queueId,
        req.consumeQueueOffset + 1,
        req.tagsCode,
        req.propertiesString,
      ),
  });
  const brokerStatsManager = new BrokerStatsManager({
    clusterName: brokerConfig.brokerClusterName,
    enableQueueStat: brokerConfig.enableDetailStat,
    scheduler: statsScheduler,
    statsLog,
  });
  const consumerFilterManager = new ConsumerFilterManager(root, silent, () => brokerConfig.filterDataCleanTimeSpan);
  // as BrokerController: a group's SQL92 subscriptions are registered with the filter manager
  const consumerManager: ConsumerManager = new ConsumerManager((event, group) => {
    if (event === "REGISTER") {
      const info = consumerManager.getConsumerGroupInfo(group);
      if (info) consumerFilterManager.register(group, [...info.subscriptionTable.values()]);
    } else if (event === "UNREGISTER") consumerFilterManager.unRegister(group);
  }, silent);
  const clientCalls: ClientCall[] = [];
  const answer =
    options.clientAnswer ?? ((): Promise<RemotingCommand> => Promise.reject(new Error("no client in this test")));
  const eventLoopLag = new EventLoopLag();
  let bridge: TransactionalMessageBridge | undefined;

  const ctx: BrokerContext = {
    brokerConfig,
    storeConfig,
    store,
    storeHost,
    brokerAddr: "127.0.0.1:10911",
    accessValidator: options.accessValidator ?? null,
    topicConfigManager: new TopicConfigManager(brokerConfig, root, silent),
    subscriptionGroupManager: new SubscriptionGroupManager(
      root,
      () => brokerConfig.autoCreateSubscriptionGroup,
      silent,
    ),
    consumerOffsetManager: new ConsumerOffsetManager(root, silent),
    consumerFilterManager,
    consumerManager,
    producerManager: new ProducerManager(),
    pullRequestHoldService: new PullRequestHoldService(
      (held) => wakeupPullRequest(ctx, held),
      (topic, queueId) => store.getMaxOffsetInQueue(topic, queueId),
      brokerConfig.shortPollingTimeMills,
    ),
    brokerStatsManager,
    brokerStats: new BrokerStats(store.storeStatsService, statsLog),
    scheduleMessageService: new ScheduleMessageService(
      store,
      storeConfig.messageDelayLevel,
      root,
      storeConfig.flushDelayOffsetInterval,
      silent,
      storeConfig.enableScheduleMessageStats ? brokerStatsManager : null,
    ),
    get transactionalMessageBridge(): TransactionalMessageBridge {
      bridge ??= new TransactionalMessageBridge(ctx);
      return bridge;
    },
    get popServices(): PopServices {
      popServices ??= new PopServices(ctx, {
        ...options.pop,
        wakeUpPop: (req) => wakeupPopRequest(ctx, req),
        wakeUpNotification: (req) => wakeupNotificationRequest(ctx, req),
      });
      return popServices;
    },
    timerMessageStore: null,
    logger: silent,
    rebalanceLockManager: new RebalanceLockManager(),
    eventLoopLag,
    configuration: testConfiguration(brokerConfig, storeConfig),
    diskUsageSummary: () => diskUtil(storeConfig, commitLogStorePath(storeConfig)),
    invokeClient: (connection, req) => {
      const call = { connection, request: req, oneway: false };
      clientCalls.push(call);
      return answer(call);
    },
    invokeClientOneway: async (connection, req) => {
      clientCalls.push({ connection, request: req, oneway: true });
    },
  };

  store.load();
  store.start();
  eventLoopLag.start();
  const { bothPorts, mainPortOnly } = brokerProcessors(ctx);
  const processors = new Map<number, RequestProcessor>([...bothPorts, ...mainPortOnly]);
  const defaultConnection = peerConnection();

  return {
    ctx,
    root,
    statsScheduler,
    statsLines,
    clientCalls,
    handle: async (req, connection = defaultConnection) => {
      const processor = processors.get(req.code);
      if (!processor) throw new Error(`no processor for request code ${req.code}`);
      return processor(req, { connection, remoteAddr: connection.remoteAddr });
    },
    close: async () => {
      eventLoopLag.stop();
      ctx.pullRequestHoldService.shutdown();
      await popServices?.shutdown();
      await store.shutdown();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A `testBroker` factory for one test file: every broker it opens is closed after each test. */
export function testBrokers(): (options?: TestBrokerOptions) => TestBroker {
  const opened: TestBroker[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()?.close();
  });
  return (options) => {
    const broker = testBroker(options);
    opened.push(broker);
    return broker;
  };
}
