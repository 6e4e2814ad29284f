// "Hosts" for the chaos scenarios: each one a network namespace the harness makes, with a veth pair
// into a bridge in the harness's own namespace, so every server gets an address of its own (brokers
// on port 10911, name servers on 9876, as in the seeds) and the harness itself is the client host at
// `.1` on the bridge. Faults are nftables rules inside the hosts' namespaces (the harness's own
// namespace is never changed): a partition drops every packet between two sets of hosts in both
// directions, silently, as a cut cable does (no RST, no ICMP: TCP finds out only by its timeouts);
// `loss` drops a share of a host's packets at random. This kernel has no netem, so there is no
// delay injection; drops and partitions are what nftables can do.
//
// Names carry the harness's pid (`rmqchaos-<pid>-<host>` namespaces, `rc<pid hex>…` interfaces) so
// that `sweep()` can remove what a killed run left behind without touching a running one.
import { execFileSync } from "node:child_process";
import { ensureDebianTool } from "../../../scripts/debianTool.mjs";

const NS_PREFIX = "rmqchaos-";

function run(cmd, args, input) {
  return execFileSync(cmd, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** Networks of this process not destroyed yet (the harness destroys them on SIGINT / SIGTERM). */
export const networks = new Set();

/** kill -9 whatever still runs inside namespace `ns`, then delete it. */
function deleteNamespace(ns) {
  for (const pid of run("ip", ["netns", "pids", ns]).split("\n").filter(Boolean)) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // gone already
    }
  }
  run("ip", ["netns", "del", ns]);
}

/** Remove namespaces (and what runs in them) and bridges of harness runs whose process is gone. */
export function sweep() {
  for (const line of run("ip", ["netns", "list"]).split("\n")) {
    const ns = line.split(" ")[0];
    const m = ns.match(/^rmqchaos-(\d+)-/);
    if (m && !pidAlive(Number(m[1]))) deleteNamespace(ns);
  }
  for (const line of run("ip", ["-o", "link", "show", "type", "bridge"]).split("\n")) {
    const m = line.match(/^\d+: rc([0-9a-f]+)br[:@]/);
    if (m && !pidAlive(parseInt(m[1], 16))) run("ip", ["link", "del", `rc${m[1]}br`]);
  }
}

/** A /24 in 10.0.0.0/8 that no route of this machine uses. */
function freeSubnet() {
  const routes = run("ip", ["-4", "route", "show", "table", "all"]);
  for (;;) {
    const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
    if (!routes.includes(`${net}.`)) return net;
  }
}

export class Network {
  /** Needs root, iproute2 and nftables (installed from Debian's packages when missing). */
  constructor() {
    ensureDebianTool("nft", "nftables");
    sweep();
    this.tag = process.pid.toString(16);
    this.subnet = freeSubnet();
    this.bridge = `rc${this.tag}br`;
    this.clientIp = `${this.subnet}.1`;
    /** @type {Map<string, { ns: string, ip: string, dc?: string }>} */
    this.hosts = new Map();
    run("ip", ["link", "add", this.bridge, "type", "bridge"]);
    run("ip", ["addr", "add", `${this.clientIp}/24`, "dev", this.bridge]);
    run("ip", ["link", "set", this.bridge, "up"]);
    networks.add(this);
  }

  /** A new host `name` (optionally in data centre `dc`): its namespace, address and empty rule set. */
  addHost(name, dc) {
    const i = this.hosts.size + 1;
    const ns = `${NS_PREFIX}${process.pid}-${name}`;
    const ip = `${this.subnet}.${10 + i}`;
    const inside = `rc${this.tag}h${i}`;
    const outside = `rc${this.tag}p${i}`;
    run("ip", ["netns", "add", ns]);
    run("ip", ["link", "add", inside, "type", "veth", "peer", "name", outside]);
    run("ip", ["link", "set", inside, "netns", ns]);
    run("ip", ["link", "set", outside, "master", this.bridge, "up"]);
    run("ip", ["-n", ns, "addr", "add", `${ip}/24`, "dev", inside]);
    run("ip", ["-n", ns, "link", "set", inside, "up"]);
    run("ip", ["-n", ns, "link", "set", "lo", "up"]);
    const host = { name, ns, ip, dc };
    this.hosts.set(name, host);
    this.resetRules(host);
    return host;
  }

  host(name) {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  /** The addresses of `names`; "client" is the harness itself. */
  ips(names) {
    return names.map((n) => (n === "client" ? this.clientIp : this.host(n).ip));
  }

  resetRules(host) {
    run(
      "ip",
      ["netns", "exec", host.ns, "nft", "-f", "-"],
      [
        "table inet chaos",
        "delete table inet chaos",
        "table inet chaos {",
        "  chain input { type filter hook input priority 0; }",
        "  chain output { type filter hook output priority 0; }",
        "}",
        "",
      ].join("\n"),
    );
  }

  addRules(host, rules) {
    const script = rules.map((r) => `add rule inet chaos ${r}`).join("\n") + "\n";
    run("ip", ["netns", "exec", host.ns, "nft", "-f", "-"], script);
  }

  /**
   * Cut every packet between the hosts of `a` and those of `b` (both directions, silently); "client"
   * may be on either side. Rules go into the namespaces of the non-client hosts of both sides.
   */
  partition(a, b) {
    const sides = [
      [a, b],
      [b, a],
    ];
    for (const [mine, theirs] of sides) {
      const set = `{ ${this.ips(theirs).join(", ")} }`;
      for (const name of mine) {
        if (name === "client") continue;
        this.addRules(this.host(name), [`input ip saddr ${set} drop`, `output ip daddr ${set} drop`]);
      }
    }
  }

  /** Cut `names` off from every other host and from the client. */
  isolate(names) {
    const others = ["client", ...[...this.hosts.keys()].filter((n) => !names.includes(n))];
    this.partition(names, others);
  }

  /** Drop `percent` % of the packets `name` sends and receives, at random. */
  loss(name, percent) {
    const p = Math.round(percent);
    this.addRules(this.host(name), [
      `input meta l4proto tcp numgen random mod 100 < ${p} drop`,
      `output meta l4proto tcp numgen random mod 100 < ${p} drop`,
    ]);
  }

  /** Remove every fault: all hosts reach each other and the client again. */
  heal() {
    for (const h of this.hosts.values()) this.resetRules(h);
  }

  /** argv prefix that runs a command inside host `name`'s namespace. */
  execPrefix(name) {
    return ["ip", "netns", "exec", this.host(name).ns];
  }

  /** Delete the namespaces (their veths go with them; a process still in one is killed) and the bridge. */
  destroy() {
    networks.delete(this);
    for (const h of this.hosts.values()) {
      try {
        deleteNamespace(h.ns);
      } catch {
        // already gone
      }
    }
    this.hosts.clear();
    try {
      run("ip", ["link", "del", this.bridge]);
    } catch {
      // already gone
    }
  }
}
