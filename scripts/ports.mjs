// Free loopback ports for the tools that start real servers (benchmarks, the chaos harness).
import net from "node:net";

/** The port is free on 127.0.0.1 (nothing listens on it). */
export function isFree(port) {
  return new Promise((r) => {
    const s = net.createServer();
    s.once("error", () => r(false));
    s.listen(port, "127.0.0.1", () => s.close(() => r(true)));
  });
}

/** A free listen port whose VIP (−2) and HA (+1) neighbours are free too. */
export async function freeBrokerPort() {
  for (;;) {
    const p = await new Promise((r) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const port = s.address().port;
        s.close(() => r(port));
      });
    });
    if (p > 3 && p < 65000 && (await isFree(p - 2)) && (await isFree(p + 1))) return p;
  }
}
