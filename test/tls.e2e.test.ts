/**
 * TLS end to end, as an operator turns it on for a 4.9.8 cluster: bin/mqnamesrv and bin/mqbroker with
 * `-Dtls.server.mode=enforcing` and a `tls.properties` (test mode off, mutual authentication against
 * a CA the test makes, the server key encrypted), every client with `-Dtls.enable=true` — the broker
 * registering with the name server, our producer and push consumer, bin/mqadmin. Plain clients are
 * refused on every remoting port.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQPushConsumer, Message } from "@rocketmq-ts/client";
import { createRequest, RemotingClient, RequestCode } from "@rocketmq-ts/remoting";
import { makeTestPki, type TestPki } from "../packages/remoting/test/tlsPki.js";
import { runTool, startLocalCluster, until, type LocalCluster } from "./support/cluster.js";
import { StartedClients } from "./support/clients.js";

let pki: TestPki;
let cluster: LocalCluster;
let javaOpt: string | undefined;
const started = new StartedClients();

beforeAll(async () => {
  pki = makeTestPki();
  const tlsProperties = join(pki.dir, "tls.properties");
  writeFileSync(
    tlsProperties,
    [
      "tls.test.mode.enable=false",
      "tls.server.need.client.auth=require",
      `tls.server.keyPath=${pki.serverKeyEncrypted}`,
      `tls.server.keyPassword=${pki.password}`,
      `tls.server.certPath=${pki.serverCert}`,
      "tls.server.authClient=true",
      `tls.server.trustCertPath=${pki.caCert}`,
      `tls.client.keyPath=${pki.clientKey}`,
      `tls.client.certPath=${pki.clientCert}`,
      "tls.client.authServer=true",
      `tls.client.trustCertPath=${pki.caCert}`,
    ].join("\n"),
  );
  // the spawned servers and tools inherit it, and so do the clients of this process (Java's ClientConfig default)
  javaOpt = process.env["JAVA_OPT"];
  process.env["JAVA_OPT"] = `-Dtls.server.mode=enforcing -Dtls.config.file=${tlsProperties} -Dtls.enable=true`;
  cluster = await startLocalCluster();
}, 60_000);

afterAll(async () => {
  await started.shutdownAll();
  await cluster?.stop();
  if (javaOpt === undefined) delete process.env["JAVA_OPT"];
  else process.env["JAVA_OPT"] = javaOpt;
  pki?.remove();
});

/** GET_BROKER_CLUSTER_INFO / GET_BROKER_RUNTIME_INFO through `client`: resolves with the code, or rejects. */
async function ask(client: RemotingClient, addr: string, code: number): Promise<number> {
  return (await client.invokeSync(addr, createRequest(code), 3000)).code;
}

describe("an enforcing cluster with mutual TLS", () => {
  it("the broker registered with the name server over TLS", async () => {
    const r = await runTool("mqadmin", ["clusterList", "-n", cluster.namesrvAddr], { NAMESRV_ADDR: "" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("broker-a");
    expect(r.stdout).toContain(cluster.brokerAddr);
  });

  it("a plain client is refused on the name server, the broker's port and its VIP port; a TLS client is served", async () => {
    const [host, port] = cluster.brokerAddr.split(":");
    const vipAddr = `${host}:${Number(port) - 2}`;
    const plain = started.push(new RemotingClient({ connectTimeoutMillis: 2000, useTLS: false }));
    for (const [addr, code] of [
      [cluster.namesrvAddr, RequestCode.GET_BROKER_CLUSTER_INFO],
      [cluster.brokerAddr, RequestCode.GET_BROKER_RUNTIME_INFO],
      [vipAddr, RequestCode.GET_BROKER_RUNTIME_INFO],
    ] as const) {
      await expect(ask(plain, addr, code)).rejects.toThrow();
    }
    const secure = started.push(
      new RemotingClient({ connectTimeoutMillis: 2000, useTLS: true, tls: { verifyServer: false } }),
    );
    // a TLS client without a certificate: the servers want one (need.client.auth=require)
    await expect(ask(secure, cluster.namesrvAddr, RequestCode.GET_BROKER_CLUSTER_INFO)).rejects.toThrow();
  });

  it("our producer and push consumer (tls.enable from JAVA_OPT) send and consume", async () => {
    const producer = await started.producer(cluster.namesrvAddr, "pg-tls");
    const bodies = Array.from({ length: 20 }, (_, i) => `tls-${i}`);
    for (const body of bodies) {
      const r = await producer.send(new Message("TlsTopic", Buffer.from(body)));
      expect(r.sendStatus).toBe("SEND_OK");
    }
    const got = new Set<string>();
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "cg-tls",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe("TlsTopic", "*");
    consumer.registerMessageListener((msgs) => {
      for (const m of msgs) got.add(m.body.toString());
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    started.push(consumer);
    await until(() => got.size >= bodies.length, 30_000, "every message consumed");
    expect([...got].sort()).toEqual([...bodies].sort());
  }, 60_000);

  it("mqadmin without -Dtls.enable=true cannot reach the cluster", async () => {
    const r = await runTool("mqadmin", ["clusterList", "-n", cluster.namesrvAddr], {
      NAMESRV_ADDR: "",
      JAVA_OPT: "",
    });
    expect(r.stdout).not.toContain("broker-a");
    expect(r.stderr).toContain("clusterList command failed");
  });
});
