/**
 * `mqproxy`: Java ProxyStartup's options and boot line. `-pc <file>` is the JSON ProxyConfig
 * (`rmq-proxy.json`; default `<proxy home>/conf/rmq-proxy.json` when it exists), `-pm local|cluster`
 * and `-n <namesrv>` override it, `-bc <broker.conf>` names the broker of local mode (default
 * `<proxy home>/conf/broker.conf`, as Java's ProxyConfig.brokerConfigPath).
 *
 * Local mode (`mqproxy -pm local [-bc broker.conf]`, which is what `mqbroker --enable-proxy` runs, as
 * Java's script does) starts that broker inside this process, as Java's ProxyStartup does, and then
 * the gRPC server in front of it. The broker logs its boot line to broker.log; the process prints
 * the proxy's, as Java's. Difference, on purpose: the proxy reaches its broker over loopback
 * remoting (one code path with cluster mode) where Java calls the processors in-process.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  consoleIo,
  flushLogger,
  LoggerName,
  RocketmqLogging,
  runServerMain,
  StartupError,
  type StartupIo,
} from "@rocketmq-ts/common";
import { startBroker, type BrokerController } from "@rocketmq-ts/broker";
import { applyProxyConfigJson, defaultProxyConfig, parseProxyMode, type ProxyConfig } from "./config/ProxyConfig.js";
import { ProxyServer } from "./ProxyServer.js";

const USAGE = `usage: mqproxy [-bc <arg>] [-h] [-n <arg>] [-pc <arg>] [-pm <arg>]
 -bc,--brokerConfigPath <arg>   Broker config file path for local mode
 -h,--help                      Print help
 -n,--namesrvAddr <arg>         Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'
 -pc,--proxyConfigPath <arg>    Proxy config file path
 -pm,--proxyMode <arg>          Proxy run in local or cluster mode
`;

export interface ProxyArgs {
  brokerConfigPath?: string;
  namesrvAddr?: string;
  proxyConfigPath?: string;
  proxyMode?: string;
  help?: boolean;
}

const OPTION_NAMES: Record<string, Exclude<keyof ProxyArgs, "help">> = {
  "-bc": "brokerConfigPath",
  "--brokerConfigPath": "brokerConfigPath",
  "-n": "namesrvAddr",
  "--namesrvAddr": "namesrvAddr",
  "-pc": "proxyConfigPath",
  "--proxyConfigPath": "proxyConfigPath",
  "-pm": "proxyMode",
  "--proxyMode": "proxyMode",
};

export function parseProxyArgs(argv: readonly string[]): ProxyArgs {
  const out: ProxyArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "-h" || a === "--help") {
      out.help = true;
      continue;
    }
    const name = OPTION_NAMES[a];
    if (name === undefined) throw new Error(`Unrecognized option: ${a}`);
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`Missing argument for option: ${a.replace(/^-+/, "")}`);
    out[name] = value;
    i++;
  }
  return out;
}

/** Java's ConfigurationManager proxy home: RMQ_PROXY_HOME, else ROCKETMQ_HOME, else the working directory. */
export function proxyHome(env: NodeJS.ProcessEnv): string {
  return env["RMQ_PROXY_HOME"] || env["ROCKETMQ_HOME"] || "./";
}

/**
 * The proxy's configuration as Java's ProxyStartup builds it: the JSON file (`-pc`, else
 * `<proxy home>/conf/rmq-proxy.json` when it exists), then `-bc`, `-pm`, `-n`; the broker of local mode
 * defaults to `<proxy home>/conf/broker.conf` (ProxyConfig.brokerConfigPath). Refuses a cluster
 * mode without a name server.
 */
export function resolveProxyConfig(args: ProxyArgs, env: NodeJS.ProcessEnv): ProxyConfig {
  let config = defaultProxyConfig(env);
  const home = proxyHome(env);
  const configPath = args.proxyConfigPath ?? join(home, "conf", "rmq-proxy.json");
  if (args.proxyConfigPath !== undefined || existsSync(configPath)) {
    config = applyProxyConfigJson(config, JSON.parse(readFileSync(configPath, "utf8")) as unknown);
  }
  if (args.brokerConfigPath !== undefined && args.brokerConfigPath.trim() !== "")
    config.brokerConfigPath = args.brokerConfigPath;
  if (config.brokerConfigPath === "") config.brokerConfigPath = join(home, "conf", "broker.conf");
  if (args.proxyMode !== undefined) config.proxyMode = parseProxyMode(args.proxyMode);
  if (args.namesrvAddr !== undefined) config.namesrvAddr = args.namesrvAddr;
  if (config.proxyMode === "CLUSTER" && config.namesrvAddr === "")
    throw new Error("namesrvAddr is not set: -n <addr>, NAMESRV_ADDR or rmq-proxy.json");
  return config;
}

export async function startProxy(
  argv: string[],
  io: StartupIo = consoleIo,
  env = process.env,
): Promise<ProxyServer | null> {
  let args: ProxyArgs;
  try {
    args = parseProxyArgs(argv);
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    throw new StartupError(1);
  }
  if (args.help) {
    io.out(USAGE);
    return null;
  }
  let config: ProxyConfig;
  try {
    config = resolveProxyConfig(args, env);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    throw new StartupError(1);
  }
  // local mode: the broker of -bc in this process first (its own -c file, -n when the proxy has one),
  // as Java's createBrokerController; its boot line goes to its log, the process prints the proxy's
  let broker: BrokerController | null = null;
  if (config.proxyMode === "LOCAL") {
    const brokerArgv = [
      "-c",
      config.brokerConfigPath,
      ...(config.namesrvAddr !== "" ? ["-n", config.namesrvAddr] : []),
    ];
    broker = await startBroker(brokerArgv, { env, io: { out: () => undefined, err: (text) => io.err(text) } });
    if (broker === null) throw new StartupError(1);
    if (config.namesrvAddr === "") config.namesrvAddr = broker.brokerConfig.namesrvAddr ?? "";
    if (config.namesrvAddr === "") {
      io.err("namesrvAddr is not set: -n <addr>, the broker's namesrvAddr or rmq-proxy.json\n");
      await broker.shutdown();
      throw new StartupError(1);
    }
  }
  let logging: RocketmqLogging;
  try {
    logging = new RocketmqLogging("proxy");
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    throw new StartupError(-1);
  }
  const logger = logging.logger(LoggerName.PROXY);
  logger.info({ config }, "proxy config");
  const server = new ProxyServer({
    config,
    logger,
    ...(broker !== null ? { localBrokerAddr: broker.brokerAddr, localConsumerManager: broker.consumerManager } : {}),
  });
  try {
    await server.start();
  } catch (e) {
    logger.error({ err: e }, "proxy start failed");
    io.err(`${(e as Error).message}\n`);
    flushLogger(logger);
    await server.shutdown().catch(() => undefined);
    await broker?.shutdown().catch(() => undefined);
    throw new StartupError(-1);
  }
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "proxy shutdown");
    await server.shutdown();
    // the gRPC server first (no new requests), then the broker it fronts
    await broker?.shutdown();
    flushLogger(logger);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  const line = "rocketmq-proxy startup successfully";
  logger.info(line);
  io.out(`${line}\n`);
  return server;
}

/** Entry point of bin/mqproxy. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  await runServerMain(() => startProxy(argv));
}
