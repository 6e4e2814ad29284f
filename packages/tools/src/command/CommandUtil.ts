/** Broker addresses of a cluster, as Java's tools CommandUtil resolves them from the name server's cluster info. */
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
