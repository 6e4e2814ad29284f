/** Broker addresses of a cluster, as Java's tools CommandUtil resolves them from the name server's cluster info. */
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import type { MQAdminExt } from "./MQAdminExt.js";

/** The master (brokerId 0) of every broker set in `cluster`. */
export async function fetchMasterAddrByClusterName(admin: MQAdminExt, cluster: string): Promise<string[]> {
  const info = await admin.examineBrokerClusterInfo();
  const names = info.clusterAddrTable.get(cluster) ?? [];
  return names.map((n) => info.brokerAddrTable.get(n)?.brokerAddrs.get(0)).filter((a): a is string => a !== undefined);
}

/** Every address (master and slaves, by brokerId) of every broker set in `cluster`. */
export async function fetchMasterAndSlaveAddrByClusterName(admin: MQAdminExt, cluster: string): Promise<string[]> {
  const info = await admin.examineBrokerClusterInfo();
  const names = info.clusterAddrTable.get(cluster) ?? [];
  return names.flatMap((n) =>
    [...(info.brokerAddrTable.get(n)?.brokerAddrs.entries() ?? [])].sort((a, b) => a[0] - b[0]).map(([, a]) => a),
  );
}

/**
 * Each master of `cluster` with its slaves, in the order Java's tools walk them (a HashMap of
 * capacity 4 keyed by master address, filled from the cluster's broker-name HashSet); a broker set
 * whose master is offline is left out. Null when the name server does not know the cluster.
 */
export async function fetchMasterAndSlaveDistinguish(
  admin: MQAdminExt,
  cluster: string,
): Promise<Map<string, string[]> | null> {
  const info = await admin.examineBrokerClusterInfo();
  const names = info.clusterAddrTable.get(cluster);
  if (!names) return null;
  const slavesOf = new Map<string, string[]>();
  for (const name of javaHashMapOrder(names)) {
    const addrs = info.brokerAddrTable.get(name)?.brokerAddrs;
    const master = addrs?.get(0);
    if (!addrs || master === undefined) continue;
    slavesOf.set(
      master,
      [...addrs]
        .filter(([id]) => id !== 0)
        .sort((a, b) => a[0] - b[0])
        .map(([, addr]) => addr),
    );
  }
  return new Map(javaHashMapOrder([...slavesOf.keys()], 4).map((m) => [m, slavesOf.get(m) ?? []]));
}

/** Java's CommandUtil.ERROR_MESSAGE, printed after `[error] ` when a cluster is unknown. */
export const UNKNOWN_CLUSTER_MESSAGE =
  "Make sure the specified clusterName exists or the name server connected to is correct.";

/**
 * Java's fetchMasterAddrByClusterName (`withSlaves` false) / fetchMasterAndSlaveAddrByClusterName
 * (true) as the ACL commands use them: the addresses in the order of the HashSet Java returns, and
 * `[error] …` printed (without a line end) when the name server does not know the cluster.
 */
export async function fetchAddrSetByClusterName(
  admin: MQAdminExt,
  cluster: string,
  withSlaves: boolean,
  out: (text: string) => void,
): Promise<string[]> {
  const info = await admin.examineBrokerClusterInfo();
  const names = info.clusterAddrTable.get(cluster);
  if (!names) {
    out(`[error] ${UNKNOWN_CLUSTER_MESSAGE}`);
    return [];
  }
  const added: string[] = [];
  for (const name of javaHashMapOrder(names)) {
    const addrs = info.brokerAddrTable.get(name)?.brokerAddrs;
    if (!addrs) continue;
    const chosen = withSlaves ? [...addrs].sort((a, b) => a[0] - b[0]).map(([, a]) => a) : [addrs.get(0)];
    for (const addr of chosen) if (addr !== undefined && !added.includes(addr)) added.push(addr);
  }
  return javaHashMapOrder(added);
}
