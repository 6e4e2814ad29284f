/**
 * The Cluster page's data (rocketmq-dashboard's ClusterController): every broker of every cluster
 * with its id, address, version, TPS, message counts and disk ratio from GET_BROKER_RUNTIME_INFO. A
 * broker that does not answer is listed with the error instead of failing the page.
 */
import type { MQAdminClient } from "@rocketmq-ts/client";

export interface BrokerView {
  cluster: string;
  brokerName: string;
  /** 0: master; DLedger groups and slaves ≥ 1. */
  brokerId: number;
  addr: string;
  /** brokerVersionDesc, e.g. V4_9_8. */
  version: string;
  /** Messages stored per second (putTps's 10 s figure). */
  inTps: number;
  /** Messages read per second (getTransferedTps's 10 s figure). */
  outTps: number;
  msgPutTotalTodayNow: number;
  msgGetTotalTodayNow: number;
  msgPutYesterday: number;
  msgGetYesterday: number;
  commitLogDiskRatio: number;
  /** Every runtime key as the broker reports it. */
  runtime: Record<string, string>;
  error?: string;
}

export interface ClusterView {
  clusters: { name: string; brokerNames: string[] }[];
  brokers: BrokerView[];
}

/** The first figure of a runtime rate ("12.50 11.00 9.87": 10 s, 1 min, 10 min); 0 when empty. */
export function firstRate(value: string | undefined): number {
  const n = Number((value ?? "").trim().split(/\s+/)[0]);
  return Number.isFinite(n) ? n : 0;
}

const num = (value: string | undefined): number => {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
};

export function brokerViewOf(
  cluster: string,
  brokerName: string,
  brokerId: number,
  addr: string,
  runtime: Map<string, string>,
): BrokerView {
  const get = (k: string): string | undefined => runtime.get(k);
  return {
    cluster,
    brokerName,
    brokerId,
    addr,
    version: get("brokerVersionDesc") ?? "",
    inTps: firstRate(get("putTps")),
    outTps: firstRate(get("getTransferedTps")),
    msgPutTotalTodayNow: num(get("msgPutTotalTodayNow")),
    msgGetTotalTodayNow: num(get("msgGetTotalTodayNow")),
    msgPutYesterday: num(get("msgPutTotalTodayMorning")) - num(get("msgPutTotalYesterdayMorning")),
    msgGetYesterday: num(get("msgGetTotalTodayMorning")) - num(get("msgGetTotalYesterdayMorning")),
    commitLogDiskRatio: num(get("commitLogDiskRatio")),
    runtime: Object.fromEntries(runtime),
  };
}

export class ClusterService {
  constructor(private readonly admin: MQAdminClient) {}

  async view(): Promise<ClusterView> {
    const info = await this.admin.examineBrokerClusterInfo();
    const clusters = [...info.clusterAddrTable]
      .map(([name, brokerNames]) => ({ name, brokerNames: [...brokerNames].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const jobs: Promise<BrokerView>[] = [];
    for (const { name, brokerNames } of clusters) {
      for (const brokerName of brokerNames) {
        const data = info.brokerAddrTable.get(brokerName);
        if (!data) continue;
        for (const [brokerId, addr] of [...data.brokerAddrs].sort((a, b) => a[0] - b[0])) {
          jobs.push(
            this.admin.fetchBrokerRuntimeStats(addr).then(
              (runtime) => brokerViewOf(name, brokerName, brokerId, addr, runtime),
              (err: unknown) => ({
                ...brokerViewOf(name, brokerName, brokerId, addr, new Map()),
                error: err instanceof Error ? err.message : String(err),
              }),
            ),
          );
        }
      }
    }
    return { clusters, brokers: await Promise.all(jobs) };
  }

  /** Every master address (id 0), by broker name. */
  async masters(): Promise<Map<string, string>> {
    const info = await this.admin.examineBrokerClusterInfo();
    const out = new Map<string, string>();
    for (const [name, data] of info.brokerAddrTable) {
      const addr = data.brokerAddrs.get(0);
      if (addr) out.set(name, addr);
    }
    return out;
  }
}
