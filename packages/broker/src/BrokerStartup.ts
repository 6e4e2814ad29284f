/**
 * `mqbroker`: Java BrokerStartup's options (-c, -n, -p, -m, -h), config files applied to BrokerConfig,
 * NettyServerConfig (listenPort 10911), NettyClientConfig and MessageStoreConfig, Java's checks and
 * boot line. Unknown and obsolete keys are accepted with a warning naming each; a value that does not
 * parse refuses to start, naming the key.
 */
import { existsSync, readFileSync } from "node:fs";
import {
  applyProperties,
  configDefaults,
  configLines,
  ConfigError,
  consoleIo,
  consoleLine,
  flushLogger,
  LoggerName,
  namedLogger,
  nettyClientConfigSpec,
  nettyServerConfigSpecFor,
  parsePropertiesFile,
  parseServerOptions,
  RocketmqLogging,
  runServerMain,
  StartupError,
  systemBrokerClientUseTLS,
  systemClientTls,
  systemServerTls,
  refusingBadTls,
  type ConfigSpec,
  type StartupIo,
} from "@rocketmq-ts/common";
import { defaultSerializeType } from "@rocketmq-ts/remoting";
import { messageStoreConfigSpec } from "@rocketmq-ts/store";
import { bloomFilterSize } from "./filter/BloomFilter.js";
import { BrokerController } from "./BrokerController.js";
import { dledgerConfigOfBroker } from "./dledger/DLedgerMember.js";
import { brokerConfigSpec, OBSOLETE_KEYS } from "./config/BrokerConfig.js";

const USAGE = `usage: mqbroker [-c <arg>] [-h] [-m] [-n <arg>] [-p]
 -c,--configFile <arg>       Broker config properties file
 -h,--help                   Print help
 -m,--printImportantConfig   Print important config item
 -n,--namesrvAddr <arg>      Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'
 -p,--printConfigItem        Print all config item
`;

export interface BrokerStartupOptions {
  env?: NodeJS.ProcessEnv;
  io?: StartupIo;
  /** Bind address (tests use 127.0.0.1). */
  bindAddress?: string;
  /** Install SIGTERM/SIGINT handlers that shut down and exit (the CLI does). */
  handleSignals?: boolean;
}

/** Parse arguments, build and start the broker; null after -h/-p/-m. */
export async function startBroker(argv: string[], opts: BrokerStartupOptions = {}): Promise<BrokerController | null> {
  const io = opts.io ?? consoleIo;
  const env = opts.env ?? process.env;
  const o = parseServerOptions<{
    configFile?: string;
    namesrvAddr?: string;
    printConfigItem?: boolean;
    printImportantConfig?: boolean;
    help?: boolean;
  }>("mqbroker", argv, io, USAGE, [{ letter: "m", long: "printImportantConfig" }]);
  if (o.help) {
    io.out(USAGE);
    return null;
  }

  const brokerSpec = brokerConfigSpec(env);
  const serverSpec = nettyServerConfigSpecFor(10911);
  const storeSpec = messageStoreConfigSpec(env);
  const brokerConfig = configDefaults(brokerSpec);
  const nettyServerConfig = configDefaults(serverSpec);
  const nettyClientConfig = configDefaults(nettyClientConfigSpec);
  // Java's BrokerStartup: -Dtls.enable, else whether tls.server.mode is enforcing; useTLS in the -c file wins
  nettyClientConfig.useTLS = await refusingBadTls(() => systemBrokerClientUseTLS(env), io);
  const messageStoreConfig = configDefaults(storeSpec);
  const warnings: string[] = [];

  if (o.configFile) {
    if (!existsSync(o.configFile)) {
      io.err(`Config file ${o.configFile} does not exist\n`);
      throw new StartupError(1);
    }
    const props = parsePropertiesFile(readFileSync(o.configFile));
    try {
      const used = new Set<string>();
      const apply = <S extends ConfigSpec>(target: Parameters<typeof applyProperties<S>>[0], spec: S): void => {
        for (const k of applyProperties(target, spec, props)) used.add(k);
      };
      apply(brokerConfig, brokerSpec);
      apply(nettyServerConfig, serverSpec);
      apply(nettyClientConfig, nettyClientConfigSpec);
      apply(messageStoreConfig, storeSpec);
      for (const key of props.keys()) {
        if (used.has(key)) continue;
        const why = OBSOLETE_KEYS[key];
        warnings.push(why ? `obsolete config key '${key}' ignored: ${why}` : `unknown config key '${key}' ignored`);
      }
    } catch (e) {
      if (e instanceof ConfigError) {
        io.err(`${e.message}\n`);
        throw new StartupError(1);
      }
      throw e;
    }
  }
  if (o.namesrvAddr !== undefined) brokerConfig.namesrvAddr = o.namesrvAddr;
  try {
    bloomFilterSize(brokerConfig.maxErrorRateOfBloomFilter, brokerConfig.expectConsumerNumUseFilter);
    // DLedger mode: dLegerGroup / dLegerPeers / dLegerSelfId must make a member (errors name the key)
    if (messageStoreConfig.enableDLegerCommitLog) dledgerConfigOfBroker(messageStoreConfig);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.err(`${e.message}\n`);
    throw new StartupError(1);
  }

  if (o.printConfigItem || o.printImportantConfig) {
    const onlyImportant = !o.printConfigItem;
    const lines = [
      ...configLines(brokerSpec, brokerConfig, { onlyImportant }),
      ...configLines(serverSpec, nettyServerConfig, { onlyImportant }),
      ...configLines(nettyClientConfigSpec, nettyClientConfig, { onlyImportant }),
      ...configLines(storeSpec, messageStoreConfig, { onlyImportant }),
    ];
    for (const line of lines) io.out(`${consoleLine(line)}\n`);
    return null;
  }

  if (!brokerConfig.rocketmqHome) {
    io.out(
      "Please set the ROCKETMQ_HOME variable in your environment to match the location of the RocketMQ installation\n",
    );
    throw new StartupError(-2);
  }
  if (brokerConfig.namesrvAddr) {
    for (const addr of brokerConfig.namesrvAddr.split(";")) {
      if (!/^[^:]+:\d+$/.test(addr.trim())) {
        io.out(
          `The Name Server Address[${brokerConfig.namesrvAddr}] illegal, please set it as follows, "127.0.0.1:9876;192.168.0.1:9876"\n`,
        );
        throw new StartupError(-3);
      }
    }
  }
  if (messageStoreConfig.brokerRole === "SLAVE") {
    if (brokerConfig.brokerId <= 0) {
      io.out("Slave's brokerId must be > 0\n");
      throw new StartupError(-3);
    }
  } else {
    brokerConfig.brokerId = 0;
  }
  // a DLedger broker's id comes from its role (0 as leader, selfId + 1 as follower)
  if (messageStoreConfig.enableDLegerCommitLog) brokerConfig.brokerId = -1;
  messageStoreConfig.haListenPort = nettyServerConfig.listenPort + 1;

  let logging: RocketmqLogging;
  try {
    // Java's ${brokerLogDir}: the logs of several brokers on one host apart when isolateLogEnable
    const logId = messageStoreConfig.enableDLegerCommitLog ? messageStoreConfig.dLegerSelfId : brokerConfig.brokerId;
    const subDir = brokerConfig.isolateLogEnable ? `${brokerConfig.brokerName}_${logId}` : "";
    logging = new RocketmqLogging("broker", { subDir });
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    throw new StartupError(-1);
  }
  const logger = logging.logger(LoggerName.BROKER);
  for (const w of warnings) {
    logger.warn(w);
    io.err(`WARN: ${w}\n`);
  }
  for (const line of [
    ...configLines(brokerSpec, brokerConfig),
    ...configLines(serverSpec, nettyServerConfig),
    ...configLines(nettyClientConfigSpec, nettyClientConfig),
    ...configLines(storeSpec, messageStoreConfig),
  ]) {
    logger.info(line);
  }

  // TLS on both ports (tls.server.*) and for the broker's client (tls.client.*): a bad file refuses to start
  const tls = await refusingBadTls(() => systemServerTls(env, namedLogger(logger, LoggerName.REMOTING)), io, logger);
  const clientTls = nettyClientConfig.useTLS ? await refusingBadTls(() => systemClientTls(env), io, logger) : undefined;
  const controller = new BrokerController({
    tls,
    ...(clientTls ? { clientTls } : {}),
    ...(o.configFile
      ? { configFilePath: o.configFile, fileProperties: parsePropertiesFile(readFileSync(o.configFile)) }
      : {}),
    brokerConfig,
    nettyServerConfig,
    nettyClientConfig,
    messageStoreConfig,
    logger,
    ...(opts.bindAddress ? { bindAddress: opts.bindAddress } : {}),
  });
  try {
    await controller.lockStore();
    controller.initialize();
    await controller.start();
  } catch (e) {
    const msg = (e as Error).message;
    logger.error({ err: e }, "broker start failed");
    io.err(`${msg}\n`);
    await controller.shutdown().catch(() => undefined);
    flushLogger(logger);
    throw new StartupError(-1);
  }
  // the shutdown hook is in place before the boot line: a SIGTERM right after it must stop cleanly
  if (opts.handleSignals) {
    let stopping = false;
    const shutdown = async (signal: string): Promise<void> => {
      if (stopping) return; // a second signal during shutdown changes nothing, as with Java's hooks
      stopping = true;
      const begin = Date.now();
      logger.info({ signal }, "Shutdown hook was invoked, 1");
      await controller.shutdown();
      logger.info(`Shutdown hook over, the cost time(ms): ${Date.now() - begin}`);
      flushLogger(logger);
      process.exit(0);
    };
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    process.on("SIGINT", () => void shutdown("SIGINT"));
  }
  let tip = `The broker[${brokerConfig.brokerName}, ${controller.brokerAddr}] boot success. serializeType=${defaultSerializeType}`;
  if (brokerConfig.namesrvAddr) tip += ` and name server is ${brokerConfig.namesrvAddr}`;
  logger.info(tip);
  io.out(`${tip}\n`);
  return controller;
}

/** Entry point of bin/mqbroker. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  await runServerMain(() => startBroker(argv, { handleSignals: true }));
}
