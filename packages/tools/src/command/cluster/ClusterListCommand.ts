/** `mqadmin clusterList`: every broker of every cluster with its runtime figures (Java's ClusterListSubCommand). */
import { javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

/** The first of a "tps tps tps" runtime value; 0 when empty. */
const firstTps = (v: string | undefined): number => {
  const first = (v ?? "").split(" ")[0] ?? "";
  return first.trim() === "" ? 0 : Number(first);
};

export const clusterListCommand: SubCommand = {
  name: "clusterList",
  desc: "List all of clusters",
  options: [
    ["-m, --moreStats", "Print more stats", false],
    ["-i, --interval <arg>", "specify intervals numbers, it is in seconds", false],
    ["-c, --clusterName <arg>", "which cluster", false],
  ],
  async run(opts, { admin, out }) {
    const print = async (): Promise<void> => {
      const info = await admin.examineBrokerClusterInfo();
      const more = Boolean(opts["moreStats"]);
      if (more)
        out(
          javaFormat(
            "%-16s  %-32s %14s %14s %14s %14s%n",
            "#Cluster Name",
            "#Broker Name",
            "#InTotalYest",
            "#OutTotalYest",
            "#InTotalToday",
            "#OutTotalToday",
          ),
        );
      else
        out(
          javaFormat(
            "%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s%n",
            "#Cluster Name",
            "#Broker Name",
            "#BID",
            "#Addr",
            "#Version",
            "#InTPS(LOAD)",
            "#OutTPS(LOAD)",
            "#PCWait(ms)",
            "#Hour",
            "#SPACE",
          ),
        );
      for (const [cluster, names] of info.clusterAddrTable) {
        if (opts["clusterName"] && cluster !== str(opts, "clusterName")) continue;
        for (const name of [...names].sort()) {
          const bd = info.brokerAddrTable.get(name);
          if (!bd) continue;
          for (const [id, addr] of [...bd.brokerAddrs.entries()].sort((a, b) => a[0] - b[0])) {
            let kv = new Map<string, string>();
            try {
              kv = await admin.fetchBrokerRuntimeStats(addr);
            } catch {
              // Java prints the row with zero values when a broker cannot be reached
            }
            if (more) {
              const n = (k: string): number => Number(kv.get(k) ?? 0);
              out(
                javaFormat(
                  "%-16s  %-32s %14d %14d %14d %14d%n",
                  cluster,
                  name,
                  n("msgPutTotalTodayMorning") - n("msgPutTotalYesterdayMorning"),
                  n("msgGetTotalTodayMorning") - n("msgGetTotalYesterdayMorning"),
                  n("msgPutTotalTodayNow") - n("msgPutTotalTodayMorning"),
                  n("msgGetTotalTodayNow") - n("msgGetTotalTodayMorning"),
                ),
              );
              continue;
            }
            const earliest = Number(kv.get("earliestMessageTimeStamp") ?? 0);
            const hour = kv.size > 0 ? (Date.now() - earliest) / 3600000 : 0;
            out(
              javaFormat(
                "%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s%n",
                cluster,
                name,
                String(id),
                addr,
                kv.get("brokerVersionDesc") ?? "",
                javaFormat(
                  "%9.2f(%s,%sms)",
                  firstTps(kv.get("putTps")),
                  kv.get("sendThreadPoolQueueSize") ?? "",
                  kv.get("sendThreadPoolQueueHeadWaitTimeMills") ?? "",
                ),
                javaFormat(
                  "%9.2f(%s,%sms)",
                  firstTps(kv.get("getTransferedTps")),
                  kv.get("pullThreadPoolQueueSize") ?? "",
                  kv.get("pullThreadPoolQueueHeadWaitTimeMills") ?? "",
                ),
                kv.get("pageCacheLockTimeMills") ?? "",
                javaFormat("%2.2f", hour),
                javaFormat("%.4f", Number(kv.get("commitLogDiskRatio") ?? 0)),
              ),
            );
          }
        }
      }
    };
    const interval = Number(opts["interval"] ?? 0);
    await print();
    if (interval > 0) {
      for (;;) {
        await new Promise((r) => setTimeout(r, interval * 1000));
        await print();
      }
    }
  },
};
