// The brokers of a conf/<mode>/ template set on one machine: each gets its own listenPort (VIP
// port −2 and HA port +1 stay free, 10 apart) and its own home (store and logs), so six brokers fit.
// A DLedger group (conf/dledger/broker-n*.conf; two groups in conf/dledger-2g/RaftNode0*-n*.conf) keeps
// its templates' dLegerPeers ports.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const CLUSTER_MODES = ["2m-noslave", "2m-2s-async", "2m-2s-sync", "dledger", "dledger-2g"];

/** The DLedger peer port of a template's own member (dLegerSelfId in dLegerPeers), or null. */
function dledgerPort(template) {
  const props = new Map(
    readFileSync(template, "utf8")
      .split("\n")
      .filter((l) => /^\s*[^#!\s]/.test(l) && l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")).trim(), l.slice(l.indexOf("=") + 1).trim()]),
  );
  const self = props.get("dLegerSelfId");
  const peer = (props.get("dLegerPeers") ?? "").split(";").find((p) => p.startsWith(`${self}-`));
  return peer ? Number(peer.slice(peer.lastIndexOf(":") + 1)) : null;
}

/**
 * @param {string} confDir the conf/ directory
 * @param {string} mode one of CLUSTER_MODES
 * @param {number} basePort listenPort of the first broker
 * @returns {{ name: string, template: string, listenPort: number, dledgerPort: number | null }[]}
 *   masters first (DLedger: n0, n1, n2 of each group), in name order
 */
export function clusterLayout(confDir, mode, basePort = 10911) {
  if (!CLUSTER_MODES.includes(mode)) throw new Error(`unknown cluster mode ${mode} (${CLUSTER_MODES.join(", ")})`);
  const pattern =
    mode === "dledger"
      ? /^broker-n\d+\.conf$/
      : mode === "dledger-2g"
        ? /^RaftNode\d+-n\d+\.conf$/
        : /^broker-[a-z](-s)?\.properties$/;
  // by name without the extension: broker-a before broker-a-s (whole file names sort "-" before ".")
  const files = readdirSync(join(confDir, mode))
    .filter((f) => pattern.test(f))
    .map((file) => ({ file, name: file.replace(/\.(properties|conf)$/, "") }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return files.map(({ file, name }, i) => {
    const template = join(confDir, mode, file);
    return {
      name,
      template,
      listenPort: basePort + 10 * i,
      dledgerPort: dledgerPort(template),
    };
  });
}
