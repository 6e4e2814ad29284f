/** This process's TLS settings: -D words of JAVA_OPT / JAVA_OPT_EXT, then a real tls.properties over them. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTlsSystemConfig, TlsConfigError } from "@rocketmq-ts/remoting";
import {
  refusingBadTls,
  StartupError,
  systemBrokerClientUseTLS,
  systemServerTls,
  systemTlsConfigSource,
  systemTlsEnable,
  systemTlsServerMode,
} from "@rocketmq-ts/common";

const dir = mkdtempSync(join(tmpdir(), "rmq-tls-conf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("system TLS settings", () => {
  it("reads -D words and the tls.properties file they name (Java's Properties syntax)", () => {
    const file = join(dir, "tls.properties");
    writeFileSync(
      file,
      [
        "# as in RocketMQ's docs",
        "tls.test.mode.enable = false",
        "tls.server.need.client.auth:require",
        "tls.server.keyPath=/opt/certs/server.key",
        "tls.client.authServer=true",
        "tls.server.mode=disabled",
      ].join("\n"),
    );
    const env = {
      JAVA_OPT: `-server -Dtls.server.mode=enforcing -Dtls.config.file=${file}`,
      JAVA_OPT_EXT: "-Dtls.server.keyPath=/from/property -Dtls.server.certPath=/opt/certs/server.crt -Dtls.enable=true",
    };
    const config = loadTlsSystemConfig(systemTlsConfigSource(env));
    expect(config.configFile).toBe(file);
    expect(config.testModeEnable).toBe(false);
    expect(config.serverNeedClientAuth).toBe("require");
    expect(config.serverKeyPath).toBe("/opt/certs/server.key");
    expect(config.serverCertPath).toBe("/opt/certs/server.crt");
    expect(config.clientAuthServer).toBe(true);
    expect(systemTlsServerMode(env)).toBe("enforcing");
    expect(systemTlsEnable(env)).toBe(true);
  });

  it("a missing default file is skipped; the broker's client follows tls.enable, else an enforcing mode", () => {
    expect(loadTlsSystemConfig(systemTlsConfigSource({})).testModeEnable).toBe(true);
    expect(systemTlsEnable({})).toBe(false);
    expect(systemBrokerClientUseTLS({})).toBe(false);
    expect(systemBrokerClientUseTLS({ JAVA_OPT: "-Dtls.server.mode=enforcing" })).toBe(true);
    expect(systemBrokerClientUseTLS({ JAVA_OPT: "-Dtls.server.mode=enforcing -Dtls.enable=false" })).toBe(false);
  });

  it("a server refuses a bad key path naming the key; disabled reads nothing", async () => {
    const env = {
      JAVA_OPT: `-Dtls.config.file=${join(dir, "none.properties")}`,
      JAVA_OPT_EXT: "-Dtls.test.mode.enable=false -Dtls.server.keyPath=/no/such.key -Dtls.server.certPath=/no/such.crt",
    };
    await expect(systemServerTls(env, silent)).rejects.toThrow(TlsConfigError);
    await expect(systemServerTls(env, silent)).rejects.toMatchObject({ key: "tls.config.file" });
    writeFileSync(join(dir, "none.properties"), "");
    await expect(systemServerTls(env, silent)).rejects.toMatchObject({ key: "tls.server.keyPath" });
    const disabled = await systemServerTls({ ...env, JAVA_OPT: `${env.JAVA_OPT} -Dtls.server.mode=disabled` }, silent);
    expect(disabled).toEqual({ mode: "disabled", context: null });
  });
});

describe("a server's start with bad TLS settings", () => {
  it("is refused with exit status 1, the message naming the key on stderr; other errors pass through", async () => {
    const errs: string[] = [];
    const io = { out: () => undefined, err: (s: string) => void errs.push(s) };
    const refused = refusingBadTls(() => {
      throw new TlsConfigError("tls.server.keyPath", "cannot read /nowhere/server.key (ENOENT)");
    }, io);
    await expect(refused).rejects.toBeInstanceOf(StartupError);
    await expect(refused).rejects.toMatchObject({ exitCode: 1 });
    expect(errs).toEqual(["tls.server.keyPath: cannot read /nowhere/server.key (ENOENT)\n"]);
    await expect(refusingBadTls(() => Promise.reject(new Error("other")), io)).rejects.toThrow("other");
    expect(await refusingBadTls(() => 42, io)).toBe(42);
  });
});
