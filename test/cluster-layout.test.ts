// scripts/cluster-layout.mjs: which templates `npm start -- --cluster <mode>` starts, with which ports.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clusterLayout, CLUSTER_MODES } from "../scripts/cluster-layout.mjs";

const CONF = join(import.meta.dirname, "..", "conf");

/** key=value pairs of a template (comments and blank lines skipped). */
function props(template: string): Map<string, string> {
  return new Map(
    readFileSync(template, "utf8")
      .split("\n")
      .filter((l) => /^\s*[^#!\s]/.test(l) && l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")).trim(), l.slice(l.indexOf("=") + 1).trim()]),
  );
}

describe("clusterLayout", () => {
  it("dledger-2g: two groups of three in RaftCluster, each member its own listenPort and its group's peer port", () => {
    const layout = clusterLayout(CONF, "dledger-2g");
    expect(layout.map((b) => [b.name, b.listenPort, b.dledgerPort])).toEqual([
      ["RaftNode00-n0", 10911, 40911],
      ["RaftNode00-n1", 10921, 40912],
      ["RaftNode00-n2", 10931, 40913],
      ["RaftNode01-n0", 10941, 40921],
      ["RaftNode01-n1", 10951, 40922],
      ["RaftNode01-n2", 10961, 40923],
    ]);
    const groups = new Map<string, { peers: Set<string>; selfIds: string[] }>();
    for (const b of layout) {
      const p = props(b.template);
      expect(p.get("brokerClusterName")).toBe("RaftCluster");
      expect(p.get("enableDLegerCommitLog")).toBe("true");
      const name = p.get("brokerName") ?? "";
      expect(b.name.startsWith(`${name}-`)).toBe(true);
      expect(p.get("dLegerGroup")).toBe(name);
      const g = groups.get(name) ?? { peers: new Set<string>(), selfIds: [] };
      g.peers.add(p.get("dLegerPeers") ?? "");
      g.selfIds.push(p.get("dLegerSelfId") ?? "");
      groups.set(name, g);
    }
    expect([...groups.keys()]).toEqual(["RaftNode00", "RaftNode01"]);
    for (const g of groups.values()) {
      expect(g.peers.size).toBe(1); // every member of a group names the same peers
      expect(g.selfIds).toEqual(["n0", "n1", "n2"]);
    }
    // the two groups' templates share no port: listenPort, its VIP port (−2), peer ports
    const ports = layout.flatMap((b) => {
      const listen = Number(props(b.template).get("listenPort"));
      return [listen, listen - 2, b.dledgerPort];
    });
    expect(new Set(ports).size).toBe(ports.length);
  });

  it("dledger: the one group of 4.9.8's conf/dledger/", () => {
    expect(clusterLayout(CONF, "dledger").map((b) => [b.name, b.listenPort, b.dledgerPort])).toEqual([
      ["broker-n0", 10911, 40911],
      ["broker-n1", 10921, 40912],
      ["broker-n2", 10931, 40913],
    ]);
  });

  it("master/slave modes: masters and slaves, no DLedger port", () => {
    expect(clusterLayout(CONF, "2m-2s-sync", 20911).map((b) => [b.name, b.listenPort, b.dledgerPort])).toEqual([
      ["broker-a", 20911, null],
      ["broker-a-s", 20921, null],
      ["broker-b", 20931, null],
      ["broker-b-s", 20941, null],
    ]);
    expect(clusterLayout(CONF, "2m-noslave").map((b) => b.name)).toEqual(["broker-a", "broker-b"]);
  });

  it("every mode has its templates; an unknown mode is refused naming the known ones", () => {
    for (const mode of CLUSTER_MODES) expect(clusterLayout(CONF, mode).length).toBeGreaterThan(0);
    expect(() => clusterLayout(CONF, "3g")).toThrow(/unknown cluster mode 3g \(2m-noslave, .*dledger-2g\)/);
  });
});
