// A chaos scenario's cluster of real processes: name servers and brokers either on loopback (free
// ports) or each on a host of a `Network` (its own address; 9876 for name servers, 10911 for
// brokers, as in the seeds), the admin client that watches registrations, and `verifyStore`, which
// runs `bin/mqstore verify` on a stopped broker's store.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { MQAdminClient } from "../../../packages/client/dist/index.js";
import { newTopicConfig } from "../../../packages/common/dist/index.js";
import { freeBrokerPort, ROOT, ServerProcess, until } from "./processes.mjs";

export class ChaosCluster {
  /** @param {{ home: string, network?: import("./network.mjs").Network }} options */
  constructor({ home, network }) {
    this.home = home;
    this.network = network;
    this.namesrvs = [];
    /** name → ServerProcess with `addr`, `store`, `host`, `brokerName`, `brokerId` */
    this.brokers = new Map();
    this.admin = null;
  }

  get namesrvAddr() {
    return this.namesrvs.map((n) => n.addr).join(";");
  }

  /** A name server on `host` (a Network host name), or on loopback. */
  async addNamesrv(name, host) {
    let addr;
    let prefix = [];
    if (host) {
      addr = `${this.network.host(host).ip}:9876`;
      prefix = this.network.execPrefix(host);
    } else addr = `127.0.0.1:${await freeBrokerPort()}`;
    const [ip, port] = addr.split(":");
    const ns = new ServerProcess(this.home, name, "mqnamesrv", [`listenPort=${port}`], { prefix });
    Object.assign(ns, { addr, ip, host });
    this.namesrvs.push(ns);
    return ns;
  }

  /**
   * A broker `name` of `brokerName` with `brokerId` (0 master, >0 slave) and `props` (role, flush,
   * ...). Its store lives in the run's home and survives kill and restart.
   */
  async addBroker(name, { brokerName, brokerId = 0, host, props = [] }) {
    let ip = "127.0.0.1";
    let port;
    let prefix = [];
    if (host) {
      ip = this.network.host(host).ip;
      port = 10911;
      prefix = this.network.execPrefix(host);
    } else port = await freeBrokerPort();
    const store = join(this.home, name, "store");
    const b = new ServerProcess(
      this.home,
      name,
      "mqbroker",
      [
        "brokerClusterName=ChaosCluster",
        `brokerName=${brokerName}`,
        `brokerId=${brokerId}`,
        `listenPort=${port}`,
        `brokerIP1=${ip}`,
        `brokerIP2=${ip}`,
        `namesrvAddr=${this.namesrvAddr}`,
        `storePathRootDir=${store}`,
        `storePathCommitLog=${store}/commitlog`,
        "mappedFileSizeCommitLog=67108864",
        ...props,
      ],
      { prefix },
    );
    Object.assign(b, { addr: `${ip}:${port}`, store, host, brokerName, brokerId });
    this.brokers.set(name, b);
    return b;
  }

  broker(name) {
    const b = this.brokers.get(name);
    if (!b) throw new Error(`no broker ${name}`);
    return b;
  }

  /**
   * Name servers, then masters, then (once the masters are registered) slaves: a slave learns its
   * master's HA address from its registration's answer, and one that registers first waits for its
   * next registration (30 s) before it replicates, as in Java.
   */
  async start() {
    await Promise.all(this.namesrvs.map((n) => n.start()));
    this.admin = new MQAdminClient({ namesrvAddr: this.namesrvAddr });
    const all = [...this.brokers.values()];
    await Promise.all(all.filter((b) => b.brokerId === 0).map((b) => b.start()));
    await this.untilRegistered();
    await Promise.all(all.filter((b) => b.brokerId !== 0).map((b) => b.start()));
    await this.untilRegistered();
  }

  /** brokerName → (brokerId → addr) as the name servers report it now (empty map when none answers). */
  async registered() {
    const info = await this.admin.examineBrokerClusterInfo().catch(() => null);
    const out = new Map();
    for (const [name, data] of info?.brokerAddrTable ?? []) out.set(name, new Map(data.brokerAddrs));
    return out;
  }

  /** Wait until every broker that is alive is registered under its name and id. */
  async untilRegistered(ms = 90_000) {
    await until(
      async () => {
        const r = await this.registered();
        return [...this.brokers.values()]
          .filter((b) => b.alive)
          .every((b) => r.get(b.brokerName)?.get(b.brokerId) === b.addr);
      },
      ms,
      "every running broker registered",
    );
  }

  /**
   * Create `topic` on every master, as `mqadmin updateTopic -c` does, and wait until every slave has
   * it too: a slave takes topic configs from its master every 10 s and refuses pulls of a topic it
   * does not know yet (TOPIC_NOT_EXIST, as Java's), so a master lost before that sync leaves the
   * topic unreadable on its slave.
   */
  async createTopic(topic, queues = 4) {
    const running = [...this.brokers.values()].filter((b) => b.alive);
    for (const b of running)
      if (b.brokerId === 0)
        await this.admin.createAndUpdateTopicConfig(
          b.addr,
          newTopicConfig(topic, { readQueueNums: queues, writeQueueNums: queues }),
        );
    for (const b of running)
      if (b.brokerId !== 0)
        await until(
          async () =>
            (await this.admin.getUserTopicConfig(b.addr, false).catch(() => null))?.topicConfigTable.has(topic) ??
            false,
          60_000,
          `slave ${b.name} has topic ${topic} from its master`,
        );
  }

  async stop() {
    await this.admin?.shutdown().catch(() => undefined);
    for (const b of this.brokers.values()) await b.stop();
    for (const n of this.namesrvs) await n.stop();
  }
}

/**
 * `bin/mqstore verify <store> --json` on a stopped broker's store: its JSON report, or null when
 * the verifier is not there. A store is consistent when `ok` (warnings such as a torn tail after
 * kill -9, which recovery truncates, are allowed).
 */
export function verifyStore(store) {
  const bin = join(ROOT, "bin", "mqstore");
  if (!existsSync(bin)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["verify", store, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      try {
        resolve({ code, ...JSON.parse(out) });
      } catch {
        reject(new Error(`mqstore verify ${store} exited ${code}: ${err.slice(0, 500)}`));
      }
    });
  });
}

/** `verifyStore` of every broker's store (stop them first): one summary per broker that has a report. */
export async function verifyStores(cluster) {
  const out = [];
  for (const b of cluster.brokers.values()) {
    const v = await verifyStore(b.store);
    if (v) out.push({ broker: b.name, ok: v.ok, records: v.records, errors: v.errors?.slice(0, 3) });
  }
  return out;
}
