// Free loopback ports for the tools that start real servers (benchmarks, the chaos harness).
import { readFileSync } from "node:fs";
import net from "node:net";

/** The port is free on 127.0.0.1 (nothing listens on it). */
export function isFree(port) {
  return new Promise((r) => {
    const s = net.createServer();
    s.once("error", () => r(false));
    s.listen(port, "127.0.0.1", () => s.close(() => r(true)));
  });
}

/** The kernel's range for outgoing connections' local ports (Linux; the usual default elsewhere). */
function ephemeralRange() {
  try {
    const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    // not Linux
  }
  return [32768, 60999];
}

/**
 * A free listen port whose VIP (−2) and HA (+1) neighbours are free too, below the ephemeral range:
 * a server restarted on its old ports (a chaos round, a restart bench) must not find one taken as the
 * local port of some outgoing connection meanwhile, which a port from `listen(0)` can be.
 */
export async function freeBrokerPort() {
  const [lo] = ephemeralRange();
  const from = Math.min(20000, lo - 5000);
  for (;;) {
    const p = from + 2 + Math.floor(Math.random() * (lo - from - 4));
    // ports handed out earlier may not be listening yet: keep their neighbourhoods apart too
    if ([...handedOut].some((q) => Math.abs(q - p) <= 3)) continue;
    if ((await isFree(p)) && (await isFree(p - 2)) && (await isFree(p + 1))) {
      handedOut.add(p);
      return p;
    }
  }
}

const handedOut = new Set();
