/** The 5.x side of the e2e tests: a cluster-mode bin/mqproxy, a quiet Node-client logger. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { ILogger } from "rocketmq-client-nodejs";
import { freePort, run, until, type LocalCluster, type Proc } from "./cluster.js";

const say = process.env["PROXY_E2E_DEBUG"] ? (...a: unknown[]): void => console.log(...a) : (): void => undefined;
/** rocketmq-client-nodejs logs through this (its default writes to ~/logs/rocketmq); PROXY_E2E_DEBUG prints. */
export const quietLogger: ILogger = { info: say, warn: say, error: say, debug: say };

/** A cluster-mode bin/mqproxy in front of `cluster` (its rmq-proxy.json in `home`), started. */
export async function startClusterProxy(
  cluster: LocalCluster,
  home: string,
): Promise<{ proxy: Proc; endpoints: string }> {
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
