/** Start real bin/mqnamesrv and bin/mqbroker processes on loopback with temp homes, for e2e tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequest, type RemotingClient } from "@rocketmq-ts/remoting";

export const ROOT = resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolvePort(port));
    });
  });
}

/** A port p with p-2 (VIP) and p+1 (HA) free as well. */
export async function freeBrokerPort(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p < 3 || p > 65000) continue;
    const ok = await Promise.all([p - 2, p + 1].map((q) => isFree(q)));
    if (ok.every(Boolean)) return p;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = net.createServer();
    s.once("error", () => r(false));
    s.listen(port, "127.0.0.1", () => s.close(() => r(true)));
  });
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

/** Run a bin/ tool to completion (mqadmin, benchmark): its output and exit code. */
export function runTool(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolvePromise) => {
    const child = spawn(join(ROOT, "bin", bin), args, { env: { ...process.env, ...env }, ...(cwd ? { cwd } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolvePromise({ stdout, stderr, code }));
  });
}

/** A server from bin/ with `-Duser.home=<home>` (more `-D` words in `javaOpts`). */
export function run(bin: string, args: string[], home: string, javaOpts: readonly string[] = []): Proc {
  const child = spawn(join(ROOT, "bin", bin), args, {
    env: { ...process.env, JAVA_OPT_EXT: [`-Duser.home=${home}`, ...javaOpts].join(" "), ROCKETMQ_HOME: ROOT },
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

export async function until(cond: () => boolean, ms = 15_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface LocalCluster {
  namesrvAddr: string;
  /** With `proxy`: the gRPC proxy the broker runs in front of itself (`host:port`). */
  grpcEndpoints?: string;
  /** Every name server (the first is `namesrvAddr`); the broker registers with all of them. */
  namesrvAddrs: string[];
  namesrvs: Proc[];
  brokerAddr: string;
  home: string;
  namesrv: Proc;
  broker: Proc;
  restartBroker: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Brokers under test turn a send away with SYSTEM_BUSY only after a minute in the queue (Java's
 * BrokerFastFailure, `waitTimeMillsInSendQueue`, default 200 ms): on a loaded CI machine the event
 * loop of a test broker lags more than 200 ms now and then, and the tests that are not about flow
 * control want every send stored. A test about fast failure sets its own value after this one.
 */
export const TEST_BROKER_PROPS = ["waitTimeMillsInSendQueue=60000"];

export interface LocalClusterOptions {
  /** Start the broker as `mqbroker --enable-proxy` (5.x local-mode gRPC proxy in its process). */
  proxy?: boolean;
}

/** namesrv + one master broker (brokerIP1 127.0.0.1) with the given extra broker properties. */
export async function startLocalCluster(
  extraBrokerProps = "",
  namesrvCount = 1,
  brokerJavaOpts: readonly string[] = [],
  options: LocalClusterOptions = {},
): Promise<LocalCluster> {
  const home = mkdtempSync(join(tmpdir(), "rmq-e2e-"));
  const namesrvs: Proc[] = [];
  const namesrvAddrs: string[] = [];
  for (let i = 0; i < namesrvCount; i++) {
    const port = await freePort();
    const conf = join(home, i === 0 ? "namesrv.properties" : `namesrv-${i}.properties`);
    writeFileSync(conf, `listenPort=${port}\n`);
    const ns = run("mqnamesrv", ["-c", conf], home);
    await until(() => ns.stdout().includes("boot success"), 15_000, "namesrv boot");
    namesrvs.push(ns);
    namesrvAddrs.push(`127.0.0.1:${port}`);
  }
  const namesrv = namesrvs[0] as Proc;
  const brokerPort = await freeBrokerPort();
  const conf = join(home, "broker.properties");
  writeFileSync(
    conf,
    [
      "brokerClusterName=DefaultCluster",
      "brokerName=broker-a",
      "brokerId=0",
      "brokerRole=ASYNC_MASTER",
      "flushDiskType=ASYNC_FLUSH",
      `listenPort=${brokerPort}`,
      "brokerIP1=127.0.0.1",
      "brokerIP2=127.0.0.1",
      `namesrvAddr=${namesrvAddrs.join(";")}`,
      `storePathRootDir=${join(home, "store")}`,
      "mappedFileSizeCommitLog=67108864",
      ...TEST_BROKER_PROPS,
      extraBrokerProps,
    ].join("\n"),
  );
  let proxyArgs: string[] = [];
  let grpcEndpoints: string | undefined;
  if (options.proxy) {
    const grpcPort = await freePort();
    const proxyConf = join(home, "rmq-proxy.json");
    writeFileSync(proxyConf, JSON.stringify({ rocketMQClusterName: "DefaultCluster", grpcServerPort: grpcPort }));
    proxyArgs = ["--enable-proxy", "-pc", proxyConf];
    grpcEndpoints = `127.0.0.1:${grpcPort}`;
  }
  // a broker prints its boot line; with --enable-proxy the process prints the proxy's, as Java's
  const booted = options.proxy ? "rocketmq-proxy startup successfully" : "boot success";
  const startBroker = async (): Promise<Proc> => {
    const broker = run("mqbroker", [...proxyArgs, "-c", conf], home, brokerJavaOpts);
    await until(() => broker.stdout().includes(booted) || broker.child.exitCode !== null, 30_000, "broker boot");
    if (!broker.stdout().includes(booted)) throw new Error(`broker did not start: ${broker.stderr()}`);
    return broker;
  };
  const cluster: LocalCluster = {
    namesrvAddr: namesrvAddrs[0] as string,
    ...(grpcEndpoints !== undefined ? { grpcEndpoints } : {}),
    namesrvAddrs,
    namesrvs,
    brokerAddr: `127.0.0.1:${brokerPort}`,
    home,
    namesrv,
    broker: await startBroker(),
    restartBroker: async () => {
      await cluster.broker.stop();
      cluster.broker = await startBroker();
    },
    stop: async () => {
      await cluster.broker.stop();
      for (const ns of namesrvs) await ns.stop();
      if (process.env["KEEP_E2E_HOME"]) console.log(`kept ${home}`);
      else rmSync(home, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Create `topic` on the cluster's broker (with 5.x's `message.type` when given) and wait for its route. */
export async function createTypedTopic(
  admin: RemotingClient,
  cluster: LocalCluster,
  topic: string,
  type?: string,
  queues = 4,
): Promise<void> {
  const res = await admin.invokeSync(
    cluster.brokerAddr,
    createRequest(17, {
      extFields: {
        topic,
        defaultTopic: "TBW102",
        readQueueNums: String(queues),
        writeQueueNums: String(queues),
        perm: "6",
        topicFilterType: "SINGLE_TAG",
        topicSysFlag: "0",
        order: "false",
        ...(type ? { attributes: `+message.type=${type}` } : {}),
      },
    }),
    5000,
  );
  if (res.code !== 0) throw new Error(`creating ${topic}: code ${res.code} ${res.remark ?? ""}`);
  const end = Date.now() + 10_000;
  for (;;) {
    const route = await admin.invokeSync(cluster.namesrvAddr, createRequest(105, { extFields: { topic } }), 3000);
    if (route.code === 0) return;
    if (Date.now() > end) throw new Error(`no route for ${topic}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
