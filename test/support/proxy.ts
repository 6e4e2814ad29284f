/** The 5.x side of the e2e tests: a cluster-mode bin/mqproxy, a quiet Node-client logger. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { RemotingClient } from "@rocketmq-ts/remoting";
import type { ILogger } from "rocketmq-client-nodejs";
import { freePort, run, startLocalCluster, until, type LocalCluster, type Proc } from "./cluster.js";

const say = process.env["PROXY_E2E_DEBUG"] ? (...a: unknown[]): void => console.log(...a) : (): void => undefined;
/** rocketmq-client-nodejs logs through this (its default writes to ~/logs/rocketmq); PROXY_E2E_DEBUG prints. */
export const quietLogger: ILogger = { info: say, warn: say, error: say, debug: say };

/** A cluster-mode bin/mqproxy in front of `cluster` (its rmq-proxy.json in `home`), started. */
async function startClusterProxy(cluster: LocalCluster, home: string): Promise<{ proxy: Proc; endpoints: string }> {
  const grpcPort = await freePort();
  const conf = join(home, "rmq-proxy.json");
  writeFileSync(conf, JSON.stringify({ rocketMQClusterName: "DefaultCluster", grpcServerPort: grpcPort }));
  const proxy = run("mqproxy", ["-pc", conf, "-n", cluster.namesrvAddr], home);
  await until(
    () => proxy.stdout().includes("rocketmq-proxy startup successfully") || proxy.child.exitCode !== null,
    30_000,
    "proxy start",
  );
  expect(proxy.stdout(), proxy.stderr()).toContain("rocketmq-proxy startup successfully");
  return { proxy, endpoints: `127.0.0.1:${grpcPort}` };
}

export type ProxyMode = "cluster" | "local";
/** The modes a proxy test runs in: both, or those PROXY_MODES names (`cluster`, `local`). */
export const PROXY_MODES = (process.env["PROXY_MODES"] ?? "cluster,local").split(",") as ProxyMode[];

export interface ProxiedClusterOptions {
  /** extra broker properties (startLocalCluster's) */
  brokerProps?: string;
  /** topics, groups, … created before the proxy starts */
  setup?: (cluster: LocalCluster, admin: RemotingClient) => Promise<void>;
}

/**
 * A name server + broker with a 5.x proxy in `mode` (cluster: bin/mqproxy in front of it; local:
 * `mqbroker --enable-proxy`), set up before the tests of the calling describe block and stopped
 * after them; `ready` gets the cluster and the gRPC endpoints. Clients the tests start go on
 * `cleanups`, ended first.
 */
export function useProxiedCluster(
  mode: ProxyMode,
  options: ProxiedClusterOptions,
  ready: (cluster: LocalCluster, endpoints: string) => void,
): { admin: RemotingClient; cleanups: (() => Promise<unknown>)[] } {
  const admin = new RemotingClient();
  const cleanups: (() => Promise<unknown>)[] = [];
  let cluster: LocalCluster | undefined;
  let proxy: Proc | undefined;
  let home: string | undefined;
  beforeAll(async () => {
    cluster = await startLocalCluster(options.brokerProps ?? "", 1, [], { proxy: mode === "local" });
    await options.setup?.(cluster, admin);
    home = mkdtempSync(join(tmpdir(), "rmq-proxy-e2e-"));
    if (mode === "local") return ready(cluster, cluster.grpcEndpoints ?? "");
    const started = await startClusterProxy(cluster, home);
    proxy = started.proxy;
    ready(cluster, started.endpoints);
  }, 90_000);
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await admin.shutdown();
    await proxy?.stop();
    await cluster?.stop();
    if (home && !process.env["KEEP_E2E_HOME"]) rmSync(home, { recursive: true, force: true });
    else if (home) console.log(`kept ${home}`);
  });
  return { admin, cleanups };
}
