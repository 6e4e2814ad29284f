/**
 * TLS settings as Apache RocketMQ 4.9.8 reads them (`TlsSystemConfig`, `TlsHelper`): Java system
 * properties (`-Dkey=value`), then the properties file named by `tls.config.file`
 * (`/etc/rocketmq/tls.properties` by default), whose values win — for every key except
 * `tls.server.mode` and `tls.enable`, which only system properties set.
 *
 * | key                             | Java's default                 |
 * | ------------------------------- | ------------------------------ |
 * | `tls.server.mode`               | permissive                     |
 * | `tls.enable`                    | false (the broker: see below)  |
 * | `tls.config.file`               | /etc/rocketmq/tls.properties   |
 * | `tls.test.mode.enable`          | true                           |
 * | `tls.server.need.client.auth`   | none (none, optional, require) |
 * | `tls.server.keyPath`            | —                              |
 * | `tls.server.keyPassword`        | —                              |
 * | `tls.server.certPath`           | —                              |
 * | `tls.server.authClient`         | false                          |
 * | `tls.server.trustCertPath`      | —                              |
 * | `tls.client.keyPath`            | —                              |
 * | `tls.client.keyPassword`        | —                              |
 * | `tls.client.certPath`           | —                              |
 * | `tls.client.authServer`         | false                          |
 * | `tls.client.trustCertPath`      | —                              |
 *
 * The broker's own client (to name servers and its master) uses TLS when `tls.enable` says so and,
 * when it is not given, when the server mode is enforcing (4.9.8's BrokerStartup).
 *
 * Differences from Java, on purpose (a typo must not quietly weaken security): an unknown mode or
 * client-auth value and a boolean other than true/false refuse to start, naming the key (Java falls
 * back to permissive, none and false); the mode is read case-insensitively; an explicitly given
 * `tls.config.file` that cannot be read refuses to start (Java skips a missing file, which stays
 * true of the default path). Empty values count as not set, as in Java.
 */

export const TlsKey = {
  SERVER_MODE: "tls.server.mode",
  ENABLE: "tls.enable",
  CONFIG_FILE: "tls.config.file",
  TEST_MODE_ENABLE: "tls.test.mode.enable",
  SERVER_NEED_CLIENT_AUTH: "tls.server.need.client.auth",
  SERVER_KEY_PATH: "tls.server.keyPath",
  SERVER_KEY_PASSWORD: "tls.server.keyPassword",
  SERVER_CERT_PATH: "tls.server.certPath",
  SERVER_AUTH_CLIENT: "tls.server.authClient",
  SERVER_TRUST_CERT_PATH: "tls.server.trustCertPath",
  CLIENT_KEY_PATH: "tls.client.keyPath",
  CLIENT_KEY_PASSWORD: "tls.client.keyPassword",
  CLIENT_CERT_PATH: "tls.client.certPath",
  CLIENT_AUTH_SERVER: "tls.client.authServer",
  CLIENT_TRUST_CERT_PATH: "tls.client.trustCertPath",
} as const;

export const DEFAULT_TLS_CONFIG_FILE = "/etc/rocketmq/tls.properties";

/** disabled: plain only (a TLS hello is closed); permissive: plain and TLS on one port; enforcing: TLS only. */
export type TlsMode = "disabled" | "permissive" | "enforcing";
export const TLS_MODES: readonly TlsMode[] = ["disabled", "permissive", "enforcing"];

/** Netty's ClientAuth: whether a server asks TLS clients for a certificate. */
export type ClientAuthMode = "none" | "optional" | "require";
const CLIENT_AUTH_MODES: readonly ClientAuthMode[] = ["none", "optional", "require"];

export interface TlsSystemConfig {
  /** The file that was read over the system properties, or null when there was none. */
  configFile: string | null;
  testModeEnable: boolean;
  serverNeedClientAuth: ClientAuthMode;
  serverKeyPath: string | null;
  serverKeyPassword: string | null;
  serverCertPath: string | null;
  /** Verify client certificates against `serverTrustCertPath` (false: any certificate is accepted). */
  serverAuthClient: boolean;
  serverTrustCertPath: string | null;
  clientKeyPath: string | null;
  clientKeyPassword: string | null;
  clientCertPath: string | null;
  /** Verify the server's certificate chain (false: any server is trusted). */
  clientAuthServer: boolean;
  clientTrustCertPath: string | null;
}

/** A TLS setting that cannot be used; the message names the key. */
export class TlsConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = "TlsConfigError";
  }
}

/** Where the settings come from: Java system properties and the reading of a properties file. */
export interface TlsConfigSource {
  /** `-Dkey=value`; undefined when not given. */
  property(key: string): string | undefined;
  /** The key/values of a properties file; undefined when it does not exist or is not a readable file. */
  readProperties(path: string): ReadonlyMap<string, string> | undefined;
}

/** `tls.server.mode` (permissive when not given). */
export function tlsServerModeOf(source: TlsConfigSource): TlsMode {
  const raw = nonEmpty(source.property(TlsKey.SERVER_MODE));
  if (raw === null) return "permissive";
  const mode = TLS_MODES.find((m) => m === raw.trim().toLowerCase());
  if (!mode) throw new TlsConfigError(TlsKey.SERVER_MODE, `'${raw}' is not one of ${TLS_MODES.join(", ")}`);
  return mode;
}

/** `tls.enable`: whether clients use TLS; undefined when not given. */
export function tlsEnableOf(source: TlsConfigSource): boolean | undefined {
  const raw = nonEmpty(source.property(TlsKey.ENABLE));
  return raw === null ? undefined : parseBoolean(TlsKey.ENABLE, raw);
}

/** What TLS keys the file may set (all but the mode and `tls.enable`). */
const FILE_KEYS: readonly string[] = Object.values(TlsKey).filter(
  (k) => k !== TlsKey.SERVER_MODE && k !== TlsKey.ENABLE && k !== TlsKey.CONFIG_FILE,
);

/**
 * Every key but the mode and `tls.enable`: system properties, then `tls.config.file` over them.
 * `onIgnored` hears keys of the file that only system properties set (Java ignores them silently).
 */
export function loadTlsSystemConfig(
  source: TlsConfigSource,
  onIgnored: (key: string, file: string) => void = () => undefined,
): TlsSystemConfig {
  const values = new Map<string, string>();
  for (const key of FILE_KEYS) {
    const v = nonEmpty(source.property(key));
    if (v !== null) values.set(key, v);
  }
  const explicitFile = nonEmpty(source.property(TlsKey.CONFIG_FILE));
  const path = explicitFile ?? DEFAULT_TLS_CONFIG_FILE;
  const fileProps = source.readProperties(path);
  if (!fileProps && explicitFile !== null)
    throw new TlsConfigError(TlsKey.CONFIG_FILE, `${path} does not exist or cannot be read`);
  if (fileProps) {
    for (const [key, value] of fileProps) {
      if (FILE_KEYS.includes(key)) values.set(key, value);
      else if (key === TlsKey.SERVER_MODE || key === TlsKey.ENABLE) onIgnored(key, path);
    }
  }
  const str = (key: string): string | null => nonEmpty(values.get(key));
  const bool = (key: string, fallback: boolean): boolean => {
    const v = str(key);
    return v === null ? fallback : parseBoolean(key, v);
  };
  return {
    configFile: fileProps ? path : null,
    testModeEnable: bool(TlsKey.TEST_MODE_ENABLE, true),
    serverNeedClientAuth: parseClientAuth(str(TlsKey.SERVER_NEED_CLIENT_AUTH)),
    serverKeyPath: str(TlsKey.SERVER_KEY_PATH),
    serverKeyPassword: str(TlsKey.SERVER_KEY_PASSWORD),
    serverCertPath: str(TlsKey.SERVER_CERT_PATH),
    serverAuthClient: bool(TlsKey.SERVER_AUTH_CLIENT, false),
    serverTrustCertPath: str(TlsKey.SERVER_TRUST_CERT_PATH),
    clientKeyPath: str(TlsKey.CLIENT_KEY_PATH),
    clientKeyPassword: str(TlsKey.CLIENT_KEY_PASSWORD),
    clientCertPath: str(TlsKey.CLIENT_CERT_PATH),
    clientAuthServer: bool(TlsKey.CLIENT_AUTH_SERVER, false),
    clientTrustCertPath: str(TlsKey.CLIENT_TRUST_CERT_PATH),
  };
}

/** The settings as `key = value` lines for the log (passwords masked; Java logs them in clear). */
export function tlsConfigLines(config: TlsSystemConfig): string[] {
  const shown = (v: string | boolean | null): string => (v === null ? "null" : String(v));
  const masked = (v: string | null): string => (v === null ? "null" : "******");
  return [
    `${TlsKey.CONFIG_FILE} = ${shown(config.configFile)}`,
    `${TlsKey.TEST_MODE_ENABLE} = ${shown(config.testModeEnable)}`,
    `${TlsKey.SERVER_NEED_CLIENT_AUTH} = ${config.serverNeedClientAuth}`,
    `${TlsKey.SERVER_KEY_PATH} = ${shown(config.serverKeyPath)}`,
    `${TlsKey.SERVER_KEY_PASSWORD} = ${masked(config.serverKeyPassword)}`,
    `${TlsKey.SERVER_CERT_PATH} = ${shown(config.serverCertPath)}`,
    `${TlsKey.SERVER_AUTH_CLIENT} = ${shown(config.serverAuthClient)}`,
    `${TlsKey.SERVER_TRUST_CERT_PATH} = ${shown(config.serverTrustCertPath)}`,
    `${TlsKey.CLIENT_KEY_PATH} = ${shown(config.clientKeyPath)}`,
    `${TlsKey.CLIENT_KEY_PASSWORD} = ${masked(config.clientKeyPassword)}`,
    `${TlsKey.CLIENT_CERT_PATH} = ${shown(config.clientCertPath)}`,
    `${TlsKey.CLIENT_AUTH_SERVER} = ${shown(config.clientAuthServer)}`,
    `${TlsKey.CLIENT_TRUST_CERT_PATH} = ${shown(config.clientTrustCertPath)}`,
  ];
}

function nonEmpty(v: string | undefined): string | null {
  return v === undefined || v === "" ? null : v;
}

function parseBoolean(key: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new TlsConfigError(key, `'${raw}' is not true or false`);
}

function parseClientAuth(raw: string | null): ClientAuthMode {
  if (raw === null || raw.trim() === "") return "none";
  const mode = CLIENT_AUTH_MODES.find((m) => m === raw.trim().toLowerCase());
  if (!mode)
    throw new TlsConfigError(TlsKey.SERVER_NEED_CLIENT_AUTH, `'${raw}' is not one of ${CLIENT_AUTH_MODES.join(", ")}`);
  return mode;
}
