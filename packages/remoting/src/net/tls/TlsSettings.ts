/**
 * From {@link TlsSystemConfig} to what Node's `tls` needs, as 4.9.8's `TlsHelper.buildSslContext`
 * does for Netty: PEM files read and checked once, at start, so that a bad key, certificate or
 * password refuses to start naming its key (Java logs the failure and runs on: a server without a
 * context closes every TLS connection, a client throws when it starts).
 *
 * Java's rules kept: `need.client.auth` none / optional / require; `authClient=false` accepts any
 * client certificate and `authServer=false` any server (Netty's insecure trust manager); with
 * verification on and no trust file, the platform's root certificates are used (Java: the JDK's
 * cacerts); the server's host name is not checked (Netty's handler is made without a peer host).
 *
 * Test mode (`tls.test.mode.enable`, on by default) — what an operator expects rather than what 4.9.8
 * does: a server with no `tls.server.certPath` / `keyPath` gets a self-signed certificate made at
 * start (Java's test mode); a server that has them uses them (4.9.8 ignores them while test mode is
 * on, and serves a throwaway certificate). Clients follow `tls.client.*` in both modes; left at their
 * defaults that is exactly Java's test-mode client (no certificate, any server trusted). Java also
 * needs PKCS#8 keys; Node reads PKCS#1 and SEC1 PEM keys as well.
 */
import { readFileSync } from "node:fs";
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { createSecureContext, type ConnectionOptions, type SecureContextOptions, type TlsOptions } from "node:tls";
import { selfSignedCertificate } from "./selfSignedCertificate.js";
import { TlsConfigError, TlsKey, type ClientAuthMode, type TlsMode, type TlsSystemConfig } from "./TlsSystemConfig.js";

/** What a TLS session of a server uses. Plain data: it travels to an I/O thread as it is. */
export interface ServerTlsContext {
  /** PEM private key (possibly encrypted, then with `passphrase`). */
  key: string;
  passphrase?: string;
  /** PEM certificate chain. */
  cert: string;
  /** PEM certificates trusted for client certificates; undefined: the platform's root certificates. */
  ca?: string[];
  clientAuth: ClientAuthMode;
  /** Client certificates must chain to `ca` (Java's authClient); false accepts any. */
  verifyClient: boolean;
  /** The test-mode certificate made at start. */
  selfSigned: boolean;
}

/** A server's TLS: the mode, the session context (null when disabled), the settings it came from. */
export interface ServerTls {
  mode: TlsMode;
  context: ServerTlsContext | null;
  /** For reloading when the files change; absent when built by hand. */
  config?: TlsSystemConfig;
}

/** What a TLS client presents and trusts. */
export interface ClientTls {
  key?: string;
  passphrase?: string;
  cert?: string;
  ca?: string[];
  /** Verify the server's certificate chain (Java's authServer); false trusts any server. */
  verifyServer: boolean;
}

/** The subset of pino's logger the TLS modules write to (an I/O thread passes its own). */
export interface TlsLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Java's TLS handshake timeout (Netty's SslHandler: 10 s). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A server's TLS in `mode` from `config` (nothing is read when disabled). */
export async function buildServerTls(mode: TlsMode, config: TlsSystemConfig, log?: TlsLogger): Promise<ServerTls> {
  if (mode === "disabled") return { mode, context: null, config };
  const own = config.serverCertPath !== null || config.serverKeyPath !== null;
  const trust = config.serverTrustCertPath;
  const common = {
    ...(trust !== null ? { ca: readCertificates(TlsKey.SERVER_TRUST_CERT_PATH, trust) } : {}),
    clientAuth: config.serverNeedClientAuth,
    verifyClient: config.serverAuthClient,
  };
  if (config.testModeEnable && !own) {
    const { key, cert } = await selfSignedCertificate();
    log?.info({}, "TLS test mode: serving a self-signed certificate made at start");
    return { mode, config, context: { key, cert, ...common, selfSigned: true } };
  }
  if (config.testModeEnable)
    log?.warn({}, `${TlsKey.TEST_MODE_ENABLE}=true but the server has its own certificate: using it`);
  const pair = readKeyPair(
    { key: TlsKey.SERVER_KEY_PATH, password: TlsKey.SERVER_KEY_PASSWORD, cert: TlsKey.SERVER_CERT_PATH },
    config.serverKeyPath,
    config.serverKeyPassword,
    config.serverCertPath,
  );
  if (!pair) throw new TlsConfigError(TlsKey.SERVER_CERT_PATH, "not set (and test mode is off)");
  const context: ServerTlsContext = { ...pair, ...common, selfSigned: false };
  checkSecureContext(TlsKey.SERVER_CERT_PATH, secureContextOptions(context));
  return { mode, config, context };
}

/** A client's TLS from `config` (test mode changes nothing here, see the module comment). */
export function buildClientTls(config: TlsSystemConfig): ClientTls {
  const pair = readKeyPair(
    { key: TlsKey.CLIENT_KEY_PATH, password: TlsKey.CLIENT_KEY_PASSWORD, cert: TlsKey.CLIENT_CERT_PATH },
    config.clientKeyPath,
    config.clientKeyPassword,
    config.clientCertPath,
  );
  const trust = config.clientTrustCertPath;
  const tls: ClientTls = {
    ...pair,
    ...(trust !== null ? { ca: readCertificates(TlsKey.CLIENT_TRUST_CERT_PATH, trust) } : {}),
    verifyServer: config.clientAuthServer,
  };
  checkSecureContext(TlsKey.CLIENT_CERT_PATH, clientConnectOptions(tls));
  return tls;
}

/** Node's options for `tls.connect` with `tls`. */
export function clientConnectOptions(tls: ClientTls): ConnectionOptions {
  return {
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    rejectUnauthorized: tls.verifyServer,
    // Netty's client handler is made without the peer's host: the chain is checked, the name is not
    checkServerIdentity: () => undefined,
  };
}

/**
 * Node's options for a `tls.Server` with `context`. Client certificates are asked for (optional,
 * require) but judged after the handshake by the acceptor, which logs why it closes a connection:
 * Node's own rejection would not tell, and it would check the chain even when `verifyClient` is off.
 */
export function serverContextOptions(context: ServerTlsContext): TlsOptions {
  return {
    ...secureContextOptions(context),
    requestCert: context.clientAuth !== "none",
    rejectUnauthorized: false,
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  };
}

/** The credentials part (what `setSecureContext` replaces on a reload). */
export function secureContextOptions(context: ServerTlsContext): SecureContextOptions {
  return {
    key: context.key,
    cert: context.cert,
    ...(context.passphrase !== undefined ? { passphrase: context.passphrase } : {}),
    ...(context.ca !== undefined ? { ca: context.ca } : {}),
  };
}

interface PairKeys {
  key: string;
  password: string;
  cert: string;
}

/** Key and certificate both or neither; each readable, the key opening with its password and matching the certificate. */
function readKeyPair(
  keys: PairKeys,
  keyPath: string | null,
  password: string | null,
  certPath: string | null,
): { key: string; passphrase?: string; cert: string } | undefined {
  if (keyPath === null && certPath === null) return undefined;
  if (keyPath === null) throw new TlsConfigError(keys.key, `not set, but ${keys.cert} is`);
  if (certPath === null) throw new TlsConfigError(keys.cert, `not set, but ${keys.key} is`);
  const key = readText(keys.key, keyPath);
  const privateKey = openPrivateKey(keys, keyPath, key, password);
  const certs = readCertificates(keys.cert, certPath);
  const leaf = new X509Certificate(certs[0] as string);
  if (!leaf.checkPrivateKey(privateKey))
    throw new TlsConfigError(keys.key, `the key in ${keyPath} does not belong to the certificate in ${certPath}`);
  return { key, ...(password !== null ? { passphrase: password } : {}), cert: certs.join("\n") };
}

/** PKCS#8 `ENCRYPTED PRIVATE KEY`, or an OpenSSL legacy PEM key with `Proc-Type: 4,ENCRYPTED`. */
const ENCRYPTED_PEM_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

function openPrivateKey(keys: PairKeys, path: string, pem: string, password: string | null): KeyObject {
  const encrypted = ENCRYPTED_PEM_KEY.test(pem);
  if (encrypted && password === null)
    throw new TlsConfigError(keys.password, `not set, but the key in ${path} is encrypted`);
  try {
    return createPrivateKey({ key: pem, format: "pem", ...(password !== null ? { passphrase: password } : {}) });
  } catch (err) {
    const why = (err as Error).message;
    if (encrypted) throw new TlsConfigError(keys.password, `does not open the key in ${path} (${why})`);
    throw new TlsConfigError(keys.key, `no PEM private key in ${path} (${why})`);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every PEM certificate of the file (at least one, each parsed). */
function readCertificates(key: string, path: string): string[] {
  const certs = readText(key, path).match(PEM_CERTIFICATE) ?? [];
  if (certs.length === 0) throw new TlsConfigError(key, `no PEM certificate in ${path}`);
  for (const pem of certs) {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new TlsConfigError(key, `bad certificate in ${path} (${(err as Error).message})`);
    }
  }
  return certs;
}

function readText(key: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new TlsConfigError(
      key,
      `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/** What OpenSSL still refuses once each file is fine on its own. */
function checkSecureContext(key: string, options: SecureContextOptions): void {
  try {
    createSecureContext(options);
  } catch (err) {
    throw new TlsConfigError(key, `unusable for TLS (${(err as Error).message})`);
  }
}
