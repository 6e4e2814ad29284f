/**
 * A DLedger group of real bin/mqbroker processes for e2e drills: one name server, members n0..n2 of
 * RaftNode00 with their own listen port, peer port and store; members are started, killed (-9),
 * suspended (SIGSTOP / SIGCONT) and restarted from the same config and store.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MQAdminClient } from "@rocketmq-ts/client";
import { freeBrokerPort, freePort, run, TEST_BROKER_PROPS, until, type Proc } from "./cluster.js";

export const GROUP = "RaftNode00";

/** Ports handed out to members of every group of this test process. */
const taken = new Set<number>();

export interface DLedgerGroupOptions {
  /** brokerName and dLegerGroup (default RaftNode00). */
  name?: string;
  /** Join this name server instead of starting one. */
  namesrvAddr?: string;
}

export interface GroupMember {
  id: string;
  port: number;
  addr: string;
  conf: string;
  storeRoot: string;
  proc: Proc | null;
}

export class DLedgerGroup {
  readonly members = new Map<string, GroupMember>();
  namesrvAddr = "";
  private home = "";
  private namesrv: Proc | null = null;
  private admin: MQAdminClient | null = null;

  name = GROUP;

  /** Name server up (unless given) and members configured (not started); `extraProps` go to every member. */
  async create(ids: string[], extraProps: string[] = [], options: DLedgerGroupOptions = {}): Promise<void> {
    this.name = options.name ?? GROUP;
    this.home = mkdtempSync(join(tmpdir(), "rmq-dledger-drills-"));
    let nsPort = 0;
    if (options.namesrvAddr) this.namesrvAddr = options.namesrvAddr;
    else {
      nsPort = await freePort();
      writeFileSync(join(this.home, "namesrv.properties"), `listenPort=${nsPort}\n`);
      this.namesrv = run("mqnamesrv", ["-c", join(this.home, "namesrv.properties")], this.home);
      await until(() => this.namesrv?.stdout().includes("boot success") ?? false, 15_000, "namesrv boot");
      this.namesrvAddr = `127.0.0.1:${nsPort}`;
    }
    this.admin = new MQAdminClient({ namesrvAddr: this.namesrvAddr });
    // every port distinct (over all groups of this process): a port handed out is free until its
    // member binds it, so it may come again
    if (nsPort) taken.add(nsPort);
    const distinct = async (next: () => Promise<number>): Promise<number> => {
      for (;;) {
        const p = await next();
        if (taken.has(p) || taken.has(p - 2) || taken.has(p + 1)) continue;
        taken.add(p);
        return p;
      }
    };
    const peerPorts: number[] = [];
    for (let i = 0; i < ids.length; i++) peerPorts.push(await distinct(freePort));
    const peers = ids.map((id, i) => `${id}-127.0.0.1:${peerPorts[i]}`).join(";");
    for (const id of ids) {
      const port = await distinct(freeBrokerPort);
      const storeRoot = join(this.home, id, "store");
      const conf = join(this.home, `broker-${id}.conf`);
      writeFileSync(
        conf,
        [
          "brokerClusterName=RaftCluster",
          `brokerName=${this.name}`,
          `listenPort=${port}`,
          "brokerIP1=127.0.0.1",
          `namesrvAddr=${this.namesrvAddr}`,
          `storePathRootDir=${storeRoot}`,
          `storePathCommitLog=${join(storeRoot, "commitlog")}`,
          "mappedFileSizeCommitLog=16777216",
          "enableDLegerCommitLog=true",
          `dLegerGroup=${this.name}`,
          `dLegerPeers=${peers}`,
          `dLegerSelfId=${id}`,
          ...TEST_BROKER_PROPS,
          ...extraProps,
        ].join("\n"),
      );
      this.members.set(id, { id, port, addr: `127.0.0.1:${port}`, conf, storeRoot, proc: null });
    }
  }

  member(id: string): GroupMember {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  /** Start (or restart) members; resolves when each printed its boot line. */
  async start(...ids: string[]): Promise<void> {
    for (const id of ids) {
      const m = this.member(id);
      m.proc = run("mqbroker", ["-c", m.conf], join(this.home, id));
    }
    for (const id of ids) {
      const proc = this.member(id).proc as Proc;
      await until(() => proc.stdout().includes("boot success") || proc.child.exitCode !== null, 30_000, `${id} boot`);
      if (proc.child.exitCode !== null) throw new Error(`${id} exited: ${proc.stderr()}`);
    }
  }

  async kill9(id: string): Promise<void> {
    const proc = this.member(id).proc;
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    proc.child.kill("SIGKILL");
    await proc.exited;
  }

  signal(id: string, signal: "SIGSTOP" | "SIGCONT"): void {
    this.member(id).proc?.child.kill(signal);
  }

  /** brokerId → member id of this group, as the name server has it. */
  async registered(): Promise<Map<number, string>> {
    const info = await (this.admin as MQAdminClient).examineBrokerClusterInfo().catch(() => null);
    const out = new Map<number, string>();
    for (const [bid, addr] of info?.brokerAddrTable.get(this.name)?.brokerAddrs ?? []) {
      const id = [...this.members.values()].find((m) => m.addr === addr)?.id;
      if (id) out.set(bid, id);
    }
    return out;
  }

  /** Until `cond` holds of the registered members, within `ms`; the last registration seen. */
  async untilRegistered(
    cond: (r: Map<number, string>) => boolean,
    ms: number,
    what: string,
  ): Promise<Map<number, string>> {
    const end = Date.now() + ms;
    for (;;) {
      const r = await this.registered();
      if (cond(r)) return r;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; registered: ${JSON.stringify([...r])}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /** A member's runtime stats (mqadmin brokerStatus). */
  runtimeStats(id: string): Promise<Map<string, string>> {
    return (this.admin as MQAdminClient).fetchBrokerRuntimeStats(this.member(id).addr);
  }

  get adminClient(): MQAdminClient {
    return this.admin as MQAdminClient;
  }

  async destroy(): Promise<void> {
    await this.admin?.shutdown().catch(() => undefined);
    for (const m of this.members.values()) {
      m.proc?.child.kill("SIGCONT");
      await m.proc?.stop();
      m.proc = null;
    }
    await this.namesrv?.stop();
    if (this.home) rmSync(this.home, { recursive: true, force: true });
    this.home = "";
    this.admin = null;
    this.namesrv = null;
  }
}
