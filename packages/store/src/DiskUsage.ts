/** Disk usage of a partition, as Java's UtilAll.getDiskPartitionSpaceUsedPercent. */
import { statfsSync } from "node:fs";

/** Usage of the partition holding `path` as a fraction, rounded up to whole percent; -1 if unknown. */
export function diskPartitionSpaceUsedPercent(path: string): number {
  try {
    const st = statfsSync(path);
    const total = st.blocks * st.bsize;
    const free = st.bavail * st.bsize;
    if (total <= 0) return -1;
    const used = total - st.bfree * st.bsize;
    return Math.ceil((used * 100) / (used + free)) / 100;
  } catch {
    return -1;
  }
}
