/**
 * Keys and certificates for the TLS tests, made with openssl in a temp dir on each run (never
 * committed): a CA, a server and a client certificate it signed, a self-signed "rogue" client, the
 * server key encrypted (PKCS#8, password `secret`), and a second CA with its own server pair for
 * rotations.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  dir: string;
  caCert: string;
  serverKey: string;
  serverCert: string;
  /** serverKey as encrypted PKCS#8 (password {@link TestPki.password}). */
  serverKeyEncrypted: string;
  password: string;
  clientKey: string;
  clientCert: string;
  /** Self-signed, so no CA of ours trusts it. */
  rogueKey: string;
  rogueCert: string;
  /** Another CA and a server pair it signed. */
  ca2Cert: string;
  server2Key: string;
  server2Cert: string;
  remove: () => void;
}

const OPENSSL = "openssl";

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "rmq-tls-"));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync(OPENSSL, args, { cwd: dir, stdio: "pipe" });
  };
  const ecKey = (name: string): string => {
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path(name));
    return path(name);
  };
  const selfSigned = (key: string, cert: string, cn: string): void =>
    openssl("req", "-x509", "-new", "-key", path(key), "-out", path(cert), "-days", "2", "-subj", `/CN=${cn}`);
  const signed = (key: string, cert: string, cn: string, ca: string, caKey: string): void => {
    openssl("req", "-new", "-key", path(key), "-out", path(`${cert}.csr`), "-subj", `/CN=${cn}`);
    openssl(
      "x509",
      "-req",
      "-in",
      path(`${cert}.csr`),
      "-CA",
      path(ca),
      "-CAkey",
      path(caKey),
      "-set_serial",
      String(Math.floor(Math.random() * 1e9) + 1),
      "-days",
      "2",
      "-out",
      path(cert),
    );
  };
  ecKey("ca.key");
  selfSigned("ca.key", "ca.crt", "test-ca");
  ecKey("server.key");
  signed("server.key", "server.crt", "server", "ca.crt", "ca.key");
  ecKey("client.key");
  signed("client.key", "client.crt", "client", "ca.crt", "ca.key");
  ecKey("rogue.key");
  selfSigned("rogue.key", "rogue.crt", "rogue");
  const password = "secret";
  openssl("pkcs8", "-topk8", "-in", path("server.key"), "-out", path("server-enc.key"), "-passout", `pass:${password}`);
  ecKey("ca2.key");
  selfSigned("ca2.key", "ca2.crt", "test-ca-2");
  ecKey("server2.key");
  signed("server2.key", "server2.crt", "server-2", "ca2.crt", "ca2.key");
  return {
    dir,
    caCert: path("ca.crt"),
    serverKey: path("server.key"),
    serverCert: path("server.crt"),
    serverKeyEncrypted: path("server-enc.key"),
    password,
    clientKey: path("client.key"),
    clientCert: path("client.crt"),
    rogueKey: path("rogue.key"),
    rogueCert: path("rogue.crt"),
    ca2Cert: path("ca2.crt"),
    server2Key: path("server2.key"),
    server2Cert: path("server2.crt"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
