/**
 * This process's TLS settings as 4.9.8 reads them (remoting's `TlsSystemConfig` has the keys and the
 * rules): `-D` words in JAVA_OPT / JAVA_OPT_EXT, then `tls.config.file` over them. Servers (broker,
 * name server) take their mode and context from here; clients (the client library, mqadmin, the
 * benchmarks, the broker towards name servers) whether to use TLS and what to present and trust.
 * Every function throws `TlsConfigError` naming the key of a setting that cannot be used.
 */
import { readFileSync, statSync } from "node:fs";
import {
  buildClientTls,
  buildServerTls,
  loadTlsSystemConfig,
  tlsConfigLines,
  tlsEnableOf,
  tlsServerModeOf,
  type ClientTls,
  type ServerTls,
  type TlsConfigSource,
  type TlsLogger,
  type TlsMode,
} from "@rocketmq-ts/remoting";
import type { Logger } from "pino";
import { TlsConfigError } from "@rocketmq-ts/remoting";
import { flushLogger } from "./logging.js";
import { parsePropertiesFile } from "./properties.js";
import { StartupError, type StartupIo } from "./serverStartup.js";
import { systemProperty } from "./systemProperties.js";

/** System properties of `env` and properties files read as Java's `Properties.load` does. */
export function systemTlsConfigSource(env: NodeJS.ProcessEnv = process.env): TlsConfigSource {
  return {
    property: (key) => systemProperty(key, env),
    readProperties: (path) => {
      try {
        return statSync(path).isFile() ? parsePropertiesFile(readFileSync(path)) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** `tls.server.mode` (permissive when not given, as in Java). */
export function systemTlsServerMode(env: NodeJS.ProcessEnv = process.env): TlsMode {
  return tlsServerModeOf(systemTlsConfigSource(env));
}

/** Java's ClientConfig default of `useTLS`: `tls.enable`, false when not given. */
export function systemTlsEnable(env: NodeJS.ProcessEnv = process.env): boolean {
  return tlsEnableOf(systemTlsConfigSource(env)) ?? false;
}

/** The broker's client (BrokerStartup): `tls.enable`, else whether the server mode is enforcing. */
export function systemBrokerClientUseTLS(env: NodeJS.ProcessEnv = process.env): boolean {
  const source = systemTlsConfigSource(env);
  return tlsEnableOf(source) ?? tlsServerModeOf(source) === "enforcing";
}

/** What a TLS client of this process presents and trusts (`tls.client.*`). */
export function systemClientTls(env: NodeJS.ProcessEnv = process.env): ClientTls {
  return buildClientTls(loadTlsSystemConfig(systemTlsConfigSource(env)));
}

/**
 * A server's TLS: the mode, and unless it is disabled the context (a self-signed certificate is made
 * in test mode). Logs the mode and the settings used, as Java's server does at start.
 */
export async function systemServerTls(env: NodeJS.ProcessEnv, log: TlsLogger): Promise<ServerTls> {
  const source = systemTlsConfigSource(env);
  const mode = tlsServerModeOf(source);
  log.info({}, `tls.server.mode = ${mode}`);
  if (mode === "disabled") return { mode, context: null };
  const config = loadTlsSystemConfig(source, (key, file) =>
    log.warn({ file }, `${key} in the TLS config file is ignored: only a system property (-D${key}=) sets it`),
  );
  for (const line of tlsConfigLines(config)) log.info({}, line);
  return buildServerTls(mode, config, log);
}

/**
 * A server's start-up step that reads TLS settings: a TlsConfigError refuses the start — logged, printed
 * on stderr and exit status 1 — anything else is thrown on.
 */
export async function refusingBadTls<T>(load: () => T | Promise<T>, io: StartupIo, logger?: Logger): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (!(e instanceof TlsConfigError)) throw e;
    logger?.error(e.message);
    io.err(`${e.message}\n`);
    if (logger) flushLogger(logger);
    throw new StartupError(1);
  }
}
