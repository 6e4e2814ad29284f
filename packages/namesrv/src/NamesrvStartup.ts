/**
 * `mqnamesrv`: Java NamesrvStartup's options and output. `-c file` applies the properties to the
 * namesrv and netty-server configs, `-p` prints every config item and exits, `-n` is accepted and
 * ignored (as in Java), `-h` prints usage.
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
  parsePropertiesFile,
  parseServerOptions,
  RocketmqLogging,
  runServerMain,
  StartupError,
  systemServerTls,
  refusingBadTls,
  type StartupIo,
} from "@rocketmq-ts/common";
import { defaultSerializeType } from "@rocketmq-ts/remoting";
import { NamesrvController } from "./NamesrvController.js";
import { namesrvConfigSpec, nettyServerConfigSpec } from "./NamesrvConfig.js";

const USAGE = `usage: mqnamesrv [-c <arg>] [-h] [-n <arg>] [-p]
 -c,--configFile <arg>    Name server config properties file
 -h,--help                Print help
 -n,--namesrvAddr <arg>   Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'
 -p,--printConfigItem     Print all config items
`;

/** Parse arguments and start; resolves with the running controller, or null after -h/-p. */
export async function startNamesrv(
  argv: string[],
  io: StartupIo = consoleIo,
  env = process.env,
): Promise<NamesrvController | null> {
  const opts = parseServerOptions<{ configFile?: string; printConfigItem?: boolean; help?: boolean }>(
    "mqnamesrv",
    argv,
    io,
    USAGE,
  );
  if (opts.help) {
    io.out(USAGE);
    return null;
  }

  const spec = namesrvConfigSpec(env);
  const namesrvConfig = configDefaults(spec);
  const nettyServerConfig = configDefaults(nettyServerConfigSpec);
  let fileProperties: Map<string, string> | undefined;
  if (opts.configFile) {
    if (!existsSync(opts.configFile)) {
      io.err(`Config file ${opts.configFile} does not exist\n`);
      throw new StartupError(1);
    }
    fileProperties = parsePropertiesFile(readFileSync(opts.configFile));
    try {
      const used = new Set([
        ...applyProperties(namesrvConfig, spec, fileProperties),
        ...applyProperties(nettyServerConfig, nettyServerConfigSpec, fileProperties),
      ]);
      const unknown = [...fileProperties.keys()].filter((k) => !used.has(k));
      if (unknown.length > 0) io.err(`Unknown config keys in ${opts.configFile} (ignored): ${unknown.join(", ")}\n`);
    } catch (e) {
      if (e instanceof ConfigError) {
        io.err(`${e.message}\n`);
        throw new StartupError(1);
      }
      throw e;
    }
    namesrvConfig.configStorePath = opts.configFile;
    io.out(`load config properties file OK, ${opts.configFile}\n`);
  }

  if (opts.printConfigItem) {
    for (const line of [
      ...configLines(spec, namesrvConfig),
      ...configLines(nettyServerConfigSpec, nettyServerConfig),
    ]) {
      io.out(`${consoleLine(line)}\n`);
    }
    return null;
  }

  if (!namesrvConfig.rocketmqHome) {
    io.out(
      "Please set the ROCKETMQ_HOME variable in your environment to match the location of the RocketMQ installation\n",
    );
    throw new StartupError(-2);
  }

  let logging: RocketmqLogging;
  try {
    logging = new RocketmqLogging("namesrv");
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    throw new StartupError(-1);
  }
  const logger = logging.logger(LoggerName.NAMESRV);
  for (const line of [...configLines(spec, namesrvConfig), ...configLines(nettyServerConfigSpec, nettyServerConfig)]) {
    logger.info(line);
  }
  const tls = await refusingBadTls(() => systemServerTls(env, namedLogger(logger, LoggerName.REMOTING)), io, logger);
  const controller = new NamesrvController({
    tls,
    namesrvConfig,
    namesrvConfigSpec: spec,
    nettyServerConfig,
    logger,
    ...(fileProperties ? { fileProperties } : {}),
  });
  try {
    await controller.start();
  } catch (e) {
    const msg = (e as Error).message;
    logger.error({ err: e }, "namesrv start failed");
    io.err(`${msg}\n`);
    flushLogger(logger);
    await controller.shutdown().catch(() => undefined);
    throw new StartupError(-1);
  }
  // the shutdown hook is in place before the boot line: a SIGTERM right after it must stop cleanly
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
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
  const tip = `The Name Server boot success. serializeType=${defaultSerializeType}`;
  logger.info(tip);
  io.out(`${tip}\n`);
  return controller;
}

/** Entry point of bin/mqnamesrv. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  await runServerMain(() => startNamesrv(argv));
}
