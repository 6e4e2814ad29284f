/**
 * TLS settings: Java's keys and defaults, the config file over system properties (not for the mode
 * and tls.enable), and the start-up checks that name the key of a bad setting.
 */
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildClientTls,
  buildServerTls,
  DEFAULT_TLS_CONFIG_FILE,
  loadTlsSystemConfig,
  TlsConfigError,
  tlsConfigLines,
  tlsEnableOf,
  tlsServerModeOf,
  type TlsConfigSource,
  type TlsSystemConfig,
} from "@rocketmq-ts/remoting";
import { makeTestPki, type TestPki } from "./tlsPki.js";

/** System properties and files (path → key/values) as a source. */
function source(props: Record<string, string>, files: Record<string, Record<string, string>> = {}): TlsConfigSource {
  return {
    property: (key) => props[key],
    readProperties: (path) => {
      const file = files[path];
      return file ? new Map(Object.entries(file)) : undefined;
    },
  };
}

const config = (props: Record<string, string> = {}): TlsSystemConfig => loadTlsSystemConfig(source(props));

/** The TlsConfigError `fn` throws (async or not). */
async function tlsError(fn: () => unknown): Promise<TlsConfigError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof TlsConfigError) return err;
    throw err;
  }
  throw new Error("no TlsConfigError");
}

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki?.remove());

describe("TlsSystemConfig", () => {
  it("has Java 4.9.8's defaults", () => {
    const s = source({});
    expect(tlsServerModeOf(s)).toBe("permissive");
    expect(tlsEnableOf(s)).toBeUndefined();
    expect(loadTlsSystemConfig(s)).toEqual({
      configFile: null,
      testModeEnable: true,
      serverNeedClientAuth: "none",
      serverKeyPath: null,
      serverKeyPassword: null,
      serverCertPath: null,
      serverAuthClient: false,
      serverTrustCertPath: null,
      clientKeyPath: null,
      clientKeyPassword: null,
      clientCertPath: null,
      clientAuthServer: false,
      clientTrustCertPath: null,
    });
  });

  it("reads every key from system properties", () => {
    const s = source({
      "tls.server.mode": "enforcing",
      "tls.enable": "true",
      "tls.test.mode.enable": "false",
      "tls.server.need.client.auth": "require",
      "tls.server.keyPath": "/k",
      "tls.server.keyPassword": "pw",
      "tls.server.certPath": "/c",
      "tls.server.authClient": "true",
      "tls.server.trustCertPath": "/t",
      "tls.client.keyPath": "/ck",
      "tls.client.keyPassword": "cpw",
      "tls.client.certPath": "/cc",
      "tls.client.authServer": "TRUE",
      "tls.client.trustCertPath": "/ct",
    });
    expect(tlsServerModeOf(s)).toBe("enforcing");
    expect(tlsEnableOf(s)).toBe(true);
    expect(loadTlsSystemConfig(s)).toMatchObject({
      testModeEnable: false,
      serverNeedClientAuth: "require",
      serverKeyPath: "/k",
      serverKeyPassword: "pw",
      serverCertPath: "/c",
      serverAuthClient: true,
      serverTrustCertPath: "/t",
      clientKeyPath: "/ck",
      clientKeyPassword: "cpw",
      clientCertPath: "/cc",
      clientAuthServer: true,
      clientTrustCertPath: "/ct",
    });
  });

  it("tls.properties (the default path) wins over system properties, except for the mode and tls.enable", () => {
    const ignored: string[] = [];
    const s = source(
      {
        "tls.server.keyPath": "/from-property",
        "tls.server.certPath": "/cert-property",
        "tls.server.mode": "disabled",
      },
      {
        [DEFAULT_TLS_CONFIG_FILE]: {
          "tls.server.keyPath": "/from-file",
          "tls.test.mode.enable": "false",
          "tls.server.mode": "enforcing",
          "tls.enable": "true",
        },
      },
    );
    const c = loadTlsSystemConfig(s, (key) => ignored.push(key));
    expect(c.configFile).toBe(DEFAULT_TLS_CONFIG_FILE);
    expect(c.serverKeyPath).toBe("/from-file");
    expect(c.serverCertPath).toBe("/cert-property");
    expect(c.testModeEnable).toBe(false);
    expect(tlsServerModeOf(s)).toBe("disabled");
    expect(tlsEnableOf(s)).toBeUndefined();
    expect(ignored.sort()).toEqual(["tls.enable", "tls.server.mode"]);
  });

  it("reads the file tls.config.file names; one that cannot be read refuses, naming the key", async () => {
    const c = loadTlsSystemConfig(
      source(
        { "tls.config.file": "/etc/x/tls.properties" },
        { "/etc/x/tls.properties": { "tls.client.keyPath": "/ck" } },
      ),
    );
    expect(c.configFile).toBe("/etc/x/tls.properties");
    expect(c.clientKeyPath).toBe("/ck");
    const err = await tlsError(() => loadTlsSystemConfig(source({ "tls.config.file": "/nowhere/tls.properties" })));
    expect(err.key).toBe("tls.config.file");
    expect(err.message).toContain("/nowhere/tls.properties");
  });

  it("refuses a value Java would quietly read as its default, naming the key", async () => {
    expect((await tlsError(() => tlsServerModeOf(source({ "tls.server.mode": "enforce" })))).key).toBe(
      "tls.server.mode",
    );
    expect((await tlsError(() => tlsEnableOf(source({ "tls.enable": "yes" })))).key).toBe("tls.enable");
    expect((await tlsError(() => config({ "tls.server.need.client.auth": "required" }))).key).toBe(
      "tls.server.need.client.auth",
    );
    expect((await tlsError(() => config({ "tls.client.authServer": "ture" }))).key).toBe("tls.client.authServer");
    expect(tlsServerModeOf(source({ "tls.server.mode": "ENFORCING" }))).toBe("enforcing");
    expect(config({ "tls.server.need.client.auth": "OPTIONAL" }).serverNeedClientAuth).toBe("optional");
  });

  it("logs passwords masked", () => {
    const lines = tlsConfigLines(config({ "tls.server.keyPassword": "hunter2", "tls.server.keyPath": "/k" }));
    expect(lines).toContain("tls.server.keyPath = /k");
    expect(lines).toContain("tls.server.keyPassword = ******");
    expect(lines.join("\n")).not.toContain("hunter2");
  });
});

describe("server and client TLS from the settings", () => {
  const own = (extra: Record<string, string> = {}): TlsSystemConfig =>
    config({
      "tls.test.mode.enable": "false",
      "tls.server.keyPath": pki.serverKey,
      "tls.server.certPath": pki.serverCert,
      ...extra,
    });

  it("disabled reads nothing", async () => {
    const tls = await buildServerTls("disabled", config({ "tls.server.keyPath": "/nowhere" }));
    expect(tls.context).toBeNull();
  });

  it("test mode without a certificate serves a self-signed one made at start", async () => {
    const tls = await buildServerTls("permissive", config());
    expect(tls.context?.selfSigned).toBe(true);
    const cert = new X509Certificate(tls.context?.cert ?? "");
    expect(cert.subject).toBe("CN=localhost");
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  it("test mode with the operator's certificate uses it", async () => {
    const tls = await buildServerTls(
      "enforcing",
      config({ "tls.server.keyPath": pki.serverKey, "tls.server.certPath": pki.serverCert }),
    );
    expect(tls.context?.selfSigned).toBe(false);
    expect(new X509Certificate(tls.context?.cert ?? "").subject).toBe("CN=server");
  });

  it("a missing key file refuses, naming tls.server.keyPath and the path", async () => {
    const err = await tlsError(() =>
      buildServerTls("permissive", own({ "tls.server.keyPath": "/nowhere/server.key" })),
    );
    expect(err.key).toBe("tls.server.keyPath");
    expect(err.message).toContain("/nowhere/server.key");
  });

  it("a key file that holds no key, a certificate without its key, a foreign key: each names its key", async () => {
    expect((await tlsError(() => buildServerTls("permissive", own({ "tls.server.keyPath": pki.caCert })))).key).toBe(
      "tls.server.keyPath",
    );
    expect(
      (await tlsError(() => buildServerTls("permissive", own({ "tls.server.certPath": pki.serverKey })))).key,
    ).toBe("tls.server.certPath");
    const noKey = config({ "tls.test.mode.enable": "false", "tls.server.certPath": pki.serverCert });
    expect((await tlsError(() => buildServerTls("permissive", noKey))).key).toBe("tls.server.keyPath");
    const mismatch = await tlsError(() => buildServerTls("permissive", own({ "tls.server.keyPath": pki.clientKey })));
    expect(mismatch.key).toBe("tls.server.keyPath");
    expect(mismatch.message).toContain("does not belong");
    const none = config({ "tls.test.mode.enable": "false" });
    expect((await tlsError(() => buildServerTls("enforcing", none))).key).toBe("tls.server.certPath");
  });

  it("opens an encrypted PKCS#8 key with its password; none or a wrong one names tls.server.keyPassword", async () => {
    const encrypted = { "tls.server.keyPath": pki.serverKeyEncrypted };
    const tls = await buildServerTls("permissive", own({ ...encrypted, "tls.server.keyPassword": pki.password }));
    expect(tls.context?.passphrase).toBe(pki.password);
    expect((await tlsError(() => buildServerTls("permissive", own(encrypted)))).key).toBe("tls.server.keyPassword");
    const wrong = own({ ...encrypted, "tls.server.keyPassword": "wrong" });
    expect((await tlsError(() => buildServerTls("permissive", wrong))).key).toBe("tls.server.keyPassword");
  });

  it("a trust file without certificates names its key", async () => {
    const empty = join(pki.dir, "empty.pem");
    writeFileSync(empty, "nothing here\n");
    const err = await tlsError(() => buildServerTls("permissive", own({ "tls.server.trustCertPath": empty })));
    expect(err.key).toBe("tls.server.trustCertPath");
    const clientErr = await tlsError(() => buildClientTls(config({ "tls.client.trustCertPath": empty })));
    expect(clientErr.key).toBe("tls.client.trustCertPath");
  });

  it("client: nothing set is Java's test-mode client; its certificate and trust when set", async () => {
    expect(buildClientTls(config())).toEqual({ verifyServer: false });
    const bundle = join(pki.dir, "bundle.pem");
    copyFileSync(pki.caCert, bundle);
    writeFileSync(bundle, (await import("node:fs")).readFileSync(pki.ca2Cert), { flag: "a" });
    const tls = buildClientTls(
      config({
        "tls.client.keyPath": pki.clientKey,
        "tls.client.certPath": pki.clientCert,
        "tls.client.authServer": "true",
        "tls.client.trustCertPath": bundle,
      }),
    );
    expect(tls.verifyServer).toBe(true);
    expect(tls.ca).toHaveLength(2);
    expect(tls.cert).toContain("BEGIN CERTIFICATE");
    const err = await tlsError(() => buildClientTls(config({ "tls.client.certPath": pki.clientCert })));
    expect(err.key).toBe("tls.client.keyPath");
  });
});
