// The brokers of a conf/<mode>/ template set on one machine: each gets its own listenPort (VIP
// port −2 and HA port +1 stay free, 10 apart) and its own home (store and logs), so four brokers fit.
import { readdirSync } from "node:fs";
import { join } from "node:path";

export const CLUSTER_MODES = ["2m-noslave", "2m-2s-async", "2m-2s-sync"];

/**
 * @param {string} confDir the conf/ directory
 * @param {string} mode one of CLUSTER_MODES
 * @param {number} basePort listenPort of the first broker
 * @returns {{ name: string, template: string, listenPort: number }[]} masters first, in name order
 */
export function clusterLayout(confDir, mode, basePort = 10911) {
  if (!CLUSTER_MODES.includes(mode)) throw new Error(`unknown cluster mode ${mode} (${CLUSTER_MODES.join(", ")})`);
  const names = readdirSync(join(confDir, mode))
    .filter((f) => /^broker-[a-z](-s)?\.properties$/.test(f))
    .map((f) => f.replace(/\.properties$/, ""))
    .sort();
  return names.map((name, i) => ({
    name,
    template: join(confDir, mode, `${name}.properties`),
    listenPort: basePort + 10 * i,
  }));
}
