/**
 * A name server plus the brokers of a conf/<mode>/ template set (masters and slaves) as real
 * processes on loopback, each with its own port, home and store; brokers can be stopped, killed
 * with SIGKILL, wiped and restarted, for the HA drills.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterLayout } from "../../scripts/cluster-layout.mjs";
import { freeBrokerPort, freePort, run, ROOT, TEST_BROKER_PROPS, until, type Proc } from "./cluster.js";

export class BrokerNode {
  proc: Proc | null = null;

  constructor(
    readonly name: string,
    readonly conf: string,
    readonly home: string,
    readonly listenPort: number,
  ) {}

  get addr(): string {
    return `127.0.0.1:${this.listenPort}`;
  }

  get storeDir(): string {
    return join(this.home, "store");
  }

  async start(): Promise<void> {
    const proc = run("mqbroker", ["-c", this.conf], this.home);
    this.proc = proc;
    await until(
      () => proc.stdout().includes("boot success") || proc.child.exitCode !== null,
      30_000,
      `${this.name} boot`,
    );
    if (!proc.stdout().includes("boot success")) throw new Error(`${this.name} did not start: ${proc.stderr()}`);
  }

  /** SIGTERM: a clean shutdown (unregisters from the name server). */
  async stop(): Promise<void> {
    await this.proc?.stop();
    this.proc = null;
  }

  /** SIGKILL: the process dies where it is. */
  async kill9(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    proc.child.kill("SIGKILL");
    await proc.exited;
    this.proc = null;
  }

  wipeStore(): void {
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  /** A file of this broker's store, or "" if it does not exist. */
  readStoreFile(...path: string[]): string {
    try {
      return readFileSync(join(this.storeDir, ...path), "utf8");
    } catch {
      return "";
    }
  }
}

export interface HACluster {
  namesrvAddr: string;
  home: string;
  brokers: Map<string, BrokerNode>;
  broker(name: string): BrokerNode;
  stop(): Promise<void>;
}

/**
 * Start `mode`'s brokers (masters first, each slave right after its master) with the template's
 * keys plus loopback addresses, a port, a store of its own and `extra` properties (all brokers, or
 * per broker name).
 */
export async function startHACluster(
  mode: "2m-2s-sync" | "2m-2s-async" | "2m-noslave",
  extra: { all?: string[]; [broker: string]: string[] | undefined } = {},
): Promise<HACluster> {
  const home = mkdtempSync(join(tmpdir(), "rmq-ha-"));
  const nsPort = await freePort();
  writeFileSync(join(home, "namesrv.properties"), `listenPort=${nsPort}\n`);
  const namesrv = run("mqnamesrv", ["-c", join(home, "namesrv.properties")], home);
  await until(() => namesrv.stdout().includes("boot success"), 15_000, "namesrv boot");
  const namesrvAddr = `127.0.0.1:${nsPort}`;
  const brokers = new Map<string, BrokerNode>();
  for (const b of clusterLayout(join(ROOT, "conf"), mode)) {
    const port = await freeBrokerPort();
    const bhome = join(home, b.name);
    mkdirSync(bhome, { recursive: true });
    const conf = join(bhome, `${b.name}.properties`);
    writeFileSync(
      conf,
      [
        readFileSync(b.template, "utf8"),
        `listenPort=${port}`,
        "brokerIP1=127.0.0.1",
        "brokerIP2=127.0.0.1",
        `namesrvAddr=${namesrvAddr}`,
        `storePathRootDir=${join(bhome, "store")}`,
        ...TEST_BROKER_PROPS,
        ...(extra.all ?? []),
        ...(extra[b.name] ?? []),
      ].join("\n"),
    );
    brokers.set(b.name, new BrokerNode(b.name, conf, bhome, port));
  }
  const cluster: HACluster = {
    namesrvAddr,
    home,
    brokers,
    broker: (name) => {
      const node = brokers.get(name);
      if (!node) throw new Error(`no broker ${name}`);
      return node;
    },
    stop: async () => {
      for (const b of [...brokers.values()].reverse()) await b.stop().catch(() => undefined);
      await namesrv.stop();
      if (process.env["KEEP_E2E_HOME"]) console.log(`kept ${home}`);
      else rmSync(home, { recursive: true, force: true });
    },
  };
  try {
    for (const b of brokers.values()) await b.start();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
